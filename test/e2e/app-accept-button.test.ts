/**
 * The check run's Accept button against the local GitHub over real HTTP: someone with write access presses it on
 * a run failed by breaking changes, and the PR is approved the way the label approves it (the App adds the label),
 * named in the comment. And the presses that must approve nothing: a reader's, one on the run of an older commit,
 * one delivered for another repository's PR or for another App's button.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGitHub } from '../../dev/github/index.js';
import { type LocalApp, readUserProfile } from '../../dev/start.js';
import { acceptBreakingAction } from '../../shared/core/accept-breaking.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { githubContract } from '../helpers/local-github.js';

const label = 'breaking-change-approved';
const button = acceptBreakingAction.identifier;
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

type Repo = { owner: string; repo: string };

/** A repo whose PR removes an operation: the breaking-change gate fails it. */
async function breakingPull(name: string) {
  const repo = { owner: 'acme', repo: name };
  await gh.admin.createRepo({ ...repo, files: await readUserProfile() });
  await gh.admin.push({ ...repo, branch: 'drop', files: await readUserProfile('removed-operation') });
  const pull = await gh.admin.openPullRequest({ ...repo, head: 'drop', title: 'drop an operation' });
  await app.queue.idle();
  return { repo, ...pull };
}

const runs = (repo: Repo, sha: string) =>
  gh.admin.checkRuns({ ...repo, sha }).filter((run) => run.name === 'kuma-api-forge');
const sticky = (repo: Repo, number: number) =>
  gh.admin.comments({ ...repo, number }).find((c) => c.body.startsWith('<!-- kuma-api-forge -->'));
const others = (repo: Repo, number: number) =>
  gh.admin.comments({ ...repo, number }).filter((c) => !c.body.startsWith('<!-- kuma-api-forge -->'));

/** A login as the sticky comment shows it: `@name`, kept from notifying on every update of the comment. */
const shown = (login: string) => `@&#8203;${login}`;

async function press(repo: Repo, checkRunId: number, login?: string) {
  const outcome = await gh.admin.pressCheckRunButton({
    ...repo,
    checkRunId,
    identifier: button,
    ...(login ? { login } : {}),
  });
  await app.queue.idle();
  return outcome;
}

describe('the Accept button', () => {
  it('is on a run failed by breaking changes; a press by a writer approves, labels the PR and names them', async () => {
    const { repo, number, headSha } = await breakingPull('button-ok');
    const [failed] = runs(repo, headSha);
    expect(failed).toMatchObject({ conclusion: 'failure' });
    expect(failed!.actions).toEqual([acceptBreakingAction]);
    for (const [field, max] of [
      ['identifier', 20],
      ['label', 20],
      ['description', 40],
    ] as const)
      expect(acceptBreakingAction[field].length).toBeLessThanOrEqual(max);

    gh.admin.setCollaborator({ ...repo, login: 'maria', role: 'maintain' });
    await press(repo, failed!.id, 'maria');

    expect(gh.admin.pullRequest({ ...repo, number }).labels).toContain(label);
    // One new run: the App's own `labeled` event (sent by its bot) does not check a second time.
    const after = runs(repo, headSha);
    expect(after).toHaveLength(2);
    expect(after[1]).toMatchObject({ conclusion: 'success' });
    expect(after[1]!.actions).toEqual([]);
    expect(sticky(repo, number)?.body).toContain(
      `has the label ${label}. ${shown('maria')} pressed ${acceptBreakingAction.label} on the check run.`,
    );
    expect(others(repo, number)).toEqual([]);
  });

  it('refuses a reader, says why in a comment that mentions them, and approves nothing', async () => {
    const { repo, number, headSha } = await breakingPull('button-reader');
    gh.admin.setCollaborator({ ...repo, login: 'rita', role: 'triage' });
    await press(repo, runs(repo, headSha)[0]!.id, 'rita');
    // Someone the repo does not know at all has no access either.
    await press(repo, runs(repo, headSha)[0]!.id, 'stranger');

    expect(gh.admin.pullRequest({ ...repo, number }).labels).not.toContain(label);
    expect(runs(repo, headSha)).toHaveLength(1);
    expect(runs(repo, headSha)[0]).toMatchObject({ conclusion: 'failure' });
    const told = others(repo, number).map((c) => c.body);
    expect(told).toHaveLength(2);
    expect(told[0]).toMatch(
      /^@rita pressed \*\*Accept breaking\*\*, but approving breaking changes needs write/,
    );
    expect(told[0]).toContain('write access to acme/button-reader (yours: read). Nothing was approved');
    expect(told[1]).toContain('@stranger pressed');
    expect(told[1]).toContain('(yours: none)');
  });

  it('refuses a press on the run of an older commit: the presser approves what they saw', async () => {
    const { repo, number, headSha } = await breakingPull('button-stale');
    const old = runs(repo, headSha)[0]!;
    // A push replaces the head with another breaking change the presser has not seen.
    const spec = (await gh.admin.readFile({ ...repo, ref: 'drop', path: 'openapi/users.yaml' }))!;
    const pushed = await gh.admin.push({
      ...repo,
      branch: 'drop',
      files: {
        'openapi/users.yaml': spec.replace(/\n {2}\/users\/me:[\s\S]*?(?=\n {2}\/users\/\{userId\}:)/, ''),
      },
    });
    await app.queue.idle();
    // The local GitHub lists a run's PRs by head SHA: the old run names none, and the press is ignored.
    const [local] = (await press(repo, old.id)).deliveries;
    expect(JSON.parse(local!.response).ignored).toBe('check_run.requested_action names no pull request');
    // GitHub also lists PRs by head branch: the press names the PR, and the worker refuses it as stale.
    const [event] = (
      await gh.admin.pressCheckRunButton({ ...repo, checkRunId: old.id, identifier: button, deliver: false })
    ).events;
    const current = (
      await gh.admin.pressCheckRunButton({
        ...repo,
        checkRunId: runs(repo, pushed.sha).at(-1)!.id,
        identifier: button,
        deliver: false,
      })
    ).events[0]!;
    const pulls = (current.payload.check_run as { pull_requests: unknown[] }).pull_requests;
    expect(pulls).toHaveLength(1);
    (event!.payload.check_run as { pull_requests: unknown[] }).pull_requests = pulls;
    await gh.admin.deliver(event!);
    await app.queue.idle();

    expect(gh.admin.pullRequest({ ...repo, number }).labels).not.toContain(label);
    const [told] = others(repo, number).map((c) => c.body);
    expect(told).toContain(`@octocat pressed **Accept breaking** on the check run of ${headSha.slice(0, 7)}`);
    expect(told).toContain(`now at ${pushed.sha.slice(0, 7)}. Nothing was approved`);
    expect(runs(repo, pushed.sha).at(-1)).toMatchObject({ conclusion: 'failure' });
  });

  it('ignores a press delivered for another repository’s pull request, and another App’s button', async () => {
    const { repo, number, headSha } = await breakingPull('button-victim');
    const other = await breakingPull('button-other');
    const run = runs(repo, headSha)[0]!;
    const [event] = (
      await gh.admin.pressCheckRunButton({ ...repo, checkRunId: run.id, identifier: button, deliver: false })
    ).events;

    // The same press, claimed for another repository (signed, so only GitHub could send it; still refused).
    const moved = structuredClone(event!);
    const otherRepo = (
      await gh.admin.openPullRequest({ ...other.repo, head: 'drop', title: 'again', deliver: false })
    ).events[0]!.payload.repository;
    moved.payload.repository = otherRepo;
    const answer = await gh.admin.deliver(moved);
    expect(JSON.parse(answer.response)).toEqual({
      ignored: 'check_run.requested_action for a pull request of another repository',
    });

    // A button of another App's run (another identifier, another run name).
    const foreign = structuredClone(event!);
    foreign.payload.requested_action = { identifier: 'lgtm' };
    expect(JSON.parse((await gh.admin.deliver(foreign)).response).ignored).toContain(
      'not an action of this App',
    );
    const renamed = structuredClone(event!);
    (renamed.payload.check_run as { name: string }).name = 'other-ci';
    expect(JSON.parse((await gh.admin.deliver(renamed)).response).ignored).toContain(
      'not a check run of this App',
    );
    await app.queue.idle();

    for (const [r, n] of [
      [repo, number],
      [other.repo, other.number],
    ] as const) {
      expect(gh.admin.pullRequest({ ...r, number: n }).labels).not.toContain(label);
      expect(others(r, n)).toEqual([]);
    }
  });

  it('approves like the label: later pushes stay approved until the label is removed', async () => {
    const { repo, number, headSha } = await breakingPull('button-scope');
    await press(repo, runs(repo, headSha)[0]!.id);
    const pushed = await gh.admin.push({ ...repo, branch: 'drop', files: { 'README.md': 'more\n' } });
    await app.queue.idle();
    expect(runs(repo, pushed.sha).at(-1)).toMatchObject({ conclusion: 'success' });
    await gh.admin.removeLabel({ ...repo, number, label });
    await app.queue.idle();
    expect(runs(repo, pushed.sha).at(-1)).toMatchObject({ conclusion: 'failure' });
  });
});

describe('the approval label', () => {
  it('names who added it, from the labeled event', async () => {
    const { repo, number } = await breakingPull('label-named');
    await gh.admin.addLabel({ ...repo, number, label });
    await app.queue.idle();
    expect(sticky(repo, number)?.body).toContain(`has the label ${label}. ${shown('octocat')} added it.`);
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
