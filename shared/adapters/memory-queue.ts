/**
 * The job queue in memory, for `npm start`, the demo and end-to-end tests. It behaves like the SQS FIFO queues
 * the App runs on: a group's jobs run one at a time in order while groups run in parallel (the deploy jobs
 * waiting at the front of a group are handed over together, like the deploy queue's batches), a delivery id seen
 * in the last 5 minutes is dropped, and a failed job is retried (blocking its group, as SQS does) with backoff
 * before it is given up as a dead letter.
 * @module
 */
import { type DeployJob, type Job, jobGroupId } from '../core/jobs.js';
import type { RepoRef } from '../core/repo-ref.js';
import type { Delivery, JobQueue } from '../ports/job-queue.js';

export interface MemoryQueueOptions {
  /** All deploys share its group; without one, a source repo's deploys still run in order. */
  deployRepo?: RepoRef;
  /**
   * Tries per job, the first included, like a redrive policy's `maxReceiveCount` (default 3); each try is told
   * its receive count, as SQS does.
   */
  maxReceiveCount?: number;
  /** Wait before try `attempt + 1` (default 200 ms doubling). */
  backoffMs?: (attempt: number) => number;
  /** How long a delivery id is remembered (default 5 minutes, SQS's deduplication window). */
  dedupWindowMs?: number;
  /**
   * Deploys handed over together, like the deploy queue's SQS batches: the waiting deploy jobs at the front of
   * their group (up to `deployBatchSize`, default 10) go to this handler at once; it answers those a retry may
   * help, each with its error. Without it, each deploy job goes to the job handler alone.
   */
  handleDeployBatch?: (
    batch: { job: DeployJob; delivery: Delivery }[],
  ) => Promise<{ job: DeployJob; error: unknown }[]>;
  deployBatchSize?: number;
  /** Told about each failed try; `final` when the job is given up. */
  onFailure?: (failure: JobFailure) => void;
  now?: () => number;
}

export interface JobFailure {
  job: Job;
  error: unknown;
  attempt: number;
  final: boolean;
}

export interface MemoryQueue extends JobQueue {
  /** Resolves when no job is waiting or running (including retries). */
  idle(): Promise<void>;
  /** Jobs given up after their last try, oldest first (the dead-letter queue). */
  readonly deadLetters: JobFailure[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createMemoryQueue(
  handler: (job: Job, delivery: Delivery) => Promise<void>,
  options: MemoryQueueOptions = {},
): MemoryQueue {
  const maxReceiveCount = options.maxReceiveCount ?? 3;
  const backoffMs = options.backoffMs ?? ((attempt: number) => 200 * 2 ** (attempt - 1));
  const window = options.dedupWindowMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const groups = new Map<string, Job[]>();
  const seen = new Map<string, number>();
  const deadLetters: JobFailure[] = [];
  let waiters: (() => void)[] = [];

  const settleIfIdle = () => {
    if (groups.size > 0) return;
    for (const resolve of waiters) resolve();
    waiters = [];
  };

  const runOnce = async (job: Job) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(job, { receiveCount: attempt });
        return;
      } catch (error) {
        const failure = { job, error, attempt, final: attempt >= maxReceiveCount };
        options.onFailure?.(failure);
        if (failure.final) {
          deadLetters.push(failure);
          return;
        }
        await sleep(backoffMs(attempt));
      }
    }
  };

  /**
   * The deploy jobs at the front of `jobs`, as one batch: those that landed leave the queue; a failed one and
   * every job after it stay (in order) for their next try, after the backoff of the first failed; one out of
   * tries is a dead letter.
   */
  const tries = new Map<Job, number>();
  const runBatch = async (jobs: Job[], handle: NonNullable<MemoryQueueOptions['handleDeployBatch']>) => {
    const size = options.deployBatchSize ?? 10;
    const batch: DeployJob[] = [];
    for (const job of jobs) {
      if (job.type !== 'deploy' || batch.length >= size) break;
      batch.push(job);
    }
    const attempt = (job: Job) => (tries.get(job) ?? 0) + 1;
    const failures = await handle(batch.map((job) => ({ job, delivery: { receiveCount: attempt(job) } })));
    const failed = new Map(failures.map((failure) => [failure.job as Job, failure.error]));
    const first = batch.findIndex((job) => failed.has(job));
    const landed = first < 0 ? batch.length : first;
    jobs.splice(0, landed);
    if (first < 0) return;
    const firstError = failed.get(batch[first]!);
    let wait = 0;
    for (const job of batch.slice(first)) {
      const tried = attempt(job);
      const failure = {
        job,
        error: failed.get(job) ?? firstError,
        attempt: tried,
        final: tried >= maxReceiveCount,
      };
      options.onFailure?.(failure);
      if (failure.final) {
        deadLetters.push(failure);
        jobs.splice(jobs.indexOf(job), 1);
        tries.delete(job);
      } else {
        tries.set(job, tried);
        wait = Math.max(wait, backoffMs(tried));
      }
    }
    await sleep(wait);
  };

  const drain = async (group: string, jobs: Job[]) => {
    for (let job = jobs[0]; job; job = jobs[0]) {
      if (job.type === 'deploy' && options.handleDeployBatch) {
        await runBatch(jobs, options.handleDeployBatch);
        continue;
      }
      await runOnce(job);
      jobs.shift();
    }
    groups.delete(group);
    settleIfIdle();
  };

  return {
    deadLetters,
    async enqueue(job) {
      const at = now();
      // Insertion order is arrival order: stop at the first id still inside the window.
      for (const [id, time] of seen) {
        if (at - time < window) break;
        seen.delete(id);
      }
      if (seen.has(job.deliveryId)) return;
      seen.set(job.deliveryId, at);
      const group = jobGroupId(job, options.deployRepo ?? job.repository);
      const jobs = groups.get(group);
      if (jobs) {
        jobs.push(job);
        return;
      }
      const fresh = [job];
      groups.set(group, fresh);
      // Start after the caller's turn: the webhook answers before the worker begins.
      setImmediate(() => void drain(group, fresh));
    },
    idle() {
      return groups.size === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
  };
}
