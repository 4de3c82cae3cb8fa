/**
 * The App end to end: the local GitHub delivers signed webhooks over real HTTP to the Hono app (under
 * `@hono/node-server`), which enqueues to the in-memory queue; the worker checks the PR with the real engine
 * (oasdiff included) and reports through real Octokit to the local GitHub. Every request the App sent and every
 * answer it got is then validated against GitHub's published OpenAPI description.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppCredentials, LocalGitHub } from '../../dev/github/index.js';
import { type LocalApp, readUserProfile } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { githubContract } from '../helpers/local-github.js';

const repo = { owner: 'acme', repo: 'users' };
const marker = '<!-- kuma-api-forge -->';
let gh: LocalGitHub;
let app: LocalApp;
let credentials: AppCredentials;
let harness: AppOnLocalGitHub;
/** The PR of the first test, fixed later. */
let removal: { number: number; headSha: string };

beforeAll(async () => {
  harness = await startAppOnLocalGitHub();
  ({ gh, app, credentials } = harness);
  await gh.admin.createRepo({ ...repo, files: await readUserProfile() });
});

afterAll(async () => {
  await harness?.stop();
});

/** Opens a PR from a new branch holding a fixture revision; waits until the App is done with it. */
async function openPull(branch: string, revision: string) {
  await gh.admin.push({ ...repo, branch, files: await readUserProfile(revision), message: revision });
  const opened = await gh.admin.openPullRequest({ ...repo, head: branch, title: revision });
  await app.queue.idle();
  return opened;
}

const latestRun = (sha: string) => gh.admin.checkRuns({ ...repo, sha }).at(-1);
const appComments = (number: number) =>
  gh.admin.comments({ ...repo, number }).filter((c) => c.body.startsWith(marker));

describe('a pull request checked end to end', () => {
  it('reports a removed operation: failing check run annotating where it was, one sticky comment', async () => {
    const { number, headSha, deliveries } = await openPull('remove-delete', 'removed-operation');
    removal = { number, headSha };
    expect(deliveries.map((d) => [d.event, d.action, d.status])).toEqual([['pull_request', 'opened', 202]]);
    expect(JSON.parse(deliveries[0]!.response)).toEqual({ deliveryId: deliveries[0]!.id });

    const run = latestRun(headSha)!;
    expect(run).toMatchObject({ name: 'kuma-api-forge', status: 'completed', conclusion: 'failure' });
    // "Files changed" shows the removal on the path item that lost it, naming its line in the base.
    expect(run.annotations).toEqual([
      expect.objectContaining({
        path: 'openapi/users.yaml',
        start_line: 121,
        annotation_level: 'failure',
        title: 'api-removed-without-deprecation',
        message: expect.stringContaining(
          'removed here: DELETE /users/{userId} (was at openapi/users.yaml:145 in the base)',
        ),
      }),
    ]);
    const comments = appComments(number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('api-removed-without-deprecation');
    expect(comments[0]!.body).toContain('DELETE /users/{userId}');
    expect(comments[0]!.appId).toBe(credentials.id);
  });

  it('keeps one comment across pushes and updates it in place when the fix lands', async () => {
    const { number } = removal;
    // Copies: the local GitHub updates its records in place.
    const before = appComments(number).map((c) => ({ ...c }));
    const fix = await gh.admin.push({
      ...repo,
      branch: 'remove-delete',
      files: await readUserProfile('major-bump'),
      message: 'Bump the major version',
    });
    expect(fix.deliveries.map((d) => [d.event, d.action ?? '', d.status])).toEqual([
      ['push', '', 200],
      ['pull_request', 'synchronize', 202],
    ]);
    await app.queue.idle();
    const after = appComments(number);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(before[0]!.id);
    expect(after[0]!.body).not.toBe(before[0]!.body);
    expect(after[0]!.body).toMatch(/major version/i);
    expect(latestRun(fix.sha)).toMatchObject({ conclusion: 'success' });
    // Nothing changed, nothing re-sent: a re-run of the same head leaves the comment as it is.
    const edits = gh.requests.filter((r) => r.operationId === 'issues/update-comment').length;
    await gh.admin.rerequestCheckRun({ ...repo, checkRunId: latestRun(fix.sha)!.id });
    await app.queue.idle();
    expect(gh.admin.checkRuns({ ...repo, sha: fix.sha })).toHaveLength(2);
    expect(gh.requests.filter((r) => r.operationId === 'issues/update-comment')).toHaveLength(edits);
  });

  it('drops the result of a head that moved: two quick pushes, only the newest is reported', async () => {
    const { number, headSha: first } = await openPull('narrow-role', 'narrowed-enum');
    const second = await gh.admin.push({
      ...repo,
      branch: 'narrow-role',
      files: await readUserProfile('removed-operation'),
      deliver: false,
    });
    const third = await gh.admin.push({
      ...repo,
      branch: 'narrow-role',
      files: await readUserProfile('compatible'),
      deliver: false,
    });
    // GitHub sends both synchronize events after both pushes: the first names a head that is gone.
    for (const event of [...second.events, ...third.events].filter((e) => e.name === 'pull_request'))
      expect((await gh.admin.deliver(event)).status).toBe(202);
    await app.queue.idle();
    expect(gh.admin.checkRuns({ ...repo, sha: second.sha })).toEqual([]);
    expect(latestRun(third.sha)).toMatchObject({ conclusion: 'success' });
    expect(latestRun(first)).toMatchObject({ conclusion: 'failure' });
    const comments = appComments(number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).not.toContain('api-removed-without-deprecation');
  });

  it('lets the approval label flip a breaking verdict to pass, and removing it flips it back', async () => {
    const { number, headSha } = await openPull('drop-delete-again', 'removed-operation');
    expect(latestRun(headSha)!.conclusion).toBe('failure');
    const labeled = await gh.admin.addLabel({ ...repo, number, label: 'breaking-change-approved' });
    expect(labeled.deliveries.map((d) => d.status)).toEqual([202]);
    await app.queue.idle();
    expect(latestRun(headSha)!.conclusion).toBe('success');
    expect(appComments(number)[0]!.body).toContain('breaking-change-approved');
    await gh.admin.removeLabel({ ...repo, number, label: 'breaking-change-approved' });
    await app.queue.idle();
    expect(latestRun(headSha)!.conclusion).toBe('failure');
  });
});

describe('what the App refuses or ignores', () => {
  it('answers 401 to a forged or missing signature and calls nothing on GitHub', async () => {
    await gh.admin.push({ ...repo, branch: 'forged', files: await readUserProfile('compatible') });
    const { events, headSha } = await gh.admin.openPullRequest({ ...repo, head: 'forged', deliver: false });
    const calls = gh.requests.length;
    const forged = await gh.admin.deliver(events[0]!, { signature: `sha256=${'0'.repeat(64)}` });
    const wrongSecret = await gh.admin.deliver(events[0]!, { secret: 'not the secret' });
    const unsigned = await gh.admin.deliver(events[0]!, { signature: null });
    expect([forged.status, wrongSecret.status, unsigned.status]).toEqual([401, 401, 401]);
    await app.queue.idle();
    expect(gh.requests.length).toBe(calls);
    expect(gh.admin.checkRuns({ ...repo, sha: headSha })).toEqual([]);
  });

  it('answers 2xx to events it does not use and calls nothing on GitHub', async () => {
    const calls = gh.requests.length;
    const push = await gh.admin.push({ ...repo, branch: 'scratch', files: { 'notes.md': 'hi\n' } });
    const install = await gh.admin.installApp(credentials.id, 'globex');
    const closed = await gh.admin.closePullRequest({ ...repo, number: 2 });
    const answers = [...push.deliveries, ...install.deliveries, ...closed.deliveries];
    expect(answers.map((d) => [d.event, d.status, JSON.parse(d.response)])).toEqual([
      ['push', 200, { ignored: 'push to refs/heads/scratch, not the default branch' }],
      ['installation', 200, { ignored: 'installation is not used' }],
      [
        'pull_request',
        200,
        { ignored: 'pull_request.closed: a merge is deployed from its push to the default branch' },
      ],
    ]);
    await app.queue.idle();
    expect(gh.requests.length).toBe(calls);
  });

  it('turns a merge into one deploy job (from the push), not two', async () => {
    const { deliveries } = await gh.admin.mergePullRequest({ ...repo, number: removal.number });
    expect(deliveries.map((d) => [d.event, d.action ?? '', d.status])).toEqual([
      ['pull_request', 'closed', 200],
      ['push', '', 202],
    ]);
    await app.queue.idle();
    expect(app.queue.deadLetters).toEqual([]);
  });
});

describe('every exchange with GitHub', () => {
  const validator = githubContract();

  it('sent request bodies and got answers that match GitHub’s OpenAPI description', () => {
    const made = gh.requests;
    expect(made.length).toBeGreaterThan(20);
    expect(made.filter((r) => r.operationId === undefined).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    const problems = made.flatMap((r) => [
      ...(r.requestBody === undefined ? [] : validator.validateRequest(r.operationId!, r.requestBody)),
      ...validator.validateResponse(r.operationId!, r.status, r.responseBody),
    ]);
    expect(problems).toEqual([]);
    expect(made.filter((r) => r.status >= 500)).toEqual([]);
  });
});
