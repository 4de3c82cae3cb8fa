/**
 * Promotion after a time (`promote: {after: "24h"}`, optionally `status: "<context>"`): the source commit the
 * environment before runs (per source repo folder) is promoted once it has run there that long, counted from the
 * App's own deploy commit that put it there, when that deploy is not failing. A scheduled sweep asks for each
 * environment with the rule (use-cases/promote-after-soak.ts); this module decides, per folder, from facts.
 *
 * Why the App's commit and not the record: `.source.yaml` is a file anyone with push access can write, and a
 * commit's dates are whatever its maker typed. A commit GitHub made and signed itself (committer `web-flow`,
 * verified) for the App's bot as author is one only the App can have asked for, and GitHub dated it. So the
 * soak counts from the newest commit that changed the folder's `.source.yaml`, and only when it is that: a hand
 * push of the record (any date, any author name) starts no soak, and neither does a revert of one.
 * Pure: no clock; the sweep's time comes with its job.
 * @module
 */
import {
  decidePromotion,
  type Environment,
  type HistoryOrder,
  type PromotionRefusal,
} from './environments.js';

/** The environments (index ≥ 1, in order) promoted into after a time: what the sweep visits. */
export function findTimePromotions(environments: readonly Environment[]): number[] {
  return environments.flatMap((env, index) =>
    index > 0 && env.promote && 'after' in env.promote ? [index] : [],
  );
}

/** A commit of the environment before's deploy branch, as its host reports it. */
export interface DeployCommitFacts {
  sha: string;
  /** When it was committed (ms since the epoch): GitHub's date for a commit it made. */
  committedAt: number;
  /** GitHub made and signed it itself (verified signature, committer `web-flow`). */
  signedByGitHub: boolean;
  /** The account GitHub attributes it to (login), if any. */
  author?: string;
}

/** Whether the App made this commit: GitHub made and signed it, for the App's bot (`<slug>[bot]`). */
export function isAppCommit(commit: DeployCommitFacts, appLogin: string): boolean {
  return commit.signedByGitHub && commit.author?.toLowerCase() === appLogin.toLowerCase();
}

/**
 * A commit status (Argo CD, Flux) or check run on a commit, folded to what the rule needs: `pending` (not done),
 * `success`, `failure` (failure, error, timed out…), `neutral` (skipped, cancelled, neutral).
 */
export interface CommitSignal {
  /** The status's context or the check run's name. */
  name: string;
  state: 'success' | 'failure' | 'pending' | 'neutral';
}

export interface TimePromotionFacts {
  /** When the sweep ran (ms since the epoch). */
  now: number;
  rule: { afterMs: number; status?: string };
  /** The source commit the environment before runs for this repo (its `.source.yaml`). */
  runs: string;
  /** The newest commit of its deploy branch that changed that `.source.yaml`; undefined: none found. */
  deployCommit?: DeployCommitFacts;
  appLogin: string;
  /**
   * Signals on the deploy commit, and on the branch head when it is a later commit (it still runs the same
   * record): per name the head's counts, being the newer sync.
   */
  signals: { deployCommit: readonly CommitSignal[]; head?: readonly CommitSignal[] };
  /** The commit the target runs for this repo, and where `runs` stands relative to it. */
  target: { runs?: string; order?: HistoryOrder };
}

export type TimePromotionDecision =
  | { status: 'promote' }
  /** Not yet: the soak ends at `until` (ms), or the required status has not succeeded yet. */
  | { status: 'waiting'; reason: 'soaking'; until: number }
  | { status: 'waiting'; reason: 'status-pending'; context: string }
  | { status: 'refused'; reason: TimeRefusal; detail?: string };

export type TimeRefusal =
  /** The record was last written by someone else than the App (a hand push, a revert): no soak started. */
  | 'not-deployed-by-app'
  /** A status or check run on the deploy is failing (named in `detail`). */
  | 'failing-status'
  | Extract<PromotionRefusal, 'already-there' | 'older-than-target'>;

export function decideTimePromotion(facts: TimePromotionFacts): TimePromotionDecision {
  const { deployCommit } = facts;
  if (!deployCommit || !isAppCommit(deployCommit, facts.appLogin))
    return {
      status: 'refused',
      reason: 'not-deployed-by-app',
      ...(deployCommit ? { detail: deployCommit.sha } : {}),
    };
  // Already there or newer there: the same ancestry facts as every promotion.
  const ancestry = decidePromotion({
    sha: facts.runs,
    tagNow: facts.runs,
    previous: { runs: facts.runs, order: 'identical' },
    target: facts.target,
  });
  if (ancestry.status === 'refused')
    return { status: 'refused', reason: ancestry.reason as 'already-there' | 'older-than-target' };
  const signals = latestSignals(facts.signals);
  const failing = [...signals].filter(([, state]) => state === 'failure').map(([name]) => name);
  if (failing.length > 0) return { status: 'refused', reason: 'failing-status', detail: failing.join(', ') };
  const until = deployCommit.committedAt + facts.rule.afterMs;
  if (facts.now < until) return { status: 'waiting', reason: 'soaking', until };
  const required = facts.rule.status;
  if (required !== undefined && signals.get(required) !== 'success')
    return { status: 'waiting', reason: 'status-pending', context: required };
  return { status: 'promote' };
}

/** Per name, the head's state when it has one, else the deploy commit's. */
function latestSignals(signals: TimePromotionFacts['signals']): Map<string, CommitSignal['state']> {
  const states = new Map<string, CommitSignal['state']>();
  for (const signal of signals.deployCommit) states.set(signal.name, signal.state);
  for (const signal of signals.head ?? []) states.set(signal.name, signal.state);
  return states;
}
