/**
 * The check run's "Accept breaking" button: the other way to approve a PR's breaking changes besides adding the
 * approval label. A press is recorded exactly as the label (the App adds the label to the PR), so it approves
 * what the label approves — the PR's breaking changes until someone removes the label — and whoever may remove
 * the label may revoke it. What the button adds: it checks that the person who pressed it has write access, that
 * they pressed it on the check run of the PR's current head (they saw what they approve), and the comment names
 * them. Pure: the rules (the messages are in report/accept-button.ts); the use case reads and writes.
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
