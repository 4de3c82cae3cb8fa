/**
 * The local GitHub: a Hono app on a loopback port speaking the REST endpoints the App uses, over real git
 * repositories in a data directory. Every call is logged with its operationId, bodies and status.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createAdmin, type LocalGitHubAdmin } from './admin.js';
import { authorizeRepoRequest, readCredential, verifyAppJwt, verifyInstallationToken } from './auth.js';
import { createFaultInjector, type FaultPlan } from './faults.js';
import { executeGraphQL, type GraphQLRequest } from './graphql/index.js';
import { githubError } from './graphql/repository.js';
import { htmlViews } from './html.js';
import { DOCS, HttpError, type Reply, type RouteContext } from './http.js';
import { Hub } from './hub.js';
import {
  type Admission,
  createLimits,
  type GitHubLimits,
  isGraphQLMutation,
  LimitRefusal,
  type LimitsOptions,
} from './limits.js';
import { ROUTES } from './routes.js';

export interface RecordedRequest {
  /** The `x-github-request-id` answered. */
  id: string;
  method: string;
  /** Path and query, e.g. `/repos/acme/api/pulls/1`. */
  path: string;
  /** The `@octokit/openapi` operationId, undefined for routes the local GitHub does not know. */
  operationId: string | undefined;
  status: number;
  requestBody: unknown;
  /** Parsed JSON, undefined for empty bodies. */
  responseBody: unknown;
  installationId?: number;
  /** Set when the answer was an injected fault. */
  fault?: string;
  /** Set when GitHub's limits (`LocalGitHubOptions.limits`) refused the call. */
  limited?: LimitRefusal['limit'];
}

export interface LocalGitHubOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Where bare repos live; a fresh temp dir (removed on stop) by default. */
  dataDir?: string;
  faults?: FaultPlan;
  /**
   * The REST prefix, as GitHub Enterprise Server's `/api/v3`: every route is served under it and `url` ends with
   * it. Default: none, as api.github.com.
   */
  basePath?: string;
  /** Where `html_url`s point, e.g. a GHES web host `https://ghe.example.com`. Default: this server under `/_html`. */
  webUrl?: string;
  /**
   * GitHub's rate limits, and a latency per call, on a clock a scale model may speed up (`limits.ts`). Default:
   * none (calls are answered at once and only counted in `x-ratelimit-*`).
   */
  limits?: LimitsOptions;
}

export interface LocalGitHub {
  /** The REST base URL, for Octokit's `baseUrl`. */
  url: string;
  stop(): Promise<void>;
  /** Every call in arrival order. */
  requests: RecordedRequest[];
  admin: LocalGitHubAdmin;
  /** The limits in force (`options.limits`), with every call they saw. */
  limits?: GitHubLimits;
}

const RATE_LIMIT = 5000;

export async function startLocalGitHub(options: LocalGitHubOptions = {}): Promise<LocalGitHub> {
  const ownsDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'local-github-')));
  const hub = new Hub(dataDir);
  const requests: RecordedRequest[] = [];
  const faults = { injector: createFaultInjector(options.faults) };
  const used = new Map<string, number>();
  const limits = options.limits ? createLimits(options.limits) : undefined;
  let sequence = 0;

  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  if (!/^(\/[\w.-]+)*$/.test(basePath)) throw new Error(`basePath "${options.basePath}" is not a URL path`);
  const app = new Hono();
  for (const route of ROUTES) {
    app.on(route.method, basePath + route.path, async (c) => {
      const url = new URL(c.req.url);
      const record: RecordedRequest = {
        id: `${(++sequence).toString(16).toUpperCase().padStart(4, '0')}:LOCAL:${Date.now().toString(16).toUpperCase()}`,
        method: route.method,
        // As in GitHub's description (which the contract validator matches), without the base path.
        path: url.pathname.slice(basePath.length) + url.search,
        operationId: route.operationId,
        status: 0,
        requestBody: undefined,
        responseBody: undefined,
      };
      requests.push(record);
      const headers: Record<string, string> = {
        'x-github-request-id': record.id,
        'x-github-api-version-selected': '2022-11-28',
        'x-github-media-type': 'github.v3; format=json',
      };
      let reply: Reply;
      let admission: Admission | undefined;
      try {
        const text = route.method === 'GET' ? '' : await c.req.text();
        let body: Record<string, unknown> = {};
        if (text !== '') {
          try {
            body = JSON.parse(text);
          } catch {
            throw new HttpError(400, 'Problems parsing JSON');
          }
          record.requestBody = body;
        }
        const credential = readCredential(c.req.header('authorization'));
        const ctx = {
          hub,
          params: decodeParams(c.req.param()),
          query: url.searchParams,
          body,
          url,
          accept: c.req.header('accept') ?? '',
        } as RouteContext;
        if (route.auth === 'jwt') {
          if (!credential)
            throw new HttpError(401, 'A JSON web token could not be decoded', { status: '401' });
          ctx.app = verifyAppJwt(hub.state, credential, Math.floor(Date.now() / 1000));
        } else {
          if (!credential) throw new HttpError(401, 'Requires authentication', { status: '401' });
          const installation = verifyInstallationToken(hub.state, credential, Date.now());
          record.installationId = installation.id;
          ctx.installation = installation;
          ctx.app = hub.appById(installation.appId);
          const count = (used.get(credential) ?? 0) + 1;
          used.set(credential, count);
          Object.assign(headers, {
            'x-ratelimit-limit': String(RATE_LIMIT),
            'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - count)),
            'x-ratelimit-used': String(count),
            'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
            'x-ratelimit-resource': 'core',
          });
          const repo = hub.state.repo(ctx.params.owner ?? '', ctx.params.repo ?? '');
          // A token sees only its own repos (404 otherwise) and does only what its permissions allow (403).
          ctx.repo = authorizeRepoRequest(hub.state, credential, repo, route);
        }
        admission = limits?.enter({
          identity: ctx.installation ? `installation:${ctx.installation.id}` : `app:${ctx.app?.id}`,
          ...(ctx.installation ? { installationId: ctx.installation.id } : {}),
          contentGenerating: ctx.installation !== undefined && route.method !== 'GET',
          resource: 'core',
        });
        Object.assign(headers, admission?.headers);
        if (admission?.refusal) throw admission.refusal;
        const fault = faults.injector.pick(route.operationId);
        if (fault) {
          record.fault = fault.message;
          throw fault;
        }
        reply = await route.handle(ctx);
      } catch (error) {
        reply = errorReply(error, record, DOCS);
      }
      await admission?.leave();
      return render(reply, headers, record);
    });
  }
  // GraphQL: `/graphql` on github.com; GHES serves it at `/api/graphql` beside the REST prefix `/api/v3`.
  app.post(`${basePath.replace(/\/v3$/, '')}/graphql`, async (c) => {
    const record: RecordedRequest = {
      id: `${(++sequence).toString(16).toUpperCase().padStart(4, '0')}:LOCAL:${Date.now().toString(16).toUpperCase()}`,
      method: 'POST',
      path: '/graphql',
      operationId: 'graphql',
      status: 0,
      requestBody: undefined,
      responseBody: undefined,
    };
    requests.push(record);
    const headers: Record<string, string> = { 'x-github-request-id': record.id };
    let reply: Reply;
    let admission: Admission | undefined;
    try {
      let body: GraphQLRequest;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        throw new HttpError(400, 'Problems parsing JSON');
      }
      record.requestBody = body;
      const credential = readCredential(c.req.header('authorization'));
      if (!credential) throw new HttpError(401, 'This endpoint requires you to be authenticated.');
      const installation = verifyInstallationToken(hub.state, credential, Date.now());
      record.installationId = installation.id;
      admission = limits?.enter({
        identity: `installation:${installation.id}`,
        installationId: installation.id,
        contentGenerating: isGraphQLMutation(body),
        resource: 'graphql',
      });
      Object.assign(headers, admission?.headers);
      if (admission?.refusal) throw admission.refusal;
      const name =
        typeof body.query === 'string' ? /\b(?:query|mutation)\s+(\w+)/.exec(body.query)?.[1] : undefined;
      const fault = faults.injector.pick('graphql', ...(name ? [`graphql:${name}`] : []));
      if (fault) {
        record.fault = fault.message;
        throw fault;
      }
      const result = await executeGraphQL(body, {
        hub,
        token: credential,
        installation,
        fault: (operation) => faults.injector.pick(operation),
        repo: (owner, name, as = { method: 'GET', operationId: 'repos/get' }) => {
          try {
            return authorizeRepoRequest(hub.state, credential, hub.state.repo(owner, name), as);
          } catch (error) {
            if (error instanceof HttpError && error.status === 404) return undefined;
            throw githubError('FORBIDDEN', 'Resource not accessible by integration');
          }
        },
      });
      reply = { status: 200, body: result };
    } catch (error) {
      reply = errorReply(error, record, 'https://docs.github.com/graphql');
    }
    return render(reply, headers, record);
  });
  // The pages behind `html_url`s (links in the App's comments): outside the REST API and its request log.
  app.route('/_html', htmlViews(hub));
  app.notFound((c) => {
    const url = new URL(c.req.url);
    requests.push({
      id: `${(++sequence).toString(16).toUpperCase().padStart(4, '0')}:LOCAL:0`,
      method: c.req.method,
      path: url.pathname + url.search,
      operationId: undefined,
      status: 404,
      requestBody: undefined,
      responseBody: undefined,
    });
    return c.json({ message: 'Not Found', documentation_url: DOCS, status: '404' }, 404);
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, () =>
      resolve(started),
    );
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const url = `${origin}${basePath}`;
  hub.urls = { api: url, html: options.webUrl?.replace(/\/+$/, '') ?? `${origin}/_html` };

  return {
    url,
    requests,
    ...(limits ? { limits } : {}),
    admin: createAdmin(hub, {
      setFaults: (plan) => {
        faults.injector = createFaultInjector(plan);
      },
      faultsInjected: () => ({ ...faults.injector.injected }),
    }),
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      if (ownsDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function decodeParams(params: Record<string, string>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    try {
      decoded[key] = decodeURIComponent(value);
    } catch {
      decoded[key] = value;
    }
  }
  return decoded;
}

/** A handler's failure as GitHub answers it: a limit's own reply, or `{ message, documentation_url }`. */
function errorReply(error: unknown, record: RecordedRequest, documentationUrl: string): Reply {
  if (!(error instanceof HttpError)) console.error('local GitHub: handler failed', error);
  const failure = error instanceof HttpError ? error : new HttpError(500, 'Server Error');
  if (failure instanceof LimitRefusal) {
    record.limited = failure.limit;
    return failure.reply;
  }
  return {
    status: failure.status,
    body: { message: failure.message, documentation_url: documentationUrl, ...failure.extra },
    headers: failure.headers,
  };
}

function render(reply: Reply, base: Record<string, string>, record: RecordedRequest) {
  const headers = { ...base, ...reply.headers };
  record.status = reply.status;
  if (reply.body === undefined) return new Response(null, { status: reply.status, headers });
  record.responseBody = reply.body;
  headers['content-type'] = 'application/json; charset=utf-8';
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
}
