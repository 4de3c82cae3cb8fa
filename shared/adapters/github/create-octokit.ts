/**
 * Adapter: Octokit clients for the App — authenticated as an installation with a token narrowed to what one
 * job needs (its repos and permissions; minted from the App JWT by `@octokit/auth-app`, which caches each token
 * per installation, repos and permissions until shortly before it expires), with the retry plugin (5xx and
 * network errors) and the throttling plugin (primary and secondary rate limits, waiting out `retry-after`, and
 * writes spaced a second apart as GitHub asks). Also which installation covers a repo of another account (the
 * deploy repo's owner has its own installation of the App): known without a call when it is the asking job's
 * own account or configured, else looked up once as the App; cached per container either way.
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
  /**
   * The App's installation id on an account, by its login, known without asking GitHub (the deploy repo's owner:
   * `DEPLOY_REPO_INSTALLATION_ID`). Only spares the lookup: a token is still minted for one repo of it, which
   * GitHub refuses for a repo outside that installation (then the lookup decides).
   */
  installations?: Readonly<Record<string, number>>;
}

/** The job asking for a client of another repo: its own installation covers every repo of its account it may. */
export interface InstallationAsker {
  readonly installationId: number;
  readonly repository: RepoRef;
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
   * A client of `repo` whose token can do only what `scope` allows, through the App's installation on the repo's
   * account: the asking job's own when it is of that account (GitHub installs an App once per account), else the
   * configured one (`installations`), else `installationFor`'s lookup — the first two without a call. Its token
   * is minted here (the request it would otherwise wait for): an installation assumed whose token GitHub refuses
   * for the repo (404 or 422: not installed there, or not on that repo) is forgotten and the lookup decides.
   */
  forRepo(repo: RepoRef, scope: TokenScope, asker?: InstallationAsker): Promise<AppOctokit>;
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
  const configured = new Map(
    Object.entries(options.installations ?? {}).map(([login, id]) => [login.toLowerCase(), id]),
  );
  /** The installation that covers `repo` by what is known without a call (see `forRepo`), if any. */
  const assume = (repo: RepoRef, asker: InstallationAsker | undefined): number | undefined => {
    const account = repo.owner.toLowerCase();
    if (asker?.repository.owner.toLowerCase() === account) return asker.installationId;
    const id = configured.get(account);
    if (id === undefined || id !== asker?.installationId) return id;
    // An installation is of ONE account: the asking job's, of another account, is not the repo's.
    log.warn('the installation configured for a repo is that of another account: looking it up', {
      repo: repoKey(repo),
      installationId: id,
    });
    configured.delete(account);
    return undefined;
  };
  let login: Promise<string> | undefined;
  const github: GitHubClients = {
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
    async forRepo(repo, scope, asker) {
      const key = repoKey(repo);
      // Known already (looked up, or assumed and confirmed): no call.
      const assumed = installations.has(key) ? undefined : assume(repo, asker);
      if (assumed !== undefined) {
        const client = github.forInstallation(assumed, scope);
        try {
          await client.auth();
          installations.set(key, Promise.resolve(assumed));
          return client;
        } catch (error) {
          const status = toUpstreamError(error)?.status;
          if (status !== 404 && status !== 422) throw error;
          // A configured id that does not cover it is not tried again in this container.
          const account = repo.owner.toLowerCase();
          if (configured.get(account) === assumed) configured.delete(account);
          log.warn('the App installation assumed for a repo does not cover it: looking it up', {
            repo: key,
            installationId: assumed,
            status,
          });
        }
      }
      return github.forInstallation(await github.installationFor(repo), scope);
    },
  };
  return github;
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
