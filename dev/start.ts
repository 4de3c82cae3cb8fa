/**
 * `npm start`: the whole App on one local port — the webhook endpoint, the in-memory queue and the worker in
 * process — pointed at `GITHUB_API_URL`. With no App configured (`GITHUB_APP_ID` unset) it starts the local
 * GitHub, creates and installs an App on it, seeds an API repo and prints how to use it.
 * `startApp()` is the same wiring for the demo and the end-to-end tests.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { stringify } from 'yaml';
import { createJsonLogger } from '../shared/adapters/json-logger.js';
import {
  createMemoryQueue,
  type MemoryQueue,
  type MemoryQueueOptions,
} from '../shared/adapters/memory-queue.js';
import { sweepTimePromotions } from '../shared/app/promotion-sweep.js';
import { loadSettings, type Settings } from '../shared/app/settings.js';
import { createWebhookApp } from '../shared/app/webhook-app.js';
import { createWorker, type WorkerDeps } from '../shared/app/worker.js';
import { createWorkerDeps } from '../shared/app/worker-deps.js';
import { findApprovalRepos } from '../shared/core/deploy/approval-promotion.js';
import { describeTarget, type Environment } from '../shared/core/deploy/environments.js';
import { describeError, failureFields } from '../shared/core/errors.js';
import { formatRepoRef } from '../shared/core/repo-ref.js';
import { type Logger, silentLogger } from '../shared/ports/logger.js';
import { type LocalGitHub, startLocalGitHub } from './github/index.js';
import { createLocalEnvironments, ownersOf } from './local-environments.js';

export interface StartAppOptions {
  settings: Pick<Settings, 'appId' | 'privateKey' | 'webhookSecret' | 'githubApiUrl'> &
    Partial<
      Pick<
        Settings,
        | 'webhookSecretPrevious'
        | 'deployRepo'
        | 'deployRepoInstallationId'
        | 'deployMode'
        | 'deployBranch'
        | 'maxReceiveCount'
        | 'environments'
      >
    >;
  /** 0 (default) picks a free port. */
  port?: number;
  log?: Logger;
  /** Backoff and deduplication of the in-memory queue (its tries are `settings.maxReceiveCount`, default 3). */
  queue?: Omit<MemoryQueueOptions, 'deployRepo' | 'onFailure' | 'maxReceiveCount'>;
  /** Octokit's retry/rate-limit wait unit (default 1000 ms; tests use 1). */
  waitUnitMs?: number;
  /** Space GitHub writes as GitHub asks (default true); the local GitHub of tests and the demo needs none. */
  spaceWrites?: boolean;
  /** Compare-and-swap retries of a deploy (tests shorten the backoff). */
  deployRetry?: WorkerDeps['deployRetry'];
  /**
   * Sweep the time promotions (`promote: {after: …}`) every this many ms, as the schedule does in AWS; default
   * never (tests call `sweepPromotions` with the time they want).
   */
  promotionSweepMs?: number;
}

export interface LocalApp {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** Where GitHub should send webhooks: `${url}/webhook`. */
  webhookUrl: string;
  queue: MemoryQueue;
  /**
   * Enqueues the sweep of every environment promoted after a time, as of `at` (default now): the time the soaks
   * are measured against. Resolves once enqueued (`queue.idle()` waits for the promotions).
   */
  sweepPromotions(at?: Date): Promise<void>;
  stop(): Promise<void>;
}

const userProfile = fileURLToPath(new URL('../fixtures/specs/user-profile/', import.meta.url));

/**
 * The files of the user-profile API repo fixture (`.kuma-api-forge.yaml` and `openapi/`), or of one of its
 * revisions (`revisions/<name>/`, each a full copy with one change).
 */
export async function readUserProfile(revision?: string): Promise<Record<string, Buffer>> {
  const root = revision ? join(userProfile, 'revisions', revision) : userProfile;
  const files: Record<string, Buffer> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = relative(root, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (entry.isFile() && !path.startsWith('revisions/')) files[path] = await readFile(join(root, path));
  }
  return files;
}

/** The App on a local port: webhook → in-memory queue → worker → GitHub at `settings.githubApiUrl`. */
export async function startApp(options: StartAppOptions): Promise<LocalApp> {
  const { settings } = options;
  const log = options.log ?? silentLogger;
  // The queue's redrive limit: the worker knows a job's last try, as with SQS (default 3 tries).
  const maxReceiveCount = settings.maxReceiveCount ?? 3;
  const workerDeps = createWorkerDeps(
    { ...settings, maxReceiveCount },
    {
      log,
      ...(options.waitUnitMs === undefined ? {} : { waitUnitMs: options.waitUnitMs }),
      ...(options.spaceWrites === undefined ? {} : { spaceWrites: options.spaceWrites }),
      ...(options.deployRetry ? { deployRetry: options.deployRetry } : {}),
    },
  );
  const worker = createWorker(workerDeps);
  const queue = createMemoryQueue(worker.processJob, {
    handleDeployBatch: worker.processDeployBatch,
    ...options.queue,
    maxReceiveCount,
    ...(settings.deployRepo ? { deployRepo: settings.deployRepo } : {}),
    onFailure: ({ job, error, attempt, final }) =>
      log[final ? 'error' : 'warn'](final ? 'job given up' : 'job failed; retrying', {
        deliveryId: job.deliveryId,
        attempt,
        ...failureFields(error),
      }),
  });
  const app = createWebhookApp({
    secret: settings.webhookSecret,
    ...(settings.webhookSecretPrevious ? { previousSecret: settings.webhookSecretPrevious } : {}),
    ...(settings.environments ? { promoteTags: true } : {}),
    ...(settings.environments ? { approvalRepos: findApprovalRepos(settings.environments) } : {}),
    queue,
    ...(settings.deployRepo
      ? {
          deployRepo: {
            repo: settings.deployRepo,
            ...(settings.deployBranch ? { branch: settings.deployBranch } : {}),
          },
        }
      : {}),
    log,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, () =>
      resolve(started),
    );
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const environments = workerDeps.environments;
  const sweepPromotions = async (at = new Date()) => {
    if (!settings.environments || !environments) return;
    await sweepTimePromotions(at, {
      environments: settings.environments,
      queue,
      installationFor: (repo) => environments.installationFor(repo),
      log,
    });
  };
  const sweeping =
    options.promotionSweepMs === undefined
      ? undefined
      : setInterval(
          () =>
            void sweepPromotions().catch((error: unknown) =>
              log.error('the time promotion sweep failed', failureFields(error)),
            ),
          options.promotionSweepMs,
        );
  return {
    url,
    webhookUrl: `${url}/webhook`,
    queue,
    sweepPromotions,
    async stop() {
      clearInterval(sweeping);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await queue.idle();
    },
  };
}

/** Where merges deploy on the local GitHub: `DEPLOY_REPO` (with `DEPLOY_BRANCH`) or `DEPLOY_ENVIRONMENTS`. */
type LocalDeploy = Partial<Pick<Settings, 'deployRepo' | 'deployBranch' | 'deployMode' | 'environments'>>;

/**
 * No GitHub configured: a local one with an App installed on `acme` and the user-profile API in `acme/users`;
 * with `DEPLOY_REPO` set, that repo too (its `tenants.yaml` granting `acme/users`), and merges deploy to it; with
 * `DEPLOY_ENVIRONMENTS`, every environment's repo, branch and folder, each with that `tenants.yaml`.
 */
export async function startWithLocalGitHub(
  port: number,
  log: Logger,
  deploy: LocalDeploy,
): Promise<{ github: LocalGitHub; app: LocalApp; stop(): Promise<void> }> {
  const { deployRepo, environments } = deploy;
  const github = await startLocalGitHub();
  const webhookSecret = randomBytes(16).toString('hex');
  const created = github.admin.createApp({ webhookSecret });
  const { installationId } = await github.admin.installApp(created.id, 'acme');
  await github.admin.createRepo({ owner: 'acme', repo: 'users', files: await readUserProfile() });
  const grant = {
    gateways: ['edge'],
    hostnames: ['api.example.com'],
    basePaths: ['/users-api'],
    namespaces: ['users'],
  };
  const tenants = stringify({ tenants: { 'acme/users': grant } });
  const owners = environments ? ownersOf(environments) : deployRepo ? [deployRepo.owner] : [];
  for (const owner of owners)
    if (owner.toLowerCase() !== 'acme') await github.admin.installApp(created.id, owner);
  if (environments) await createLocalEnvironments(github, environments, () => ({ 'tenants.yaml': tenants }));
  else if (deployRepo)
    await github.admin.createRepo({
      ...deployRepo,
      files: { 'tenants.yaml': tenants },
      ...(deploy.deployBranch ? { defaultBranch: deploy.deployBranch } : {}),
    });
  const app = await startApp({
    settings: {
      appId: created.id,
      privateKey: created.privateKey!,
      webhookSecret,
      githubApiUrl: github.url,
      ...deploy,
    },
    port,
    log,
    // The local GitHub has no secondary rate limits: no need to space writes a second apart.
    spaceWrites: false,
  });
  github.admin.setWebhook(created.id, { url: app.webhookUrl });
  const dir = await mkdtemp(join(tmpdir(), 'kuma-api-forge-app-'));
  const envFile = join(dir, 'app.env');
  await writeFile(
    envFile,
    [
      `GITHUB_APP_ID=${created.id}`,
      `GITHUB_APP_PRIVATE_KEY="${created.privateKey!.trim().replace(/\n/g, '\\n')}"`,
      `GITHUB_WEBHOOK_SECRET=${webhookSecret}`,
      `GITHUB_API_URL=${github.url}`,
      ...(environments
        ? [`DEPLOY_ENVIRONMENTS='${JSON.stringify(environments.map(describeEnvironment))}'`]
        : deployRepo
          ? [`DEPLOY_REPO=${formatRepoRef(deployRepo)}`]
          : []),
      ...(deploy.deployMode === 'pull-request' ? ['DEPLOY_MODE=pull-request'] : []),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  console.log(`kuma-api-forge is listening on ${app.url}

  webhook      POST ${app.webhookUrl}   (signed with the App's secret)
  health       GET  ${app.url}/healthz
  local GitHub ${github.url}   (REST API, git repos in a temp dir)
  App          id ${created.id}, installation ${installationId} on "acme"; repo acme/users holds the user-profile API
  ${environments ? `environments ${listEnvironments(environments, github.url)}` : `deploy repo  ${deployRepo ? `${formatRepoRef(deployRepo)} (DEPLOY_REPO; tenants.yaml grants acme/users)` : 'none: set DEPLOY_REPO=owner/repo (or DEPLOY_ENVIRONMENTS) to deploy merges'}`}
  web          ${github.url}/_html/acme/users
  credentials  ${envFile}

No GitHub was configured, so this is a local one: nothing leaves this machine. To see a pull request checked
end to end, run \`npm run demo\`; for your own API repo folder, \`npm run pr -- <folder>\`. To use a real GitHub App instead, set GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY,
GITHUB_WEBHOOK_SECRET (and GITHUB_API_URL for GitHub Enterprise) and point the App's webhook here.
Ctrl-C stops.`);
  return {
    github,
    app,
    async stop() {
      await app.stop();
      await github.stop();
      // The credentials file holds the App's private key, of no use once this local GitHub is gone.
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One line per environment: its target, its web page and how a commit gets there (DEPLOY_ENVIRONMENTS order). */
function listEnvironments(environments: readonly Environment[], githubUrl: string): string {
  return environments
    .map((environment, index) => {
      const rule = !environment.promote
        ? 'merges deploy here'
        : 'tag' in environment.promote
          ? `a tag matching ${environment.promote.tag} pushed in acme/users promotes here`
          : 'the approved merge of the deploy PR before promotes here';
      const page = `${githubUrl}/_html/${formatRepoRef(environment.repo)}`;
      return `${index === 0 ? '' : '               '}${environment.name}: ${describeTarget(environment)} (tenants.yaml grants acme/users; ${rule}) ${page}`;
    })
    .join('\n');
}

/** An environment as `DEPLOY_ENVIRONMENTS` spells it. */
function describeEnvironment(environment: Environment) {
  return { ...environment, repo: formatRepoRef(environment.repo) };
}

function onStop(stop: () => Promise<void>): void {
  const exit = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', exit);
  process.once('SIGTERM', exit);
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number`);
  if (!process.env.GITHUB_APP_ID) {
    const level = process.env.LOG_LEVEL?.toLowerCase();
    const known = level === 'debug' || level === 'warn' || level === 'error';
    const local = await startWithLocalGitHub(
      port,
      createJsonLogger(known ? level : 'info'),
      readLocalDeploy(process.env),
    );
    return onStop(local.stop);
  }
  const settings = loadSettings(process.env);
  // The time promotions' sweep, every minute (AWS runs it every 15): a soak ends within a minute of its time.
  const app = await startApp({
    settings,
    port,
    log: createJsonLogger(settings.logLevel),
    promotionSweepMs: 60_000,
  });
  console.log(
    `kuma-api-forge is listening on ${app.url}; webhook: POST ${app.webhookUrl}; GitHub: ${settings.githubApiUrl}`,
  );
  onStop(app.stop);
}

/**
 * The deploy settings of `npm start` with the local GitHub, read and checked as the App's settings are
 * (`DEPLOY_REPO`, `DEPLOY_BRANCH`, `DEPLOY_MODE`, `DEPLOY_ENVIRONMENTS`; the App's own are made locally).
 */
export function readLocalDeploy(env: Record<string, string | undefined>): LocalDeploy {
  const settings = loadSettings({ ...env, GITHUB_APP_ID: '1', GITHUB_WEBHOOK_SECRET: 'local' }, 'webhook');
  return {
    ...(settings.deployRepo ? { deployRepo: settings.deployRepo } : {}),
    ...(settings.deployBranch ? { deployBranch: settings.deployBranch } : {}),
    ...(settings.deployMode !== 'commit' ? { deployMode: settings.deployMode } : {}),
    ...(settings.environments ? { environments: settings.environments } : {}),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(`kuma-api-forge: ${describeError(error)}`);
    process.exit(2);
  });
}
