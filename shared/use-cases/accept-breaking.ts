/**
 * Use case: someone pressed the check run's Accept button. Approve exactly as the label does — the App adds the
 * approval label (from the default branch's config) to the PR — after asking GitHub that the presser has write
 * access and that the run they pressed is for the PR's current head. A refused press approves nothing and is
 * answered with a comment that mentions the presser and says why. The worker then checks the PR as usual.
 * @module
 */
import { mayApprove } from '../core/accept-breaking.js';
import { loadRepoConfigFile } from '../core/config/config-location.js';
import { parseRepoConfig, resolveGates } from '../core/config/repo-config.js';
import type { CheckJob } from '../core/jobs.js';
import { formatRepoRef } from '../core/repo-ref.js';
import { describeRefusal, type Refusal } from '../core/report/accept-button.js';
import type { CodeHost } from '../ports/code-host.js';
import type { FileSource } from '../ports/file-source.js';

export type AcceptOutcome =
  | { status: 'approved'; label: string; by: string }
  | { status: 'refused'; reason: Refusal['reason']; by: string };

/** The job of a press (`job.approver.via === 'button'`). */
export async function acceptBreaking(job: CheckJob, host: CodeHost): Promise<AcceptOutcome> {
  const login = job.approver?.login ?? '';
  const refuse = async (refusal: Refusal): Promise<AcceptOutcome> => {
    await host.createComment(job.pullNumber, describeRefusal(refusal));
    return { status: 'refused', reason: refusal.reason, by: login };
  };
  const pr = await host.getPullRequest(job.pullNumber);
  if (pr.state === 'closed') return refuse({ reason: 'closed', login });
  const label = await approvalLabel(host.files(pr.defaultBranchHead));
  const permission = await host.permissionOf(login);
  if (!mayApprove(permission))
    return refuse({
      reason: 'no-write-access',
      login,
      repo: formatRepoRef(job.repository),
      permission,
      label,
    });
  // The presser approves what they saw: the run of the current head, not one a push has since replaced.
  if (pr.headSha !== job.headSha)
    return refuse({ reason: 'stale-run', login, runSha: job.headSha, headSha: pr.headSha });
  if (!pr.labels.includes(label)) await host.addLabel(pr.number, label);
  return { status: 'approved', label, by: login };
}

/** The approval label as the check reads it: from the default branch's config, else the default. */
async function approvalLabel(gates: FileSource): Promise<string> {
  const { loaded } = await loadRepoConfigFile(gates);
  const config = loaded && !('findings' in loaded) ? parseRepoConfig(loaded).config : undefined;
  return (config?.gates ?? resolveGates(undefined)).approvalLabel;
}
