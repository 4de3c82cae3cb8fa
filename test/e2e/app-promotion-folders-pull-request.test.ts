/**
 * Environments as folders of one deploy branch in pull-request deploy mode, end to end: each environment's deploy
 * PRs have branches of their own (`kuma-api-forge-<environment>/<owner>/<repo>`) whose changes stay under its
 * folder; a batch of merges opens one PR per source repo for staging; merging them is not drift; a tag opens
 * production's PR next to staging's. Signed webhooks → Hono → queue → worker → real Octokit → the local GitHub.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { parseEnvironments } from '../../shared/core/deploy/environments.js';
import type { DeployJob } from '../../shared/core/jobs.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { apiOptions, mergeHeldBack, settle, tenantsYaml } from '../helpers/promotion.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const repos = ['shop', 'books'] as const;
const environments = parseEnvironments(
  stringify([
    { name: 'staging', repo: 'platform/deploy', path: 'envs/staging' },
    { name: 'production', repo: 'platform/deploy', path: 'envs/production', promote: { tag: 'v*' } },
  ]),
);
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

const tenants = tenantsYaml(repos);

beforeAll(async () => {
  if ('error' in environments) throw new Error(environments.error);
  harness = await startAppOnLocalGitHub({
    deploy: {
      ...deployRef,
      files: { 'envs/staging/tenants.yaml': tenants, 'envs/production/tenants.yaml': tenants },
    },
    settings: { deployMode: 'pull-request', environments: environments.environments },
  });
  ({ gh, app } = harness);
  for (const repo of repos)
    await gh.admin.createRepo({ owner: 'acme', repo, files: { 'README.md': `# ${repo}\n` } });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

/** A merged PR whose push is held back: the deploy job it would enqueue. */
async function merge(repo: string, paths: string[]) {
  const ref = { owner: 'acme', repo };
  const { sha, push } = await mergeHeldBack(gh, repo, buildSourceFiles(apiOptions(repo, paths)), 'change');
  const job: DeployJob = {
    type: 'deploy',
    deliveryId: `merge-${repo}`,
    event: 'push',
    installationId: (push.payload as { installation: { id: number } }).installation.id,
    repository: ref,
    sha,
  };
  return { job, sha };
}

/** The open deploy PRs: number, head branch and the paths their head changed against the deploy branch. */
async function deployPulls() {
  const pulls = [];
  for (let number = 1; ; number += 1) {
    let pull: ReturnType<typeof gh.admin.pullRequest>;
    try {
      pull = gh.admin.pullRequest({ ...deployRef, number });
    } catch {
      break;
    }
    if (pull.state !== 'open') continue;
    const [head, base] = await Promise.all(
      [pull.headRef, 'main'].map((ref) => gh.admin.listFiles({ ...deployRef, ref })),
    );
    const changed = [];
    for (const path of new Set([...head!, ...base!])) {
      const [a, b] = await Promise.all(
        [pull.headRef, 'main'].map((ref) => gh.admin.readFile({ ...deployRef, ref, path })),
      );
      if (a !== b) changed.push(path);
    }
    pulls.push({ number, head: pull.headRef, changed: changed.sort() });
  }
  return pulls;
}

describe('folders of one branch in pull-request mode', { timeout: 120_000 }, () => {
  it('a batch of merges opens one staging PR per source repo, on branches of staging’s own, changing only staging’s folder', async () => {
    const merged = await Promise.all(repos.map((repo) => merge(repo, ['/a'])));
    const main = await gh.admin.resolve({ ...deployRef, ref: 'main' });
    await Promise.all(merged.map(({ job }) => app.queue.enqueue(job)));
    await settle(app);
    expect(await gh.admin.resolve({ ...deployRef, ref: 'main' })).toBe(main);
    const pulls = await deployPulls();
    expect(pulls.map((pull) => pull.head).sort()).toEqual([
      'kuma-api-forge-staging/acme/books',
      'kuma-api-forge-staging/acme/shop',
    ]);
    for (const pull of pulls) {
      const repo = pull.head.split('/').at(-1);
      expect(pull.changed.length).toBeGreaterThan(1);
      for (const path of pull.changed) expect(path).toMatch(new RegExp(`^envs/staging/apis/acme/${repo}/`));
    }
  });

  it('merging them is not drift; a tag then opens production’s PR on a branch of its own, changing only production’s folder', async () => {
    for (const pull of await deployPulls()) {
      const merged = await gh.admin.mergePullRequest({ ...deployRef, number: pull.number });
      await settle(app);
      expect(
        gh.admin
          .checkRuns({ ...deployRef, sha: merged.sha })
          .filter((run) => run.name.startsWith('kuma-api-forge/drift')),
      ).toEqual([]);
    }
    const files = await gh.admin.listFiles({ ...deployRef, ref: 'main' });
    for (const repo of repos) expect(files).toContain(`envs/staging/apis/acme/${repo}/.source.yaml`);
    expect(files.filter((path) => path.startsWith('envs/production/apis/'))).toEqual([]);

    const record = await gh.admin.readFile({
      ...deployRef,
      ref: 'main',
      path: 'envs/staging/apis/acme/shop/.source.yaml',
    });
    const sha = /commit: ([0-9a-f]{40})/.exec(record ?? '')![1]!;
    const tagged = await gh.admin.pushTag({ owner: 'acme', repo: 'shop', tag: 'v1.0.0', sha });
    expect(tagged.deliveries.map((d) => d.status)).toEqual([202]);
    await settle(app);
    const [production, ...others] = await deployPulls();
    expect(others).toEqual([]);
    expect(production!.head).toBe('kuma-api-forge-production/acme/shop');
    expect(production!.changed.length).toBeGreaterThan(1);
    for (const path of production!.changed) expect(path).toMatch(/^envs\/production\/apis\/acme\/shop\//);
  });
});
