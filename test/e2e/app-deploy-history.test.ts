/**
 * Only what is on the default branch now is deployed, and a deploy's PR is the one GitHub says it merged — end
 * to end: signed webhooks (delivered late, twice, or never) → Hono → queue → worker → real Octokit → the local
 * GitHub, with force-pushes rewriting a source repo's default branch. Each case asserts the deploy repo's final
 * files (against a render of the commit that should be there), its `.source.yaml`, its log, and the comments.
 * These cases prove what GitHub answers (ancestry after a force-push, an unknown commit, the PR a merge or squash
 * belongs to); every decision of "which commit wins" is in test/unit/use-cases/deploy-push.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub, WebhookEvent } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { createJsonLogger } from '../../shared/adapters/json-logger.js';
import { parseSourceRecord, renderSourceRecord } from '../../shared/core/deploy/source-record.js';
import { formatRepoRef } from '../../shared/core/repo-ref.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { githubContract } from '../helpers/local-github.js';
import { buildSourceFiles, renderFiles } from '../unit/deploy/helpers.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const deployMarker = '<!-- kuma-api-forge:deploy -->';
const repos = [
  'rewritten',
  'collected',
  'provenance',
  // Names GitHub allows that are not DNS labels: a leading dot, upper case, `_` and `.`.
  '.github',
  'Dot_Repo.v2',
] as const;
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;
const logs: Record<string, unknown>[] = [];

/** Each repo its own API name, hostname, base path and namespace, so the cases never collide on tenancy. */
const slug = (repo: string) => repo.toLowerCase().replace(/[^a-z0-9]/g, '');
const optionsFor = (repo: string, paths: string[]) => ({
  name: slug(repo),
  hostnames: [`${slug(repo)}.example.com`],
  basePath: `/${slug(repo)}`,
  namespace: slug(repo),
  paths,
});
const filesFor = (repo: string, paths: string[]) => buildSourceFiles(optionsFor(repo, paths));

beforeAll(async () => {
  const tenants = Object.fromEntries(
    repos.map((repo) => [
      `acme/${repo}`,
      {
        gateways: ['edge'],
        hostnames: [`${slug(repo)}.example.com`],
        basePaths: [`/${slug(repo)}`],
        namespaces: [slug(repo)],
      },
    ]),
  );
  harness = await startAppOnLocalGitHub({
    deploy: { ...deployRef, files: { 'tenants.yaml': stringify({ tenants }) } },
    log: createJsonLogger('info', (line) => logs.push(JSON.parse(line))),
  });
  ({ gh, app } = harness);
  for (const repo of repos) {
    await gh.admin.createRepo({ owner: 'acme', repo, files: { 'README.md': `# ${repo}\n` } });
  }
}, 60_000);

afterAll(async () => {
  await harness?.stop();
});

async function settle() {
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
}

/** A PR from `branch` setting the API's paths, merged; its webhooks are returned, not delivered. */
async function mergeHeld(repo: string, branch: string, paths: string[], method?: 'merge' | 'squash') {
  await gh.admin.push({ owner: 'acme', repo, branch, files: filesFor(repo, paths), deliver: false });
  const pr = await gh.admin.openPullRequest({ owner: 'acme', repo, head: branch, deliver: false });
  const merged = await gh.admin.mergePullRequest({
    owner: 'acme',
    repo,
    number: pr.number,
    deliver: false,
    ...(method ? { method } : {}),
  });
  const push = merged.events.find((event) => event.name === 'push')!;
  return { sha: merged.sha, number: pr.number, push };
}

async function deliver(event: WebhookEvent) {
  const delivery = await gh.admin.deliver(event);
  expect(delivery.status).toBe(202);
  await settle();
}

const deployLog = () => gh.admin.log({ ...deployRef, ref: 'main' });
const readDeployed = (path: string) => gh.admin.readFile({ ...deployRef, ref: 'main', path });
const deployComments = (repo: string, number: number) =>
  gh.admin.comments({ owner: 'acme', repo, number }).filter((c) => c.body.startsWith(deployMarker));

/** The deploy repo holds exactly the render of `paths` for `repo`, recorded as made from `sha`. */
async function expectDeployed(repo: string, paths: string[], sha: string) {
  const folder = `apis/acme/${repo.toLowerCase()}/`;
  const rendered = await renderFiles(optionsFor(repo, paths), { owner: 'acme', repo });
  const expected = new Map(
    rendered.apis.flatMap((api) => api.files.map((f) => [`${folder}${api.name}/${f.path}`, f.content])),
  );
  const deployed = (await gh.admin.listFiles({ ...deployRef, ref: 'main' })).filter(
    (path) => path.startsWith(folder) && !path.endsWith('/.source.yaml'),
  );
  expect(deployed.sort()).toEqual([...expected.keys()].sort());
  for (const [path, content] of expected) expect(await readDeployed(path)).toBe(content);
  const record = parseSourceRecord((await readDeployed(`${folder}.source.yaml`)) ?? '');
  expect(record?.commit).toBe(sha);
  return record!;
}

const skippedLines = (sha: string) =>
  logs.filter(
    (line) =>
      line.message === 'deploy skipped: the commit is not on the default branch' &&
      line.sha === sha &&
      line.branch === 'main',
  );

// Each case is a few merges and deploys over real git and HTTP: generous on a busy machine.
describe('a commit no longer on the default branch is never deployed', { timeout: 90_000 }, () => {
  it('force-push A → B, then A’s push event arrives late: no write, the deploy repo keeps B', async () => {
    const repo = 'rewritten';
    const initial = (await gh.admin.resolve({ owner: 'acme', repo, ref: 'main' }))!;
    const a = await mergeHeld(repo, 'feature-a', ['/a']);
    // main is rewritten: A is gone, B (another API shape) is the head. B's push is delivered at once.
    const b = await gh.admin.forcePush({
      owner: 'acme',
      repo,
      branch: 'main',
      from: initial,
      files: filesFor(repo, ['/b', '/b/{petId}']),
      message: 'Rewrite main as B',
    });
    expect(b.events[0]!.payload.forced).toBe(true);
    await settle();
    await expectDeployed(repo, ['/b', '/b/{petId}'], b.sha);
    const commits = (await deployLog()).length;

    await deliver(a.push);
    expect(await deployLog()).toHaveLength(commits);
    await expectDeployed(repo, ['/b', '/b/{petId}'], b.sha);
    expect(skippedLines(a.sha)).toHaveLength(1);
    expect(deployComments(repo, a.number)).toEqual([]);
  });

  it('the deployed commit no longer exists (rewritten and collected): the branch’s head is deployed', async () => {
    const repo = 'collected';
    const a = await mergeHeld(repo, 'feature-a', ['/a']);
    await deliver(a.push);
    const record = await expectDeployed(repo, ['/a'], a.sha);
    // The record now names a commit GitHub does not know (compare answers 404).
    await gh.admin.push({
      ...deployRef,
      branch: 'main',
      files: {
        [`apis/acme/${repo}/.source.yaml`]: renderSourceRecord({ ...record, commit: 'f'.repeat(40) }),
      },
      deliver: false,
    });
    const b = await gh.admin.push({
      owner: 'acme',
      repo,
      branch: 'main',
      files: filesFor(repo, ['/b']),
      deliver: false,
    });
    const c = await gh.admin.push({
      owner: 'acme',
      repo,
      branch: 'main',
      files: filesFor(repo, ['/b', '/c']),
      deliver: false,
    });
    await deliver(b.events[0]!);
    await expectDeployed(repo, ['/b', '/c'], c.sha);
  });
});

describe('the merged PR of a deploy is the one GitHub says merged that commit', { timeout: 90_000 }, () => {
  it('a real merge and a squash merge: a comment on that PR and the PR in the provenance', async () => {
    const repo = 'provenance';
    for (const method of ['merge', 'squash'] as const) {
      const merged = await mergeHeld(repo, `real-${method}`, [`/${method}`], method);
      await deliver(merged.push);
      const record = await expectDeployed(repo, [`/${method}`], merged.sha);
      expect(record.pullRequest).toBe(merged.number);
      const head = (await deployLog())[0]!;
      expect(head.message).toContain(`(#${merged.number}):`);
      expect(head.message).toContain(`Pull request: acme/${repo}#${merged.number}\n`);
      const comments = deployComments(repo, merged.number);
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).toContain(
        `deployed to platform/deploy in commit [\`${head.sha.slice(0, 7)}\``,
      );
    }
  });

  it('a direct push whose subject claims a PR gets no comment on it and no PR in the provenance', async () => {
    const repo = 'provenance';
    const squashPr = gh.admin.pullRequest({ owner: 'acme', repo, number: 2 });
    expect(squashPr.mergedAt).not.toBeNull();
    // Subjects anyone with push access can write: GitHub's squash subject, its merge subject, and a PR that is
    // open (its head is not what was pushed).
    await gh.admin.push({ owner: 'acme', repo, branch: 'open-one', files: { 'NOTES.md': 'x\n' } });
    const open = await gh.admin.openPullRequest({ owner: 'acme', repo, head: 'open-one', deliver: false });
    const subjects = [
      `Tweak the spec (#${squashPr.number})`,
      `Merge pull request #1 from acme/real-merge\n\nTweak`,
      `Fix the thing (#${open.number})`,
    ];
    for (const [index, message] of subjects.entries()) {
      const before = [1, 2, open.number].map((n) => deployComments(repo, n).length);
      const paths = ['/direct', ...Array.from({ length: index + 1 }, (_, i) => `/direct${i}`)];
      const pushed = await gh.admin.push({
        owner: 'acme',
        repo,
        branch: 'main',
        files: filesFor(repo, paths),
        message,
      });
      expect(pushed.deliveries.map((d) => d.status)).toEqual([202]);
      await settle();
      const record = await expectDeployed(repo, paths, pushed.sha);
      expect(record).not.toHaveProperty('pullRequest');
      const head = (await deployLog())[0]!;
      expect(head.message.split('\n')[0]).toMatch(
        new RegExp(`^Deploy acme/${repo}@${pushed.sha.slice(0, 7)}: `),
      );
      expect(head.message).not.toContain('Pull request:');
      expect([1, 2, open.number].map((n) => deployComments(repo, n).length)).toEqual(before);
    }
  });
});

describe('source repos whose names are not DNS labels', { timeout: 90_000 }, () => {
  it.each(['.github', 'Dot_Repo.v2'])('%s deploys to its own lower-cased folder', async (repo) => {
    const merged = await mergeHeld(repo, 'add-api', ['/x']);
    await deliver(merged.push);
    const record = await expectDeployed(repo, ['/x'], merged.sha);
    expect(formatRepoRef(record.repo)).toBe(`acme/${repo}`);
    expect(record.pullRequest).toBe(merged.number);
  });
});

describe('every exchange with GitHub', () => {
  it('matches GitHub’s OpenAPI description', () => {
    const validator = githubContract();
    const problems = gh.requests.flatMap((r) => [
      ...(r.requestBody === undefined ? [] : validator.validateRequest(r.operationId!, r.requestBody)),
      ...validator.validateResponse(r.operationId!, r.status, r.responseBody),
    ]);
    expect(gh.requests.filter((r) => r.operationId === undefined).map((r) => r.path)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
