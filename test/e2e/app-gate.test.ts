/**
 * The required check cannot be skipped, against the local GitHub over real HTTP: deleting the config fails (not
 * "neutral"), a second PR on the same head into a lenient branch cannot turn the required `kuma-api-forge` run
 * green, and a base whose spec does not parse fails the check until approved. Asserted as GitHub shows it: the
 * newest check run named `kuma-api-forge` on the head commit is what branch protection reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGitHub } from '../../dev/github/index.js';
import { type LocalApp, readUserProfile } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { githubContract } from '../helpers/local-github.js';

const label = 'breaking-change-approved';
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

beforeAll(async () => {
  harness = await startAppOnLocalGitHub();
  ({ gh, app } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

async function createRepo(name: string) {
  const repo = { owner: 'acme', repo: name };
  await gh.admin.createRepo({ ...repo, files: await readUserProfile() });
  return repo;
}

type Repo = { owner: string; repo: string };
type Files = Parameters<LocalGitHub['admin']['push']>[0]['files'];

async function openPull(repo: Repo, head: string, files: Files, base?: string) {
  await gh.admin.push({ ...repo, branch: head, files, message: head, ...(base ? { from: base } : {}) });
  const opened = await gh.admin.openPullRequest({ ...repo, head, ...(base ? { base } : {}), title: head });
  await app.queue.idle();
  return opened;
}

/** What a required status check named `name` reads: the newest run of that name on the commit. */
const newestRun = (repo: Repo, sha: string, name = 'kuma-api-forge') =>
  gh.admin
    .checkRuns({ ...repo, sha })
    .filter((run) => run.name === name)
    .at(-1);

async function approve(repo: Repo, number: number) {
  await gh.admin.addLabel({ ...repo, number, label });
  await app.queue.idle();
}

describe('deleting the config, then re-adding it', () => {
  it('fails the PR that deletes it (every operation removed), passes it approved, then judges the re-add', async () => {
    const repo = await createRepo('users-delete');
    const drop = await openPull(repo, 'drop-config', { '.kuma-api-forge.yaml': null });
    const run = newestRun(repo, drop.headSha)!;
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
    // The removal has no line left in the head: it is listed in the run's text, on the base config line.
    expect(run.output.text).toContain('`.kuma-api-forge.yaml:6` (base) error `api-removed`');
    expect(run.output.summary).toContain('DELETE /users/{userId}');

    await approve(repo, drop.number);
    expect(newestRun(repo, drop.headSha)).toMatchObject({ conclusion: 'success' });
    await gh.admin.mergePullRequest({ ...repo, number: drop.number });
    await app.queue.idle();

    // The approved removal is the baseline now: the default branch has no APIs, so re-adding the config (one
    // operation short) adds an API. The operation's removal was approved with the whole API's.
    const readd = await openPull(repo, 're-add', await readUserProfile('removed-operation'));
    const again = newestRun(repo, readd.headSha)!;
    expect(again).toMatchObject({ conclusion: 'success' });
    expect(again.output.summary).toMatch(/users[^\n]*added/);
  });

  it('a head without config over a base without one is still "nothing to check" (neutral)', async () => {
    const repo = { owner: 'acme', repo: 'not-an-api' };
    await gh.admin.createRepo({ ...repo, files: { 'README.md': '# nothing\n' } });
    const pull = await openPull(repo, 'docs', { 'README.md': '# still nothing\n' });
    expect(newestRun(repo, pull.headSha)).toMatchObject({ conclusion: 'neutral' });
  });
});

describe('a second PR on the same head into a lenient branch', () => {
  it('never turns the required kuma-api-forge run green: its own run is named for its base and judged by main', async () => {
    const repo = await createRepo('users-lenient');
    const removal = await readUserProfile('removed-operation');
    const intoMain = await openPull(repo, 'x', removal);
    expect(newestRun(repo, intoMain.headSha)).toMatchObject({ conclusion: 'failure' });

    // Branch y from main, with every gate off and its own approval label.
    const lenient = (await gh.admin.readFile({
      ...repo,
      ref: 'main',
      path: '.kuma-api-forge.yaml',
    }))!.replace(
      /gates:[\s\S]*$/,
      'gates:\n  breaking: off\n  approvalLabel: anything\n  lint:\n    failOn: never\n',
    );
    await gh.admin.push({
      ...repo,
      branch: 'y',
      files: { '.kuma-api-forge.yaml': lenient },
      message: 'lenient',
    });
    const intoY = await gh.admin.openPullRequest({ ...repo, head: 'x', base: 'y', title: 'x into y' });
    await app.queue.idle();
    await gh.admin.addLabel({ ...repo, number: intoY.number, label: 'anything' });
    await app.queue.idle();

    const sha = intoMain.headSha;
    expect(intoY.headSha).toBe(sha);
    expect(newestRun(repo, sha)).toMatchObject({ conclusion: 'failure' });
    expect(gh.admin.checkRuns({ ...repo, sha }).filter((r) => r.name === 'kuma-api-forge')).toHaveLength(1);
    // Checked against y's specs, by main's gates: the removal still fails, y's label approves nothing.
    const own = newestRun(repo, sha, 'kuma-api-forge (into y)')!;
    expect(own).toMatchObject({ conclusion: 'failure' });
    expect(own.annotations.map((a) => a.title)).toContain('api-removed-without-deprecation');
    expect(own.output.summary).toContain('judged by the gates of main');

    // Re-running either run re-checks its own PR, under its own name.
    await gh.admin.rerequestCheckRun({ ...repo, checkRunId: own.id });
    await app.queue.idle();
    const runs = () => gh.admin.checkRuns({ ...repo, sha }).map((r) => r.name);
    expect(runs().filter((n) => n === 'kuma-api-forge')).toHaveLength(1);
    expect(runs().filter((n) => n === 'kuma-api-forge (into y)')).toHaveLength(3);
    await gh.admin.rerequestCheckRun({ ...repo, checkRunId: newestRun(repo, sha)!.id });
    await app.queue.idle();
    expect(runs().filter((n) => n === 'kuma-api-forge')).toHaveLength(2);
    expect(newestRun(repo, sha)).toMatchObject({ conclusion: 'failure' });
  });
});

describe('a base whose spec does not parse', () => {
  it('fails the PR with breaking-base-unreadable until approved, then merges', async () => {
    const repo = await createRepo('users-broken-base');
    const spec = (await gh.admin.readFile({ ...repo, ref: 'main', path: 'openapi/users.yaml' }))!;
    await gh.admin.push({
      ...repo,
      branch: 'main',
      files: { 'openapi/users.yaml': spec.replace('info:', 'info:\n  title: twice\ninfo:') },
      message: 'a duplicate key',
    });
    await app.queue.idle();
    const pull = await openPull(repo, 'removal', await readUserProfile('removed-operation'));
    const run = newestRun(repo, pull.headSha)!;
    expect(run).toMatchObject({ conclusion: 'failure' });
    expect(run.output.text).toContain('`.kuma-api-forge.yaml:7` (base) error `breaking-base-unreadable`');

    await approve(repo, pull.number);
    expect(newestRun(repo, pull.headSha)).toMatchObject({ conclusion: 'success' });
    await gh.admin.mergePullRequest({ ...repo, number: pull.number });
    await app.queue.idle();
    // After the merge the default branch parses again: the next PR is compared normally.
    const next = await openPull(repo, 'compatible', await readUserProfile('compatible'));
    expect(newestRun(repo, next.headSha)).toMatchObject({ conclusion: 'success' });
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
