/**
 * The check run's "Accept breaking" button: the other way to approve a PR's breaking changes besides adding the
 * approval label. A press is recorded exactly as the label (the App adds the label to the PR), so it approves
 * what the label approves — the PR's breaking changes until someone removes the label — and whoever may remove
 * the label may revoke it. What the button adds: it checks that the person who pressed it has write access, that
 * they pressed it on the check run of the PR's current head (they saw what they approve), and the comment names
 * them. Pure: the messages and the rules; the use case does the reading and writing.
 * @module
 */
import { type Finding, severityRank } from './findings.js';

/** GitHub's limits: identifier and label ≤ 20 characters, description ≤ 40. */
export const acceptBreakingAction = {
  identifier: 'accept-breaking',
  label: 'Accept breaking',
  description: 'Adds the approval label (write access)',
} as const;

export type CheckRunAction = { identifier: string; label: string; description: string };

/** Who approved, when the App knows it from the event that approved: the label's sender or the button's presser. */
export interface Approver {
  login: string;
  via: 'label' | 'button';
  /** The label the event added (`via: 'label'`): it names the approver only when it is the approval label. */
  label?: string;
}

/**
 * The button is offered when breaking changes fail the check: an approval would waive them. (Other failures
 * stay; the button does not hide them.)
 */
export function offersAcceptBreaking(findings: readonly Finding[]): boolean {
  return findings.some(
    (f) => f.kind === 'breaking' && !f.waivedBy && severityRank[f.severity] >= severityRank.error,
  );
}

/**
 * GitHub's `permission` of the collaborator-permission endpoint: `admin`, `write` (the `maintain` role and custom
 * roles built on write map to it), `read` (also `triage`) or `none`. Only the first two may approve, as only they
 * may merge or label.
 */
export function mayApprove(permission: string): boolean {
  return permission === 'admin' || permission === 'write';
}

const short = (sha: string) => sha.slice(0, 7);

/** Why a press approved nothing, told to the person who pressed (a PR comment that mentions them). */
export type Refusal =
  | { reason: 'no-write-access'; login: string; repo: string; permission: string; label: string }
  | { reason: 'stale-run'; login: string; runSha: string; headSha: string }
  | { reason: 'closed'; login: string };

export function describeRefusal(refusal: Refusal): string {
  const who = `@${refusal.login}`;
  switch (refusal.reason) {
    case 'no-write-access':
      return `${who} pressed **${acceptBreakingAction.label}**, but approving breaking changes needs write access to ${refusal.repo} (yours: ${refusal.permission}). Nothing was approved: someone with write access can press it or add the label \`${refusal.label}\`.`;
    case 'stale-run':
      return `${who} pressed **${acceptBreakingAction.label}** on the check run of ${short(refusal.runSha)}, but this pull request is now at ${short(refusal.headSha)}. Nothing was approved: look at the check run of the current commit and press it there.`;
    case 'closed':
      return `${who} pressed **${acceptBreakingAction.label}** on a closed pull request. Nothing was approved.`;
  }
}

/** The approval notice's "who": named when the approving event said so. */
export function describeApprover(approver: Approver | undefined, label: string): string {
  if (approver?.via === 'button')
    return ` @${approver.login} pressed ${acceptBreakingAction.label} on the check run.`;
  if (approver?.via === 'label' && approver.label === label) return ` @${approver.login} added it.`;
  return '';
}
