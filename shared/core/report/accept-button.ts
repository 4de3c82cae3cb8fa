/**
 * What the Accept button says: why a press approved nothing (a comment to the presser), and who approved (the
 * approval notice). The rules are in ../accept-breaking.ts.
 * @module
 */
import { type Approver, acceptBreakingAction } from '../accept-breaking.js';
import { inlineCode } from './escape.js';

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
      return `${who} pressed **${acceptBreakingAction.label}**, but approving breaking changes needs write access to ${refusal.repo} (yours: ${refusal.permission}). Nothing was approved: someone with write access can press it or add the label ${inlineCode(refusal.label)}.`;
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
