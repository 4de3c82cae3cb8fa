/**
 * A check job past its deadline ends as a FAILED check run that says which step took too long — never as a
 * check run left "in progress" by a Lambda killed at its timeout. The oasdiff process is killed, and the
 * abandoned work can no longer write anything (its late verdict would overwrite the failure).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createJsonLogger } from '../../../shared/adapters/json-logger.js';
import { createMemoryFileSource } from '../../../shared/adapters/memory-file-source.js';
import { createOasdiffRunner, OasdiffError } from '../../../shared/adapters/oasdiff-runner.js';
import { createWorker, type WorkerDeps } from '../../../shared/app/worker.js';
import type { CheckJob } from '../../../shared/core/jobs.js';
import type { BreakingDiff } from '../../../shared/ports/breaking-diff.js';
import type { CheckRunResult, CodeHost } from '../../../shared/ports/code-host.js';
import type { FileSource } from '../../../shared/ports/file-source.js';

const sha = (c: string) => c.repeat(40);
const job: CheckJob = {
  type: 'check',
  deliveryId: 'd-1',
  event: 'pull_request.synchronize',
  installationId: 7,
  repository: { owner: 'acme', repo: 'users' },
  pullNumber: 1,
  headSha: sha('a'),
};

const repoFiles = {
  '.kuma-api-forge.yaml': 'version: 1\napis:\n  - name: users\n    spec: openapi.yaml\n',
  'openapi.yaml': `openapi: 3.0.3
info: {title: Users, version: 1.0.0}
servers: [{url: 'https://api.example.com/users'}]
paths:
  /users:
    get:
      operationId: listUsers
      responses: {'200': {description: ok}}
`,
};

/** The PR head adds an operation, so the breaking-change check has something to diff (equal specs skip oasdiff). */
const headFiles = {
  ...repoFiles,
  'openapi.yaml': `${repoFiles['openapi.yaml']}  /users/{id}:
    get:
      operationId: getUser
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
`,
};

/** Never settles unless `signal` aborts (then rejects like the runner does). */
const hang = <T>(signal?: AbortSignal): Promise<T> =>
  new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new OasdiffError('stopped'))));

interface Recorded {
  started: number;
  completed: { id: number; result: CheckRunResult }[];
  comments: string[];
}

function fakeHost(
  recorded: Recorded,
  options: { getPullRequest?: () => Promise<never>; files?: FileSource } = {},
) {
  const host: CodeHost = {
    description: 'acme/users',
    getPullRequest:
      options.getPullRequest ??
      (async (number) => ({
        number,
        state: 'open',
        headSha: sha('a'),
        baseSha: sha('b'),
        baseRef: 'main',
        defaultBranch: 'main',
        defaultBranchHead: sha('b'),
        labels: [],
        repoUrl: 'https://github.test/acme/users',
      })),
    prefetch: async () => {},
    findMergedPullRequest: async () => undefined,
    readDefaultBranch: async () => ({ branch: 'main', sha: sha('b') }),
    files: (ref) => options.files ?? createMemoryFileSource(ref === sha('a') ? headFiles : repoFiles),
    createComment: async (_, body) => {
      recorded.comments.push(body);
      return { id: 1, body };
    },
    updateComment: async () => {},
    createCheckRun: async (_, result) => {
      recorded.started++;
      recorded.completed.push({ id: 42, result });
      return 42;
    },
    completeCheckRun: async (id, result) => {
      recorded.completed.push({ id, result });
    },
    permissionOf: async () => 'none',
    addLabel: async () => {},
  };
  return host;
}

async function runWithDeadline(
  host: CodeHost,
  breakingDiff: BreakingDiff,
  extra: Partial<WorkerDeps> = {},
): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const worker = createWorker({
    codeHost: () => host,
    breakingDiff,
    log: createJsonLogger('info', (line) => lines.push(JSON.parse(line))),
    checkDeadlineMs: 300,
    ...extra,
  });
  await worker.processJob(job);
  return lines;
}

const fresh = (): Recorded => ({ started: 0, completed: [], comments: [] });
const noChanges: BreakingDiff = { breaking: async () => [] };

describe('a check job past its deadline', () => {
  it('oasdiff hangs: the run fails naming the breaking-change check, and oasdiff is aborted', async () => {
    const recorded = fresh();
    let aborted = false;
    const breakingDiff: BreakingDiff = {
      breaking: (_base, _head, options) => {
        options?.signal?.addEventListener('abort', () => {
          aborted = true;
        });
        return hang(options?.signal);
      },
    };
    const lines = await runWithDeadline(fakeHost(recorded), breakingDiff);
    expect(aborted).toBe(true);
    expect(recorded.completed).toHaveLength(1);
    expect(recorded.completed[0]).toMatchObject({
      id: 42,
      result: { conclusion: 'failure', title: 'kuma-api-forge stopped the check after 0.3 s' },
    });
    expect(recorded.completed[0]?.result.summary).toContain(
      'the breaking-change check (oasdiff) took too long',
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'check stopped at its deadline' }),
    );
  });

  it("GitHub never sends a file: the run fails naming the read of the pull request's files", async () => {
    const recorded = fresh();
    const files: FileSource = { description: 'stuck', read: () => hang() };
    await runWithDeadline(fakeHost(recorded, { files }), noChanges);
    expect(recorded.completed).toHaveLength(1);
    expect(recorded.completed[0]?.result.conclusion).toBe('failure');
    expect(recorded.completed[0]?.result.summary).toContain(
      "reading the pull request's files from GitHub took too long",
    );
  });

  it('the deploy repo never answers: the run fails naming the deploy preview', async () => {
    const recorded = fresh();
    // Reading, linting and rendering the spec come first and must finish inside the deadline, also on a loaded
    // machine: the deadline has to fall while the deploy repo is being waited for. So the clock is a fake one
    // that runs out the moment the deploy repo is asked, instead of a real 8 s wait.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      await runWithDeadline(fakeHost(recorded), noChanges, {
        deploy: {
          description: 'acme/deploy',
          repo: () => {
            vi.advanceTimersByTime(8000);
            return hang();
          },
          history: () => ({ compare: () => hang() }),
        },
        checkDeadlineMs: 8000,
      });
    } finally {
      vi.useRealTimers();
    }
    expect(recorded.completed).toHaveLength(1);
    expect(recorded.completed[0]?.result.summary).toContain('the deploy preview');
    expect(recorded.completed[0]?.result.summary).toContain('took too long');
  });

  it('stuck before a check run exists: the worker creates one, failed', async () => {
    const recorded = fresh();
    await runWithDeadline(fakeHost(recorded, { getPullRequest: () => hang() }), noChanges);
    expect(recorded.started).toBe(1);
    expect(recorded.completed).toEqual([
      { id: 42, result: expect.objectContaining({ conclusion: 'failure' }) },
    ]);
  });

  it('work that finishes after the deadline writes nothing: the failure stands', async () => {
    const recorded = fresh();
    let finish: () => void = () => {};
    const late: BreakingDiff = {
      breaking: () =>
        new Promise((resolve) => {
          finish = () => resolve([]);
        }),
    };
    await runWithDeadline(fakeHost(recorded), late);
    finish(); // oasdiff "returns" now: the abandoned check goes on to report…
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(recorded.completed).toHaveLength(1); // …but only the deadline's failure was written
    expect(recorded.completed[0]?.result.conclusion).toBe('failure');
    expect(recorded.comments).toEqual([]);
  });

  it('a check within its deadline reports as usual', async () => {
    const recorded = fresh();
    await runWithDeadline(fakeHost(recorded), noChanges, { checkDeadlineMs: 60_000 });
    expect(recorded.completed).toHaveLength(1);
    expect(recorded.completed[0]?.result.conclusion).toBe('success');
  });
});

describe('the oasdiff runner on abort', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kaf-oasdiff-abort-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('kills the process and rejects at once', async () => {
    const pidFile = path.join(dir, 'pid');
    const binary = path.join(dir, 'slow-oasdiff');
    writeFileSync(binary, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 60\n`);
    chmodSync(binary, 0o755);
    const controller = new AbortController();
    const started = createOasdiffRunner({ binaryPath: binary }).breaking(
      {},
      {},
      { signal: controller.signal },
    );
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '')
      await new Promise((resolve) => setTimeout(resolve, 20));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    controller.abort();
    await expect(started).rejects.toBeInstanceOf(OasdiffError);
    // The process is gone (`exec` made the sleep the same process): signal 0 finds no such process.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
