/**
 * Use case: a release tag pushed in a source repo promotes the tagged commit into each environment whose rule
 * the tag matches (core/deploy/environments.ts), one step at a time: only the commit the tag names now, only when
 * the environment before runs it or a newer commit containing it, never over a newer commit. The write is the
 * deploy's own (`deployPush` on the target environment's deploy repo, pinned to the tagged commit), so the
 * target's grants, the ancestry rule, the compare-and-swap and the "deployed" comment are the deploy's. A refused
 * promotion comments why on the pull request that merged the commit.
 * @module
 */
import { buildRepoFolder } from '../core/deploy/deploy-paths.js';
import {
  decidePromotion,
  type Environment,
  findTagPromotions,
  type PromotionDecision,
  type PromotionRefusal,
} from '../core/deploy/environments.js';
import { parseSourceRecord, sourceRecordFile } from '../core/deploy/source-record.js';
import { failureFields } from '../core/errors.js';
import type { PromoteJob } from '../core/jobs.js';
import { formatRepoRef, type RepoRef } from '../core/repo-ref.js';
import { buildNotPromotedComment } from '../core/report/promotion-comment.js';
import type { CodeHost } from '../ports/code-host.js';
import type { DeployRepo, DeploySnapshot, SourceHistory } from '../ports/deploy-repo.js';
import type { Logger } from '../ports/logger.js';
import type { ReleaseTags } from '../ports/release-tags.js';
import { type DeployOutcome, type DeployPushDeps, deployPush } from './deploy-push.js';

export interface EnvironmentRepo {
  environment: Environment;
  /** Its deploy repo: read for the environment before a target, written for the target. */
  repo(access: 'read' | 'write'): Promise<DeployRepo>;
}

export interface PromoteReleaseDeps extends Pick<DeployPushDeps, 'maxAttempts' | 'backoffMs' | 'sleep'> {
  source: CodeHost;
  history: SourceHistory;
  tags: ReleaseTags;
  /** In promotion order; the first is where merges deploy. */
  environments: readonly EnvironmentRepo[];
  log?: Logger;
}

export type PromotionOutcome =
  | { environment: string; status: 'refused'; reason: PromotionRefusal }
  | { environment: string; status: 'deployed'; deploy: DeployOutcome };

/** One outcome per environment the tag's name promotes into (none when no rule matches it). */
export async function promoteRelease(job: PromoteJob, deps: PromoteReleaseDeps): Promise<PromotionOutcome[]> {
  const environments = deps.environments.map((entry) => entry.environment);
  const targets = findTagPromotions(environments, job.tag);
  if (targets.length === 0) {
    deps.log?.info('the tag matches no promotion rule: nothing to promote', {
      repo: formatRepoRef(job.repository),
      tag: job.tag,
    });
    return [];
  }
  const tagNow = await deps.tags.commitOfTag(job.tag);
  const outcomes: PromotionOutcome[] = [];
  for (const index of targets) outcomes.push(await promoteInto(job, index, { tag: job.tag, tagNow }, deps));
  return outcomes;
}

/**
 * What promotes: a release tag (re-read when the job runs: it must still name the commit) or the approved merge
 * of a deploy PR (`approval` names it, e.g. `platform/deploy-staging#3`; a merge cannot move, so its commit is
 * what the trigger names now).
 */
export type PromotionTrigger =
  | { tag: string; tagNow: string | undefined }
  | { approval: string }
  /** The sweep of a time rule (`24h`): the commit the environment before runs, past its soak there. */
  | { after: string };

/** The commit the approved merge of a deploy PR into environment `index - 1` carried, promoted into `index`. */
export async function promoteApproved(
  request: PromotionRequest,
  index: number,
  approval: string,
  deps: Omit<PromoteReleaseDeps, 'tags'>,
): Promise<PromotionOutcome> {
  return promoteInto(request, index, { approval }, deps);
}

/** The commit environment `index - 1` runs, past its soak there (`after`), promoted into `index`. */
export async function promoteAfterTime(
  request: PromotionRequest,
  index: number,
  after: string,
  deps: Omit<PromoteReleaseDeps, 'tags'>,
): Promise<PromotionOutcome> {
  return promoteInto(request, index, { after }, deps);
}

/** The source commit a promotion is about, with the source repo's installation. */
export type PromotionRequest = Omit<PromoteJob, 'type' | 'tag'>;

/** One step: environment `index - 1` → `index`, decided by the promotion's rules, written by the deploy. */
async function promoteInto(
  job: PromotionRequest,
  index: number,
  trigger: PromotionTrigger,
  deps: Omit<PromoteReleaseDeps, 'tags'>,
): Promise<PromotionOutcome> {
  const repo = formatRepoRef(job.repository);
  const previous = deps.environments[index - 1]!;
  const target = deps.environments[index]!;
  const targetRepo = named(await target.repo('write'), target.environment.name);
  const [previousRuns, targetRuns] = await Promise.all([
    runningCommit(await previous.repo('read'), job.repository),
    runningCommit(targetRepo, job.repository),
  ]);
  const [previousOrder, targetOrder] = await Promise.all([
    previousRuns === undefined ? undefined : deps.history.compare(job.sha, previousRuns),
    targetRuns === undefined ? undefined : deps.history.compare(targetRuns, job.sha),
  ]);
  const decision: PromotionDecision = decidePromotion({
    sha: job.sha,
    tagNow: 'tag' in trigger ? trigger.tagNow : job.sha,
    previous: {
      ...(previousRuns ? { runs: previousRuns } : {}),
      ...(previousOrder ? { order: previousOrder } : {}),
    },
    target: { ...(targetRuns ? { runs: targetRuns } : {}), ...(targetOrder ? { order: targetOrder } : {}) },
  });
  const fields = {
    repo,
    ...triggerFields(trigger),
    sha: job.sha,
    environment: target.environment.name,
    previous: previous.environment.name,
    previousRuns,
    targetRuns,
  };
  if (decision.status === 'refused') {
    deps.log?.info('promotion refused', { ...fields, reason: decision.reason });
    await commentOnPull(job, deps, {
      ...triggerFields(trigger),
      sha: job.sha,
      target: target.environment.name,
      previous: previous.environment.name,
      reason: decision.reason,
      ...(previousRuns ? { previousRuns } : {}),
      ...(targetRuns ? { targetRuns } : {}),
    });
    return { environment: target.environment.name, status: 'refused', reason: decision.reason };
  }
  deps.log?.info('promoting', fields);
  const deploy = await deployPush(
    { ...job, type: 'deploy', event: `${job.event} (promote to ${target.environment.name})` },
    {
      source: deps.source,
      history: deps.history,
      deployRepo: targetRepo,
      pinned: true,
      ...(deps.log ? { log: deps.log } : {}),
      ...(deps.maxAttempts !== undefined ? { maxAttempts: deps.maxAttempts } : {}),
      ...(deps.backoffMs !== undefined ? { backoffMs: deps.backoffMs } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    },
  );
  return { environment: target.environment.name, status: 'deployed', deploy };
}

/** What asked for the promotion, as log and comment fields. */
function triggerFields(trigger: PromotionTrigger) {
  if ('tag' in trigger) return { tag: trigger.tag };
  return 'approval' in trigger ? { approval: trigger.approval } : { after: trigger.after };
}

/**
 * The source commit an environment runs for this repo: its folder's `.source.yaml`, if readable (in `snapshot`,
 * when the caller has read one already).
 */
export async function runningCommit(
  deployRepo: DeployRepo,
  sourceRepo: RepoRef,
  snapshot?: DeploySnapshot,
): Promise<string | undefined> {
  const path = `${buildRepoFolder(sourceRepo)}${sourceRecordFile}`;
  const { files } = snapshot ?? (await deployRepo.readSnapshot());
  const file = files.find((entry) => entry.path === path);
  if (!file) return undefined;
  return parseSourceRecord(await deployRepo.readText(file.sha), sourceRepo)?.commit;
}

/** The deploy repo as the deploy names it to users: `production (platform/deploy@main)`. */
function named(repo: DeployRepo, environment: string): DeployRepo {
  return {
    description: `${environment} (${repo.description})`,
    url: repo.url,
    get calls() {
      return repo.calls;
    },
    readSnapshot: () => repo.readSnapshot(),
    readText: (sha) => repo.readText(sha),
    commit: (request) => repo.commit(request),
  };
}

async function commentOnPull(
  job: PromotionRequest,
  deps: Omit<PromoteReleaseDeps, 'tags'>,
  input: Parameters<typeof buildNotPromotedComment>[0],
): Promise<void> {
  try {
    const pullNumber = await deps.source.findMergedPullRequest(job.sha);
    if (pullNumber !== undefined) await deps.source.createComment(pullNumber, buildNotPromotedComment(input));
  } catch (error) {
    deps.log?.warn('could not comment on the merged pull request', failureFields(error));
  }
}
