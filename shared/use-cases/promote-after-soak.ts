/**
 * Use case: the sweep of one environment promoted after a time (`promote: {after: "24h"}`). For each source repo
 * folder of the environment before, read the commit it runs (`.source.yaml`), the deploy commit that put it
 * there (the newest commit that changed the record: the App's own, or no soak at all), the statuses on it and on
 * the branch head, and what the target runs; decide (core/deploy/time-promotion.ts) and promote through the
 * promotion's own path (promote-release.ts → the deploy, pinned to that commit: the target's grants, ancestry
 * and compare-and-swap apply). Each folder is decided on its own: one that fails to read is logged and the
 * others go on; a failure a retry may help is rethrown after the sweep, for the queue.
 * @module
 */
import { buildRepoFolder, parseRepoFolder } from '../core/deploy/deploy-paths.js';
import { findSourceRecordPaths } from '../core/deploy/deploy-state.js';
import { parseSourceRecord, sourceRecordFile } from '../core/deploy/source-record.js';
import {
  type CommitSignal,
  decideTimePromotion,
  type TimePromotionDecision,
  type TimePromotionFacts,
} from '../core/deploy/time-promotion.js';
import { failureFields, isRetryable } from '../core/errors.js';
import { formatRepoRef, type RepoRef } from '../core/repo-ref.js';
import type { CodeHost } from '../ports/code-host.js';
import type { DeployHistory } from '../ports/deploy-history.js';
import type { SourceHistory } from '../ports/deploy-repo.js';
import type { Logger } from '../ports/logger.js';
import {
  type EnvironmentRepo,
  type PromoteReleaseDeps,
  type PromotionOutcome,
  type PromotionRequest,
  promoteAfterTime,
  runningCommit,
} from './promote-release.js';

export interface PromoteAfterSoakDeps
  extends Pick<PromoteReleaseDeps, 'maxAttempts' | 'backoffMs' | 'sleep'> {
  /** In promotion order; the first is where merges deploy. */
  environments: readonly EnvironmentRepo[];
  /** The history of the environment before's deploy branch (who made its commits, their statuses). */
  previousHistory: DeployHistory;
  /** The App's bot login (`<slug>[bot]`): the author of the App's own deploy commits. */
  appLogin: string;
  /** A source repo's code host and history, through its own installation (as a deploy of it would). */
  sourceOf(
    repo: RepoRef,
    sha: string,
  ): Promise<{ request: PromotionRequest; source: CodeHost; history: SourceHistory }>;
  log?: Logger;
}

export interface SoakRequest {
  /** The environment promoted into (index ≥ 1, its rule a time). */
  index: number;
  /** When the sweep ran (ms since the epoch). */
  now: number;
  deliveryId: string;
  event: string;
}

export type SoakOutcome = { repo: string; runs: string } & (
  | { status: 'deployed' | 'refused-at-write'; promotion: PromotionOutcome }
  | Exclude<TimePromotionDecision, { status: 'promote' }>
  | { status: 'failed'; error: string }
);

export async function promoteAfterSoak(
  request: SoakRequest,
  deps: PromoteAfterSoakDeps,
): Promise<SoakOutcome[]> {
  const target = deps.environments[request.index]!;
  const previous = deps.environments[request.index - 1]!;
  const rule = target.environment.promote;
  if (!rule || !('after' in rule)) return [];
  const { after, afterMs, status } = rule;
  const [previousRepo, targetRepo] = await Promise.all([previous.repo('read'), target.repo('read')]);
  const [before, there] = await Promise.all([previousRepo.readSnapshot(), targetRepo.readSnapshot()]);
  const headSignals = memo(() => deps.previousHistory.signals(before.headSha));
  const outcomes: SoakOutcome[] = [];
  let retry: unknown;
  const records = new Set(findSourceRecordPaths(before.files.map((file) => file.path)));
  for (const file of before.files) {
    // The folder names the repo (a record naming another one is not believed), as the deploy writes it: in
    // lower case, so a hand-made `apis/Acme/…` folder is no second copy of acme's.
    const repo = records.has(file.path) ? parseRepoFolder(file.path) : undefined;
    if (!repo || `${buildRepoFolder(repo)}${sourceRecordFile}` !== file.path) continue;
    const record = parseSourceRecord(await previousRepo.readText(file.sha), repo);
    if (!record) {
      deps.log?.warn('a .source.yaml the promotion cannot read: its folder is skipped', { path: file.path });
      continue;
    }
    const base = { repo: formatRepoRef(repo), runs: record.commit };
    try {
      outcomes.push({ ...base, ...(await promoteFolder(repo, record.commit, file.path)) });
    } catch (error) {
      deps.log?.error('the promotion of a folder failed', { ...base, ...failureFields(error) });
      outcomes.push({
        ...base,
        status: 'failed',
        error: error instanceof Error ? error.message : String(error),
      });
      if (isRetryable(error)) retry ??= error;
    }
  }
  if (retry) throw retry;
  return outcomes;

  async function promoteFolder(repo: RepoRef, runs: string, path: string) {
    const targetRuns = await runningCommit(targetRepo, repo, there);
    const deployCommit = await deps.previousHistory.lastChange(before.headSha, path);
    const source = memo(() => deps.sourceOf(repo, runs));
    const targetOrder =
      targetRuns === undefined ? undefined : await (await source()).history.compare(targetRuns, runs);
    const facts: TimePromotionFacts = {
      now: request.now,
      rule: { afterMs, ...(status !== undefined ? { status } : {}) },
      runs,
      ...(deployCommit ? { deployCommit } : {}),
      appLogin: deps.appLogin,
      signals: { deployCommit: [] },
      target: { ...(targetRuns ? { runs: targetRuns } : {}), ...(targetOrder ? { order: targetOrder } : {}) },
    };
    // Statuses only change a decision that would otherwise promote (or wait for a required status): not read
    // for a soak that is not over, nor for a commit that is already there.
    let decision = decideTimePromotion(facts);
    if (
      decision.status === 'promote' ||
      (decision.status === 'waiting' && decision.reason === 'status-pending')
    )
      decision = decideTimePromotion({ ...facts, signals: await readSignals(deployCommit!.sha) });
    const fields = { repo: formatRepoRef(repo), runs, environment: target.environment.name, targetRuns };
    if (decision.status !== 'promote') {
      const level = decision.status === 'refused' && decision.reason !== 'already-there' ? 'info' : 'debug';
      deps.log?.[level]('not promoted (time rule)', { ...fields, ...decision });
      return decision;
    }
    const { request: promotion, source: code, history } = await source();
    const outcome = await promoteAfterTime(promotion, request.index, after, {
      source: code,
      history,
      environments: deps.environments,
      ...(deps.log ? { log: deps.log } : {}),
      ...(deps.maxAttempts !== undefined ? { maxAttempts: deps.maxAttempts } : {}),
      ...(deps.backoffMs !== undefined ? { backoffMs: deps.backoffMs } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    });
    return {
      status: outcome.status === 'deployed' ? 'deployed' : 'refused-at-write',
      promotion: outcome,
    } as const;
  }

  async function readSignals(sha: string): Promise<{ deployCommit: CommitSignal[]; head?: CommitSignal[] }> {
    const deployCommit = await deps.previousHistory.signals(sha);
    return sha === before.headSha ? { deployCommit } : { deployCommit, head: await headSignals() };
  }
}

/** The answer of `read`, asked for once (a failure is asked again). */
function memo<T>(read: () => Promise<T>): () => Promise<T> {
  let answer: Promise<T> | undefined;
  return () => {
    answer ??= read();
    answer.catch(() => {
      answer = undefined;
    });
    return answer;
  };
}
