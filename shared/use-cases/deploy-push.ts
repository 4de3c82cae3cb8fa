/**
 * Use case: deploy a pushed commit of a source repo's default branch. Render every API at that commit, check
 * tenancy against the deploy repo's grants and other tenants, plan the folder's changes and commit them as ONE
 * compare-and-swap commit; on a conflict re-read the deploy repo, re-check, re-plan and retry with backoff.
 * Only a commit on the default branch now is deployed, an older source commit never overwrites a newer one
 * (ancestry against the branch head and the commit recorded in the folder), a deploy that changes nothing
 * commits nothing, and the merged PR (as GitHub associates it with the commit) gets a comment linking the
 * deploy commit. Several waiting jobs (of one or more source repos) deploy as one batch: one commit carrying each
 * repo's newest commit (`deployBatch`). This file is the compare-and-swap loop only: the render and the
 * deploy-repo reads are shared with the PR preview (`preview-deploy.ts`), the decision is pure
 * (`core/deploy/decide-deploy.ts`).
 * @module
 */
import { buildBatchMessage } from '../core/deploy/batch-message.js';
import { decideDeploy, type RenderedSource } from '../core/deploy/decide-deploy.js';
import { buildRepoFolder } from '../core/deploy/deploy-paths.js';
import type { DeployPlan } from '../core/deploy/plan-deploy.js';
import { parseSourceRecord, type SourceRecord, sourceRecordFile } from '../core/deploy/source-record.js';
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
import type { CommitOrder, DeployRepo, DeploySnapshot, SourceHistory } from '../ports/deploy-repo.js';
import type { Logger } from '../ports/logger.js';
import { checkRenderGovernance, readDeployState, renderSource } from './preview-deploy.js';
import { configPaths, prefetchInputs } from './read-ahead.js';

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
  /**
   * Deploy the job's commit or nothing, never the branch head in its place (a promotion: only the commit that
   * passed the environment before may land). Default false.
   */
  pinned?: boolean;
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
  const ports = { source: deps.source, history: deps.history };
  const [outcome] = await deployBatch([job], { ...deps, sourceOf: () => ports });
  return outcome!;
}

/** A source repo's ports in a deploy: its files and PR comments, its history. */
export interface DeploySource {
  source: CodeHost;
  history: SourceHistory;
}

export interface DeployBatchDeps extends Omit<DeployPushDeps, 'source' | 'history'> {
  /** The ports of a job's source repo (jobs of one repo may share them). */
  sourceOf(job: DeployJob): DeploySource;
  /**
   * "Deployed" comments on merged PRs per batch; beyond it they are skipped and logged (the deploy commit and
   * each `.source.yaml` still name every PR). Default: every PR gets its comment. Rejections always comment.
   */
  maxComments?: number;
}

/**
 * Deploys the waiting jobs of several source repos as ONE commit: per repo the newest of its jobs' commits (by
 * ancestry, never queue order) under the same rules as `deployPush`, every repo's plan made against the same
 * snapshot and their changes committed together (disjoint folders, one `.source.yaml` each, every plan's
 * provenance in the message). A repo whose render or tenancy is rejected is reported on its PR and left out;
 * the others still deploy. On a conflict everything still pending is re-read and re-planned. Returns each
 * job's outcome, in the order of `jobs`; throws (for the queue to retry) only when nothing was committed.
 */
export async function deployBatch(
  jobs: readonly DeployJob[],
  deps: DeployBatchDeps,
): Promise<DeployOutcome[]> {
  const outcomes = new Map<DeployJob, DeployOutcome>();
  const repos = new Map<string, RepoDeploy>();
  for (const job of jobs) {
    const folder = buildRepoFolder(job.repository);
    let repo = repos.get(folder);
    if (!repo) {
      repo = createRepoDeploy(job.repository, folder, deps.sourceOf(job));
      repos.set(folder, repo);
    }
    repo.jobs.push(job);
  }
  // A snapshot read before the loop is its first attempt's; each later attempt reads a fresh one.
  let snapshot: DeploySnapshot | undefined;
  const pending: RepoDeploy[] = [];
  for (const repo of repos.values()) {
    const lead = await chooseLead(repo, deps, outcomes, async () => {
      snapshot ??= await deps.deployRepo.readSnapshot();
      return snapshot;
    });
    if (lead) pending.push(repo);
  }

  const maxAttempts = deps.maxAttempts ?? 6;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    if (attempt > maxAttempts) {
      const names = pending.map((repo) => `${repo.name}@${repo.lead!.sha}`).join(', ');
      throw new DeployConflictError(
        `${deps.deployRepo.description} kept moving: ${maxAttempts} attempts to deploy ${names} lost the race`,
      );
    }
    snapshot ??= await deps.deployRepo.readSnapshot();
    const planned: { repo: RepoDeploy; plan: DeployPlan; target: DeployTarget }[] = [];
    for (const repo of [...pending]) {
      const step = await planRepo(repo, snapshot, deps, attempt);
      if ('outcome' in step) {
        outcomes.set(repo.lead!, step.outcome);
        pending.splice(pending.indexOf(repo), 1);
      } else planned.push({ repo, ...step });
    }
    if (planned.length === 0) break;
    const parent = { sha: snapshot.headSha, treeSha: snapshot.treeSha };
    snapshot = undefined;
    const message = buildBatchMessage(planned.map(({ plan }) => plan));
    const result = await deps.deployRepo.commit({
      sourceRepo: planned[0]!.repo.repo,
      parent,
      message,
      changes: planned.flatMap(({ plan }) => plan.changes),
      pullRequest: buildDeployPullRequest(message),
    });
    if (result.status === 'committed') {
      let comments = 0;
      for (const { repo, plan, target } of planned) {
        outcomes.set(repo.lead!, { ...result, plan, attempts: attempt });
        pending.splice(pending.indexOf(repo), 1);
        if (target.pullNumber === undefined) continue;
        if (comments >= (deps.maxComments ?? Number.POSITIVE_INFINITY)) {
          deps.log?.info('deployed comment skipped: over the per-batch limit', {
            repo: repo.name,
            pullNumber: target.pullNumber,
            commit: result.sha,
          });
          continue;
        }
        comments += 1;
        const deployed = buildDeployedComment({
          deployRepo: deps.deployRepo.description,
          folder: plan.folder,
          summary: plan.summary,
          commit: result,
          ...(plan.overwrote ? { overwrote: plan.overwrote } : {}),
        });
        await commentOnPull(target, repo.ports, deps, deployed);
      }
      continue;
    }
    deps.log?.info('the deploy repo moved: retrying', {
      repos: planned.map(({ repo, target }) => `${repo.name}@${target.sha}`),
      deployRepo: deps.deployRepo.description,
      attempt,
    });
    if (attempt < maxAttempts)
      await sleep(Math.floor(random() * (deps.backoffMs ?? 500) * 2 ** (attempt - 1)));
  }
  // The other jobs of a repo stand behind its newest commit (the lead), deployed or not.
  return jobs.map(
    (job) =>
      outcomes.get(job) ?? {
        status: 'superseded',
        deployed: [...repos.values()].find((repo) => repo.jobs.includes(job))!.lead!.sha,
      },
  );
}

/** One source repo of a deploy: its jobs, its ports and what it asked them (each question once). */
interface RepoDeploy {
  repo: RepoRef;
  /** `owner/repo`, for log lines and messages. */
  name: string;
  folder: string;
  ports: DeploySource;
  jobs: DeployJob[];
  /** The job whose commit is deployed: the newest on the branch. */
  lead?: DeployJob;
  branch?: { name: string; head: string };
  render(sha: string): Promise<RenderedSource>;
  compare: Memoized<[base: string, head: string], CommitOrder>;
  pullOf(sha: string): Promise<number | undefined>;
}

function createRepoDeploy(repo: RepoRef, folder: string, ports: DeploySource): RepoDeploy {
  return {
    repo,
    name: formatRepoRef(repo),
    folder,
    ports,
    jobs: [],
    // Renders are pure functions of the commit, history answers do not change within a job: each asked once.
    render: memoize((sha: string) => renderSource(ports.source.files(sha), repo)),
    compare: memoize((base: string, head: string) => ports.history.compare(base, head)),
    pullOf: memoize((sha: string) => ports.source.findMergedPullRequest(sha)),
  };
}

const hasFolder = (files: DeploySnapshot['files'], folder: string) =>
  files.some((file) => file.path.startsWith(folder));

/**
 * Sets the repo's lead: the newest of its jobs' commits that are on the default branch (the others get their
 * outcome here: `no-config`, `not-on-branch`). Undefined when none is left to deploy.
 */
async function chooseLead(
  repo: RepoDeploy,
  deps: DeployBatchDeps,
  outcomes: Map<DeployJob, DeployOutcome>,
  snapshot: () => Promise<DeploySnapshot>,
): Promise<DeployJob | undefined> {
  // ONE source query: the default branch's head, the PR merged as each job's commit and as the head, the configs
  // at the jobs' commits, the files the folder's last deploy read (its `.source.yaml`: a render usually reads
  // the same files again) and how the head stands against the commit it deployed; then whatever else the
  // configs name, as the PR check reads ahead.
  const shas = repo.jobs.map((job) => job.sha);
  const record = await readRecord(deps.deployRepo, await snapshot(), repo.folder);
  const recorded = record?.inputs.map((input) => input.path) ?? [];
  const read = await repo.ports.source.readDefaultBranch({
    commits: shas,
    paths: [...new Set([...configPaths, ...recorded])].slice(0, maxReadAhead),
    ...(record ? { compareWith: record.commit } : {}),
  });
  const { branch, sha: head } = read;
  repo.branch = { name: branch, head };
  if (record && read.order) repo.compare.know([record.commit, head], read.order);
  await prefetchInputs(repo.ports.source, shas, deps.log);
  // Not an API repo (no config at any of its commits, no folder deployed): nothing is written.
  const configs = await Promise.all(repo.jobs.map(async (job) => (await repo.render(job.sha)).configFound));
  if (!configs.some(Boolean) && !hasFolder((await snapshot()).files, repo.folder)) {
    for (const job of repo.jobs) outcomes.set(job, { status: 'no-config' });
    return undefined;
  }
  for (const job of repo.jobs) {
    if (await onBranch(repo, job.sha)) {
      if (!repo.lead) repo.lead = job;
      else {
        // Two commits on the branch: the descendant is newer (a later delivery may carry an older commit).
        const order = await repo.compare(repo.lead.sha, job.sha);
        if (order === 'ahead') repo.lead = job;
      }
      continue;
    }
    deps.log?.info('deploy skipped: the commit is not on the default branch', {
      repo: repo.name,
      sha: job.sha,
      branch,
      head,
    });
    outcomes.set(job, { status: 'not-on-branch', branch, head });
  }
  return repo.lead;
}

/** Paths read with the default branch's head (GraphQL's documented query limits leave room at this size). */
const maxReadAhead = 100;

/** The folder's `.source.yaml` (what its last deploy read, and from which commit); none before its first deploy. */
async function readRecord(
  deployRepo: DeployRepo,
  snapshot: DeploySnapshot,
  folder: string,
): Promise<SourceRecord | undefined> {
  const file = snapshot.files.find((entry) => entry.path === `${folder}${sourceRecordFile}`);
  return file && parseSourceRecord(await deployRepo.readText(file.sha));
}

async function onBranch(repo: RepoDeploy, sha: string): Promise<boolean> {
  const head = repo.branch!.head;
  return sha === head || (await repo.compare(sha, head)) === 'ahead';
}

/** The repo's plan against `snapshot`, or its final outcome (superseded, no-config, rejected, unchanged). */
async function planRepo(
  repo: RepoDeploy,
  snapshot: DeploySnapshot,
  deps: DeployBatchDeps,
  attempt: number,
): Promise<{ outcome: DeployOutcome } | { plan: DeployPlan; target: DeployTarget }> {
  const job = repo.lead!;
  const state = await readDeployState(deps.deployRepo, snapshot, repo.folder);
  const sha = await pickCommit(repo, state.recorded, deps);
  if (sha === undefined) {
    deps.log?.info('deploy skipped: this commit or a newer one is already deployed', {
      repo: repo.name,
      sha: job.sha,
      deployed: state.recorded,
    });
    return { outcome: { status: 'superseded', deployed: state.recorded! } };
  }
  const rendered = await repo.render(sha);
  // Without a config the render has no APIs: the plan prunes the folder, as the PR's preview showed.
  if (!rendered.configFound && !hasFolder(snapshot.files, repo.folder))
    return { outcome: { status: 'no-config' } };
  const pullNumber = await repo.pullOf(sha);
  const target: DeployTarget = {
    sourceRepo: repo.repo,
    sha,
    ...(pullNumber !== undefined ? { pullNumber } : {}),
  };
  const decision = decideDeploy({
    governance: await checkRenderGovernance(state, rendered, repo.repo),
    sourceRepo: repo.repo,
    sourceSha: sha,
    ...(pullNumber !== undefined ? { pullNumber } : {}),
    rendered,
    state,
    current: snapshot.files.filter((file) => file.path.startsWith(repo.folder)),
  });
  if (decision.status === 'rejected')
    return { outcome: await reject(target, repo.ports, deps, decision.findings) };
  if (decision.plan.changes.length === 0) return { outcome: { status: 'unchanged', attempts: attempt } };
  return { plan: decision.plan, target };
}

/** The commit to deploy over `recorded`, or undefined when `recorded` is the lead's commit or newer. */
async function pickCommit(
  repo: RepoDeploy,
  recorded: string | undefined,
  deps: DeployBatchDeps,
): Promise<string | undefined> {
  const sha = repo.lead!.sha;
  const { name: branch, head } = repo.branch!;
  if (recorded === undefined) return sha;
  if (!(await onBranch(repo, recorded))) {
    deps.log?.info('the deployed commit is not on the default branch any more: deploying its head', {
      repo: repo.name,
      sha,
      deployed: recorded,
      branch,
      head,
    });
    return deps.pinned ? sha : head;
  }
  const order = await repo.compare(recorded, sha);
  if (order === 'ahead') return sha;
  if (order === 'identical' || order === 'behind') return undefined;
  // Both on the branch yet unrelated (a rewritten history merged back): the head holds both. A promotion is
  // pinned to the tagged commit: never the branch head in its place.
  return deps.pinned ? sha : head;
}

/** The commit a deploy renders, and the PR GitHub says it merged. */
interface DeployTarget {
  sourceRepo: RepoRef;
  sha: string;
  pullNumber?: number;
}

/** A function of strings computed once per arguments; `know` records an answer learnt otherwise. */
type Memoized<A extends string[], T> = ((...args: A) => Promise<T>) & { know(args: A, value: T): void };

function memoize<A extends string[], T>(compute: (...args: A) => Promise<T>): Memoized<A, T> {
  const cache = new Map<string, Promise<T>>();
  return Object.assign(
    (...args: A) => {
      const key = args.join(' ');
      let value = cache.get(key);
      if (!value) {
        value = compute(...args);
        cache.set(key, value);
      }
      return value;
    },
    { know: (args: A, value: T) => void cache.set(args.join(' '), Promise.resolve(value)) },
  );
}

async function reject(
  target: DeployTarget,
  ports: DeploySource,
  deps: DeployBatchDeps,
  findings: Finding[],
): Promise<DeployOutcome> {
  deps.log?.warn('deploy rejected', {
    repo: formatRepoRef(target.sourceRepo),
    sha: target.sha,
    problems: findings.length,
  });
  await commentOnPull(
    target,
    ports,
    deps,
    buildNotDeployedComment({ deployRepo: deps.deployRepo.description, sha: target.sha, findings }),
  );
  return { status: 'rejected', findings };
}

/** The deploy is done whatever happens to its comment: a failed comment is logged, not retried. */
async function commentOnPull(
  target: DeployTarget,
  ports: DeploySource,
  deps: DeployBatchDeps,
  body: string,
): Promise<void> {
  if (target.pullNumber === undefined) return;
  try {
    await ports.source.createComment(target.pullNumber, body);
  } catch (error) {
    deps.log?.warn('could not comment on the merged pull request', {
      pullNumber: target.pullNumber,
      ...failureFields(error),
    });
  }
}
