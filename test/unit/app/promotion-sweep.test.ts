/**
 * The time promotions' sweep (shared/app/promotion-sweep.ts): one job per environment with `promote: {after}`,
 * in its deploy repo's FIFO group, carrying the sweep's time; an unreachable deploy repo is logged and skipped.
 * And the worker's reading of such a job from the queue.
 */
import { describe, expect, it } from 'vitest';
import { sweepTimePromotions } from '../../../shared/app/promotion-sweep.js';
import { parseJob } from '../../../shared/app/worker.js';
import { parseEnvironments } from '../../../shared/core/deploy/environments.js';
import { type Job, jobGroupId } from '../../../shared/core/jobs.js';
import type { RepoRef } from '../../../shared/core/repo-ref.js';
import { silentLogger } from '../../../shared/ports/logger.js';

const parsed = parseEnvironments(`
- {name: staging, repo: platform/deploy, branch: staging}
- {name: canary, repo: platform/canary, promote: {after: 30m}}
- {name: production, repo: platform/prod, promote: {tag: "v*"}}
- {name: dr, repo: platform/dr, promote: {after: 7d, status: kustomization/apps}}
`);
const environments = 'environments' in parsed ? parsed.environments : [];
const at = new Date('2026-01-02T03:04:05.678Z');

describe('sweepTimePromotions', () => {
  it('enqueues one job per environment with a time rule, in its deploy repo’s group, with the sweep’s time', async () => {
    const queued: Job[] = [];
    await sweepTimePromotions(at, {
      environments,
      queue: { enqueue: async (job) => void queued.push(job) },
      installationFor: async (repo: RepoRef) => (repo.repo === 'canary' ? 11 : 12),
      log: silentLogger,
    });
    expect(queued).toEqual([
      {
        type: 'promote-time',
        deliveryId: 'promote-time:canary:2026-01-02T03:04:05.678Z',
        event: 'schedule',
        installationId: 11,
        repository: { owner: 'platform', repo: 'canary' },
        environment: 'canary',
        at: '2026-01-02T03:04:05.678Z',
      },
      expect.objectContaining({
        environment: 'dr',
        installationId: 12,
        repository: { owner: 'platform', repo: 'dr' },
      }),
    ]);
    // The target's deploy repo is the group, whatever the first environment's is.
    expect(queued.map((job) => jobGroupId(job, { owner: 'platform', repo: 'deploy' }))).toEqual([
      'deploy:platform/canary',
      'deploy:platform/dr',
    ]);
  });

  it('an environment whose deploy repo the App cannot reach is logged and skipped; the others are swept', async () => {
    const queued: Job[] = [];
    const errors: string[] = [];
    await sweepTimePromotions(at, {
      environments,
      queue: { enqueue: async (job) => void queued.push(job) },
      installationFor: async (repo) => {
        if (repo.repo === 'canary') throw new Error('Not Found');
        return 12;
      },
      log: {
        ...silentLogger,
        error: (message, fields) => void errors.push(`${message} ${fields?.environment}`),
      },
    });
    expect(queued.map((job) => (job as { environment: string }).environment)).toEqual(['dr']);
    expect(errors).toEqual(['the time promotion sweep could not enqueue an environment canary']);
  });
});

describe('parseJob: promote-time', () => {
  const job = {
    type: 'promote-time',
    deliveryId: 'promote-time:dr:2026-01-02T03:04:05.678Z',
    event: 'schedule',
    installationId: 12,
    repository: { owner: 'platform', repo: 'dr' },
    environment: 'dr',
    at: '2026-01-02T03:04:05.678Z',
  };

  it('accepts the sweep’s job and refuses one without an environment or a time', () => {
    expect(parseJob(JSON.stringify(job))).toEqual(job);
    expect(parseJob(JSON.stringify({ ...job, at: 'tomorrow' }))).toBeUndefined();
    expect(parseJob(JSON.stringify({ ...job, at: 1 }))).toBeUndefined();
    expect(parseJob(JSON.stringify({ ...job, environment: undefined }))).toBeUndefined();
    expect(parseJob(JSON.stringify({ ...job, installationId: undefined }))).toBeUndefined();
  });
});
