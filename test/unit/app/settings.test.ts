import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../shared/app/settings.js';

const pem = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const env = {
  GITHUB_APP_ID: '123',
  GITHUB_APP_PRIVATE_KEY: pem,
  GITHUB_WEBHOOK_SECRET: 's3cret',
};

describe('loadSettings', () => {
  it('reads the App settings with defaults for the optional ones', () => {
    expect(loadSettings(env)).toEqual({
      appId: 123,
      privateKey: pem,
      webhookSecret: 's3cret',
      githubApiUrl: 'https://api.github.com',
      deployMode: 'commit',
      logLevel: 'info',
    });
  });

  it('reads GitHub Enterprise, the deploy repo, mode and branch, the queue and the log level', () => {
    const settings = loadSettings({
      ...env,
      GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
      DEPLOY_REPO: 'platform/kuma-deploy',
      DEPLOY_MODE: 'Pull-Request',
      DEPLOY_BRANCH: 'release/mesh',
      QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/jobs.fifo',
      LOG_LEVEL: 'DEBUG',
    });
    expect(settings).toMatchObject({
      githubApiUrl: 'https://ghe.example.com/api/v3',
      deployRepo: { owner: 'platform', repo: 'kuma-deploy' },
      deployMode: 'pull-request',
      deployBranch: 'release/mesh',
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/000000000000/jobs.fifo',
      logLevel: 'debug',
    });
  });

  it('reads DEPLOY_ENVIRONMENTS: the first environment is where merges deploy (DEPLOY_REPO and DEPLOY_BRANCH)', () => {
    const settings = loadSettings({
      ...env,
      DEPLOY_ENVIRONMENTS: [
        '- {name: staging, repo: platform/deploy, branch: staging}',
        '- {name: production, repo: platform/deploy-prod, promote: {tag: "v*"}}',
      ].join('\n'),
    });
    expect(settings).toMatchObject({
      deployRepo: { owner: 'platform', repo: 'deploy' },
      deployBranch: 'staging',
      environments: [
        { name: 'staging', repo: { owner: 'platform', repo: 'deploy' }, branch: 'staging' },
        { name: 'production', repo: { owner: 'platform', repo: 'deploy-prod' }, promote: { tag: 'v*' } },
      ],
    });
    expect(
      loadSettings({
        ...env,
        DEPLOY_MODE: 'pull-request',
        DEPLOY_ENVIRONMENTS:
          '[{name: staging, repo: p/staging}, {name: production, repo: p/prod, promote: {approval: true}}]',
      }).environments?.[1],
    ).toEqual({ name: 'production', repo: { owner: 'p', repo: 'prod' }, promote: { approval: true } });
    // Without it, one environment as before: no `environments` at all.
    expect(loadSettings({ ...env, DEPLOY_REPO: 'platform/deploy' })).not.toHaveProperty('environments');
  });

  it('reads the deploy queue and the cap on deployed comments per batch, and refuses a cap that is not a number', () => {
    const settings = loadSettings({
      ...env,
      DEPLOY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/deploys.fifo',
      DEPLOY_COMMENTS_PER_BATCH: '3',
    });
    expect(settings).toMatchObject({
      deployQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/000000000000/deploys.fifo',
      deployCommentsPerBatch: 3,
    });
    expect(loadSettings({ ...env, DEPLOY_COMMENTS_PER_BATCH: '0' }).deployCommentsPerBatch).toBe(0);
    expect(loadSettings(env)).not.toHaveProperty('deployCommentsPerBatch');
    for (const bad of ['-1', 'all', '1.5'])
      expect(() => loadSettings({ ...env, DEPLOY_COMMENTS_PER_BATCH: bad })).toThrow(
        /DEPLOY_COMMENTS_PER_BATCH/,
      );
  });

  it("reads the deploy repo's installation id, and refuses one that is not a positive number or names no deploy repo", () => {
    const deploy = { ...env, DEPLOY_REPO: 'platform/deploy' };
    expect(loadSettings({ ...deploy, DEPLOY_REPO_INSTALLATION_ID: ' 4242 ' }, 'worker')).toMatchObject({
      deployRepo: { owner: 'platform', repo: 'deploy' },
      deployRepoInstallationId: 4242,
    });
    expect(loadSettings({ ...deploy, DEPLOY_REPO_INSTALLATION_ID: '' })).not.toHaveProperty(
      'deployRepoInstallationId',
    );
    for (const bad of ['0', '-5', '12abc', '1e3', '0x10', '9999999999999999'])
      expect(() => loadSettings({ ...deploy, DEPLOY_REPO_INSTALLATION_ID: bad })).toThrow(
        /DEPLOY_REPO_INSTALLATION_ID must be the numeric id/,
      );
    expect(() => loadSettings({ ...env, DEPLOY_REPO_INSTALLATION_ID: '4242' })).toThrow(
      /DEPLOY_REPO_INSTALLATION_ID .*set DEPLOY_REPO too/,
    );
  });

  it('asks each function only for its own secret', () => {
    const worker = loadSettings({ ...env, GITHUB_WEBHOOK_SECRET: undefined }, 'worker');
    expect(worker).toMatchObject({ appId: 123, privateKey: pem });
    expect(worker).not.toHaveProperty('webhookSecret');
    const webhook = loadSettings({ ...env, GITHUB_APP_PRIVATE_KEY: undefined }, 'webhook');
    expect(webhook).toMatchObject({ webhookSecret: 's3cret' });
    expect(webhook).not.toHaveProperty('privateKey');
    expect(() => loadSettings({ ...env, GITHUB_APP_PRIVATE_KEY: undefined }, 'worker')).toThrow(
      'GITHUB_APP_PRIVATE_KEY is not set',
    );
  });

  it('reads the previous webhook secret of a rotation for the webhook only, and treats a blank one as unset', () => {
    const rotating = { ...env, GITHUB_WEBHOOK_SECRET_PREVIOUS: ' old ' };
    expect(loadSettings(rotating, 'webhook')).toMatchObject({
      webhookSecret: 's3cret',
      webhookSecretPrevious: 'old',
    });
    expect(loadSettings(rotating, 'worker')).not.toHaveProperty('webhookSecretPrevious');
    expect(loadSettings({ ...env, GITHUB_WEBHOOK_SECRET_PREVIOUS: '  ' }, 'webhook')).not.toHaveProperty(
      'webhookSecretPrevious',
    );
    // The previous secret never stands in for the current one.
    expect(() =>
      loadSettings(
        { ...rotating, GITHUB_WEBHOOK_SECRET: undefined, GITHUB_APP_PRIVATE_KEY: undefined },
        'webhook',
      ),
    ).toThrow('GITHUB_WEBHOOK_SECRET is not set');
  });

  it('accepts the private key flattened with \\n escapes or base64-encoded', () => {
    const escaped = pem.replace(/\n/g, '\\n');
    expect(loadSettings({ ...env, GITHUB_APP_PRIVATE_KEY: escaped }).privateKey).toBe(pem);
    const base64 = Buffer.from(pem).toString('base64');
    expect(loadSettings({ ...env, GITHUB_APP_PRIVATE_KEY: base64 }).privateKey).toBe(pem);
  });

  it.each<[Record<string, string | undefined>, string]>([
    [{ GITHUB_APP_ID: undefined }, 'GITHUB_APP_ID is not set'],
    [{ GITHUB_APP_ID: '  ' }, 'GITHUB_APP_ID is not set'],
    [{ GITHUB_APP_ID: 'my-app' }, 'GITHUB_APP_ID must be the numeric id of the GitHub App'],
    [{ GITHUB_APP_PRIVATE_KEY: undefined }, 'GITHUB_APP_PRIVATE_KEY is not set'],
    [{ GITHUB_APP_PRIVATE_KEY: 'not a key' }, 'GITHUB_APP_PRIVATE_KEY is not a PEM private key'],
    [{ GITHUB_WEBHOOK_SECRET: '' }, 'GITHUB_WEBHOOK_SECRET is not set'],
    [{ GITHUB_API_URL: 'ghe.example.com' }, 'GITHUB_API_URL must be an http(s) URL'],
    [{ DEPLOY_REPO: 'kuma-deploy' }, 'DEPLOY_REPO must be "owner/repo"'],
    [{ DEPLOY_MODE: 'push' }, 'DEPLOY_MODE must be one of commit, pull-request'],
    [{ DEPLOY_BRANCH: 'main..x' }, 'DEPLOY_BRANCH must be a branch name'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL must be one of debug, info, warn, error'],
    [
      { DEPLOY_ENVIRONMENTS: 'platform/deploy' },
      'DEPLOY_ENVIRONMENTS must be a list of at least two environments',
    ],
    [
      { DEPLOY_ENVIRONMENTS: '[{name: staging, repo: p/d}, {name: production, repo: p/e}]' },
      'DEPLOY_ENVIRONMENTS environment 2: production: promote must be {tag: "<pattern>"}, e.g. {tag: "v*"}, or {approval: true}, or {after: "<duration>"}, e.g. {after: "24h"}',
    ],
    [
      {
        DEPLOY_ENVIRONMENTS:
          '[{name: staging, repo: p/d}, {name: production, repo: p/e, promote: {approval: true}}]',
      },
      'DEPLOY_ENVIRONMENTS: production is promoted by {approval: true}, which needs DEPLOY_MODE pull-request',
    ],
    [
      {
        DEPLOY_ENVIRONMENTS:
          '[{name: staging, repo: p/d}, {name: production, repo: p/e, promote: {after: 24h}}]',
        DEPLOY_MODE: 'pull-request',
      },
      'DEPLOY_ENVIRONMENTS: production is promoted {after: …} a deploy, which needs DEPLOY_MODE commit',
    ],
    [
      {
        DEPLOY_ENVIRONMENTS:
          '[{name: staging, repo: p/d}, {name: production, repo: p/e, promote: {after: 2m}}]',
      },
      'DEPLOY_ENVIRONMENTS environment 2: production: promote.after must be a duration from 5m to 90d',
    ],
    ...['yes', 'false', '{}', 'true, tag: v*'].map(
      (value) =>
        [
          {
            DEPLOY_ENVIRONMENTS: `[{name: staging, repo: p/d}, {name: production, repo: p/e, promote: {approval: ${value}}}]`,
            DEPLOY_MODE: 'pull-request',
          },
          'DEPLOY_ENVIRONMENTS environment 2: production: promote must be {tag: "<pattern>"}, e.g. {tag: "v*"}, or {approval: true}, or {after: "<duration>"}, e.g. {after: "24h"}',
        ] as [Record<string, string>, string],
    ),
    [
      {
        DEPLOY_ENVIRONMENTS:
          '[{name: staging, repo: p/d}, {name: production, repo: p/e, promote: {tag: v*}}]',
        DEPLOY_REPO: 'p/d',
      },
      'set DEPLOY_ENVIRONMENTS or DEPLOY_REPO, not both',
    ],
    [
      {
        DEPLOY_ENVIRONMENTS:
          '[{name: staging, repo: p/d}, {name: production, repo: p/e, promote: {tag: v*}}]',
        DEPLOY_BRANCH: 'main',
      },
      'set DEPLOY_ENVIRONMENTS or DEPLOY_BRANCH, not both',
    ],
    [
      {
        DEPLOY_ENVIRONMENTS:
          '[{name: staging, repo: p/d, branch: staging}, {name: production, repo: P/D, promote: {tag: v*}}]',
        DEPLOY_MODE: 'pull-request',
      },
      'DEPLOY_MODE pull-request needs a deploy repo per environment, or a folder (path) for each environment sharing one: staging shares p/d',
    ],
    [
      {
        DEPLOY_ENVIRONMENTS:
          '[{name: staging, repo: p/d, branch: main, path: envs/staging}, {name: production, repo: p/d, branch: prod, promote: {tag: v*}}]',
        DEPLOY_MODE: 'pull-request',
      },
      'or a folder (path) for each environment sharing one: production shares p/d',
    ],
    [
      {
        DEPLOY_ENVIRONMENTS:
          '[{name: staging, repo: p/d, path: envs/staging}, {name: production, repo: p/d, path: envs/production, promote: {approval: true}}]',
        DEPLOY_MODE: 'pull-request',
      },
      'staging shares p/d with another environment, and the environment after it promotes by approval',
    ],
  ])('refuses %o with one clear error naming the variable', (change, message) => {
    expect(() => loadSettings({ ...env, ...change })).toThrow(message);
  });

  it('takes environments that are folders of one repo in pull-request mode (each with deploy PR branches of its own)', () => {
    const settings = loadSettings({
      ...env,
      DEPLOY_ENVIRONMENTS:
        '[{name: staging, repo: p/d, path: envs/staging}, {name: production, repo: p/d, path: envs/production, promote: {tag: v*}}]',
      DEPLOY_MODE: 'pull-request',
    });
    expect(settings.environments?.map((e) => e.path)).toEqual(['envs/staging', 'envs/production']);
  });
});
