/**
 * Use case: deploy a pushed commit of a source repo's default branch. Render every API at that commit, check
 * tenancy against the deploy repo's grants and other tenants, plan the folder's changes and commit them as ONE
 * compare-and-swap commit; on a conflict re-read the deploy repo, re-check, re-plan and retry with backoff.
 * Only a commit on the default branch now is deployed, an older source commit never overwrites a newer one
 * (ancestry against the branch head and the commit recorded in the folder), a deploy that changes nothing
 * commits nothing, and the merged PR (as GitHub associates it with the commit) gets a comment linking the
 * deploy commit. This file is the compare-and-swap loop only: the render and the deploy-repo reads are shared with
 * the PR preview (`preview-deploy.ts`), the decision is pure (`core/deploy/decide-deploy.ts`).
 * @module
 */
import { decideDeploy } from '../core/deploy/decide-deploy.js';
import { buildRepoFolder } from '../core/deploy/deploy-paths.js';
import type { DeployPlan } from '../core/deploy/plan-deploy.js';
import { failureFields, UpstreamError } from '../core/errors.js';
import type { Finding } from '../core/findings.js';
import type { DeployJob } from '../core/jobs.js';
import { formatRepoRef, type RepoRef } from '../core/repo-ref.js';
import {
  buildDeployedComment,
  buildDeployPullRequest,
  buildNotDeployedComment,
} from '../core/report/deploy-comment.js';
import type { CodeHost } from '../ports/code-host.js';
import type { DeployRepo, DeploySnapshot, SourceHistory } from '../ports/deploy-repo.js';
import type { Logger } from '../ports/logger.js';
import { readDeployState, renderSource } from './preview-deploy.js';

export interface DeployPushDeps {
  /** The source repo: files at the pushed commit, comments on the merged PR. */
  source: CodeHost;
  history: SourceHistory;
  deployRepo: DeployRepo;
  log?: Logger;
  /** Attempts of the CAS loop before the job fails (and the queue retries it later). Default 6. */
  maxAttempts?: number;
  /** First backoff in ms, doubled per attempt, with full jitter. Default 500. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export type DeployOutcome =
  | {
      status: 'committed';
      sha: string;
      url: string;
      pullRequestUrl?: string;
      /** `plan.sourceSha` is the commit deployed: the job's, or the branch head's (see `deployPush`). */
      plan: DeployPlan;
      attempts: number;
    }
  /** The deploy repo already holds exactly this render. */
  | { status: 'unchanged'; attempts: number }
  /**
   * The commit has no `.kuma-api-forge.yaml` and the deploy repo has no folder of this repo: not an API repo,
   * nothing is written. (Deleting the config of a deployed repo removes its APIs, like `apis: []`: the PR check
   * reported that as `api-removed`, and the deploy prunes the folder.)
   */
  | { status: 'no-config' }
  /** This commit, or a newer one, is already deployed: an older commit never overwrites a newer one. */
  | { status: 'superseded'; deployed: string }
  /**
   * The commit is not on the default branch any more (force-pushed away, or its event came late after a
   * rewrite): the deploy repo is not read or written. The branch head's own push deploys what is there now.
   */
  | { status: 'not-on-branch'; branch: string; head: string }
  /** Render errors or tenancy errors: nothing is written. */
  | { status: 'rejected'; findings: Finding[] };

/** Thrown when every CAS attempt lost a race: the deploy repo kept moving, so the queue retries the job later. */
export class DeployConflictError extends UpstreamError {
  override name = 'DeployConflictError';
  constructor(message: string) {
    super(message, { service: 'GitHub', retryable: true });
  }
}

export { deployCommentMarker } from '../core/report/deploy-comment.js';

/**
 * Deploys only what is on the source repo's default branch now:
 * - the job's commit must be the branch head or an ancestor of it, else nothing is deployed (`not-on-branch`);
 * - it must be newer than the commit the folder's `.source.yaml` records, else `superseded`;
 * - when the recorded commit is not on the branch any more (a force-push rewrote it away), the branch's current
 *   head is rendered instead of the job's commit, so the deploy repo converges to what the branch holds.
 * The merged PR (provenance and the "deployed" comment) is the one GitHub associates with the deployed commit.
 */
export async function deployPush(job: DeployJob, deps: DeployPushDeps): Promise<DeployOutcome> {
  const sourceRepo = job.repository;
  const repo = formatRepoRef(sourceRepo); // for log lines and messages
  const folder = buildRepoFolder(sourceRepo);
  // Renders are pure functions of the commit, history answers do not change within a job: each asked once.
  const render = memoize((sha: string) => renderSource(deps.source.files(sha), sourceRepo));
  const compare = memoize((base: string, head: string) => deps.history.compare(base, head));
  const pullOf = memoize((sha: string) => deps.source.findMergedPullRequest(sha));
  const hasFolder = (files: DeploySnapshot['files']) => files.some((file) => file.path.startsWith(folder));
  // A snapshot read before the loop is its first attempt's; each later attempt reads a fresh one.
  let snapshot: DeploySnapshot | undefined;
  if (!(await render(job.sha)).configFound) {
    snapshot = await deps.deployRepo.readSnapshot();
    if (!hasFolder(snapshot.files)) return { status: 'no-config' };
  }

  const { branch, sha: head } = await deps.history.defaultBranchHead();
  const onBranch = async (sha: string) => sha === head || (await compare(sha, head)) === 'ahead';
  if (!(await onBranch(job.sha))) {
    deps.log?.info('deploy skipped: the commit is not on the default branch', {
      repo,
      sha: job.sha,
      branch,
      head,
    });
    return { status: 'not-on-branch', branch, head };
  }
  /** The commit to deploy over `recorded`, or undefined when `recorded` is the job's commit or newer. */
  const pickCommit = async (recorded: string | undefined): Promise<string | undefined> => {
    if (recorded === undefined) return job.sha;
    if (!(await onBranch(recorded))) {
      deps.log?.info('the deployed commit is not on the default branch any more: deploying its head', {
        repo,
        sha: job.sha,
        deployed: recorded,
        branch,
        head,
      });
      return head;
    }
    const order = await compare(recorded, job.sha);
    if (order === 'ahead') return job.sha;
    if (order === 'identical' || order === 'behind') return undefined;
    // Both on the branch yet unrelated (a rewritten history merged back): the head holds both.
    return head;
  };

  const maxAttempts = deps.maxAttempts ?? 6;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    snapshot ??= await deps.deployRepo.readSnapshot();
    const state = await readDeployState(deps.deployRepo, snapshot, folder);
    const sha = await pickCommit(state.recorded);
    if (sha === undefined) {
      deps.log?.info('deploy skipped: this commit or a newer one is already deployed', {
        repo,
        sha: job.sha,
        deployed: state.recorded,
      });
      return { status: 'superseded', deployed: state.recorded! };
    }
    const rendered = await render(sha);
    // Without a config the render has no APIs: the plan prunes the folder, as the PR's preview showed.
    if (!rendered.configFound && !hasFolder(snapshot.files)) return { status: 'no-config' };
    const pullNumber = await pullOf(sha);
    const target: DeployTarget = { sourceRepo, sha, ...(pullNumber !== undefined ? { pullNumber } : {}) };
    const decision = decideDeploy({
      sourceRepo,
      sourceSha: sha,
      ...(pullNumber !== undefined ? { pullNumber } : {}),
      rendered,
      state,
      current: snapshot.files.filter((file) => file.path.startsWith(folder)),
    });
    if (decision.status === 'rejected') return reject(target, deps, decision.findings);
    const { plan } = decision;
    if (plan.changes.length === 0) return { status: 'unchanged', attempts: attempt };
    const parent = { sha: snapshot.headSha, treeSha: snapshot.treeSha };
    snapshot = undefined;
    const result = await deps.deployRepo.commit({
      sourceRepo,
      parent,
      message: plan.message,
      changes: plan.changes,
      pullRequest: buildDeployPullRequest(plan.message),
    });
    if (result.status === 'committed') {
      const deployed = buildDeployedComment({
        deployRepo: deps.deployRepo.description,
        folder: plan.folder,
        summary: plan.summary,
        commit: result,
      });
      await commentOnPull(target, deps, deployed);
      return { ...result, plan, attempts: attempt };
    }
    deps.log?.info('the deploy repo moved: retrying', {
      repo,
      sha,
      deployRepo: deps.deployRepo.description,
      attempt,
    });
    if (attempt < maxAttempts)
      await sleep(Math.floor(random() * (deps.backoffMs ?? 500) * 2 ** (attempt - 1)));
  }
  throw new DeployConflictError(
    `${deps.deployRepo.description} kept moving: ${maxAttempts} attempts to deploy ${repo}@${job.sha} lost the race`,
  );
}

/** The commit a deploy renders, and the PR GitHub says it merged. */
interface DeployTarget {
  sourceRepo: RepoRef;
  sha: string;
  pullNumber?: number;
}

function memoize<A extends string[], T>(compute: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (...args) => {
    const key = args.join(' ');
    let value = cache.get(key);
    if (!value) {
      value = compute(...args);
      cache.set(key, value);
    }
    return value;
  };
}

async function reject(
  target: DeployTarget,
  deps: DeployPushDeps,
  findings: Finding[],
): Promise<DeployOutcome> {
  deps.log?.warn('deploy rejected', {
    repo: formatRepoRef(target.sourceRepo),
    sha: target.sha,
    problems: findings.length,
  });
  await commentOnPull(
    target,
    deps,
    buildNotDeployedComment({ deployRepo: deps.deployRepo.description, sha: target.sha, findings }),
  );
  return { status: 'rejected', findings };
}

/** The deploy is done whatever happens to its comment: a failed comment is logged, not retried. */
async function commentOnPull(target: DeployTarget, deps: DeployPushDeps, body: string): Promise<void> {
  if (target.pullNumber === undefined) return;
  try {
    await deps.source.createComment(target.pullNumber, body);
  } catch (error) {
    deps.log?.warn('could not comment on the merged pull request', {
      pullNumber: target.pullNumber,
      ...failureFields(error),
    });
  }
}
