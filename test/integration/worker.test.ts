/**
 * The worker against the local GitHub over real HTTP, with the real Octokit (App auth, retry, throttling), the
 * real oasdiff binary and the user-profile fixture repo: what a PR author sees (the one sticky comment, the
 * check run and its annotations) across pushes, labels and failures, and every request validated against
 * GitHub's OpenAPI description. The use case's decisions alone (stale heads, no config, the sticky comment's
 * actions) are unit-tested against fakes in test/unit/use-cases/check-pull-request.test.ts.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AppCredentials,
  type LocalGitHub,
  type RecordedRequest,
  startLocalGitHub,
  type WebhookEvent,
} from '../../dev/github/index.js';
import { createGitHubClients } from '../../shared/adapters/github/create-octokit.js';
import { createGitHubCodeHost } from '../../shared/adapters/github/github-code-host.js';
import { createJsonLogger } from '../../shared/adapters/json-logger.js';
import { createOasdiffRunner } from '../../shared/adapters/oasdiff-runner.js';
import { createWorker, type Worker } from '../../shared/app/worker.js';
import type { CheckJob } from '../../shared/core/jobs.js';
import type { BreakingDiff } from '../../shared/ports/breaking-diff.js';
import { createTestApp, githubContract } from '../helpers/local-github.js';

const fixture = join(import.meta.dirname, '../../fixtures/specs/user-profile');
const repo = { owner: 'acme', repo: 'users' };
const validator = githubContract();
// Real oasdiff and many GitHub round trips per test: more room than the default under a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

/** The files of the fixture (without `revisions/`), or of one revision laid over them. */
async function filesOf(revision?: string): Promise<Record<string, string>> {
  const dir = revision ? join(fixture, 'revisions', revision) : fixture;
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (!entry.isFile() || path.startsWith('revisions/')) continue;
    files[path] = await readFile(join(dir, path), 'utf8');
  }
  return files;
}

let gh: LocalGitHub;
let app: AppCredentials;
let installationId: number;
let logLines: Record<string, unknown>[];
let deliveries = 0;

function createTestWorker(
  breakingDiff: BreakingDiff = createOasdiffRunner(),
  network: { fetch?: typeof fetch; requestTimeoutMs?: number } = {},
): Worker {
  const log = createJsonLogger('debug', (line) => logLines.push(JSON.parse(line)));
  const github = createGitHubClients({
    appId: app.id,
    privateKey: app.privateKey!,
    baseUrl: gh.url,
    waitUnitMs: 1,
    spaceWrites: false,
    log,
    ...network,
  });
  return createWorker({
    codeHost: (job) => createGitHubCodeHost(github.forInstallation(job.installationId), job.repository),
    breakingDiff,
    log,
  });
}

/** The job the webhook would enqueue for a `pull_request` event. */
function jobFor(events: WebhookEvent[]): CheckJob {
  const event = events.find((e) => e.name === 'pull_request');
  if (!event) throw new Error('no pull_request event');
  const payload = event.payload as {
    action: string;
    number: number;
    pull_request: { head: { sha: string } };
  };
  return {
    type: 'check',
    deliveryId: `delivery-${++deliveries}`,
    event: `pull_request.${payload.action}`,
    installationId,
    repository: repo,
    pullNumber: payload.number,
    headSha: payload.pull_request.head.sha,
  };
}

async function openPull(revision: string) {
  await gh.admin.push({ ...repo, branch: 'feature', files: await filesOf(revision), deliver: false });
  const opened = await gh.admin.openPullRequest({ ...repo, head: 'feature', deliver: false });
  return { number: opened.number, job: jobFor(opened.events) };
}

async function pushRevision(revision: string | undefined) {
  const pushed = await gh.admin.push({
    ...repo,
    branch: 'feature',
    files: await filesOf(revision),
    deliver: false,
  });
  return jobFor(pushed.events);
}

/** Requests sent while `run` ran. */
async function requestsDuring(run: () => Promise<unknown>): Promise<RecordedRequest[]> {
  const from = gh.requests.length;
  await run();
  return gh.requests.slice(from);
}

const lastRun = () => gh.admin.checkRuns(repo).at(-1)!;
const comments = (number: number) => gh.admin.comments({ ...repo, number });
/** Snapshot-stable: the local server's port and the commit SHAs vary between runs. */
const stable = (text: string) =>
  text.replaceAll(gh.url, 'https://github.example').replace(/\b[0-9a-f]{40}\b/g, '<sha>');

beforeEach(async () => {
  gh = await startLocalGitHub();
  app = createTestApp(gh);
  installationId = (await gh.admin.installApp(app.id, 'acme')).installationId;
  await gh.admin.createRepo({ ...repo, files: await filesOf() });
  logLines = [];
});

afterEach(async () => {
  // Every request the worker sent and every answer it got conforms to GitHub's published description.
  const problems = gh.requests.flatMap((r) => [
    ...(r.requestBody === undefined ? [] : validator.validateRequest(r.operationId!, r.requestBody)),
    ...validator.validateResponse(r.operationId!, r.status, r.responseBody),
  ]);
  expect(gh.requests.filter((r) => r.operationId === undefined).map((r) => r.path)).toEqual([]);
  expect(problems).toEqual([]);
  await gh.stop();
});

describe('a pull request with a breaking change', () => {
  it('gets one comment and a failed check run annotated on the spec line', async () => {
    const worker = createTestWorker();
    const { number, job } = await openPull('new-required-param');

    const sent = await requestsDuring(() => worker.processJob(job));

    const [comment, ...more] = comments(number);
    expect(more).toEqual([]);
    await expect(stable(comment!.body)).toMatchFileSnapshot('__snapshots__/worker-breaking-comment.md');
    const run = lastRun();
    expect(run).toMatchObject({
      name: 'kuma-api-forge',
      headSha: job.headSha,
      status: 'completed',
      conclusion: 'failure',
      output: { title: 'Failed: 1 breaking change' },
    });
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        path: 'openapi/users.yaml',
        start_line: 37,
        end_line: 37,
        annotation_level: 'failure',
        title: 'new-required-request-parameter',
      }),
    );
    // The calls for one PR event (reported to the lead; keep them near the minimum): the token, one query for
    // the PR, the default branch's head and the configs, one for the specs they name, one for the stale-head
    // guard and the sticky comment (and one for the files the spec `$ref`s, openapi/schemas/user.yaml); the
    // comment, and the check run created with its result.
    expect(sent.map((r) => r.operationId)).toEqual([
      'apps/create-installation-access-token',
      'graphql',
      'graphql',
      'graphql',
      'graphql',
      'issues/create-comment',
      'checks/create',
    ]);
    expect(logLines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        deliveryId: job.deliveryId,
        status: 'reported',
        verdict: 'fail',
      }),
    );
  });

  it('keeps the one comment across pushes: updated, untouched when unchanged, resolved when fixed', async () => {
    const worker = createTestWorker();
    const { number, job } = await openPull('removed-operation');
    await worker.processJob(job);
    const [first] = comments(number);
    expect(first!.body).toContain('api-removed-without-deprecation');
    // The removal is written in the base; "Files changed" shows it on the path item that lost it.
    expect(lastRun().annotations).toEqual([
      expect.objectContaining({
        path: 'openapi/users.yaml',
        start_line: 121,
        end_line: 121,
        annotation_level: 'failure',
        title: 'api-removed-without-deprecation',
        message: expect.stringMatching(
          /^removed here: DELETE \/users\/\{userId\} \(was at openapi\/users\.yaml:145 in the base\)\n/,
        ),
      }),
    ]);
    expect(lastRun().output.text).toBeNull();

    // Another breaking change: the same comment, edited in place.
    await worker.processJob(await pushRevision('new-required-param'));
    expect(comments(number).map((c) => c.id)).toEqual([first!.id]);
    expect(comments(number)[0]!.body).toContain('new-required-request-parameter');
    expect(comments(number)[0]!.body).not.toContain('api-removed-without-deprecation');

    // The same event again (a redelivery): nothing to change, so the comment is not written.
    const again = await requestsDuring(() => worker.processJob({ ...job, headSha: lastRun().headSha }));
    expect(again.map((r) => r.operationId)).not.toContain('issues/update-comment');
    expect(again.map((r) => r.operationId)).not.toContain('issues/create-comment');

    // Back to the base version: nothing left to say, the comment becomes a short resolved note.
    await worker.processJob(await pushRevision(undefined));
    const [resolved, ...others] = comments(number);
    expect(others).toEqual([]);
    expect(resolved!.id).toBe(first!.id);
    expect(resolved!.body).toMatch(/^<!-- kuma-api-forge -->\n### ✅ Resolved/);
    expect(lastRun()).toMatchObject({ conclusion: 'success', output: { title: 'Passed' } });
  });

  it('passes visibly once the approval label from the base config is added', async () => {
    const worker = createTestWorker();
    const { number, job } = await openPull('removed-operation');
    await worker.processJob(job);
    expect(lastRun().conclusion).toBe('failure');

    const labeled = await gh.admin.addLabel({
      ...repo,
      number,
      label: 'breaking-change-approved',
      deliver: false,
    });
    await worker.processJob(jobFor(labeled.events));

    expect(lastRun()).toMatchObject({
      conclusion: 'success',
      output: { title: 'Passed; 1 breaking change accepted' },
    });
    const [comment, ...more] = comments(number);
    expect(more).toEqual([]);
    await expect(stable(comment!.body)).toMatchFileSnapshot('__snapshots__/worker-approved-comment.md');
    expect(comment!.body).toContain('accepted: approved by label');
    expect(comment!.body).toContain('has the label breaking-change-approved.');
  });
});

describe('repos and failures', () => {
  it('ends a GitHub 5xx storm as a failed check run that says so, and leaves the job to the queue', async () => {
    const worker = createTestWorker();
    const { number, job } = await openPull('new-required-param');
    gh.admin.setFaults({
      rules: [{ kind: 'server-error', operations: ['issues/create-comment'], status: 502 }],
    });

    const response = await worker.handleSqsEvent(sqsEvent([{ id: 'm-1', body: JSON.stringify(job) }]));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    // The retry plugin tried 1 + 3 times before giving up.
    expect(gh.admin.faultsInjected()['server-error']).toBe(4);
    expect(comments(number)).toEqual([]);
    expect(lastRun()).toMatchObject({
      conclusion: 'failure',
      output: { title: 'kuma-api-forge could not finish the check' },
    });
    expect(lastRun().output.summary).toMatch(/GitHub answered 502.*It will be retried automatically/s);

    // GitHub is back: the queue's retry reports for real.
    gh.admin.setFaults(undefined);
    expect(
      (await worker.handleSqsEvent(sqsEvent([{ id: 'm-1', body: JSON.stringify(job) }]))).batchItemFailures,
    ).toEqual([]);
    expect(lastRun().conclusion).toBe('failure');
    expect(lastRun().output.title).toBe('Failed: 1 breaking change');
    expect(comments(number)).toHaveLength(1);
  });

  it('gives up on a request GitHub never answers and says so on the check run', async () => {
    // GitHub accepts the connection for the comment but never answers it. Only that request is held to the
    // time limit (every try of it times out); the others are answered, so a busy machine cannot time them out,
    // and the limit can be short.
    const hanging: typeof fetch = (input, init) =>
      String(input).includes('/comments') && init?.method === 'POST'
        ? new Promise((_resolve, reject) =>
            init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
          )
        : fetch(input, { ...init, signal: null });
    const worker = createTestWorker(createOasdiffRunner(), { fetch: hanging, requestTimeoutMs: 100 });
    const { number, job } = await openPull('new-required-param');

    await expect(worker.processJob(job)).rejects.toMatchObject({ status: 500 });

    expect(comments(number)).toEqual([]);
    expect(lastRun()).toMatchObject({
      conclusion: 'failure',
      output: { title: 'kuma-api-forge could not finish the check' },
    });
    expect(lastRun().output.summary).toMatch(/GitHub did not answer \(.*timeout\).*retried automatically/s);
  });

  it('waits out a secondary rate limit and carries on', async () => {
    const worker = createTestWorker();
    const { number, job } = await openPull('new-required-param');
    gh.admin.setFaults({
      rules: [{ kind: 'secondary-rate-limit', operations: ['issues/create-comment'], times: 1 }],
    });

    await worker.processJob(job);

    expect(gh.admin.faultsInjected()['secondary-rate-limit']).toBe(1);
    // One constant message, the request and the wait in fields.
    expect(logLines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'GitHub secondary rate limit: waiting',
        method: 'POST',
        retry: 1,
        afterSeconds: 1,
      }),
    );
    expect(comments(number)).toHaveLength(1);
    expect(lastRun().conclusion).toBe('failure');
  });
});

function sqsEvent(messages: { id: string; body: string; group?: string }[]) {
  return {
    Records: messages.map((m) => ({
      messageId: m.id,
      receiptHandle: `handle-${m.id}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: '0',
        MessageGroupId: m.group ?? 'acme/users#1',
        MessageDeduplicationId: m.id,
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:jobs.fifo',
      awsRegion: 'eu-west-1',
    })),
  };
}
