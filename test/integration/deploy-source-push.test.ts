/**
 * The deploy's first source query (`readDefaultBranch`: the default branch's head, the PRs GitHub associates with
 * the pushed commits and with the head, the configs at the pushed commits) and `findMergedPullRequest`, through
 * GraphQL's `Commit.associatedPullRequests`, against the local GitHub: the merged PR of a deploy is the one merged
 * INTO THE DEFAULT BRANCH as that very commit, never a PR merged elsewhere, an open one, one whose commit is only
 * part of the merge, or one a commit message names; and what the query answered is not asked again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubCodeHost } from '../../shared/adapters/github/github-code-host.js';
import { createGitHubSourceHistory } from '../../shared/adapters/github-deploy-repo.js';
import { type Started, startWithApp } from '../contract/setup.js';
import { callsTo } from '../helpers/github-calls.js';

let s: Started;
beforeEach(async () => {
  s = await startWithApp();
});
afterEach(() => s.gh.stop());

const repo = { owner: 'acme', repo: 'pets' };
const host = () => createGitHubCodeHost(s.octokit as never, repo);
/** The calls about acme/pets that `act` made. */
async function callsDuring<T>(act: () => Promise<T>): Promise<{ value: T; calls: string[] }> {
  const from = s.gh.requests.length;
  const value = await act();
  return { value, calls: callsTo(s.gh.requests.slice(from), 'acme/pets') };
}

async function mergedPull(branch: string, method: 'merge' | 'squash', base = 'main') {
  await s.gh.admin.push({ ...repo, branch, from: base, files: { [`${branch}.yaml`]: `${branch}: 1\n` } });
  const { number, headSha } = await s.gh.admin.openPullRequest({
    ...repo,
    head: branch,
    base,
    title: branch,
  });
  const merged = await s.gh.admin.mergePullRequest({ ...repo, number, method });
  return { number, headSha, sha: merged.sha };
}

describe('the merged PR of a deploy, from Commit.associatedPullRequests', () => {
  it('one query: the head, the PR merged as the pushed commit (squash and merge), the configs; nothing asked again', async () => {
    for (const method of ['squash', 'merge'] as const) {
      const pull = await mergedPull(`via-${method}`, method);
      const code = host();
      const { value, calls } = await callsDuring(() =>
        code.readDefaultBranch({ commits: [pull.sha], paths: ['openapi.yaml', 'missing.yaml'] }),
      );
      expect(value).toEqual({ branch: 'main', sha: pull.sha });
      expect(calls).toEqual(['graphql SourcePush']);
      const after = await callsDuring(async () => ({
        number: await code.findMergedPullRequest(pull.sha),
        spec: await code.files(pull.sha).read('openapi.yaml'),
        missing: await code.files(pull.sha).read('missing.yaml'),
      }));
      expect(after.value.number).toBe(pull.number);
      expect(Buffer.from(after.value.spec!).toString('utf8')).toContain('openapi: 3.0.3');
      expect(after.value.missing).toBeUndefined();
      expect(after.calls).toEqual([]);
      // Asked alone (a failed deploy's comment), the same answer in one query.
      const alone = await callsDuring(() => host().findMergedPullRequest(pull.sha));
      expect(alone).toEqual({ value: pull.number, calls: ['graphql CommitPullRequests'] });
    }
  });

  it('a PR merged into another branch, whose merge commit then reaches the default branch, is not it', async () => {
    await s.gh.admin.push({ ...repo, branch: 'release', from: 'main', files: { 'R.md': 'r\n' } });
    const pull = await mergedPull('to-release', 'squash', 'release');
    // The default branch fast-forwarded to the release merge: on main, yet merged into `release`.
    await s.octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: pull.sha, force: false });
    const code = host();
    expect(await code.readDefaultBranch({ commits: [pull.sha] })).toEqual({ branch: 'main', sha: pull.sha });
    expect(await code.findMergedPullRequest(pull.sha)).toBeUndefined();
    expect(await host().findMergedPullRequest(pull.sha)).toBeUndefined();
  });

  it('a commit that is only part of a merged PR, an open PR’s head, a subject naming a PR: none of them', async () => {
    const merged = await mergedPull('real', 'merge');
    // The PR's own head commit is on main (through the merge commit), but it is not the PR's merge commit.
    expect(await host().findMergedPullRequest(merged.headSha)).toBeUndefined();
    await s.gh.admin.push({ ...repo, branch: 'open-one', files: { 'O.md': 'o\n' } });
    const open = await s.gh.admin.openPullRequest({ ...repo, head: 'open-one', title: 'Open' });
    expect(await host().findMergedPullRequest(open.headSha)).toBeUndefined();
    const direct = await s.gh.admin.push({
      ...repo,
      branch: 'main',
      files: { 'D.md': 'd\n' },
      message: `Tweak (#${merged.number})`,
    });
    const code = host();
    const { value } = await callsDuring(() =>
      code.readDefaultBranch({ commits: [direct.sha, merged.headSha, open.headSha] }),
    );
    expect(value.sha).toBe(direct.sha);
    const answers = await callsDuring(() =>
      Promise.all([direct.sha, merged.headSha, open.headSha].map((sha) => code.findMergedPullRequest(sha))),
    );
    expect(answers).toEqual({ value: [undefined, undefined, undefined], calls: [] });
  });

  it('a commit that is not in the repo: no PR, and its files are not taken as read', async () => {
    const gone = 'f'.repeat(40);
    const code = host();
    const { value } = await callsDuring(() =>
      code.readDefaultBranch({ commits: [gone], paths: ['openapi.yaml'] }),
    );
    expect(value.branch).toBe('main');
    expect(await code.findMergedPullRequest(gone)).toBeUndefined();
    // The render reads it itself (and meets what GitHub says about it), as without the query.
    const read = await callsDuring(() =>
      code
        .files(gone)
        .read('openapi.yaml')
        .catch(() => undefined),
    );
    expect(read.calls).toEqual(['graphql SourceFiles']);
  });
});

describe('how the head stands against the deployed commit, in the same query (Ref.compare)', () => {
  it('answers ahead, identical, behind and diverged as the REST compare would, without asking it', async () => {
    const first = await s.gh.admin.push({ ...repo, branch: 'main', files: { 'a.yaml': 'a: 1\n' } });
    const second = await s.gh.admin.push({ ...repo, branch: 'main', files: { 'a.yaml': 'a: 2\n' } });
    const code = host();
    const history = createGitHubSourceHistory(s.octokit as never, repo);
    const asked = async (compareWith: string) => {
      const { value, calls } = await callsDuring(() => code.readDefaultBranch({ compareWith }));
      expect(calls).toEqual(['graphql SourcePush']);
      // The REST compare, asked separately, says the same.
      expect(await history.compare(compareWith, value.sha)).toBe(value.order);
      return value.order;
    };
    // The deployed commit is older than the head: the head descends from it.
    expect(await asked(first.sha)).toBe('ahead');
    expect(await asked(second.sha)).toBe('identical');
    // A deployed commit newer than the head (a branch moved back since): the head is its ancestor.
    const later = await s.gh.admin.push({
      ...repo,
      branch: 'later',
      from: 'main',
      files: { 'c.yaml': 'c\n' },
    });
    expect(await asked(later.sha)).toBe('behind');
    // A rewritten history: neither descends from the other.
    const side = await s.gh.admin.push({
      ...repo,
      branch: 'side',
      from: first.sha,
      files: { 'b.yaml': 'b\n' },
    });
    expect(await asked(side.sha)).toBe('diverged');
  });

  it('a deployed commit GitHub does not know (rewritten away and collected): no order, for the REST compare to say', async () => {
    const { value, calls } = await callsDuring(() =>
      host().readDefaultBranch({ compareWith: 'e'.repeat(40) }),
    );
    expect(calls).toEqual(['graphql SourcePush']);
    expect(value.branch).toBe('main');
    expect(value.order).toBeUndefined();
  });
});
