import {
  type AppCredentials,
  type LocalGitHub,
  type LocalGitHubOptions,
  startLocalGitHub,
} from '../../dev/github/index.js';
import { type LocalApp, type StartAppOptions, startApp } from '../../dev/start.js';
import type { Logger } from '../../shared/ports/logger.js';
import { createTestApp } from './local-github.js';

export interface AppOnLocalGitHub {
  gh: LocalGitHub;
  app: LocalApp;
  credentials: AppCredentials;
  stop(): Promise<void>;
}

export interface AppOnLocalGitHubOptions {
  /** A deploy repo the App writes to: created with `files` (its tenants.yaml…), the App installed on its owner. */
  deploy?: { owner: string; repo: string; files: Record<string, string> };
  log?: Logger;
  /** The queue's tries per job (`MAX_RECEIVE_COUNT`); the local default is 3. */
  maxReceiveCount?: number;
  /** How the local GitHub is served, e.g. GitHub Enterprise Server's `basePath: '/api/v3'` and its `webUrl`. */
  github?: Pick<LocalGitHubOptions, 'basePath' | 'webUrl'>;
  /** The deploy settings beyond the deploy repo: `DEPLOY_MODE`, `DEPLOY_BRANCH`, `DEPLOY_ENVIRONMENTS`. */
  settings?: Pick<StartAppOptions['settings'], 'deployMode' | 'deployBranch' | 'environments'>;
}

/**
 * The whole App as the e2e tests drive it: a local GitHub, an App created and installed on `acme` (and on the
 * deploy repo's owner), the real Hono webhook + in-memory queue + worker on a free port receiving its signed
 * webhooks. Waits are shortened to milliseconds and GitHub writes are not spaced a second apart (the local
 * GitHub has no secondary rate limits); everything else is as in production. One per file (beforeAll), each
 * test on repos of its own, unless a test needs the App's state fresh.
 */
export async function startAppOnLocalGitHub(
  options: AppOnLocalGitHubOptions = {},
): Promise<AppOnLocalGitHub> {
  const gh = await startLocalGitHub(options.github);
  const credentials = createTestApp(gh);
  await gh.admin.installApp(credentials.id, 'acme');
  const { deploy } = options;
  if (deploy) {
    if (deploy.owner !== 'acme') await gh.admin.installApp(credentials.id, deploy.owner);
    await gh.admin.createRepo(deploy);
  }
  const app = await startApp({
    settings: {
      appId: credentials.id,
      privateKey: credentials.privateKey,
      webhookSecret: credentials.webhookSecret,
      githubApiUrl: gh.url,
      ...(deploy ? { deployRepo: { owner: deploy.owner, repo: deploy.repo } } : {}),
      ...(options.maxReceiveCount ? { maxReceiveCount: options.maxReceiveCount } : {}),
      ...options.settings,
    },
    ...(options.log ? { log: options.log } : {}),
    queue: { backoffMs: () => 1 },
    waitUnitMs: 1,
    spaceWrites: false,
    ...(deploy ? { deployRetry: { backoffMs: 5 } } : {}),
  });
  gh.admin.setWebhook(credentials.id, { url: app.webhookUrl });
  return {
    gh,
    app,
    credentials,
    async stop() {
      await app.stop();
      await gh.stop();
    },
  };
}
