import { describe, expect, it } from 'vitest';
import { createMemoryQueue } from '../../../shared/adapters/memory-queue.js';
import type { CheckJob, DeployJob, Job } from '../../../shared/core/jobs.js';

const check = (pullNumber: number, deliveryId: string, repo = 'api'): CheckJob => ({
  type: 'check',
  deliveryId,
  event: 'pull_request.synchronize',
  installationId: 1,
  repository: { owner: 'acme', repo },
  pullNumber,
  headSha: deliveryId.padEnd(40, '0'),
});
const deploy = (repo: string, deliveryId: string): DeployJob => ({
  type: 'deploy',
  deliveryId,
  event: 'push',
  installationId: 1,
  repository: { owner: 'acme', repo },
  sha: 'f'.repeat(40),
});

/** A promise the test resolves by hand, to hold a job "running" without timers. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('createMemoryQueue', () => {
  it("runs a group's jobs one at a time in order, while other groups go ahead", async () => {
    const log: string[] = [];
    const held = gate();
    const queue = createMemoryQueue(async (job) => {
      log.push(`start ${job.deliveryId}`);
      if (job.deliveryId === 'a1') await held.opened;
      log.push(`end ${job.deliveryId}`);
    });
    await queue.enqueue(check(1, 'a1'));
    await queue.enqueue(check(1, 'a2'));
    await queue.enqueue(check(2, 'b1'));
    await queue.enqueue(check(1, 'c1', 'other'));
    // Let the free groups finish while a1 holds its group.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'start c1', 'end c1']);
    held.open();
    await queue.idle();
    expect(log.slice(5)).toEqual(['end a1', 'start a2', 'end a2']);
  });

  it('puts every deploy in the deploy repo group, whatever the source repo', async () => {
    const running: string[] = [];
    let overlap = false;
    const queue = createMemoryQueue(
      async (job) => {
        if (running.length > 0) overlap = true;
        running.push(job.deliveryId);
        await new Promise((resolve) => setImmediate(resolve));
        running.pop();
      },
      { deployRepo: { owner: 'platform', repo: 'deploy' } },
    );
    await queue.enqueue(deploy('users', 'p1'));
    await queue.enqueue(deploy('orders', 'p2'));
    await queue.idle();
    expect(overlap).toBe(false);
  });

  it('drops a delivery id seen within the window, and accepts it again after', async () => {
    let clock = 0;
    const ran: string[] = [];
    const queue = createMemoryQueue(async (job) => void ran.push(job.deliveryId), {
      now: () => clock,
      dedupWindowMs: 1000,
    });
    await queue.enqueue(check(1, 'same'));
    await queue.enqueue(check(1, 'same'));
    clock = 999;
    await queue.enqueue(check(2, 'same'));
    await queue.idle();
    expect(ran).toEqual(['same']);
    clock = 1000;
    await queue.enqueue(check(1, 'same'));
    await queue.idle();
    expect(ran).toEqual(['same', 'same']);
  });

  it('retries a failing job with backoff before the next of its group, then gives it up', async () => {
    const tries: string[] = [];
    const waits: number[] = [];
    const failures: string[] = [];
    const queue = createMemoryQueue(
      async (job: Job) => {
        tries.push(job.deliveryId);
        if (job.deliveryId === 'bad') throw new Error('GitHub is down');
        if (job.deliveryId === 'flaky' && tries.filter((t) => t === 'flaky').length < 2)
          throw new Error('timeout');
      },
      {
        maxReceiveCount: 3,
        backoffMs: (attempt) => {
          waits.push(attempt);
          return 0;
        },
        onFailure: ({ job, attempt, final }) =>
          failures.push(`${job.deliveryId}#${attempt}${final ? '!' : ''}`),
      },
    );
    await queue.enqueue(check(1, 'bad'));
    await queue.enqueue(check(1, 'next'));
    await queue.enqueue(check(2, 'flaky'));
    await queue.idle();
    expect(tries.filter((t) => t !== 'flaky')).toEqual(['bad', 'bad', 'bad', 'next']);
    expect(tries.filter((t) => t === 'flaky')).toHaveLength(2);
    expect(failures.sort()).toEqual(['bad#1', 'bad#2', 'bad#3!', 'flaky#1']);
    expect(waits.sort()).toEqual([1, 1, 2]);
    expect(queue.deadLetters.map((f) => [f.job.deliveryId, String(f.error), f.attempt])).toEqual([
      ['bad', 'Error: GitHub is down', 3],
    ]);
  });

  it('tells each try its receive count, like SQS, and stops at maxReceiveCount', async () => {
    const counts: (number | undefined)[] = [];
    const queue = createMemoryQueue(
      async (_job, delivery) => {
        counts.push(delivery.receiveCount);
        throw new Error('down');
      },
      { maxReceiveCount: 4, backoffMs: () => 0 },
    );
    await queue.enqueue(check(1, 'always-failing'));
    await queue.enqueue(check(2, 'once-more'));
    await queue.idle();
    expect(counts.sort()).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(queue.deadLetters.map((f) => f.attempt)).toEqual([4, 4]);
    // A job that succeeds on its second try is told 2 there and never tried again.
    const seen: (number | undefined)[] = [];
    const flaky = createMemoryQueue(
      async (_job, delivery) => {
        seen.push(delivery.receiveCount);
        if (seen.length === 1) throw new Error('timeout');
      },
      { backoffMs: () => 0 },
    );
    await flaky.enqueue(check(1, 'flaky'));
    await flaky.idle();
    expect(seen).toEqual([1, 2]);
    expect(flaky.deadLetters).toEqual([]);
  });

  it('is idle at once when empty, and does not start a job before enqueue returns', async () => {
    let started = false;
    const queue = createMemoryQueue(async () => {
      started = true;
    });
    await queue.idle();
    await queue.enqueue(check(1, 'x'));
    expect(started).toBe(false);
    await queue.idle();
    expect(started).toBe(true);
  });
});

describe('createMemoryQueue, deploy batches', () => {
  it("hands a group's waiting deploys over together (up to the batch size), in order", async () => {
    const batches: string[][] = [];
    const queue = createMemoryQueue(
      async () => {
        throw new Error('single jobs are not expected');
      },
      {
        deployRepo: { owner: 'platform', repo: 'deploy' },
        deployBatchSize: 2,
        handleDeployBatch: async (batch) => {
          batches.push(batch.map(({ job }) => job.deliveryId));
          return [];
        },
      },
    );
    for (const [repo, id] of [
      ['a', 'd1'],
      ['b', 'd2'],
      ['a', 'd3'],
    ] as const)
      await queue.enqueue(deploy(repo, id));
    await queue.idle();
    expect(batches).toEqual([['d1', 'd2'], ['d3']]);
  });

  it('retries the failed deploy and every one after it, with their try counts; out of tries they are dead letters', async () => {
    const seen: string[] = [];
    const queue = createMemoryQueue(async () => {}, {
      deployRepo: { owner: 'platform', repo: 'deploy' },
      maxReceiveCount: 2,
      backoffMs: () => 1,
      handleDeployBatch: async (batch) => {
        seen.push(batch.map(({ job, delivery }) => `${job.deliveryId}#${delivery.receiveCount}`).join(' '));
        // d2 always fails: d1 lands, d2 and d3 (behind it) are retried; like SQS, a record returned behind a
        // failed one spends a receive, so both reach maxReceiveCount together.
        return batch
          .filter(({ job }) => job.deliveryId === 'd2')
          .map(({ job }) => ({ job, error: new Error('boom') }));
      },
    });
    for (const id of ['d1', 'd2', 'd3']) await queue.enqueue(deploy('a', id));
    await queue.idle();
    expect(seen).toEqual(['d1#1 d2#1 d3#1', 'd2#2 d3#2']);
    expect(queue.deadLetters.map((d) => [d.job.deliveryId, d.attempt])).toEqual([
      ['d2', 2],
      ['d3', 2],
    ]);
  });
});
