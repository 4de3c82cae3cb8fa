/**
 * Environments end to end: staging → production promotion by a release tag. Signed webhooks → Hono → queue →
 * worker → real Octokit → the local GitHub, with `DEPLOY_ENVIRONMENTS` naming two branches of one deploy repo
 * (staging deploys from merges, production from a `v*` tag). Each case asserts what the platform and the API team
 * see: each environment's files and `.source.yaml`, the deploy repo's log, and the comments on the merged PR.
 * The decision table itself is in test/unit/deploy/environments.test.ts.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub, WebhookEvent } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { parseEnvironments } from '../../shared/core/deploy/environments.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { githubContract } from '../helpers/local-github.js';
import { apiOptions, expectRunning, mergeApi, runningOf, settle, tenantsYaml } from '../helpers/promotion.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const deployMarker = '<!-- kuma-api-forge:deploy -->';
const repos = ['shop', 'early', 'moved', 'intruder'] as const;
const environments = parseEnvironments(
  stringify([
    { name: 'staging', repo: 'platform/deploy', branch: 'staging' },
    { name: 'production', repo: 'platform/deploy', branch: 'main', promote: { tag: 'v*' } },
  ]),
);
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;
/** shop's first merge, promoted by v1.0.0 (then superseded in production by its second). */
let shopFirst: { sha: string; number: number };

beforeAll(async () => {
  if ('error' in environments) throw new Error(environments.error);
  harness = await startAppOnLocalGitHub({
    deploy: {
      ...deployRef,
      files: { 'tenants.yaml': tenantsYaml(repos.filter((repo) => repo !== 'intruder')) },
    },
    settings: { deployBranch: 'staging', environments: environments.environments },
  });
  ({ gh, app } = harness);
  await gh.admin.push({
    ...deployRef,
    branch: 'staging',
    files: { 'tenants.yaml': tenantsYaml(repos) },
    deliver: false,
  });
  for (const repo of repos)
    await gh.admin.createRepo({ owner: 'acme', repo, files: { 'README.md': `# ${repo}\n` } });
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

/** A PR setting the API's paths, merged, its push delivered (it deploys to staging) unless `deliver: false`. */
async function merge(repo: string, paths: string[], deliver = true) {
  const merged = await mergeApi(gh, repo, paths);
  if (deliver) await deliverEvent(merged.push);
  return { ...merged, paths };
}

async function deliverEvent(event: WebhookEvent) {
  expect((await gh.admin.deliver(event)).status).toBe(202);
  await settle(app);
}

/** Creates, moves or (`null`) deletes a tag; its push is delivered (a deletion is ignored: 200, no job). */
async function tag(repo: string, name: string, sha: string | null, message?: string) {
  const pushed = await gh.admin.pushTag({
    owner: 'acme',
    repo,
    tag: name,
    sha,
    ...(message ? { message } : {}),
  });
  expect(pushed.deliveries.map((d) => d.status)).toEqual([sha === null ? 200 : 202]);
  await settle(app);
}

const branchOf = { staging: 'staging', production: 'main' } as const;
type Env = keyof typeof branchOf;

const placeOf = (env: Env) => ({ ...deployRef, ref: branchOf[env] });
/** What an environment runs for `repo`: the files under its folder and the commit its `.source.yaml` records. */
const running = (env: Env, repo: string) => runningOf(gh, placeOf(env), repo);
/** The environment holds exactly the render of `paths` for `repo`, recorded as made from `sha`. */
const expectRuns = (env: Env, repo: string, merged: { sha: string; paths: string[] }) =>
  expectRunning(gh, placeOf(env), repo, merged);

const productionLog = () => gh.admin.log({ ...deployRef, ref: 'main' });
const deployComments = (repo: string, number: number) =>
  gh.admin
    .comments({ owner: 'acme', repo, number })
    .filter((c) => c.body.startsWith(deployMarker))
    .map((c) => c.body);

describe('staging → production by a release tag', { timeout: 120_000 }, () => {
  it('a merge deploys to staging only; a v* tag on it promotes it to production; the next tag the next commit', async () => {
    const repo = 'shop';
    const a = await merge(repo, ['/a']);
    await expectRuns('staging', repo, a);
    expect(await running('production', repo)).toEqual({ files: [], commit: undefined });
    expect(deployComments(repo, a.number)).toEqual([
      expect.stringContaining('deployed to platform/deploy@staging in commit'),
    ]);

    await tag(repo, 'v1.0.0', a.sha);
    shopFirst = a;
    await expectRuns('production', repo, a);
    await expectRuns('staging', repo, a);
    expect(deployComments(repo, a.number)).toEqual([
      expect.stringContaining('deployed to platform/deploy@staging in commit'),
      expect.stringContaining('deployed to production (platform/deploy@main) in commit'),
    ]);

    // A tag that matches no rule promotes nothing.
    const b = await merge(repo, ['/a', '/b']);
    const commits = (await productionLog()).length;
    await tag(repo, 'nightly-1', b.sha);
    expect(await productionLog()).toHaveLength(commits);
    await expectRuns('production', repo, a);

    // An annotated tag (`git tag -a`): its ref names a tag object, read down to the commit.
    await tag(repo, 'v1.1.0', b.sha, 'Release 1.1.0');
    await expectRuns('production', repo, b);
    await expectRuns('staging', repo, b);
  });
});

describe('the PR comment shows what each environment would get', { timeout: 120_000 }, () => {
  /** Opens a PR setting the API's paths (its webhooks delivered: the check runs) and returns its sticky comment. */
  async function commentOfPr(repo: string, paths: string[]) {
    const branch = `preview-${paths.join('-').replace(/[^a-z0-9-]/g, '')}`;
    await gh.admin.push({
      owner: 'acme',
      repo,
      branch,
      files: buildSourceFiles(apiOptions(repo, paths)),
      deliver: false,
    });
    const pr = await gh.admin.openPullRequest({ owner: 'acme', repo, head: branch });
    await settle(app);
    const [comment] = gh.admin
      .comments({ owner: 'acme', repo, number: pr.number })
      .filter((c) => c.body.startsWith('<!-- kuma-api-forge -->'));
    return comment!.body;
  }

  it('the merge’s changes for staging, then production’s counts against what it runs and the tag that promotes', async () => {
    const body = await commentOfPr('shop', ['/a', '/b', '/c']);
    const mesh = body.indexOf('### Mesh changes');
    const later = body.indexOf('#### Later environments');
    expect(mesh).toBeGreaterThan(0);
    expect(later).toBeGreaterThan(mesh);
    // Production runs B (/a, /b) like staging: adding /c changes something there too.
    const [, added, changed, removed] =
      /- \*\*production\*\* \(platform\/deploy@main\): (\d+) added, (\d+) changed, (\d+) removed against what it runs now, once it runs in staging and a tag matching `v\*` is pushed on it\./.exec(
        body.slice(later),
      ) ?? [];
    expect(Number(added) + Number(changed) + Number(removed)).toBeGreaterThan(0);
  });

  it('a repo production does not grant: the comment says production would refuse the promotion', async () => {
    const body = await commentOfPr('intruder', ['/a', '/z']);
    expect(body).toContain(
      '- **production** (platform/deploy@main): ⛔ would refuse it, 1 problem against its own tenants.yaml',
    );
  });
});

describe('promotion attacks: nothing is written, and the merged PR says why', { timeout: 120_000 }, () => {
  it('a tag on a commit that never reached staging (its deploy has not run) is refused', async () => {
    const repo = 'early';
    const a = await merge(repo, ['/a']);
    const b = await merge(repo, ['/a', '/b'], false); // merged, its push not delivered: staging still runs A
    const commits = (await productionLog()).length;
    await tag(repo, 'v2.0.0', b.sha);
    expect(await productionLog()).toHaveLength(commits);
    expect(await running('production', repo)).toEqual({ files: [], commit: undefined });
    await expectRuns('staging', repo, a);
    const [comment] = deployComments(repo, b.number);
    expect(comment).toContain('**Not promoted** to production: tag `v2.0.0`');
    expect(comment).toContain(
      `staging runs \`${a.sha.slice(0, 7)}\`, which neither is \`${b.sha.slice(0, 7)}\` nor contains it`,
    );

    // Once B runs in staging, a new push of a tag on it promotes it.
    await deliverEvent(b.push);
    await expectRuns('staging', repo, b);
    await tag(repo, 'v2.0.1', b.sha);
    await expectRuns('production', repo, b);
  });

  it('a tag on a commit older than what production runs is refused (production keeps the newer one)', async () => {
    const repo = 'shop';
    const a = shopFirst.sha;
    const b = await running('production', repo);
    expect(b.commit).not.toBe(a);
    const commits = (await productionLog()).length;
    await tag(repo, 'v0.9.0', a);
    expect(await productionLog()).toHaveLength(commits);
    expect(await running('production', repo)).toEqual(b);
    expect(deployComments(repo, shopFirst.number).at(-1)).toContain(
      `production runs \`${b.commit!.slice(0, 7)}\`, a newer commit: an older commit never overwrites a newer one`,
    );
  });

  it('a tag deleted and re-pushed on another commit: the first push’s late event promotes nothing', async () => {
    const repo = 'moved';
    const a = await merge(repo, ['/a']);
    const b = await merge(repo, ['/a', '/b']);
    await expectRuns('staging', repo, b);
    const first = await gh.admin.pushTag({ owner: 'acme', repo, tag: 'v3.0.0', sha: a.sha, deliver: false });
    await tag(repo, 'v3.0.0', null); // deleted: ignored
    const second = await gh.admin.pushTag({ owner: 'acme', repo, tag: 'v3.0.0', sha: b.sha, deliver: false });
    const commits = (await productionLog()).length;
    await deliverEvent(first.events[0]!);
    expect(await productionLog()).toHaveLength(commits);
    expect(await running('production', repo)).toEqual({ files: [], commit: undefined });
    expect(deployComments(repo, a.number).at(-1)).toContain(
      `the tag no longer names \`${a.sha.slice(0, 7)}\`: it was deleted or moved since this push`,
    );
    await deliverEvent(second.events[0]!);
    await expectRuns('production', repo, b);
  });

  it('a repo production’s tenants.yaml does not grant: staging runs it, the promotion is rejected', async () => {
    const repo = 'intruder';
    const a = await merge(repo, ['/a']);
    await expectRuns('staging', repo, a);
    const commits = (await productionLog()).length;
    await tag(repo, 'v1.0.0', a.sha);
    expect(await productionLog()).toHaveLength(commits);
    expect(await running('production', repo)).toEqual({ files: [], commit: undefined });
    const comment = deployComments(repo, a.number).at(-1);
    expect(comment).toContain('**Not deployed** to production (platform/deploy@main)');
    expect(comment).toContain('acme/intruder');
  });

  it('a forged tag push (bad signature) is refused with 401 and enqueues nothing', async () => {
    const repo = 'moved';
    const c = await merge(repo, ['/a', '/b', '/c']);
    await expectRuns('staging', repo, c);
    const before = await running('production', repo);
    const held = await gh.admin.pushTag({ owner: 'acme', repo, tag: 'v9.9.9', sha: c.sha, deliver: false });
    const commits = (await productionLog()).length;
    const delivery = await gh.admin.deliver(held.events[0]!, { signature: `sha256=${'0'.repeat(64)}` });
    expect(delivery.status).toBe(401);
    await settle(app);
    expect(await productionLog()).toHaveLength(commits);
    expect(await running('production', repo)).toEqual(before);
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
