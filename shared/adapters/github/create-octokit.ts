/**
 * Adapter: Octokit clients for the App — authenticated as an installation with a token narrowed to what one
 * job needs (its repos and permissions; minted from the App JWT by `@octokit/auth-app`, which caches each token
 * per installation, repos and permissions until shortly before it expires), with the retry plugin (5xx and
 * network errors) and the throttling plugin (primary and secondary rate limits, waiting out `retry-after`, and
 * writes spaced a second apart as GitHub asks). Also which installation covers a repo (the deploy repo's owner
 * has its own installation of the App), looked up once as the App and cached.
 * @module
 */
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { toUpstreamError } from '../../core/errors.js';
import { type RepoRef, repoKey } from '../../core/repo-ref.js';
import { type Logger, silentLogger } from '../../ports/logger.js';

export const AppOctokit = Octokit.plugin(retry, throttling);
export type AppOctokit = InstanceType<typeof AppOctokit>;

export interface GitHubClientOptions {
  appId: number;
  privateKey: string;
  /** REST base URL; GitHub Enterprise Server: `https://HOST/api/v3`. Default: the public API. */
  baseUrl?: string;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: typeof fetch;
  /** Abort a request GitHub has not answered after this long (it is then retried). Default 30 s. */
  requestTimeoutMs?: number;
  /** Retries of a failed request (5xx, network) before giving up. Default 3. */
  retries?: number;
  /** Rate-limit retries before giving up. Default 2. */
  rateLimitRetries?: number;
  /**
   * Milliseconds per unit of wait: the retry plugin waits `n²` units before retry n, the throttling plugin
   * `retry-after` units. Default 1000 (seconds); tests use 1.
   */
  waitUnitMs?: number;
  /**
   * Space writes a second apart (comments three), as GitHub's secondary rate limits ask. Default true; only the
   * local GitHub of tests and the demo, which has no such limit, turns it off.
   */
  spaceWrites?: boolean;
  /** Where rate-limit waits (and Octokit's own warnings) are logged; default silent. */
  log?: Logger;
}

/**
 * What an installation token is narrowed to: repos of the installation's account (by name) and permissions
 * (GitHub's names: `contents`, `checks`, `pull_requests`…; `metadata: read` comes with every token).
 */
export interface TokenScope {
  readonly repositories: readonly string[];
  readonly permissions: Readonly<Record<string, 'read' | 'write'>>;
}

export interface GitHubClients {
  /**
   * A client whose token can do only what `scope` allows (without a scope: all the installation can, for tools
   * and tests, never for jobs). One client per (installation, repos, permissions), reused so that its token is
   * minted once and reused until it expires.
   */
  forInstallation(installationId: number, scope?: TokenScope): AppOctokit;
  /**
   * The id of the App's installation that covers `repo` (`GET /repos/{owner}/{repo}/installation`, as the App),
   * asked once per container; a failed lookup is not cached.
   */
  installationFor(repo: RepoRef): Promise<number>;
  /**
   * The login of the App's bot, `<slug>[bot]` (`GET /app`, as the App): the author GitHub gives the App's own
   * commits. Asked once per container; a failed lookup is not cached.
   */
  appLogin(): Promise<string>;
}

function rateLimitFields(request: { method: string; url: string }, count: number, after: number) {
  return { method: request.method, url: request.url, retry: count + 1, afterSeconds: after };
}

export function createGitHubClients(options: GitHubClientOptions): GitHubClients {
  const clients = new Map<string, AppOctokit>();
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const unit = options.waitUnitMs ?? 1000;
  const log = options.log ?? silentLogger;
  const fetchWithTimeout = withTimeout(options.fetch ?? fetch, options.requestTimeoutMs ?? 30_000);
  // The plugin takes its limiters as Bottleneck groups; this one lets every write through at once.
  const unspaced = options.spaceWrites === false ? { write: passThrough, notifications: passThrough } : {};
  const create = (auth: { authStrategy: unknown; auth: object }) =>
    withTypedErrors(
      new AppOctokit({
        ...auth,
        ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
        request: { fetch: fetchWithTimeout },
        log,
        retry: { retries: options.retries ?? 3, retryAfterBaseValue: unit },
        throttle: {
          ...unspaced,
          retryAfterBaseValue: unit,
          onRateLimit: (
            after: number,
            request: { method: string; url: string },
            _o: unknown,
            count: number,
          ) => {
            log.warn('GitHub rate limit: waiting', rateLimitFields(request, count, after));
            return count < rateLimitRetries;
          },
          onSecondaryRateLimit: (
            after: number,
            request: { method: string; url: string },
            _o: unknown,
            count: number,
          ) => {
            log.warn('GitHub secondary rate limit: waiting', rateLimitFields(request, count, after));
            return count < rateLimitRetries;
          },
        },
      }),
    );
  // The App itself (JWT): finds installations and mints every installation token, so that one token cache
  // serves all clients.
  let asApp: AppOctokit | undefined;
  const app = () => {
    asApp ??= create({
      authStrategy: createAppAuth,
      auth: { appId: options.appId, privateKey: options.privateKey },
    });
    return asApp;
  };
  const installations = new Map<string, Promise<number>>();
  let login: Promise<string> | undefined;
  return {
    appLogin() {
      if (!login) {
        login = app()
          .rest.apps.getAuthenticated()
          .then(({ data }) => `${data?.slug}[bot]`);
        login.catch(() => {
          login = undefined;
        });
      }
      return login;
    },
    forInstallation(installationId, scope) {
      const request = buildTokenRequest(installationId, scope);
      const key = JSON.stringify(request);
      let client = clients.get(key);
      if (!client) {
        const token = () => app().auth(request) as Promise<{ token: string; createdAt: string }>;
        client = create({ authStrategy: () => createTokenAuth(token, unit), auth: {} });
        clients.set(key, client);
      }
      return client;
    },
    installationFor(repo) {
      const key = repoKey(repo);
      let id = installations.get(key);
      if (!id) {
        id = app()
          .rest.apps.getRepoInstallation({ ...repo })
          .then(({ data }) => data.id);
        installations.set(key, id);
        id.catch(() => installations.delete(key));
      }
      return id;
    },
  };
}

/** `@octokit/auth-app`'s installation auth options, in a stable order (they are the client's cache key too). */
function buildTokenRequest(installationId: number, scope: TokenScope | undefined) {
  if (!scope) return { type: 'installation', installationId } as const;
  const permissions = Object.fromEntries(
    Object.entries(scope.permissions).sort(([a], [b]) => a.localeCompare(b)),
  );
  const repositoryNames = [...new Set(scope.repositories)].sort();
  return { type: 'installation', installationId, repositoryNames, permissions } as const;
}

/**
 * An Octokit auth strategy that sends the installation token `token()` answers (cached by auth-app). A token
 * minted moments ago may not have reached every GitHub server yet and draw a 401: waited out for its first five
 * seconds, as auth-app's own strategy does.
 */
function createTokenAuth(token: () => Promise<{ token: string; createdAt: string }>, unitMs: number) {
  return Object.assign(token, {
    async hook(
      request: ((options: object) => Promise<unknown>) & { endpoint: { merge(...args: unknown[]): object } },
      route: unknown,
      parameters?: unknown,
    ) {
      const endpoint = request.endpoint.merge(route, parameters) as { headers: Record<string, string> };
      for (let attempt = 1; ; attempt += 1) {
        const current = await token();
        endpoint.headers.authorization = `token ${current.token}`;
        try {
          return await request(endpoint);
        } catch (error) {
          const fresh = Date.now() - Date.parse(current.createdAt) < 5_000;
          if ((error as { status?: unknown }).status !== 401 || !fresh || attempt > 3) throw error;
          await new Promise((resolve) => setTimeout(resolve, attempt * unitMs));
        }
      }
    },
  });
}

/**
 * The seam: every request's final failure (after the retry and throttling plugins, registered before this hook,
 * have given up) becomes an `UpstreamError` of GitHub that says whether a later try may help.
 */
function withTypedErrors(octokit: AppOctokit): AppOctokit {
  octokit.hook.error('request', (error) => {
    throw toUpstreamError(error) ?? error;
  });
  // GraphQL answers its failures with status 200 and `errors[]` (after the request, outside the hook above).
  const graphql = octokit.graphql;
  octokit.graphql = Object.assign(
    (query: Parameters<typeof graphql>[0], parameters?: Parameters<typeof graphql>[1]) =>
      graphql(query, parameters).catch((error: unknown) => {
        throw toUpstreamError(error) ?? error;
      }),
    graphql,
  ) as typeof graphql;
  return octokit;
}

/** A stand-in for a Bottleneck group that schedules nothing: `key(id).schedule([options], fn, ...args)`. */
const passThrough = {
  key: () => ({
    schedule: (...args: unknown[]) => {
      const [fn, ...rest] = (typeof args[0] === 'function' ? args : args.slice(1)) as [
        (...a: unknown[]) => unknown,
        ...unknown[],
      ];
      return Promise.resolve().then(() => fn(...rest));
    },
  }),
} as never;

/** Octokit sets no time limit: a hung connection would hold the job until the Lambda itself times out. */
function withTimeout(fetchImpl: typeof fetch, ms: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetchImpl(input, { ...init, signal });
  };
}
