/**
 * The worker: takes jobs off the queue and runs their use case. In Lambda it is an SQS batch handler that
 * reports partial batch failures, so a failed job is retried by the queue (and, on a FIFO queue, the jobs behind
 * it in its group wait for it), and a malformed message is logged and dropped instead of being retried forever.
 * @module
 */
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { CheckJob, Job } from '../core/jobs.js';
import type { BreakingDiff } from '../ports/breaking-diff.js';
import type { CodeHost } from '../ports/code-host.js';
import type { Logger } from '../ports/logger.js';
import { checkPullRequest, isRetryable, type Outcome } from '../use-cases/check-pull-request.js';

export interface WorkerDeps {
  /** The code host of the job's repository, authenticated as the job's installation. */
  codeHost(job: Job): CodeHost;
  breakingDiff: BreakingDiff;
  log: Logger;
}

export interface Worker {
  /** Runs one job; throws only when it failed and a retry may help (other failures are logged). */
  processJob(job: Job): Promise<void>;
  handleSqsEvent(event: SQSEvent): Promise<SQSBatchResponse>;
}

export function createWorker(deps: WorkerDeps): Worker {
  const processJob = async (job: Job): Promise<void> => {
    const log = deps.log.child({ deliveryId: job.deliveryId, event: job.event, job: job.type });
    if (job.type === 'deploy') {
      // The deploy issue builds this: render at job.sha and commit to the deploy repo.
      log.warn('deploy jobs are not yet implemented; dropped', { sha: job.sha });
      return;
    }
    try {
      const outcome = await runCheckJob(job, deps, log);
      log.info('check done', { ...outcome, repo: `${job.repository.owner}/${job.repository.repo}` });
    } catch (error) {
      if (isRetryable(error)) throw error;
      // A retry cannot help (the PR or the installation is gone, a refusal, a bug): dropped, loudly.
      log.error('job failed and will not be retried', { error: describeError(error) });
    }
  };

  const processRecord = async (record: SQSRecord): Promise<void> => {
    const job = parseJob(record.body);
    if (!job) {
      deps.log.error('malformed queue message dropped', {
        messageId: record.messageId,
        body: record.body.slice(0, 500),
      });
      return;
    }
    await processJob(job);
  };

  return {
    processJob,
    async handleSqsEvent(event) {
      // Records of one FIFO group run in order; once one fails, the rest of its group waits for the retry
      // (reported failed without running), so a newer push is never handled before an older one.
      const groups = new Map<string, SQSRecord[]>();
      for (const record of event.Records) {
        const group = record.attributes?.MessageGroupId ?? record.messageId;
        groups.set(group, [...(groups.get(group) ?? []), record]);
      }
      const failures: SQSBatchItemFailure[] = [];
      await Promise.all(
        [...groups.values()].map(async (records) => {
          let failed = false;
          for (const record of records) {
            if (!failed) {
              try {
                await processRecord(record);
                continue;
              } catch (error) {
                failed = true;
                deps.log.error('job failed; the queue will retry it', {
                  messageId: record.messageId,
                  error: describeError(error),
                });
              }
            }
            failures.push({ itemIdentifier: record.messageId });
          }
        }),
      );
      return { batchItemFailures: failures };
    },
  };
}

async function runCheckJob(job: CheckJob, deps: WorkerDeps, log: Logger): Promise<Outcome> {
  return checkPullRequest(job, { codeHost: deps.codeHost(job), breakingDiff: deps.breakingDiff, log });
}

/** A job from a queue message, or undefined when the message is not one (it will never become one). */
export function parseJob(body: string): Job | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const job = value as Partial<CheckJob> & Partial<Job>;
  const repo = job.repository;
  const common =
    typeof job.deliveryId === 'string' &&
    typeof job.event === 'string' &&
    Number.isSafeInteger(job.installationId) &&
    typeof repo?.owner === 'string' &&
    typeof repo.repo === 'string';
  if (!common) return undefined;
  if (job.type === 'check') {
    return Number.isSafeInteger(job.pullNumber) && isSha(job.headSha) ? (job as CheckJob) : undefined;
  }
  if (job.type === 'deploy') return isSha((value as { sha?: unknown }).sha) ? (value as Job) : undefined;
  return undefined;
}

function isSha(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{40}$/.test(value);
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
