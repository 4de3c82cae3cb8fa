/**
 * Adapter: a deploy branch's history over GitHub's REST API, through a read token of the deploy repo (contents,
 * checks and statuses: read): `repos/list-commits` of one path (the newest commit that changed it, with GitHub's
 * attribution and signature verification), `repos/get-combined-status-for-ref` (Argo CD and Flux post commit
 * statuses) and `checks/list-for-ref`.
 * @module
 */
import type { CommitSignal } from '../../core/deploy/time-promotion.js';
import type { RepoRef } from '../../core/repo-ref.js';
import type { DeployHistory } from '../../ports/deploy-history.js';
import type { AppOctokit } from './create-octokit.js';

/** GitHub's own committer on the commits it makes and signs (web editor, `createCommitOnBranch`). */
const gitHubCommitter = 'web-flow';

export function createGitHubDeployHistory(octokit: AppOctokit, repo: RepoRef): DeployHistory {
  return {
    async lastChange(head, path) {
      const { data } = await octokit.rest.repos.listCommits({ ...repo, sha: head, path, per_page: 1 });
      const [commit] = data;
      if (!commit) return undefined;
      const committedAt = Date.parse(commit.commit.committer?.date ?? '');
      return {
        sha: commit.sha,
        committedAt: Number.isNaN(committedAt) ? 0 : committedAt,
        signedByGitHub:
          commit.commit.verification?.verified === true &&
          commit.commit.verification.reason === 'valid' &&
          commit.committer?.login === gitHubCommitter,
        ...(commit.author?.login ? { author: commit.author.login } : {}),
      };
    },
    async signals(sha) {
      const [statuses, checks] = await Promise.all([
        octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha, per_page: 100 }),
        octokit.rest.checks.listForRef({ ...repo, ref: sha, filter: 'latest', per_page: 100 }),
      ]);
      return [
        ...statuses.data.statuses.map(
          (status): CommitSignal => ({ name: status.context, state: statusState(status.state) }),
        ),
        ...checks.data.check_runs.map(
          (run): CommitSignal => ({ name: run.name, state: checkState(run.status, run.conclusion) }),
        ),
      ];
    },
  };
}

function statusState(state: string): CommitSignal['state'] {
  if (state === 'success') return 'success';
  if (state === 'pending') return 'pending';
  return 'failure'; // failure, error
}

function checkState(status: string, conclusion: string | null): CommitSignal['state'] {
  if (status !== 'completed') return 'pending';
  if (conclusion === 'success') return 'success';
  if (conclusion === 'failure' || conclusion === 'timed_out' || conclusion === 'action_required')
    return 'failure';
  return conclusion === 'startup_failure' ? 'failure' : 'neutral'; // neutral, skipped, cancelled, stale
}
