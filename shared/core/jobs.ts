/**
 * Jobs: what the webhook hands to the worker through the queue. Small on purpose (a queue message, not a
 * payload): the worker re-reads everything it needs from GitHub at the commit it is told about.
 * @module
 */

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
}

/** Render the repo at a commit of its default branch and commit the manifests to the deploy repo. */
export interface DeployJob extends JobBase {
  type: 'deploy';
  /** The pushed commit on the default branch (its merged PR, if any, is asked of GitHub by the deploy). */
  sha: string;
}

/** A push to the deploy repo's deploy branch: report the generated files it edited by hand (drift). */
export interface DriftJob extends JobBase {
  type: 'drift';
  /** The pushed commit (`after`): the check run goes on it. */
  sha: string;
  /** The branch's commit before the push: what the push is compared with. */
  before: string;
}

export type Job = CheckJob | DeployJob | DriftJob;

/**
 * FIFO group of a job: checks of one PR run in order (a newer push is handled after an older one and wins);
 * deploys to one deploy repo run one at a time; drift reports (each about two fixed commits) in their own group.
 */
export function jobGroupId(job: Job, deployRepo: RepoRef): string {
  if (job.type === 'drift') return `drift:${formatRepoRef(job.repository)}`;
  return job.type === 'check'
    ? `${formatRepoRef(job.repository)}#${job.pullNumber}`
    : `deploy:${formatRepoRef(deployRepo)}`;
}
