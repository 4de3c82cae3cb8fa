/**
 * Org-level config defaults (`_extends`) through the App against the local GitHub: the defaults in `acme/.github`
 * (its default branch) decide a PR's gates in `acme/<repo>`; a cross-org or missing `_extends` fails the check
 * on its own line of the repo's config. The same PR in a repo without `_extends` is the control.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGitHub } from '../../dev/github/index.js';
import { type LocalApp, readUserProfile } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';

let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

beforeAll(async () => {
  harness = await startAppOnLocalGitHub();
  ({ gh, app } = harness);
  // The org's defaults: breaking changes only warn. On a branch other than the default, a stricter copy that
  // must not be read.
  await gh.admin.createRepo({
    owner: 'acme',
    repo: '.github',
    files: { '.github/kuma-api-forge.yaml': 'gates:\n  breaking: warn\n', 'README.md': 'org profile\n' },
  });
  await gh.admin.push({
    owner: 'acme',
    repo: '.github',
    branch: 'stricter',
    files: { '.github/kuma-api-forge.yaml': 'gates:\n  breaking: fail\n' },
  });
});

afterAll(async () => {
  await harness?.stop();
});

/** The user-profile repo with its own `gates` block removed and `extendsLine` (if any) first in its config. */
async function createRepo(name: string, extendsLine?: string) {
  const files = await readUserProfile();
  const own = String(files['.kuma-api-forge.yaml']).replace(/\ngates:\n(?: {2}.*\n)*/, '\n');
  const config = extendsLine ? `${extendsLine}\n${own}` : own;
  const repo = { owner: 'acme', repo: name };
  await gh.admin.createRepo({ ...repo, files: { ...files, '.kuma-api-forge.yaml': config } });
  return { repo, config };
}

/** A PR removing an operation (a breaking change; the repo's config unchanged) and the check run it gets. */
async function breakingPull(repo: { owner: string; repo: string }) {
  const { '.kuma-api-forge.yaml': _, ...spec } = await readUserProfile('removed-operation');
  await gh.admin.push({ ...repo, branch: 'remove-op', files: spec });
  const { headSha } = await gh.admin.openPullRequest({
    ...repo,
    head: 'remove-op',
    title: 'remove an operation',
  });
  await app.queue.idle();
  const run = gh.admin
    .checkRuns({ ...repo, sha: headSha })
    .filter((r) => r.name === 'kuma-api-forge')
    .at(-1);
  expect(run?.status).toBe('completed');
  return run!;
}

describe('org defaults from acme/.github', () => {
  it('the control: without _extends, removing an operation fails the check', async () => {
    const { repo } = await createRepo('users-own');
    const run = await breakingPull(repo);
    expect(run.conclusion).toBe('failure');
  });

  it('with _extends: .github, the org default (breaking: warn) applies: the same PR does not fail', async () => {
    const { repo } = await createRepo('users-org', '_extends: .github');
    const run = await breakingPull(repo);
    expect(run.conclusion).not.toBe('failure');
    const levels = (run.annotations ?? []).map((a) => [a.path, a.annotation_level]);
    expect(levels).toContainEqual(['openapi/users.yaml', 'warning']);
    expect(levels.filter(([, level]) => level === 'failure')).toEqual([]);
  });

  it('the owner spelled out and the path given read the same file', async () => {
    const { repo } = await createRepo('users-org-path', '_extends: acme/.github:.github/kuma-api-forge.yaml');
    expect((await breakingPull(repo)).conclusion).not.toBe('failure');
  });
});

describe('an _extends the App refuses or cannot read fails the check on its line', () => {
  const cases: [string, string, string][] = [
    ['users-cross-org', '_extends: other-org/.github', 'config-extends-refused'],
    ['users-self', '_extends: users-self', 'config-extends-refused'],
    ['users-missing-repo', '_extends: nope', 'config-extends-not-found'],
    ['users-missing-file', '_extends: .github:missing.yaml', 'config-extends-not-found'],
    ['users-dotdot', '_extends: .github:../users-own/.kuma-api-forge.yaml', 'config-extends-refused'],
  ];
  it.each(cases)('%s (%s) → %s', async (name, line, id) => {
    const { repo } = await createRepo(name, line);
    const run = await breakingPull(repo);
    expect(run.conclusion).toBe('failure');
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        path: '.kuma-api-forge.yaml',
        start_line: 1,
        annotation_level: 'failure',
        title: id,
      }),
    );
  });
});
