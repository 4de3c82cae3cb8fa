import { generateKeyPairSync } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { sign } from '@octokit/webhooks-methods';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebhookApp } from '../../shared/app/webhook-app.js';
import type { Job } from '../../shared/core/jobs.js';
import type { JobQueue } from '../../shared/ports/job-queue.js';
import { silentLogger } from '../../shared/ports/logger.js';

const SECRET = 'It’s a Secret to Everybody';
// biome-ignore lint/suspicious/noExplicitAny: webhook example payloads, read field by field
type Payload = Record<string, any>;
const byName = (name: string) =>
  (examples as { name: string; examples: Payload[] }[]).find((e) => e.name === name)!.examples;
const opened = byName('pull_request').find((p) => p.action === 'opened' && p.installation)!;
const body = JSON.stringify(opened);

function recordingQueue(): JobQueue & { jobs: Job[] } {
  const jobs: Job[] = [];
  return { jobs, enqueue: async (job) => void jobs.push(job) };
}

async function post(
  app: ReturnType<typeof createWebhookApp>,
  raw: string | Uint8Array,
  headers: Record<string, string | undefined> = {},
) {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('latin1');
  const all: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'x-github-event': 'pull_request',
    'x-github-delivery': 'd-1',
    'x-hub-signature-256': await sign(SECRET, text),
    ...headers,
  };
  const defined = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  const response = await app.request('/webhook', { method: 'POST', headers: defined, body: raw });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('POST /webhook', () => {
  it('accepts a signed pull_request.opened: 202 with the delivery id, one small job enqueued', async () => {
    const queue = recordingQueue();
    const app = createWebhookApp({ secret: SECRET, queue });
    expect(await post(app, body)).toEqual({ status: 202, json: { deliveryId: 'd-1' } });
    expect(queue.jobs).toEqual([
      {
        type: 'check',
        deliveryId: 'd-1',
        event: 'pull_request.opened',
        installationId: opened.installation.id,
        repository: { owner: opened.repository.owner.login, repo: opened.repository.name },
        pullNumber: opened.pull_request.number,
        headSha: opened.pull_request.head.sha,
      },
    ]);
  });

  it.each([
    ['a forged signature', { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }],
    ['no signature', { 'x-hub-signature-256': undefined }],
    ['the legacy SHA-1 header only', { 'x-hub-signature-256': undefined, 'x-hub-signature': 'sha1=abc' }],
  ])('refuses %s with 401 and enqueues nothing', async (_, headers) => {
    const queue = recordingQueue();
    const response = await post(createWebhookApp({ secret: SECRET, queue }), body, headers);
    expect(response.status).toBe(401);
    expect(queue.jobs).toEqual([]);
  });

  it('refuses a body signed with another secret, or changed after signing', async () => {
    const queue = recordingQueue();
    const app = createWebhookApp({ secret: SECRET, queue });
    const other = await sign('another secret', body);
    expect((await post(app, body, { 'x-hub-signature-256': other })).status).toBe(401);
    const signature = await sign(SECRET, body);
    const tampered = body.replace(`"number":${opened.number}`, `"number":${opened.number + 1}`);
    expect(tampered).not.toBe(body);
    expect((await post(app, tampered, { 'x-hub-signature-256': signature })).status).toBe(401);
    expect(queue.jobs).toEqual([]);
  });

  describe('while the secret is rotated (GITHUB_WEBHOOK_SECRET_PREVIOUS)', () => {
    const NEW = 'the new secret';
    const OLD = 'the old secret';
    const rotating = (queue: JobQueue) => createWebhookApp({ secret: NEW, previousSecret: OLD, queue });

    it('accepts a delivery signed with the new secret and one signed with the old one', async () => {
      const queue = recordingQueue();
      const app = rotating(queue);
      const signedNew = await post(app, body, { 'x-hub-signature-256': await sign(NEW, body) });
      const signedOld = await post(app, body, {
        'x-hub-signature-256': await sign(OLD, body),
        'x-github-delivery': 'd-2',
      });
      expect([signedNew.status, signedOld.status]).toEqual([202, 202]);
      expect(queue.jobs.map((job) => job.deliveryId)).toEqual(['d-1', 'd-2']);
    });

    it.each([
      ['a third secret', async () => sign('a third secret', body)],
      ['both secrets run together', async () => sign(`${OLD}${NEW}`, body)],
      ['the old secret over a changed body', async () => sign(OLD, `${body} `)],
      ['the old secret with a trailing newline', async () => sign(`${OLD}\n`, body)],
      ['the old signature truncated', async () => (await sign(OLD, body)).slice(0, -1)],
    ])('refuses a delivery signed with %s (401, nothing enqueued)', async (_, signature) => {
      const queue = recordingQueue();
      const response = await post(rotating(queue), body, { 'x-hub-signature-256': await signature() });
      expect(response).toEqual({ status: 401, json: { error: 'signature does not match' } });
      expect(queue.jobs).toEqual([]);
    });

    it('refuses the old secret once the rotation is over (no previous secret)', async () => {
      const queue = recordingQueue();
      const app = createWebhookApp({ secret: NEW, queue });
      expect((await post(app, body, { 'x-hub-signature-256': await sign(OLD, body) })).status).toBe(401);
      expect((await post(app, body, { 'x-hub-signature-256': await sign(NEW, body) })).status).toBe(202);
      expect(queue.jobs).toHaveLength(1);
    });
  });

  it('verifies the exact bytes: a body with a BOM and non-ASCII text is accepted when signed as sent', async () => {
    const queue = recordingQueue();
    const raw = `\uFEFF${JSON.stringify({ ...opened, pull_request: { ...opened.pull_request, title: 'Zürich ✓' } })}`;
    // A BOM makes JSON.parse fail: it is verified as sent, then refused as malformed, not as forged.
    expect((await post(createWebhookApp({ secret: SECRET, queue }), raw)).status).toBe(400);
    const utf8 = raw.slice(1);
    expect((await post(createWebhookApp({ secret: SECRET, queue }), utf8)).status).toBe(202);
  });

  it('answers 400 for malformed JSON, missing event headers, a non-UTF-8 body and a payload missing a field', async () => {
    const queue = recordingQueue();
    const app = createWebhookApp({ secret: SECRET, queue });
    expect(await post(app, '{"action": "opened",')).toEqual({
      status: 400,
      json: { error: 'body is not JSON' },
    });
    expect((await post(app, body, { 'x-github-event': undefined })).status).toBe(400);
    expect((await post(app, body, { 'x-github-delivery': undefined })).status).toBe(400);
    expect((await post(app, new Uint8Array([0x7b, 0xff, 0x7d]))).status).toBe(400);
    const noHead = JSON.stringify({ ...opened, pull_request: { ...opened.pull_request, head: {} } });
    expect(await post(app, noHead)).toEqual({
      status: 400,
      json: { error: 'pull_request: pull_request.head.sha must be a commit SHA' },
    });
    expect(queue.jobs).toEqual([]);
  });

  it('answers 2xx with the reason for events it does not use, enqueuing nothing', async () => {
    const queue = recordingQueue();
    const app = createWebhookApp({ secret: SECRET, queue });
    const issue = JSON.stringify(byName('issues')[0]);
    expect(await post(app, issue, { 'x-github-event': 'issues' })).toEqual({
      status: 200,
      json: { ignored: 'issues is not used' },
    });
    const assigned = JSON.stringify(byName('pull_request').find((p) => p.action === 'assigned'));
    expect((await post(app, assigned)).json).toEqual({
      ignored: 'pull_request.assigned does not change the check',
    });
    expect(queue.jobs).toEqual([]);
  });

  it('refuses a body over the size limit with 413 before verifying it', async () => {
    const queue = recordingQueue();
    const app = createWebhookApp({ secret: SECRET, queue, maxBodyBytes: 1024 });
    expect(await post(app, body)).toEqual({ status: 413, json: { error: 'body larger than 1024 bytes' } });
    expect(queue.jobs).toEqual([]);
  });

  it('takes a body of exactly the limit and refuses one byte more', async () => {
    const size = Buffer.byteLength(body);
    const queue = recordingQueue();
    expect((await post(createWebhookApp({ secret: SECRET, queue, maxBodyBytes: size }), body)).status).toBe(
      202,
    );
    const tight = createWebhookApp({ secret: SECRET, queue, maxBodyBytes: size - 1 });
    expect((await post(tight, body, { 'x-github-delivery': 'd-2' })).status).toBe(413);
    expect(queue.jobs.map((job) => job.deliveryId)).toEqual(['d-1']);
  });

  it('refuses on Content-Length alone, and counts the bytes of a body streamed without it', async () => {
    const queue = recordingQueue();
    const app = createWebhookApp({ secret: SECRET, queue, maxBodyBytes: 1024 });
    // A declared length over the limit is refused whatever follows (GitHub always declares it).
    expect((await post(app, '{}', { 'content-length': '1025' })).status).toBe(413);
    // No Content-Length: a stream of small chunks, each under the limit, is refused once the sum passes it.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i += 1) controller.enqueue(new Uint8Array(100).fill(0x20));
        controller.close();
      },
    });
    const streamed = await app.request('/webhook', {
      method: 'POST',
      headers: { 'x-hub-signature-256': await sign(SECRET, ' '.repeat(2000)), 'x-github-event': 'ping' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(queue.jobs).toEqual([]);
  });

  it('answers 503 when the queue fails or does not answer in time, so GitHub shows a failed delivery', async () => {
    const errors: string[] = [];
    const log = { ...silentLogger, error: (message: string) => void errors.push(message) };
    const failing = createWebhookApp({
      secret: SECRET,
      log,
      queue: { enqueue: () => Promise.reject(new Error('AccessDenied')) },
    });
    expect((await post(failing, body)).status).toBe(503);
    const hanging = createWebhookApp({
      secret: SECRET,
      log,
      enqueueTimeoutMs: 1,
      queue: { enqueue: () => new Promise(() => {}) },
    });
    expect(await post(hanging, body)).toEqual({
      status: 503,
      json: { error: 'could not enqueue; redeliver later' },
    });
    expect(errors).toEqual(['webhook could not be enqueued', 'webhook could not be enqueued']);
  });

  it('serves GET /healthz and nothing else', async () => {
    const app = createWebhookApp({ secret: SECRET, queue: recordingQueue() });
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/webhook')).status).toBe(404);
  });
});

describe('functions/webhook (Lambda, API Gateway HTTP API payload v2)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('verifies a base64-encoded body and sends the job to the FIFO queue', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    vi.stubEnv('GITHUB_APP_ID', '1');
    vi.stubEnv('GITHUB_APP_PRIVATE_KEY', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    vi.stubEnv('GITHUB_WEBHOOK_SECRET', SECRET);
    vi.stubEnv('QUEUE_URL', 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs.fifo');
    vi.stubEnv('DEPLOY_REPO', 'platform/deploy');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('LOG_LEVEL', 'error');
    const send = vi.spyOn(SQSClient.prototype, 'send').mockResolvedValue({} as never);
    const { handler } = await import('../../functions/webhook.js');
    const event = {
      version: '2.0',
      routeKey: 'POST /webhook',
      rawPath: '/webhook',
      rawQueryString: '',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        'x-hub-signature-256': await sign(SECRET, body),
        'user-agent': 'GitHub-Hookshot/044aadd',
      },
      requestContext: {
        accountId: '123456789012',
        apiId: 'api',
        domainName: 'api.execute-api.eu-west-1.amazonaws.com',
        domainPrefix: 'api',
        http: {
          method: 'POST',
          path: '/webhook',
          protocol: 'HTTP/1.1',
          sourceIp: '140.82.115.1',
          userAgent: 'x',
        },
        requestId: 'r-1',
        routeKey: 'POST /webhook',
        stage: '$default',
        time: '22/Nov/2026:14:00:00 +0000',
        timeEpoch: 1795356000000,
      },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    };
    const result = await handler(event as never, {} as never);
    expect(result).toMatchObject({ statusCode: 202 });
    expect(JSON.parse((result as { body: string }).body)).toEqual({
      deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    });
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]![0].input).toMatchObject({
      MessageGroupId: `${opened.repository.owner.login}/${opened.repository.name}#${opened.pull_request.number}`,
      MessageDeduplicationId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    });

    const forged = {
      ...event,
      headers: { ...event.headers, 'x-hub-signature-256': `sha256=${'1'.repeat(64)}` },
    };
    expect(await handler(forged as never, {} as never)).toMatchObject({ statusCode: 401 });
    expect(send).toHaveBeenCalledTimes(1);
  });
});
