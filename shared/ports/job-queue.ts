/**
 * Port: hand a job from the webhook to the worker. Implementations keep jobs of one FIFO group
 * (`jobGroupId`) in order and drop a second job with the same delivery id (a GitHub redelivery).
 * @module
 */
import type { Job } from '../core/jobs.js';

export interface JobQueue {
  /** Resolves once the job is stored durably enough to answer GitHub 202; rejects when it is not. */
  enqueue(job: Job): Promise<void>;
}

/** How many times the queue has delivered a job (1 = first try), when it tells (SQS: ApproximateReceiveCount). */
export interface Delivery {
  receiveCount?: number;
}
