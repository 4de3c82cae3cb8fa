/**
 * Promotion by approval, end to end: pull-request deploy mode, staging and production each a deploy repo of its
 * own, production promoted by `{approval: true}`. A merge in a source repo opens the App's deploy PR on staging;
 * when a writer approves its head and it is merged, the same source commit is deployed to production (here, as
 * production's own deploy PR). The attacks assert production got nothing and what the deploy PR says.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { parseEnvironments } from '../../shared/core/deploy/environments.js';
import { parseSourceRecord } from '../../shared/core/deploy/source-record.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { githubContract } from '../helpers/local-github.js';
import { apiOptions, settle, tenantsYaml } from '../helpers/promotion.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const staging = { owner: 'platform', repo: 'deploy-staging' };
const production = { owner: 'platform', repo: 'deploy-prod' };
const repos = ['shop', 'readonly', 'requested', 'edited', 'forged', 'stale'] as const;
const marker = '<!-- kuma-api-forge:deploy -->';
const environments = parseEnvironments(
  stringify([
    { name: 'staging', repo: 'platform/deploy-staging' },
    { name: 'production', repo: 'platform/deploy-prod', promote: { approval: true } },
  ]),
);
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

const tenants = tenantsYaml(repos);

beforeAll(async () => {
  if ('error' in environments) throw new Error(environments.error);
  harness = await startAppOnLocalGitHub({
    deploy: { ...staging, files: { 'tenants.yaml': tenants } },
    settings: { deployMode: 'pull-request', environments: environments.environments },
  });
  ({ gh, app } = harness);
  await gh.admin.createRepo({ ...production, files: { 'tenants.yaml': tenants } });
  gh.admin.setCollaborator({ ...staging, login: 'lead', role: 'write' });
  gh.admin.setCollaborator({ ...staging, login: 'sre', role: 'maintain' });
  gh.admin.setCollaborator({ ...staging, login: 'reader', role: 'read' });
  for (const repo of repos)
    await gh.admin.createRepo({ owner: 'acme', repo, files: { 'README.md': `# ${repo}\n` } });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

/** A merge in acme/<repo>: the App proposes its deploy to staging as a PR. Returns the commit and that PR. */
async function mergeSource(repo: string, paths: string[]) {
  const branch = `set-${paths.join('-').replace(/[^a-z0-9-]/g, '')}`;
  await gh.admin.push({
    owner: 'acme',
    repo,
    branch,
    files: buildSourceFiles(apiOptions(repo, paths)),
    deliver: false,
  });
  const pr = await gh.admin.openPullRequest({ owner: 'acme', repo, head: branch, deliver: false });
  const merged = await gh.admin.mergePullRequest({ owner: 'acme', repo, number: pr.number });
  await settle(app);
  const pull = deployPull(staging, repo);
  expect(pull).toBeDefined();
  return { sha: merged.sha, deployPull: pull!.number };
}

/** The open PR of the App on `deploy` for acme/<repo>, if any. */
function deployPull(deploy: typeof staging, repo: string) {
  for (let number = 1; ; number++) {
    try {
      const pull = gh.admin.pullRequest({ ...deploy, number });
      if (pull.state === 'open' && pull.headRef === `kuma-api-forge/acme/${repo}`) return pull;
    } catch {
      return undefined;
    }
  }
}

/** The source commit production's deploy PR for acme/<repo> records (undefined: production got nothing). */
async function productionRuns(repo: string) {
  const text = await gh.admin.readFile({
    ...production,
    ref: `kuma-api-forge/acme/${repo}`,
    path: `apis/acme/${repo}/.source.yaml`,
  });
  return text === undefined ? undefined : parseSourceRecord(text)?.commit;
}

async function review(number: number, login: string, event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT') {
  const outcome = await gh.admin.submitReview({ ...staging, number, login, event });
  // The review itself starts nothing (the merge of the approved PR promotes): GitHub's delivery is answered 200.
  expect(outcome.deliveries.map((d) => d.status)).toEqual([200]);
  await settle(app);
}

async function mergeDeployPull(number: number) {
  const merged = await gh.admin.mergePullRequest({ ...staging, number });
  await settle(app);
  return merged;
}

const deployPullComments = (number: number) =>
  gh.admin
    .comments({ ...staging, number })
    .filter((c) => c.body.startsWith(marker))
    .map((c) => c.body);

describe('staging → production by an approved deploy PR', { timeout: 120_000 }, () => {
  it('a writer approves the deploy PR’s head, it is merged: production gets the same source commit', async () => {
    const { sha, deployPull: number } = await mergeSource('shop', ['/a']);
    expect(await productionRuns('shop')).toBeUndefined();
    await review(number, 'lead', 'APPROVE');
    expect(await productionRuns('shop')).toBeUndefined(); // an approval alone promotes nothing
    await mergeDeployPull(number);
    expect(await productionRuns('shop')).toBe(sha);
    expect(deployPull(production, 'shop')?.title).toBeDefined();
    // The same manifests as staging's (both render the same commit under equal grants).
    const folder = 'apis/acme/shop/';
    const stagingFiles = (await gh.admin.listFiles({ ...staging, ref: 'main' })).filter((p) =>
      p.startsWith(folder),
    );
    const productionFiles = (
      await gh.admin.listFiles({ ...production, ref: 'kuma-api-forge/acme/shop' })
    ).filter((p) => p.startsWith(folder));
    expect(productionFiles.sort()).toEqual(stagingFiles.sort());
    for (const path of stagingFiles.filter((p) => !p.endsWith('.source.yaml')))
      expect(await gh.admin.readFile({ ...production, ref: 'kuma-api-forge/acme/shop', path })).toBe(
        await gh.admin.readFile({ ...staging, ref: 'main', path }),
      );
  });
});

describe('approval attacks: production gets nothing', { timeout: 120_000 }, () => {
  it('an approval by a reader does not count', async () => {
    const { deployPull: number } = await mergeSource('readonly', ['/a']);
    await review(number, 'reader', 'APPROVE');
    await mergeDeployPull(number);
    expect(await productionRuns('readonly')).toBeUndefined();
    expect(deployPullComments(number).at(-1)).toContain(
      '**Not promoted** to production: this deploy PR was merged, but no one with write access to this repo approved its head commit',
    );
  });

  it('an approval of an earlier head: the App’s next deploy updated the PR, which was merged unreviewed', async () => {
    const { deployPull: number } = await mergeSource('stale', ['/a']);
    await review(number, 'lead', 'APPROVE');
    const second = await mergeSource('stale', ['/a', '/b']);
    expect(second.deployPull).toBe(number); // the same PR, a new head
    await mergeDeployPull(number);
    expect(await productionRuns('stale')).toBeUndefined();
    expect(deployPullComments(number).at(-1)).toContain(
      'no one with write access to this repo approved its head commit',
    );
  });

  it('a writer’s “changes requested” blocks another writer’s approval', async () => {
    const { deployPull: number } = await mergeSource('requested', ['/a']);
    await review(number, 'lead', 'APPROVE');
    await review(number, 'sre', 'REQUEST_CHANGES');
    await mergeDeployPull(number);
    expect(await productionRuns('requested')).toBeUndefined();
    expect(deployPullComments(number).at(-1)).toContain('`sre` requested changes');
  });

  it('a person pushes to the App’s deploy PR (a hand edit and a forged .source.yaml), a writer approves: refused', async () => {
    const { deployPull: number } = await mergeSource('edited', ['/a']);
    const { sha: other } = await mergeSource('shop', ['/a', '/b']); // a commit of another repo, never approved
    const branch = 'kuma-api-forge/acme/edited';
    const record = (await gh.admin.readFile({
      ...staging,
      ref: branch,
      path: 'apis/acme/edited/.source.yaml',
    }))!;
    const commit = parseSourceRecord(record)!.commit;
    await gh.admin.push({
      ...staging,
      branch,
      files: { 'apis/acme/edited/.source.yaml': record.replace(commit, other) },
    });
    await settle(app);
    await review(number, 'lead', 'APPROVE');
    await mergeDeployPull(number);
    expect(await productionRuns('edited')).toBeUndefined();
    expect(deployPullComments(number).at(-1)).toContain(
      '`octocat` pushed commits to it after the App: hand-edited content is never promoted on an approval',
    );
  });

  it('the App’s deploy PR closed unmerged, even approved, promotes nothing', async () => {
    const { deployPull: number } = await mergeSource('forged', ['/a']);
    await review(number, 'lead', 'APPROVE');
    const closed = await gh.admin.closePullRequest({ ...staging, number });
    expect(closed.deliveries.map((d) => d.status)).toEqual([200]);
    await settle(app);
    expect(await productionRuns('forged')).toBeUndefined();
  });

  it('a person’s PR of the App’s own branch and commit, approved and merged, promotes nothing, silently', async () => {
    // The App's PR for acme/forged is closed (above): a person reopens its branch as a PR of their own.
    const pr = await gh.admin.openPullRequest({
      ...staging,
      head: 'kuma-api-forge/acme/forged',
      deliver: false,
    });
    expect(gh.admin.pullRequest({ ...staging, number: pr.number }).user.login).toBe('octocat');
    await review(pr.number, 'lead', 'APPROVE');
    await mergeDeployPull(pr.number);
    expect(await productionRuns('forged')).toBeUndefined();
    expect(deployPullComments(pr.number)).toEqual([]);
  });

  it('an approved PR from another branch (a copy of the App’s) promotes nothing, silently', async () => {
    const { deployPull: number } = await mergeSource('forged', ['/a', '/b']);
    await gh.admin.push({
      ...staging,
      branch: 'forged-copy',
      from: 'kuma-api-forge/acme/forged',
      files: { 'notes.md': 'by hand\n' },
      deliver: false,
    });
    const pr = await gh.admin.openPullRequest({ ...staging, head: 'forged-copy', deliver: false });
    await review(pr.number, 'lead', 'APPROVE');
    await mergeDeployPull(pr.number);
    expect(await productionRuns('forged')).toBeUndefined();
    expect(deployPullComments(pr.number)).toEqual([]);
    expect(deployPull(staging, 'forged')?.number).toBe(number);
  });
});

describe('every exchange with GitHub', () => {
  it('matches GitHub’s OpenAPI description', () => {
    const validator = githubContract();
    const problems = gh.requests.flatMap((r) => [
      ...(r.requestBody === undefined ? [] : validator.validateRequest(r.operationId!, r.requestBody)),
      ...validator.validateResponse(r.operationId!, r.status, r.responseBody),
    ]);
    expect(problems).toEqual([]);
  });
});
