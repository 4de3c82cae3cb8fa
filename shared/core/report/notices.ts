/**
 * Notices: what the reader of a check must know that is not a finding (a waiver by label, a setting that takes
 * effect only after the merge, a PR into another branch than the default).
 * @module
 */
import type { Approver } from '../accept-breaking.js';
import type { GateSettings } from '../config/repo-config.js';
import { repoConfigFile } from '../config/repo-config.js';
import type { Finding } from '../findings.js';
import { describeApprover } from './accept-button.js';

/** Makes the approval visible: which label accepted the breaking changes (when one did), and who, when known. */
export function approvalNotice(
  findings: readonly Finding[],
  labels: readonly string[] | undefined,
  label: string,
  approver?: Approver,
): string | undefined {
  if (!labels?.includes(label) || !findings.some((f) => f.waivedBy === 'approval')) return undefined;
  return `Breaking changes are accepted because this pull request has the label ${label}.${describeApprover(approver, label)}`;
}

/** The trust rule, said: a change to the gate settings applies only once merged. */
export function gatesEditedNotice(
  head: GateSettings,
  protectedGates: GateSettings,
  configPath: string = repoConfigFile,
): string | undefined {
  if (JSON.stringify(head) === JSON.stringify(protectedGates)) return undefined;
  return `This change edits the gate settings in ${configPath}; they take effect after it is merged.`;
}

export function rulesetEditedNotice(path: string): string {
  return `This change edits the lint ruleset ${path}; it takes effect after it is merged.`;
}

export function waiversEditedNotice(path: string): string {
  return `This change edits the breaking-change waivers in ${path}; they take effect after it is merged (waivers are read from the default branch, so a pull request cannot waive its own breaking changes).`;
}

/** A pull request into another branch than the default: what it is compared with and judged by. */
export function otherBaseNotice(baseRef: string, defaultBranch: string, requiredCheck: string): string {
  return `This pull request merges into ${baseRef}, not the default branch ${defaultBranch}: it is compared with ${baseRef}, judged by the gates of ${defaultBranch}, and reported as its own check run, not as the required ${requiredCheck}.`;
}
