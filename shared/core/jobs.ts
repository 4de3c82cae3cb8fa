/**
 * Jobs: what the webhook hands to the worker through the queue. Small on purpose (a queue message, not a
 * payload): the worker re-reads everything it needs from GitHub at the commit it is told about.
 * @module
 */

import type { Approver } from './accept-breaking.js';
import { formatRepoRef, type RepoRef } from './repo-ref.js';

interface JobBase {
  /** `X-GitHub-Delivery` of the webhook: the queue's deduplication id and the id in every log line. */
  deliveryId: string;
  /** `X-GitHub-Event` + `.action`, e.g. `pull_request.synchronize`, for logs and for the worker's choices. */
  event: string;
  installationId: number;
  repository: RepoRef;
}

/** Check a pull request: validate, lint, diff against base, preview the manifests; report comment + check run. */
export interface CheckJob extends JobBase {
  type: 'check';
  pullNumber: number;
  /** Head SHA the event was about; the worker re-reads the PR and drops results when the head moved. */
  headSha: string;
  /**
   * Who approved, from the event: the sender of `pull_request.labeled` (named when the label is the approval
   * label), or the person who pressed the check run's Accept button (`via: 'button'`: the worker verifies their
   * access and adds the label before it checks).
   */
  approver?: Approver;
}

/** Render the repo at a commit of its default branch and commit the manifests to the deploy repo. */
export interface DeployJob extends JobBase {
  type: 'deploy';
  /** The pushed commit on the default branch (its merged PR, if any, is asked of GitHub by the deploy). */
  sha: string;
}

/**
 * A pull request on the deploy repo itself: when it changes the platform's governance (`governance/`), check
 * every deployed API against the new rules and report which would now fail, per source repo.
 */
export interface GovernanceJob extends JobBase {
  type: 'governance';
  pullNumber: number;
  headSha: string;
}

/**
 * A tag pushed in a source repo: promote the commit it names into the environments whose rule matches its name
 * (core/deploy/environments.ts). Without environments configured it does nothing.
 */
export interface PromoteJob extends JobBase {
  type: 'promote';
  /** The tag's name, without `refs/tags/`. */
  tag: string;
  /** The commit the tag named when it was pushed; promoted only if the tag still names it. */
  sha: string;
}

/**
 * A deploy PR merged into environment N whose next environment is promoted by approval (`promote: {approval:
 * true}`): the worker checks it is the App's deploy PR, approved on its head by a writer, and promotes the source
 * commit its `.source.yaml` records (core/deploy/approval-promotion.ts). `repository` is environment N's deploy
 * repo. The PR's fields come from the signed event: a merged PR's head, base and author no longer change.
 */
export interface ApprovedPromoteJob extends JobBase {
  type: 'promote-approved';
  pullNumber: number;
  headSha: string;
  headRef: string;
  /** The branch it merged into, and the base commit it was compared with (its commits are base...head). */
  baseRef: string;
  baseSha: string;
  author: { login: string; type: string };
}

/** A push to the deploy repo's deploy branch: report the generated files it edited by hand (drift). */
export interface DriftJob extends JobBase {
  type: 'drift';
  /** The pushed commit (`after`): the check run goes on it. */
  sha: string;
  /** The branch's commit before the push: what the push is compared with. */
  before: string;
}

/**
 * The scheduled sweep of one environment promoted after a time (`promote: {after: "24h"}`): the worker promotes
 * each source commit that has run in the environment before it long enough (core/deploy/time-promotion.ts). Not
 * from a webhook: the sweep (functions/promotion-sweep.ts, `npm start`) enqueues one per such environment, with
 * `repository` its deploy repo (the FIFO group: one at a time with the other writes there) and `installationId`
 * the App's installation there, which the sweep looked up as the App.
 */
export interface TimePromoteJob extends JobBase {
  type: 'promote-time';
  /** The environment promoted into, by its name in `DEPLOY_ENVIRONMENTS`. */
  environment: string;
  /** When the sweep ran (ISO 8601): the time every soak is measured against. */
  at: string;
}

export type Job =
  | CheckJob
  | DeployJob
  | GovernanceJob
  | PromoteJob
  | ApprovedPromoteJob
  | DriftJob
  | TimePromoteJob;

/**
 * FIFO group of a job: checks of one PR run in order (a newer push is handled after an older one and wins);
 * deploys (and promotions, which deploy) to one deploy repo run one at a time (a sweep's, in its target's group);
 * drift reports (each about two fixed commits) in their own group.
 */
export function jobGroupId(job: Job, deployRepo: RepoRef): string {
  if (job.type === 'drift') return `drift:${formatRepoRef(job.repository)}`;
  if (job.type === 'promote-time') return `deploy:${formatRepoRef(job.repository)}`;
  return job.type === 'deploy' || job.type === 'promote' || job.type === 'promote-approved'
    ? `deploy:${formatRepoRef(deployRepo)}`
    : `${formatRepoRef(job.repository)}#${job.pullNumber}`;
}
