/**
 * Each adapter turns its library's failures into an `UpstreamError` once, where it calls the service: Octokit
 * (through the clients' request hook, after the retry plugin has given up), the AWS SDK (SQS, SSM) and the
 * oasdiff process. The errors here are the real libraries' own: a `RequestError` from a real Octokit request,
 * the SDK's service exceptions, a real child process that fails.
 */
import { generateKeyPairSync } from 'node:crypto';
import { QueueDoesNotExist, RequestThrottled, SQSServiceException } from '@aws-sdk/client-sqs';
import { InternalServerError, SSMServiceException } from '@aws-sdk/client-ssm';
import { RequestError } from '@octokit/request-error';
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { loadSecrets, SecretsError } from '../../shared/adapters/aws-secrets.js';
import { createGitHubClients } from '../../shared/adapters/github/create-octokit.js';
import { createOasdiffRunner, OasdiffError } from '../../shared/adapters/oasdiff-runner.js';
import { createSqsQueue } from '../../shared/adapters/sqs-queue.js';
import { createWebhookApp } from '../../shared/app/webhook-app.js';
import { isRetryable, reportForOperator, UpstreamError } from '../../shared/core/errors.js';
import type { CheckJob } from '../../shared/core/jobs.js';
import { silentLogger } from '../../shared/ports/logger.js';

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;

/** GitHub as a fetch: every request gets `answer()`; `calls` counts them (retries included). */
function gitHub(answer: () => Response | Promise<Response>) {
  let calls = 0;
  const clients = createGitHubClients({
    appId: 1,
    privateKey,
    baseUrl: 'https://github.invalid/api/v3',
    fetch: async () => {
      calls++;
      return answer();
    },
    retries: 2,
    rateLimitRetries: 0,
    waitUnitMs: 1,
  });
  const failure = () => clients.installationFor({ owner: 'acme', repo: 'pets' }).catch((e: unknown) => e);
  return { failure, calls: () => calls };
}

const json = (status: number, body: object, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('Octokit, typed at the request hook', () => {
  it("a 404 becomes GitHub's non-retryable UpstreamError, keeping the status, the message and the RequestError", async () => {
    const gh = gitHub(() => json(404, { message: 'Not Found' }));
    const error = await gh.failure();
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ service: 'GitHub', status: 404, answered: true, retryable: false });
    expect((error as Error).message).toBe('Not Found');
    expect((error as Error).cause).toBeInstanceOf(RequestError);
    expect(gh.calls()).toBe(1);
  });

  it('a 502 is typed only after the retry plugin has tried 1 + 2 times, and is retryable', async () => {
    const gh = gitHub(() => json(502, { message: 'Server Error' }));
    const error = await gh.failure();
    expect(gh.calls()).toBe(3);
    expect(error).toMatchObject({ name: 'UpstreamError', status: 502, retryable: true });
  });

  it('a primary rate limit (403, x-ratelimit-remaining: 0) is retryable; a permission 403 is not', async () => {
    const limited = gitHub(() =>
      json(
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' },
      ),
    );
    expect(await limited.failure()).toMatchObject({ status: 403, retryable: true });
    const denied = gitHub(() => json(403, { message: 'Resource not accessible by integration' }));
    const error = await denied.failure();
    expect(error).toMatchObject({ status: 403, retryable: false });
    expect(reportForOperator(error).next).toMatch(/installed on the repository/);
  });

  it('a connection GitHub never answers is retryable and marked unanswered', async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
    const gh = gitHub(() => Promise.reject(new TypeError('fetch failed', { cause })));
    const error = await gh.failure();
    expect(error).toMatchObject({ service: 'GitHub', answered: false, retryable: true });
    expect(gh.calls()).toBe(3);
  });
});

/** GitHub's GraphQL API as a fetch: installation tokens are minted, every GraphQL request gets `answer()`. */
function gitHubGraphQL(answer: () => Response | Promise<Response>) {
  let calls = 0;
  const clients = createGitHubClients({
    appId: 1,
    privateKey,
    baseUrl: 'https://github.invalid',
    fetch: async (input) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.endsWith('/access_tokens')) {
        const expires = new Date(Date.now() + 3_600_000).toISOString();
        return json(201, {
          token: 'ghs_test',
          expires_at: expires,
          permissions: {},
          repository_selection: 'all',
        });
      }
      calls++;
      return answer();
    },
    retries: 2,
    rateLimitRetries: 0,
    waitUnitMs: 1,
    // No write spacing: Octokit's throttling spaces GraphQL queries a second apart like writes, which this test
    // of error typing would only wait out.
    spaceWrites: false,
  });
  const failure = () =>
    clients
      .forInstallation(7)
      .graphql('query { repository(owner: "acme", name: "pets") { url } }')
      .catch((e: unknown) => e);
  return { failure, calls: () => calls };
}

const graphQLErrors = (...errors: object[]) => json(200, { data: null, errors });

describe("Octokit's GraphQL, typed at the same seam (GitHub answers 200 with errors[])", () => {
  it('NOT_FOUND and FORBIDDEN are not retried, with the REST status an operator knows', async () => {
    const missing = gitHubGraphQL(() =>
      graphQLErrors({
        type: 'NOT_FOUND',
        path: ['repository'],
        message: "Could not resolve to a Repository with the name 'acme/pets'.",
      }),
    );
    const error = await missing.failure();
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ service: 'GitHub', status: 404, retryable: false });
    expect((error as Error).message).toContain('Could not resolve to a Repository');
    expect(((error as Error).cause as Error).name).toBe('GraphqlResponseError');
    expect(missing.calls()).toBe(1);
    const denied = gitHubGraphQL(() =>
      graphQLErrors({ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }),
    );
    const refusal = await denied.failure();
    expect(refusal).toMatchObject({ status: 403, retryable: false });
    expect(reportForOperator(refusal).next).toMatch(/installed on the repository/);
  });

  it("RATE_LIMITED and GitHub's own timeouts are retryable; a query the schema refuses is not", async () => {
    const limited = gitHubGraphQL(() =>
      graphQLErrors({ type: 'RATE_LIMITED', message: 'API rate limit exceeded for installation ID 7.' }),
    );
    expect(await limited.failure()).toMatchObject({ name: 'UpstreamError', retryable: true });
    const timeout = gitHubGraphQL(() =>
      graphQLErrors({
        message: 'Something went wrong while executing your query. This may be the result of a timeout.',
      }),
    );
    expect(isRetryable(await timeout.failure())).toBe(true);
    const refused = gitHubGraphQL(() =>
      graphQLErrors({
        message: "Field 'headSha' doesn't exist on type 'PullRequest'",
        extensions: { code: 'undefinedField' },
      }),
    );
    expect(await refused.failure()).toMatchObject({ name: 'UpstreamError', retryable: false });
  });

  it('a 502 on the GraphQL endpoint is retried like REST, then typed retryable', async () => {
    const gh = gitHubGraphQL(() => json(502, { message: 'Server Error' }));
    const error = await gh.failure();
    expect(gh.calls()).toBe(3);
    expect(error).toMatchObject({ name: 'UpstreamError', status: 502, retryable: true });
  });
});

describe('the AWS SDK: SQS at enqueue, SSM at the secrets read', () => {
  const job: CheckJob = {
    type: 'check',
    deliveryId: 'd-1',
    event: 'pull_request.opened',
    installationId: 7,
    repository: { owner: 'acme', repo: 'pets' },
    pullNumber: 1,
    headSha: 'a'.repeat(40),
  };
  const enqueueFailure = (error: unknown) =>
    createSqsQueue({ client: { send: () => Promise.reject(error) } as never, queueUrl: 'https://sqs/q.fifo' })
      .enqueue(job)
      .catch((e: unknown) => e);
  const $metadata = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'r-1', attempts: 3 });

  it('a missing queue is a non-retryable SQS error that names the setting to check', async () => {
    const missing = new QueueDoesNotExist({
      message: 'The specified queue does not exist.',
      $metadata: $metadata(400),
    });
    const error = await enqueueFailure(missing);
    expect(error).toMatchObject({ service: 'SQS', status: 400, retryable: false, cause: missing });
    expect((error as Error).message).toBe('The specified queue does not exist.');
    expect(reportForOperator(error).next).toMatch(/QUEUE_URL/);
  });

  it('throttling and a server fault are retryable; a network failure is retryable and unanswered', async () => {
    const throttled = new RequestThrottled({ message: 'Request is throttled.', $metadata: $metadata(400) });
    expect(await enqueueFailure(throttled)).toMatchObject({ retryable: true, status: 400 });
    const fault = new SQSServiceException({
      name: 'InternalFailure',
      $fault: 'server',
      message: 'We encountered an internal error.',
      $metadata: $metadata(500),
    });
    expect(await enqueueFailure(fault)).toMatchObject({ retryable: true, status: 500 });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(await enqueueFailure(reset)).toMatchObject({ service: 'SQS', answered: false, retryable: true });
  });

  it('an SSM failure is a SecretsError of SSM: retryable on a server fault, not on access denied', async () => {
    const read = (name: string, error: unknown) =>
      loadSecrets(
        { GITHUB_WEBHOOK_SECRET_PARAM: name },
        { client: () => ({ send: () => Promise.reject(error) }) as never },
      ).catch((e: unknown) => e);
    const down = await read(
      '/seams/a',
      new InternalServerError({ message: 'Internal error', $metadata: $metadata(500) }),
    );
    expect(down).toBeInstanceOf(SecretsError);
    expect(down).toMatchObject({ name: 'SecretsError', service: 'SSM', status: 500, retryable: true });
    const denied = await read(
      '/seams/b',
      new SSMServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'not authorized to perform: ssm:GetParameters',
        $metadata: $metadata(400),
      }),
    );
    expect(denied).toMatchObject({ service: 'SSM', status: 400, retryable: false });
    expect(reportForOperator(denied).next).toMatch(/permission to read and decrypt/);
  });
});

describe('the webhook: an enqueue failure is a log line with the next step', () => {
  const secret = 'seams';
  const opened = (examples as { name: string; examples: { action?: string; installation?: unknown }[] }[])
    .find((e) => e.name === 'pull_request')!
    .examples.find((p) => p.action === 'opened' && p.installation);
  const body = JSON.stringify(opened);

  async function deliver(send: () => Promise<never>) {
    const lines: { message: string; fields: Record<string, unknown> }[] = [];
    const app = createWebhookApp({
      secret,
      queue: createSqsQueue({ client: { send } as never, queueUrl: 'https://sqs/q.fifo' }),
      log: { ...silentLogger, error: (message, fields = {}) => void lines.push({ message, fields }) },
      enqueueTimeoutMs: 200,
    });
    const response = await app.request('/webhook', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': 'd-seams',
        'x-hub-signature-256': await sign(secret, body),
      },
    });
    return { status: response.status, lines };
  }

  it('a missing queue: 503, and the log line names QUEUE_URL', async () => {
    const missing = new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} });
    const { status, lines } = await deliver(() => Promise.reject(missing));
    expect(status).toBe(503);
    expect(lines).toEqual([
      {
        message: 'webhook could not be enqueued',
        fields: expect.objectContaining({
          service: 'SQS',
          retryable: false,
          next: expect.stringMatching(/QUEUE_URL/),
        }),
      },
    ]);
  });

  it('throttled, or no answer in time: the next step is to redeliver the webhook', async () => {
    const throttled = new RequestThrottled({ message: 'Request is throttled.', $metadata: {} });
    const hung = () => new Promise<never>(() => {});
    for (const send of [() => Promise.reject(throttled), hung]) {
      const { status, lines } = await deliver(send);
      expect(status).toBe(503);
      expect(lines[0]?.fields).toMatchObject({
        service: 'SQS',
        retryable: true,
        next: expect.stringMatching(/redeliver/),
      });
    }
  });
});

describe('the oasdiff process', () => {
  const doc = { openapi: '3.0.3', info: { title: 't', version: '1' }, paths: {} };

  it('a run that exits non-zero is an UpstreamError of oasdiff, never retried', async () => {
    const invalid = { openapi: '3.0.3', info: { title: 't', version: 1 }, paths: {} };
    const error = await createOasdiffRunner()
      .breaking(invalid, doc)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OasdiffError);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      name: 'OasdiffError',
      service: 'oasdiff',
      exitCode: 102,
      retryable: false,
    });
    expect(isRetryable(error)).toBe(false);
  });

  it('a run killed at its time limit says "timed out" and is still not retried', async () => {
    const error = await createOasdiffRunner({ timeoutMs: 1 })
      .breaking(doc, doc)
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/timed out/);
    expect(isRetryable(error)).toBe(false);
  });

  it('a binary that cannot be spawned is reported to the operator with the package to check', async () => {
    const error = await createOasdiffRunner({ binaryPath: '/nonexistent/oasdiff' })
      .breaking(doc, doc)
      .catch((e: unknown) => e);
    expect(reportForOperator(error)).toMatchObject({
      errorType: 'OasdiffError',
      service: 'oasdiff',
      retryable: false,
      next: expect.stringMatching(/binary is missing, check the package/),
    });
  });
});
