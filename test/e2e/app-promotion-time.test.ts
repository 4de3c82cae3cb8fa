/**
 * Promotion after a time end to end: `DEPLOY_ENVIRONMENTS` names two branches of one deploy repo, staging (merges
 * deploy there) and production (`promote: {after: 24h}`). Signed webhooks → Hono → queue → worker → real Octokit
 * → the local GitHub; the sweep is the App's own (`LocalApp.sweepPromotions`), given the time the soaks are
 * measured against, while GitHub dates the App's commits with the wall clock. Each case asserts what the platform
 * sees: production's files and `.source.yaml`, its log, and the comments on the merged PR. The decision table is
 * in test/unit/deploy/time-promotion.test.ts.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { parseEnvironments } from '../../shared/core/deploy/environments.js';
import { parseSourceRecord, renderSourceRecord } from '../../shared/core/deploy/source-record.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { githubContract } from '../helpers/local-github.js';
import { expectRunning, mergeApi, runningOf, settle, tenantsYaml } from '../helpers/promotion.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const deployMarker = '<!-- kuma-api-forge:deploy -->';
const repos = ['shop', 'forged', 'backdated', 'failing'] as const;
const hour = 3_600_000;
const environments = parseEnvironments(
  stringify([
    { name: 'staging', repo: 'platform/deploy', branch: 'staging' },
    { name: 'production', repo: 'platform/deploy', branch: 'main', promote: { after: '24h' } },
  ]),
);
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;
let appBot: string;

const tenants = tenantsYaml(repos);

beforeAll(async () => {
  if ('error' in environments) throw new Error(environments.error);
  harness = await startAppOnLocalGitHub({
    deploy: { ...deployRef, files: { 'tenants.yaml': tenants } },
    settings: { deployBranch: 'staging', environments: environments.environments },
  });
  ({ gh, app } = harness);
  appBot = `${harness.credentials.slug}[bot]`;
  await gh.admin.push({
    ...deployRef,
    branch: 'staging',
    files: { 'tenants.yaml': tenants },
    deliver: false,
  });
  for (const repo of repos)
    await gh.admin.createRepo({ owner: 'acme', repo, files: { 'README.md': `# ${repo}\n` } });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

/** A PR setting the API's paths, merged; its push delivered (it deploys to staging) unless `deliver: false`. */
async function merge(repo: string, paths: string[], deliver = true) {
  const merged = await mergeApi(gh, repo, paths);
  if (deliver) {
    expect((await gh.admin.deliver(merged.push)).status).toBe(202);
    await settle(app);
  }
  return { sha: merged.sha, number: merged.number, paths };
}

/** The sweep as the schedule runs it, `offsetMs` from now: the time the soaks are measured against. */
async function sweep(offsetMs: number) {
  await app.sweepPromotions(new Date(Date.now() + offsetMs));
  await settle(app);
}

const branchOf = { staging: 'staging', production: 'main' } as const;
type Env = keyof typeof branchOf;
const recordPath = (repo: string) => `apis/acme/${repo}/.source.yaml`;

const placeOf = (env: Env) => ({ ...deployRef, ref: branchOf[env] });
/** What an environment runs for `repo`: the files under its folder and the commit its `.source.yaml` records. */
const running = (env: Env, repo: string) => runningOf(gh, placeOf(env), repo);
/** The environment holds exactly the render of `paths` for `repo`, recorded as made from `sha`. */
const expectRuns = (env: Env, repo: string, merged: { sha: string; paths: string[] }) =>
  expectRunning(gh, placeOf(env), repo, merged);

const nothingOf = { files: [], commit: undefined };
const productionLog = () => gh.admin.log({ ...deployRef, ref: 'main' });
const stagingHead = async () => (await gh.admin.log({ ...deployRef, ref: 'staging' }))[0]!;
const deployComments = (repo: string, number: number) =>
  gh.admin
    .comments({ owner: 'acme', repo, number })
    .filter((c) => c.body.startsWith(deployMarker))
    .map((c) => c.body);

describe('staging → production 24h after the staging deploy', { timeout: 120_000 }, () => {
  it('not before the time; after it the production deploy commit appears with provenance; a new deploy restarts the soak', async () => {
    const repo = 'shop';
    const a = await merge(repo, ['/a']);
    await expectRuns('staging', repo, a);
    const commits = (await productionLog()).length;

    // 23 hours after the staging deploy: nothing moves.
    await sweep(23 * hour);
    expect(await running('production', repo)).toEqual(nothingOf);
    expect(await productionLog()).toHaveLength(commits);

    // 24 hours after it (and a minute): production runs A, with its own provenance, written by the App.
    await sweep(24 * hour + 60_000);
    await expectRuns('production', repo, a);
    const log = await productionLog();
    expect(log).toHaveLength(commits + 1);
    expect(log[0]!.author.name).toBe(appBot);
    expect(log[0]!.message).toContain(`Source: acme/shop commit ${a.sha}`);
    expect(deployComments(repo, a.number)).toEqual([
      expect.stringContaining('deployed to platform/deploy@staging in commit'),
      expect.stringContaining('deployed to production (platform/deploy@main) in commit'),
    ]);

    // B deploys to staging now: its soak starts now, not at A's deploy.
    const b = await merge(repo, ['/a', '/b']);
    await expectRuns('staging', repo, b);
    await sweep(12 * hour);
    await expectRuns('production', repo, a);
    await sweep(24 * hour + 60_000);
    await expectRuns('production', repo, b);

    // Already there: later sweeps write nothing.
    const after = (await productionLog()).length;
    await sweep(48 * hour);
    expect(await productionLog()).toHaveLength(after);
  });
});

describe('time promotion attacks: nothing reaches production', { timeout: 120_000 }, () => {
  it('a hand-pushed .source.yaml claiming a commit that never deployed to staging starts no soak', async () => {
    const repo = 'forged';
    const a = await merge(repo, ['/a']);
    await expectRuns('staging', repo, a);
    const b = await merge(repo, ['/a', '/b'], false); // merged, never deployed
    const record = await gh.admin.readFile({ ...deployRef, ref: 'staging', path: recordPath(repo) });
    const forged = renderSourceRecord({ ...parseSourceRecord(record!)!, commit: b.sha });
    await gh.admin.push({
      ...deployRef,
      branch: 'staging',
      files: { [recordPath(repo)]: forged },
      message: 'Deploy acme/forged',
      deliver: false,
    });
    expect((await running('staging', repo)).commit).toBe(b.sha);
    const commits = (await productionLog()).length;
    // Long past both A's deploy and the hand push: neither B (claimed) nor A (replaced by hand) is promoted.
    await sweep(72 * hour);
    expect(await running('production', repo)).toEqual(nothingOf);
    expect(await productionLog()).toHaveLength(commits);
  });

  it('a back-dated commit made to look like the App’s (its bot as author, dated three days ago) starts no soak', async () => {
    const repo = 'backdated';
    const a = await merge(repo, ['/a']);
    await expectRuns('staging', repo, a);
    const b = await merge(repo, ['/a', '/b'], false);
    const record = await gh.admin.readFile({ ...deployRef, ref: 'staging', path: recordPath(repo) });
    const threeDaysAgo = new Date(Date.now() - 72 * hour).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await gh.admin.push({
      ...deployRef,
      branch: 'staging',
      files: { [recordPath(repo)]: renderSourceRecord({ ...parseSourceRecord(record!)!, commit: b.sha }) },
      message: 'Deploy acme/backdated',
      author: appBot,
      date: threeDaysAgo,
      deliver: false,
    });
    const head = await stagingHead();
    expect([head.author.name, head.committer.date]).toEqual([appBot, threeDaysAgo]);
    const commits = (await productionLog()).length;
    // An hour from now: three days after the forged date; A's real deploy's soak is not over either.
    await sweep(hour);
    expect(await running('production', repo)).toEqual(nothingOf);
    // Even once any soak would be over, the forged record is no deploy of the App's.
    await sweep(72 * hour);
    expect(await running('production', repo)).toEqual(nothingOf);
    expect(await productionLog()).toHaveLength(commits);
    // The App's next deploy writes its own record again: that one soaks and promotes.
    const c = await merge(repo, ['/a', '/c']);
    await expectRuns('staging', repo, c);
    await sweep(24 * hour + 60_000);
    await expectRuns('production', repo, c);
  });

  it('a failing commit status of the cluster agent on the staging deploy holds it until a newer one succeeds', async () => {
    const repo = 'failing';
    const a = await merge(repo, ['/a']);
    await expectRuns('staging', repo, a);
    const deployCommit = await stagingHead();
    const status = (state: 'failure' | 'success' | 'error') =>
      gh.admin.setCommitStatus({
        ...deployRef,
        sha: deployCommit.sha,
        context: 'kustomization/apps',
        state,
        login: 'flux',
      });
    status('failure');
    const commits = (await productionLog()).length;
    await sweep(25 * hour);
    expect(await running('production', repo)).toEqual(nothingOf);
    status('error');
    await sweep(26 * hour);
    expect(await productionLog()).toHaveLength(commits);
    // The next sync of the same revision succeeds: the latest status counts.
    status('success');
    await sweep(27 * hour);
    await expectRuns('production', repo, a);
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
    // The sweep read who made the staging deploys and the statuses on them.
    const read = new Set(gh.requests.map((r) => r.operationId));
    expect(
      [
        'repos/list-commits',
        'repos/get-combined-status-for-ref',
        'checks/list-for-ref',
        'apps/get-authenticated',
      ].filter((id) => !read.has(id)),
    ).toEqual([]);
  });
});
