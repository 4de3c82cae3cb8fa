/**
 * The webhook endpoint of the GitHub App, as a Hono app (served by `hono/aws-lambda` in Lambda and by
 * `@hono/node-server` locally). It only verifies, maps and enqueues: no GitHub calls, so it answers well within
 * GitHub's 10 seconds and the worker does the rest.
 * @module
 */
import { verifyWithFallback } from '@octokit/webhooks-methods';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { failureFields, isRetryable, UpstreamError } from '../core/errors.js';
import type { Job } from '../core/jobs.js';
import type { RepoRef } from '../core/repo-ref.js';
import { type DeployRepoEvents, toJob } from '../core/webhook-events.js';
import type { JobQueue } from '../ports/job-queue.js';
import { type Logger, silentLogger } from '../ports/logger.js';

export interface WebhookAppDeps {
  /** The App's webhook secret. */
  secret: string;
  /**
   * While the secret is rotated, the old one, still accepted, so no delivery is refused before GitHub signs with
   * the new one; unset otherwise.
   */
  previousSecret?: string;
  queue: JobQueue;
  /**
   * The deploy repo (`DEPLOY_REPO`, `DEPLOY_BRANCH`): pushes to its deploy branch get a drift report, its pull
   * requests the governance check instead of the API check.
   */
  deployRepo?: DeployRepoEvents;
  log?: Logger;
  /** Largest body accepted (default 25 MB: GitHub does not send larger payloads). */
  maxBodyBytes?: number;
  /** How long to wait for the queue before answering 503 (default 8 s, under GitHub's 10 s). */
  enqueueTimeoutMs?: number;
  /** Environments are configured (DEPLOY_ENVIRONMENTS): tag pushes are enqueued as promotions. */
  promoteTags?: boolean;
  /** Deploy repos whose merged PRs promote by approval (`approvalRepos` of core/webhook-events.ts). */
  approvalRepos?: readonly RepoRef[];
}

// `fatal` refuses invalid UTF-8 and `ignoreBOM` keeps a BOM, so the text re-encodes to exactly the signed bytes.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The queue took too long: GitHub's redelivery is the retry. */
class EnqueueTimeoutError extends UpstreamError {
  override name = 'EnqueueTimeoutError';
  constructor(ms: number) {
    super(`the queue did not answer within ${ms} ms`, { service: 'SQS', retryable: true, answered: false });
  }
}

async function enqueueWithin(queue: JobQueue, job: Job, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EnqueueTimeoutError(ms)), ms);
  });
  try {
    await Promise.race([queue.enqueue(job), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createWebhookApp(deps: WebhookAppDeps): Hono {
  const log = deps.log ?? silentLogger;
  const maxSize = deps.maxBodyBytes ?? 25 * 1024 * 1024;
  const enqueueTimeoutMs = deps.enqueueTimeoutMs ?? 8_000;
  const app = new Hono();

  app.get('/healthz', (c) => c.json({ ok: true }));

  // Refused on Content-Length before anything is read (GitHub always sends it), or while counting the bytes of a
  // body sent without it.
  const limit = bodyLimit({
    maxSize,
    onError: (c) => c.json({ error: `body larger than ${maxSize} bytes` }, 413),
  });

  app.post('/webhook', limit, async (c) => {
    const signature = c.req.header('x-hub-signature-256');
    if (!signature) return c.json({ error: 'missing X-Hub-Signature-256' }, 401);
    const bytes = await c.req.arrayBuffer();
    let body: string;
    try {
      body = utf8.decode(bytes);
    } catch {
      return c.json({ error: 'body is not UTF-8' }, 400);
    }
    if (body === '') return c.json({ error: 'empty body' }, 400);
    // Verify before anything else reads the body: an unsigned payload is never parsed.
    const secrets = deps.previousSecret ? [deps.previousSecret] : undefined;
    if (!(await verifyWithFallback(deps.secret, body, signature, secrets))) {
      log.warn('webhook signature mismatch', { delivery: c.req.header('x-github-delivery') });
      return c.json({ error: 'signature does not match' }, 401);
    }
    const event = c.req.header('x-github-event');
    const deliveryId = c.req.header('x-github-delivery');
    if (!event || !deliveryId) return c.json({ error: 'missing X-GitHub-Event or X-GitHub-Delivery' }, 400);
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return c.json({ error: 'body is not JSON' }, 400);
    }
    const outcome = toJob(event, deliveryId, payload, {
      promoteTags: deps.promoteTags === true,
      ...(deps.deployRepo ? { deployRepo: deps.deployRepo } : {}),
      ...(deps.approvalRepos ? { approvalRepos: deps.approvalRepos } : {}),
    });
    if ('invalid' in outcome) {
      log.warn('webhook payload refused', { deliveryId, event, reason: outcome.invalid });
      return c.json({ error: outcome.invalid }, 400);
    }
    if ('ignored' in outcome) {
      log.info('webhook ignored', { deliveryId, event, reason: outcome.ignored });
      return c.json({ ignored: outcome.ignored }, 200);
    }
    try {
      await enqueueWithin(deps.queue, outcome, enqueueTimeoutMs);
    } catch (error) {
      // GitHub shows the failed delivery; redelivering it is safe (same delivery id, deduplicated).
      log.error('webhook could not be enqueued', {
        deliveryId,
        event: outcome.event,
        ...failureFields(error),
        // Nothing retries a webhook but GitHub: a transient failure needs the delivery sent again.
        ...(isRetryable(error)
          ? { next: 'redeliver it from the App settings (Advanced) once the queue answers' }
          : {}),
      });
      return c.json({ error: 'could not enqueue; redeliver later' }, 503);
    }
    log.info('webhook accepted', { deliveryId, event: outcome.event, type: outcome.type });
    return c.json({ deliveryId }, 202);
  });

  return app;
}
