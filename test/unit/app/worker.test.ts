import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../../shared/adapters/json-logger.js';
import { createWorker, parseJob } from '../../../shared/app/worker.js';
import type { CheckJob, DeployJob } from '../../../shared/core/jobs.js';
import type { CodeHost } from '../../../shared/ports/code-host.js';
import { DeployConflictError } from '../../../shared/use-cases/deploy-push.js';

const sha = (c: string) => c.repeat(40);
const check = (pullNumber: number, deliveryId = `d-${pullNumber}`): CheckJob => ({
  type: 'check',
  deliveryId,
  event: 'pull_request.synchronize',
  installationId: 7,
  repository: { owner: 'acme', repo: 'users' },
  pullNumber,
  headSha: sha('a'),
});

/**
 * A code host whose PRs are closed (the job is skipped after one read) unless listed in `failing`, which
 * answer GitHub's 502; `seen` records the order of the reads.
 */
function fakeHost(failing: number[], seen: number[]): CodeHost {
  // PR 404 does not exist (anymore): GitHub answers 404.
  const unused = () => {
    throw new Error('not expected in this test');
  };
  return {
    description: 'acme/users',
    async getPullRequest(number) {
      seen.push(number);
      if (failing.includes(number)) throw Object.assign(new Error('Server Error'), { status: 502 });
      if (number === 404) throw Object.assign(new Error('Not Found'), { status: 404 });
      return {
        number,
        state: 'closed',
        headSha: sha('a'),
        baseSha: sha('b'),
        baseRef: 'main',
        defaultBranch: 'main',
        defaultBranchHead: sha('b'),
        labels: [],
        repoUrl: '',
      };
    },
    files: unused,
    prefetch: unused,
    findMergedPullRequest: unused,
    readDefaultBranch: unused,
    createComment: unused,
    permissionOf: unused,
    addLabel: unused,
    updateComment: unused,
    createCheckRun: unused,
    completeCheckRun: unused,
  };
}

function setup(failing: number[] = []) {
  const lines: Record<string, unknown>[] = [];
  const seen: number[] = [];
  const worker = createWorker({
    codeHost: () => fakeHost(failing, seen),
    breakingDiff: { breaking: () => Promise.reject(new Error('not expected')) },
    log: createJsonLogger('info', (line) => lines.push(JSON.parse(line))),
  });
  return { worker, lines, seen };
}

function sqsEvent(records: { id: string; body: unknown; group: string }[]): SQSEvent {
  return {
    Records: records.map((r) => ({
      messageId: r.id,
      receiptHandle: r.id,
      body: typeof r.body === 'string' ? r.body : JSON.stringify(r.body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
        MessageGroupId: r.group,
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:0:jobs.fifo',
      awsRegion: 'eu-west-1',
    })),
  };
}

describe('createWorker().handleSqsEvent', () => {
  it('reports a failed job for retry', async () => {
    const { worker, seen } = setup([2]);
    const failed = await worker.handleSqsEvent(
      sqsEvent([{ id: 'm2', body: check(2), group: 'acme/users#2' }]),
    );
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    const done = await worker.handleSqsEvent(sqsEvent([{ id: 'm1', body: check(1), group: 'acme/users#1' }]));
    expect(done.batchItemFailures).toEqual([]);
    expect(seen).toEqual([2, 1]);
  });

  it('refuses a batch of more than one record without running any: FIFO order relies on batchSize 1', async () => {
    const { worker, seen, lines } = setup([2]);
    const batches = [
      // A failed job and a later one of its group: the later one must wait for the retry.
      [
        { id: 'm2', body: check(2), group: 'acme/users#2' },
        { id: 'm3', body: check(2, 'd-later'), group: 'acme/users#2' },
      ],
      // Two groups, both fine: still refused, the setting is wrong.
      [
        { id: 'm1', body: check(1), group: 'acme/users#1' },
        { id: 'm4', body: check(4), group: 'acme/users#4' },
      ],
    ];
    for (const records of batches) {
      await expect(worker.handleSqsEvent(sqsEvent(records))).rejects.toMatchObject({ name: 'SetupError' });
    }
    expect(seen).toEqual([]);
    expect(lines.filter((l) => l.level === 'error').map((l) => l.records)).toEqual([2, 2]);
  });

  it('drops a job that a retry cannot help, with an error log line', async () => {
    const { worker, lines } = setup();
    const response = await worker.handleSqsEvent(sqsEvent([{ id: 'gone', body: check(404), group: 'g' }]));
    expect(response.batchItemFailures).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', deliveryId: 'd-404', error: 'Error: Not Found' }),
    );
  });

  it('logs and drops a malformed message instead of retrying it forever', async () => {
    const { worker, lines } = setup();
    for (const record of [
      { id: 'bad-json', body: '{"type":', group: 'g' },
      { id: 'bad-job', body: { type: 'check', deliveryId: 'x' }, group: 'g' },
      { id: 'ok', body: check(1), group: 'g' },
    ]) {
      expect((await worker.handleSqsEvent(sqsEvent([record]))).batchItemFailures).toEqual([]);
    }
    expect(
      lines.filter((l) => l.message === 'malformed queue message dropped').map((l) => l.messageId),
    ).toEqual(['bad-json', 'bad-job']);
  });

  it('logs every job with its delivery id; without a deploy repo a push deploys nothing and says so', async () => {
    const { worker, lines } = setup();
    await worker.processJob(deployJob());
    await worker.processJob(check(1));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        deliveryId: 'd-deploy',
        message: expect.stringMatching(/no deploy repo is configured \(DEPLOY_REPO\)/),
      }),
      expect.objectContaining({ level: 'info', deliveryId: 'd-1', status: 'skipped', reason: 'closed' }),
    ]);
  });
});

const deployJob = (): DeployJob => ({
  type: 'deploy',
  deliveryId: 'd-deploy',
  event: 'push',
  installationId: 7,
  repository: { owner: 'acme', repo: 'users' },
  sha: sha('c'),
});

/** A worker whose deploy repo cannot be reached with `error`; the merged PR's comments are collected. */
function deploySetup(error: Error, options: { maxReceiveCount?: number } = {}) {
  const comments: { number: number; body: string }[] = [];
  const lines: Record<string, unknown>[] = [];
  const access: string[] = [];
  const host: CodeHost = {
    ...fakeHost([], []),
    // GitHub says commit c merged PR 12.
    findMergedPullRequest: async (commit) => (commit === sha('c') ? 12 : undefined),
    async createComment(number, body) {
      comments.push({ number, body });
      return { id: 1, body };
    },
  };
  const worker = createWorker({
    codeHost: () => host,
    breakingDiff: { breaking: () => Promise.reject(new Error('not expected')) },
    log: createJsonLogger('info', (line) => lines.push(JSON.parse(line))),
    deploy: {
      description: 'platform/deploy',
      repo: (asked) => {
        access.push(asked);
        return Promise.reject(error);
      },
      history: () => ({
        compare: () => Promise.reject(new Error('not expected')),
      }),
    },
    ...options,
  });
  return { worker, comments, lines, access };
}

describe('createWorker().processJob for a deploy', () => {
  it('ends a failure a retry cannot help as a comment on the merged PR, and does not throw', async () => {
    const { worker, comments, lines, access } = deploySetup(
      new Error('the App is not installed on the deploy repo platform/deploy'),
    );
    await worker.processJob(deployJob());
    // Only a deploy asks for the writable deploy repo (a check's preview asks for 'read').
    expect(access).toEqual(['write']);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.number).toBe(12);
    expect(comments[0]!.body).toMatch(
      /^<!-- kuma-api-forge:deploy -->\n⛔ \*\*Not deployed\*\* to platform\/deploy/,
    );
    expect(comments[0]!.body).toContain(`commit ${sha('c').slice(0, 7)} (the App is not installed`);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'deploy failed and will not be retried' }),
    );
  });

  it('rethrows a failure a retry may help (GitHub 502, every CAS attempt lost), without commenting', async () => {
    for (const error of [
      Object.assign(new Error('Bad Gateway'), { status: 502 }),
      new DeployConflictError('platform/deploy kept moving'),
    ]) {
      const { worker, comments } = deploySetup(error);
      await expect(worker.processJob(deployJob())).rejects.toBe(error);
      expect(comments).toEqual([]);
    }
  });
});

describe("a deploy on the queue's last try", () => {
  const record = (receiveCount: number): SQSEvent => {
    const event = sqsEvent([{ id: 'm1', body: deployJob(), group: 'deploy:platform/deploy' }]);
    event.Records[0]!.attributes.ApproximateReceiveCount = String(receiveCount);
    return event;
  };

  it('comments on the merged PR before the job goes to the dead-letter queue, and still reports it failed', async () => {
    const error = Object.assign(new Error('Bad Gateway'), { status: 502 });
    const early = deploySetup(error, { maxReceiveCount: 5 });
    expect(await early.worker.handleSqsEvent(record(4))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    });
    expect(early.comments).toEqual([]);

    const last = deploySetup(error, { maxReceiveCount: 5 });
    expect(await last.worker.handleSqsEvent(record(5))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }],
    });
    expect(last.comments).toHaveLength(1);
    expect(last.comments[0]!.body).toContain('⛔ **Not deployed** to platform/deploy');
    expect(last.comments[0]!.body).toContain('(Bad Gateway)');
  });
});

describe('parseJob', () => {
  it('accepts check and deploy jobs and refuses anything else', () => {
    expect(parseJob(JSON.stringify(check(3)))).toEqual(check(3));
    expect(parseJob(JSON.stringify({ ...check(3), headSha: 'main' }))).toBeUndefined();
    expect(parseJob(JSON.stringify({ ...check(3), type: 'merge' }))).toBeUndefined();
    expect(parseJob(JSON.stringify({ ...check(3), installationId: '7' }))).toBeUndefined();
    expect(parseJob('null')).toBeUndefined();
    expect(parseJob('[]')).toBeUndefined();
  });

  it('accepts a promote job with its tag and commit, and refuses one without', () => {
    const promote = { ...check(3), type: 'promote', event: 'push', tag: 'v1.0.0', sha: sha('a') };
    expect(parseJob(JSON.stringify(promote))).toEqual(promote);
    expect(parseJob(JSON.stringify({ ...promote, tag: '' }))).toBeUndefined();
    expect(parseJob(JSON.stringify({ ...promote, tag: 7 }))).toBeUndefined();
    expect(parseJob(JSON.stringify({ ...promote, sha: 'v1.0.0' }))).toBeUndefined();
  });
});

describe('createJsonLogger', () => {
  it('writes one JSON object per line, drops lines below its level, and children carry their fields', () => {
    const lines: string[] = [];
    const log = createJsonLogger('warn', (line) => lines.push(line)).child({ deliveryId: 'd-1' });
    log.info('hidden');
    log.warn('shown', { n: 1 });
    expect(lines).toEqual(['{"level":"warn","message":"shown","deliveryId":"d-1","n":1}']);
  });
});
