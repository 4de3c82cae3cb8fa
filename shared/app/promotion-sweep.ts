/**
 * The sweep of the time promotions (`promote: {after: …}`): one job per environment with the rule, onto the
 * queue in its deploy repo's FIFO group, carrying the sweep's time; the worker decides and promotes
 * (promote-job.ts). Run by a schedule (functions/promotion-sweep.ts, every 15 minutes) and by `npm start`.
 * @module
 */
import type { Environment } from '../core/deploy/environments.js';
import { findTimePromotions } from '../core/deploy/time-promotion.js';
import { failureFields } from '../core/errors.js';
import type { TimePromoteJob } from '../core/jobs.js';
import { formatRepoRef, type RepoRef } from '../core/repo-ref.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';

export interface PromotionSweepDeps {
  environments: readonly Environment[];
  queue: JobQueue;
  /** The App's installation on a deploy repo (as the App, with its JWT). */
  installationFor(repo: RepoRef): Promise<number>;
  log: Logger;
}

/**
 * Enqueues the sweep of every environment promoted after a time, at `at` (the schedule's time). An environment
 * whose deploy repo the App cannot reach is logged and skipped; the others are still swept.
 */
export async function sweepTimePromotions(at: Date, deps: PromotionSweepDeps): Promise<TimePromoteJob[]> {
  const time = at.toISOString();
  const jobs: TimePromoteJob[] = [];
  for (const index of findTimePromotions(deps.environments)) {
    const environment = deps.environments[index]!;
    try {
      const job: TimePromoteJob = {
        type: 'promote-time',
        deliveryId: `promote-time:${environment.name}:${time}`,
        event: 'schedule',
        installationId: await deps.installationFor(environment.repo),
        repository: environment.repo,
        environment: environment.name,
        at: time,
      };
      await deps.queue.enqueue(job);
      jobs.push(job);
    } catch (error) {
      deps.log.error('the time promotion sweep could not enqueue an environment', {
        environment: environment.name,
        repo: formatRepoRef(environment.repo),
        ...failureFields(error),
      });
    }
  }
  deps.log.info('time promotion sweep enqueued', { at: time, environments: jobs.length });
  return jobs;
}
