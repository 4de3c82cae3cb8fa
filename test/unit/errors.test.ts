import { RequestError } from '@octokit/request-error';
import { describe, expect, it } from 'vitest';
import { DeployTargetError } from '../../shared/adapters/github/github-deploy-target.js';
import { createJsonLogger } from '../../shared/adapters/json-logger.js';
import { SettingsError } from '../../shared/app/settings.js';
import { createWorker } from '../../shared/app/worker.js';
import { UsageError } from '../../shared/cli/cli-io.js';
import {
  InvariantError,
  isRetryable,
  reportForOperator,
  SetupError,
  toUpstreamError,
  UpstreamError,
  UserInputError,
} from '../../shared/core/errors.js';
import type { CheckJob } from '../../shared/core/jobs.js';
import { OasdiffError } from '../../shared/ports/breaking-diff.js';
import type { CodeHost } from '../../shared/ports/code-host.js';
import { UnreadableInputError } from '../../shared/use-cases/check.js';
import { DeployConflictError } from '../../shared/use-cases/deploy-push.js';

const request = {
  method: 'GET',
  url: 'https://api.github.com/repos/acme/pets/pulls/1',
  headers: {},
} as const;

/** A real Octokit `RequestError` for an answer GitHub gave (status, headers, body), as @octokit/request builds it. */
function answered(status: number, message: string, headers: Record<string, string> = {}): RequestError {
  return new RequestError(message, status, {
    request,
    response: { status, url: request.url, headers, data: { message } },
  });
}

describe('the error families', () => {
  it('an upstream error keeps its service, status, retry verdict, message and cause', () => {
    const cause = answered(502, 'Server Error');
    const error = new UpstreamError('Server Error', {
      service: 'GitHub',
      status: 502,
      retryable: true,
      cause,
    });
    expect(error).toMatchObject({ name: 'UpstreamError', service: 'GitHub', status: 502, retryable: true });
    expect(error.message).toBe('Server Error');
    expect(error.cause).toBe(cause);
    expect(error.answered).toBe(true);
    expect(isRetryable(error)).toBe(true);
    expect(isRetryable(new UpstreamError('no', { service: 'SQS', status: 400, retryable: false }))).toBe(
      false,
    );
  });

  it('user input, setup and invariant errors are never retried, even when they carry a status', () => {
    for (const error of [
      Object.assign(new UserInputError('the spec is not YAML'), { status: 503 }),
      Object.assign(new SetupError('GITHUB_APP_ID must be numeric'), { status: 503 }),
      Object.assign(new InvariantError('refusing to write outside the folder'), { status: 503 }),
    ]) {
      expect(isRetryable(error), error.name).toBe(false);
      expect(toUpstreamError(error), error.name).toBeUndefined();
    }
  });

  it('an error of no family is not retried and is reported as unexpected', () => {
    expect(isRetryable(new Error('cannot read properties of undefined'))).toBe(false);
    expect(isRetryable('a string')).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
    expect(reportForOperator(new RangeError('x'))).toEqual({
      errorType: 'RangeError',
      retryable: false,
      next: 'an unexpected error: report it with this log line',
    });
  });
});

describe("the product's errors, each in its family under its own name", () => {
  it.each([
    [new UnreadableInputError('no config'), UserInputError, 'UnreadableInputError', false],
    [new UsageError('--base is required'), UserInputError, 'UsageError', false],
    [new SettingsError('GITHUB_APP_ID must be numeric'), SetupError, 'SettingsError', false],
    [new DeployTargetError('the App is not installed'), SetupError, 'DeployTargetError', false],
    [new OasdiffError('oasdiff timed out after 1 ms'), UpstreamError, 'OasdiffError', false],
    [new DeployConflictError('platform/deploy kept moving'), UpstreamError, 'DeployConflictError', true],
  ] as const)('%s', (error, family, name, retryable) => {
    expect(error).toBeInstanceOf(family);
    expect(error.name).toBe(name);
    expect(isRetryable(error)).toBe(retryable);
    expect(reportForOperator(error)).toMatchObject({ errorType: name, retryable });
  });
});

describe("Octokit's RequestError, read as GitHub answered it", () => {
  it('5xx and 429 are retryable; 404 and 422 are not', () => {
    expect(toUpstreamError(answered(502, 'Bad Gateway'))).toMatchObject({ status: 502, retryable: true });
    expect(toUpstreamError(answered(429, 'Too Many Requests'))).toMatchObject({ retryable: true });
    expect(toUpstreamError(answered(404, 'Not Found'))).toMatchObject({ status: 404, retryable: false });
    expect(toUpstreamError(answered(422, 'Validation Failed'))).toMatchObject({ retryable: false });
  });

  it('a 403 is retryable only when it is a rate limit (primary by header, secondary by its message)', () => {
    const primary = answered(403, 'API rate limit exceeded for installation', {
      'x-ratelimit-remaining': '0',
    });
    const secondary = answered(403, 'You have exceeded a secondary rate limit. Please wait a few minutes.');
    const denied = answered(403, 'Resource not accessible by integration', {
      'x-ratelimit-remaining': '4999',
    });
    expect(isRetryable(primary)).toBe(true);
    expect(isRetryable(secondary)).toBe(true);
    expect(isRetryable(denied)).toBe(false);
    expect(reportForOperator(toUpstreamError(denied))).toMatchObject({
      service: 'GitHub',
      status: 403,
      next: expect.stringMatching(/installed on the repository with the permissions/),
    });
  });

  it('a request that got no answer (Octokit: 500 without a response) is retryable and marked unanswered', () => {
    const refused = new RequestError('connect ECONNREFUSED 127.0.0.1:443', 500, { request });
    expect(toUpstreamError(refused)).toMatchObject({ status: 500, answered: false, retryable: true });
    // Node's fetch, when a request bypassed Octokit: undici's one error, the reason in `cause`.
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('read'), { code: 'ECONNRESET' }),
    });
    expect(toUpstreamError(reset)).toMatchObject({ answered: false, retryable: true });
    expect(
      toUpstreamError(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    ).toMatchObject({ retryable: true });
  });
});

describe('the worker decides retry or report from the type, and tells the operator the next step', () => {
  const job: CheckJob = {
    type: 'check',
    deliveryId: 'd-1',
    event: 'pull_request.opened',
    installationId: 7,
    repository: { owner: 'acme', repo: 'pets' },
    pullNumber: 1,
    headSha: 'a'.repeat(40),
  };

  function workerFailingWith(error: unknown) {
    const lines: Record<string, unknown>[] = [];
    const host = {
      description: 'acme/pets',
      getPullRequest: () => Promise.reject(error),
    } as unknown as CodeHost;
    const worker = createWorker({
      codeHost: () => host,
      breakingDiff: { breaking: () => Promise.reject(new Error('not expected')) },
      log: createJsonLogger('info', (line) => lines.push(JSON.parse(line))),
    });
    return { worker, lines };
  }

  it('a retryable upstream error goes back to the queue, whatever its message says', async () => {
    const outage = new UpstreamError('all is fine', { service: 'GitHub', status: 503, retryable: true });
    const { worker, lines } = workerFailingWith(outage);
    await expect(worker.processJob(job)).rejects.toBe(outage);
    expect(lines).toEqual([]);
  });

  it('an upstream error that says "timed out" but is not retryable is dropped, loudly', async () => {
    const { worker, lines } = workerFailingWith(
      new UpstreamError('oasdiff timed out after 1 ms', { service: 'oasdiff', retryable: false }),
    );
    await worker.processJob(job);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'job failed and will not be retried',
        errorType: 'UpstreamError',
        service: 'oasdiff',
        retryable: false,
        next: expect.stringMatching(/diff failed/),
      }),
    ]);
  });

  it('a bug and a setup mistake are dropped with the step each asks of the operator', async () => {
    for (const [error, next] of [
      [new InvariantError('refusing to write "x"'), /a bug in kuma-api-forge/],
      [new SetupError('the App is not installed on the deploy repo'), /fix the setup/],
      [new UserInputError('no config'), /the user was told what to fix/],
    ] as const) {
      const { worker, lines } = workerFailingWith(error);
      await worker.processJob(job);
      expect(lines, error.name).toEqual([
        expect.objectContaining({ level: 'error', errorType: error.name, next: expect.stringMatching(next) }),
      ]);
    }
  });
});
