/**
 * The job queue on SQS FIFO queues: one message per job, grouped so a PR's checks (and a deploy repo's
 * deploys) run one at a time in order, deduplicated by the GitHub delivery id for SQS's 5-minute window. Deploy
 * jobs go to their own queue when one is given (its trigger takes batches; the checks' takes one at a time).
 * @module
 */
import { createHash } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { jobGroupId } from '../core/jobs.js';
import type { RepoRef } from '../core/repo-ref.js';
import type { JobQueue } from '../ports/job-queue.js';
import { fromAwsError } from './aws-errors.js';

export interface SqsQueueOptions {
  client: Pick<SQSClient, 'send'>;
  /** URL of a FIFO queue (name ending in `.fifo`). */
  queueUrl: string;
  /** The FIFO queue of deploy jobs (its trigger takes batches); default `queueUrl`. */
  deployQueueUrl?: string;
  /** The deploy repo: all deploys share its group; without one, a source repo's deploys still run in order. */
  deployRepo?: RepoRef;
}

/** SQS caps group and deduplication ids at 128 characters; an `owner/repo#pr` can be longer. */
const MAX_ID = 128;

export function toSqsId(id: string): string {
  if (id.length <= MAX_ID) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${id.slice(0, MAX_ID - hash.length - 1)}~${hash}`;
}

export function createSqsQueue(options: SqsQueueOptions): JobQueue {
  return {
    async enqueue(job) {
      const message = new SendMessageCommand({
        QueueUrl: job.type === 'deploy' ? (options.deployQueueUrl ?? options.queueUrl) : options.queueUrl,
        MessageBody: JSON.stringify(job),
        MessageGroupId: toSqsId(jobGroupId(job, options.deployRepo ?? job.repository)),
        MessageDeduplicationId: toSqsId(job.deliveryId),
      });
      try {
        await options.client.send(message);
      } catch (error) {
        throw fromAwsError('SQS', error);
      }
    },
  };
}
