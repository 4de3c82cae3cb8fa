/**
 * The merged PR of a commit past GitHub's first page of `associatedPullRequests` (a commit many PRs contain):
 * the adapter pages on with `CommitPullRequests` until it finds the PR merged into the default branch as that
 * commit, or runs out. GitHub's answers are scripted here (the local GitHub serves the one-page cases, see
 * test/integration/deploy-source-push.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { createGitHubCodeHost } from '../../../shared/adapters/github/github-code-host.js';

const sha = 'a'.repeat(40);
const other = (number: number) => ({
  number,
  merged: true,
  baseRefName: 'main',
  mergeCommit: { oid: 'b'.repeat(40) },
  baseRepository: { databaseId: 7 },
});
const page = (nodes: unknown[], next?: string) => ({
  associatedPullRequests: { nodes, pageInfo: { hasNextPage: next !== undefined, endCursor: next ?? null } },
});

/** A fake GitHub whose commit `sha` is associated with 100 other PRs, then `last` on a second page. */
function fakeOctokit(last: unknown) {
  const sent: { name: string; after?: unknown }[] = [];
  const octokit = {
    graphql: async (query: string, variables: Record<string, unknown>) => {
      const name = /\b(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? '';
      sent.push({ name, ...(name === 'CommitPullRequests' ? { after: variables.after } : {}) });
      const first = page(
        Array.from({ length: 100 }, (_, i) => other(i + 1)),
        'cursor-100',
      );
      if (name === 'SourcePush') {
        return {
          repository: {
            databaseId: 7,
            defaultBranchRef: { name: 'main', target: { oid: sha, ...first } },
            c0: first,
          },
        };
      }
      const second = page([last]);
      return {
        repository: {
          databaseId: 7,
          defaultBranchRef: { name: 'main' },
          object: variables.after === 'cursor-100' ? second : first,
        },
      };
    },
  };
  return { octokit, sent };
}

describe('the merged PR past the first page of associatedPullRequests', () => {
  it('pages on from the first page of the push query, and finds the PR on the second', async () => {
    const merged = { ...other(101), mergeCommit: { oid: sha } };
    const { octokit, sent } = fakeOctokit(merged);
    const host = createGitHubCodeHost(octokit as never, { owner: 'acme', repo: 'pets' });
    await host.readDefaultBranch({ commits: [sha] });
    expect(await host.findMergedPullRequest(sha)).toBe(101);
    expect(sent.map((s) => s.name)).toEqual(['SourcePush', 'CommitPullRequests', 'CommitPullRequests']);
    // Asked again: answered from memory.
    expect(await host.findMergedPullRequest(sha)).toBe(101);
    expect(sent).toHaveLength(3);
  });

  it.each([
    ['merged into another branch', { ...other(101), mergeCommit: { oid: sha }, baseRefName: 'release' }],
    ['not merged', { ...other(101), merged: false, mergeCommit: null }],
    [
      'of another repository',
      { ...other(101), mergeCommit: { oid: sha }, baseRepository: { databaseId: 8 } },
    ],
  ])('a PR on the last page %s is not it', async (_, last) => {
    const { octokit, sent } = fakeOctokit(last);
    const host = createGitHubCodeHost(octokit as never, { owner: 'acme', repo: 'pets' });
    expect(await host.findMergedPullRequest(sha)).toBeUndefined();
    expect(sent).toEqual([
      { name: 'CommitPullRequests', after: null },
      { name: 'CommitPullRequests', after: 'cursor-100' },
    ]);
  });
});
