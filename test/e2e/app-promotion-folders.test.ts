/**
 * Environments as folders of ONE deploy branch, end to end: `DEPLOY_ENVIRONMENTS` names `envs/staging` and
 * `envs/production` of platform/deploy@main. A merge deploys under `envs/staging/` only, a `v*` tag promotes the
 * commit under `envs/production/`; each folder reads its own `tenants.yaml` and `governance/` (the branch root's
 * are not an environment's); a hand edit in one folder is reported on that environment's drift check run only;
 * nothing a source repo controls (its name, its API names) writes outside its environment's folder.
 * Signed webhooks → Hono → queue → worker → real Octokit → the local GitHub.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub, WebhookEvent } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { loadSettings } from '../../shared/app/settings.js';
import { parseEnvironments } from '../../shared/core/deploy/environments.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { callsTo } from '../helpers/github-calls.js';
import {
  apiOptions,
  expectRunning,
  mergeHeldBack,
  runningOf,
  settle,
  tenantsYaml,
} from '../helpers/promotion.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const deployMarker = '<!-- kuma-api-forge:deploy -->';
const folderOf = { staging: 'envs/staging', production: 'envs/production' } as const;
type Env = keyof typeof folderOf;
const environments = parseEnvironments(
  stringify([
    { name: 'staging', repo: 'platform/deploy', branch: 'main', path: folderOf.staging },
    {
      name: 'production',
      repo: 'platform/deploy',
      branch: 'main',
      path: folderOf.production,
      promote: { tag: 'v*' },
    },
  ]),
);

let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

const sourceRepos = ['shop', 'rooted', 'strict', 'climber', 'batch-a', 'batch-b'] as const;

beforeAll(async () => {
  if ('error' in environments) throw new Error(environments.error);
  harness = await startAppOnLocalGitHub({
    deploy: {
      ...deployRef,
      files: {
        // The branch root's files belong to no environment: this grant and this rule must never apply.
        'tenants.yaml': tenantsYaml(['rooted']),
        'governance/limits.yaml': stringify({ all: { requireRateLimit: true } }),
        'envs/staging/tenants.yaml': tenantsYaml([
          'shop',
          'strict',
          'climber',
          'production',
          'batch-a',
          'batch-b',
        ]),
        'envs/production/tenants.yaml': tenantsYaml(['shop', 'strict', 'climber']),
        // Production's own rule for one tenant: its promotion is refused there, its staging deploy is not.
        'envs/production/governance/limits.yaml': stringify({
          tenants: { 'acme/strict': { requireRateLimit: true } },
        }),
      },
    },
    settings: { deployBranch: 'main', environments: environments.environments },
  });
  ({ gh, app } = harness);
  for (const repo of sourceRepos)
    await gh.admin.createRepo({ owner: 'acme', repo, files: { 'README.md': `# ${repo}\n` } });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

/** A PR with `files`, merged, its push delivered (it deploys to staging). */
async function mergeFiles(repo: string, files: Record<string, string>, branch: string) {
  const { sha, number, push } = await mergeHeldBack(gh, repo, files, branch);
  await deliverEvent(push);
  return { sha, number };
}

const merge = async (repo: string, paths: string[]) => ({
  ...(await mergeFiles(repo, buildSourceFiles(apiOptions(repo, paths)), `set-${paths.length}`)),
  paths,
});

async function deliverEvent(event: WebhookEvent) {
  expect((await gh.admin.deliver(event)).status).toBe(202);
  await settle(app);
}

async function tag(repo: string, name: string, sha: string) {
  const pushed = await gh.admin.pushTag({ owner: 'acme', repo, tag: name, sha });
  expect(pushed.deliveries.map((d) => d.status)).toEqual([202]);
  await settle(app);
}

const mainFiles = () => gh.admin.listFiles({ ...deployRef, ref: 'main' });
const read = (path: string, ref = 'main') => gh.admin.readFile({ ...deployRef, ref, path });
const deployLog = () => gh.admin.log({ ...deployRef, ref: 'main' });

const placeOf = (env: Env) => ({ ...deployRef, ref: 'main', folder: folderOf[env] });
/** What an environment runs for `repo`: its files (relative to the environment's folder) and recorded commit. */
const running = (env: Env, repo: string) => runningOf(gh, placeOf(env), repo);
/** The environment's folder holds exactly the render of `paths` for `repo`, recorded as made from `sha`. */
const expectRuns = (env: Env, repo: string, merged: { sha: string; paths: string[] }) =>
  expectRunning(gh, placeOf(env), repo, merged);

/** Every path of the deploy branch outside the two environments' folders (the platform's own files). */
const outsideFolders = async () =>
  (await mainFiles()).filter(
    (path) => !Object.values(folderOf).some((folder) => path.startsWith(`${folder}/`)),
  );

const deployComments = (repo: string, number: number) =>
  gh.admin
    .comments({ owner: 'acme', repo, number })
    .filter((c) => c.body.startsWith(deployMarker))
    .map((c) => c.body);

describe('staging → production folders of one branch', { timeout: 120_000 }, () => {
  it('a merge deploys under envs/staging only; a v* tag promotes it under envs/production of the same branch', async () => {
    const platformFiles = await outsideFolders();
    const a = await merge('shop', ['/a']);
    await expectRuns('staging', 'shop', a);
    expect(await running('production', 'shop')).toEqual({ files: [], commit: undefined });
    expect(deployComments('shop', a.number)).toEqual([
      expect.stringContaining('deployed to platform/deploy@main:envs/staging in commit'),
    ]);

    await tag('shop', 'v1.0.0', a.sha);
    await expectRuns('production', 'shop', a);
    await expectRuns('staging', 'shop', a);
    expect(deployComments('shop', a.number).at(-1)).toContain(
      'deployed to production (platform/deploy@main:envs/production) in commit',
    );
    // The branch root's platform files are untouched; the root's governance (rate limits required) applied nowhere.
    expect(await outsideFolders()).toEqual(platformFiles);
    expect(await read('tenants.yaml')).toBe(tenantsYaml(['rooted']));

    // A newer merge reaches staging; production keeps A until the next tag.
    const firstCall = gh.requests.length;
    const b = await merge('shop', ['/a', '/b']);
    // A warm deploy into a folder reads the branch's snapshot, then (the folder's manifests lie deeper than the
    // snapshot query's six levels) the whole tree once more, and commits: one call more than at a branch's root.
    expect(callsTo(gh.requests.slice(firstCall), 'platform/deploy')).toEqual([
      'graphql DeploySnapshot',
      'git/get-tree',
      'graphql DeployCommit',
    ]);
    await expectRuns('staging', 'shop', b);
    await expectRuns('production', 'shop', a);
    await tag('shop', 'v1.1.0', b.sha);
    await expectRuns('production', 'shop', b);
  });

  it('the PR comment previews production as the folder of the branch', async () => {
    await gh.admin.push({
      owner: 'acme',
      repo: 'shop',
      branch: 'preview',
      files: buildSourceFiles(apiOptions('shop', ['/a', '/b', '/c'])),
      deliver: false,
    });
    const pr = await gh.admin.openPullRequest({ owner: 'acme', repo: 'shop', head: 'preview' });
    await settle(app);
    const [comment] = gh.admin
      .comments({ owner: 'acme', repo: 'shop', number: pr.number })
      .filter((c) => c.body.startsWith('<!-- kuma-api-forge -->'));
    expect(comment!.body).toMatch(
      /- \*\*production\*\* \(platform\/deploy@main:envs\/production\): \d+ added, \d+ changed, \d+ removed against what it runs now/,
    );
  });
});

describe('batched deploys into a folder environment', { timeout: 120_000 }, () => {
  it('the waiting merges of two repos land as ONE commit under envs/staging, each with its provenance', async () => {
    const held = [];
    for (const repo of ['batch-a', 'batch-b']) {
      const ref = { owner: 'acme', repo };
      await gh.admin.push({
        ...ref,
        branch: 'b',
        files: buildSourceFiles(apiOptions(repo, ['/a'])),
        deliver: false,
      });
      const pr = await gh.admin.openPullRequest({ ...ref, head: 'b', deliver: false });
      const merged = await gh.admin.mergePullRequest({ ...ref, number: pr.number, deliver: false });
      const push = merged.events.find((event) => event.name === 'push')!;
      held.push({
        repo,
        sha: merged.sha,
        job: {
          type: 'deploy' as const,
          deliveryId: `batch-${repo}`,
          event: 'push',
          installationId: (push.payload as { installation: { id: number } }).installation.id,
          repository: ref,
          sha: merged.sha,
        },
      });
    }
    const before = (await deployLog()).length;
    await Promise.all(held.map(({ job }) => app.queue.enqueue(job)));
    await settle(app);
    const log = await deployLog();
    expect(log).toHaveLength(before + 1);
    for (const { repo, sha } of held) {
      expect(log[0]!.message).toContain(`Kuma-Api-Forge-Source: acme/${repo}@${sha}`);
      await expectRuns('staging', repo, { sha, paths: ['/a'] });
    }
  });
});

describe('each folder reads its own tenants.yaml and governance/', { timeout: 120_000 }, () => {
  it('a repo only the branch root’s tenants.yaml grants deploys nowhere', async () => {
    const before = (await deployLog()).length;
    const a = await merge('rooted', ['/a']);
    expect(await deployLog()).toHaveLength(before);
    expect(await running('staging', 'rooted')).toEqual({ files: [], commit: undefined });
    expect((await mainFiles()).some((path) => path.includes('/acme/rooted/'))).toBe(false);
    const [comment] = deployComments('rooted', a.number);
    expect(comment).toContain('**Not deployed** to platform/deploy@main:envs/staging');
    expect(comment).toContain('acme/rooted');
  });

  it('production’s own governance refuses a promotion staging took', async () => {
    const a = await merge('strict', ['/a']);
    await expectRuns('staging', 'strict', a);
    const before = (await deployLog()).length;
    await tag('strict', 'v1.0.0', a.sha);
    expect(await deployLog()).toHaveLength(before);
    expect(await running('production', 'strict')).toEqual({ files: [], commit: undefined });
    const comment = deployComments('strict', a.number).at(-1);
    expect(comment).toContain('**Not deployed** to production (platform/deploy@main:envs/production)');
    // The rule's file is named relative to the environment's folder, which the first line names.
    expect(comment).toContain('platform rule (governance/limits.yaml acme/strict): GET /a has no rate limit');
  });
});

describe('a source repo cannot write outside its environment’s folder', { timeout: 120_000 }, () => {
  /** Nothing changed on the deploy branch, and the merged PR was told why. */
  async function expectRefused(files: Record<string, string>, branch: string) {
    const before = await mainFiles();
    const commits = (await deployLog()).length;
    const merged = await mergeFiles('climber', files, branch);
    expect(await deployLog()).toHaveLength(commits);
    expect(await mainFiles()).toEqual(before);
    return deployComments('climber', merged.number).at(-1) ?? '';
  }

  it.each([['../../production/apis/acme/shop'], ['..'], ['x/../../../tenants']])(
    'an API named %j is refused: nothing is written in any folder',
    async (name) => {
      const files = buildSourceFiles(apiOptions('climber', ['/a'], 'ok'));
      files['.kuma-api-forge.yaml'] = files['.kuma-api-forge.yaml']!.replace(
        '  - name: ok',
        `  - name: ${JSON.stringify(name)}`,
      );
      const comment = await expectRefused(files, `climb-${name.length}`);
      expect(comment).toContain('**Not deployed** to platform/deploy@main:envs/staging');
    },
  );

  it('a repo named like the other environment’s folder deploys only under staging’s folder', async () => {
    // `acme/production` lands in envs/staging/apis/acme/production/, never in envs/production/.
    await gh.admin.createRepo({ owner: 'acme', repo: 'production', files: { 'README.md': '# p\n' } });
    const before = await mainFiles();
    const outside = before.filter((path) => !path.startsWith(`${folderOf.staging}/`));
    await gh.admin.push({
      owner: 'acme',
      repo: 'production',
      branch: 'p',
      files: buildSourceFiles(apiOptions('production', ['/p'])),
      deliver: false,
    });
    const pr = await gh.admin.openPullRequest({
      owner: 'acme',
      repo: 'production',
      head: 'p',
      deliver: false,
    });
    const merged = await gh.admin.mergePullRequest({
      owner: 'acme',
      repo: 'production',
      number: pr.number,
      deliver: false,
    });
    await deliverEvent(merged.events.find((event) => event.name === 'push')!);
    const added = (await mainFiles()).filter((path) => !before.includes(path));
    expect(added.length).toBeGreaterThan(1);
    for (const path of added) expect(path).toMatch(/^envs\/staging\/apis\/acme\/production\//);
    expect((await mainFiles()).filter((path) => !path.startsWith(`${folderOf.staging}/`))).toEqual(outside);
  });
});

describe('drift: each folder environment is judged on its own', { timeout: 120_000 }, () => {
  const driftRuns = (sha: string) =>
    gh.admin.checkRuns({ ...deployRef, sha }).filter((run) => run.name.startsWith('kuma-api-forge/drift'));

  async function humanPush(files: Record<string, string | null>) {
    const pushed = await gh.admin.push({ ...deployRef, branch: 'main', files, message: 'hand edit' });
    expect(pushed.deliveries.map((d) => [d.event, d.status])).toEqual([['push', 202]]);
    await settle(app);
    return pushed.sha;
  }

  it('a hand edit in production’s folder fails production’s drift run only; staging’s own files stay clean', async () => {
    const [route] = (await running('production', 'shop')).files.filter((path) => path.includes('route'));
    const path = `${folderOf.production}/${route}`;
    const sha = await humanPush({ [path]: `${await read(path)}# hand edit\n` });
    const runs = driftRuns(sha);
    expect(runs.map((run) => [run.name, run.conclusion])).toEqual([
      ['kuma-api-forge/drift (production)', 'failure'],
    ]);
    expect(runs[0]!.output.summary).toContain('platform/deploy@main:envs/production');
    expect(runs[0]!.output.summary).toContain(route!);
  });

  it('a hand edit in staging’s folder is staging’s; an edit of a folder’s tenants.yaml or the root is nobody’s', async () => {
    const [route] = (await running('staging', 'shop')).files.filter((path) => path.includes('route'));
    const path = `${folderOf.staging}/${route}`;
    const sha = await humanPush({ [path]: null });
    expect(driftRuns(sha).map((run) => [run.name, run.conclusion])).toEqual([
      ['kuma-api-forge/drift (staging)', 'failure'],
    ]);
    const platform = await humanPush({
      'envs/production/tenants.yaml': `${tenantsYaml(['shop', 'strict', 'climber'])}# reviewed\n`,
      'README.md': '# deploy\n',
    });
    expect(driftRuns(platform)).toEqual([]);
  });
});

describe('a PR on the deploy branch that changes a folder’s governance', { timeout: 120_000 }, () => {
  const governanceRuns = (sha: string) =>
    gh.admin
      .checkRuns({ ...deployRef, sha })
      .filter((run) => run.name.startsWith('kuma-api-forge governance'));

  /** A PR on the deploy repo with `files`, opened (its webhooks delivered): its head commit. */
  async function openDeployPull(files: Record<string, string>, branch: string) {
    await gh.admin.push({ ...deployRef, branch, files, deliver: false });
    const pr = await gh.admin.openPullRequest({ ...deployRef, head: branch });
    await settle(app);
    return pr.headSha;
  }

  it('is checked against that environment’s deployed repos only, on a run named after it', async () => {
    // Production runs shop (promoted above); staging too. Only production's rules change.
    const sha = await openDeployPull(
      { 'envs/production/governance/limits.yaml': stringify({ all: { requireRateLimit: true } }) },
      'gov-production',
    );
    const runs = governanceRuns(sha);
    expect(runs.map((run) => [run.name, run.conclusion])).toEqual([
      ['kuma-api-forge governance (production)', 'failure'],
    ]);
    expect(runs[0]!.output.summary).toMatch(/❌ `acme\/shop` at `[0-9a-f]{7}`/);
    expect(runs[0]!.output.summary).toContain('platform-rate-limit-required');
  });

  it('an edit of the branch root’s governance/ is no environment’s: no governance run', async () => {
    const sha = await openDeployPull(
      { 'governance/limits.yaml': stringify({ all: { maxRetries: 0 } }) },
      'gov-root',
    );
    expect(governanceRuns(sha)).toEqual([]);
  });

  it('an invalid governance file in staging’s folder fails staging’s run, annotated at its full path', async () => {
    const limits = 'all:\n  maxTimeout: 10s\n  requireAuth: sometimes\n';
    const sha = await openDeployPull({ 'envs/staging/governance/limits.yaml': limits }, 'gov-staging');
    const runs = governanceRuns(sha);
    expect(runs.map((run) => [run.name, run.conclusion])).toEqual([
      ['kuma-api-forge governance (staging)', 'failure'],
    ]);
    expect(runs[0]!.annotations).toContainEqual(
      expect.objectContaining({
        path: 'envs/staging/governance/limits.yaml',
        start_line: 3,
        title: 'governance-file-invalid',
      }),
    );
  });
});

describe('overlapping folders: the App refuses to start', () => {
  const env = (list: unknown[]) => ({
    GITHUB_APP_ID: '1',
    GITHUB_APP_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----',
    GITHUB_WEBHOOK_SECRET: 's',
    DEPLOY_ENVIRONMENTS: stringify(list),
  });
  const production = { name: 'production', repo: 'platform/deploy', branch: 'main', promote: { tag: 'v*' } };

  it.each([
    [{ path: 'envs' }, { path: 'envs/production' }, 'overlap'],
    [{}, { path: 'envs/production' }, 'staging takes its root'],
    [{ path: 'envs/x/../production' }, { path: 'envs/production' }, 'path must be a folder of the branch'],
  ])('%j beside %j: %s', (staging, prod, error) => {
    expect(() =>
      loadSettings(
        env([
          { name: 'staging', repo: 'platform/deploy', branch: 'main', ...staging },
          { ...production, ...prod },
        ]),
      ),
    ).toThrow(new RegExp(`^DEPLOY_ENVIRONMENTS environment [12]: .*${error}`));
  });
});
