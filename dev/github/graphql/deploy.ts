/**
 * GraphQL resolvers for what a deploy writes to the deploy repo (owned by the `deploy-path` work). Its reads —
 * the branch head, its tree a few levels deep, blob texts by oid — are the shared git objects of
 * `repository.ts`; this module adds the root mutation `createCommitOnBranch` with GitHub's semantics:
 * - `branch` by `{repositoryNameWithOwner, branchName}` or by the Ref's node `id`; the branch must exist;
 * - compare-and-swap: the commit lands only when the branch still points at `expectedHeadOid`, else a
 *   `STALE_DATA` error in GitHub's words ("Expected branch to point to … Pull and try again.");
 * - `fileChanges`: additions with base64 `contents`, deletions of files that exist at the head; a path with a
 *   `.`/`..`/`.git` component, a leading or trailing slash, or an empty one is refused;
 * - the message is `headline` (one line) plus the optional `body`; the author is the App's bot, the committer
 *   `web-flow`, and the commit is signed by GitHub (verified), as GitHub does for an App's commit.
 * @module
 */

import type { TreeChange } from '../git.js';
import type { GraphQLContext, RepositoryFields, RootFields } from './index.js';
import { githubError, gitObject } from './repository.js';

export const deployRepositoryFields: RepositoryFields = () => ({});

interface CreateCommitOnBranchInput {
  branch: { repositoryNameWithOwner?: string; branchName?: string; id?: string };
  expectedHeadOid: string;
  message: { headline: string; body?: string | null };
  fileChanges?: {
    additions?: { path: string; contents: string }[] | null;
    deletions?: { path: string }[] | null;
  } | null;
  clientMutationId?: string | null;
}

export const deployMutations: RootFields = {
  async createCommitOnBranch({ input }: { input: CreateCommitOnBranchInput }, context: GraphQLContext) {
    const { repo, ref } = resolveBranch(input.branch, context);
    const current = await repo.git.readRef(ref);
    if (!current) throw githubError('NOT_FOUND', `Could not resolve to a Ref with the name '${ref}'.`);
    if (current !== input.expectedHeadOid || context.fault?.('graphql/create-commit-on-branch')) {
      throw stale(input.expectedHeadOid);
    }
    const headline = input.message.headline;
    if (headline.trim() === '' || /[\r\n]/.test(headline))
      throw githubError('UNPROCESSABLE', 'The commit message headline must be a single, non-empty line.');
    const base = (await repo.git.readCommit(current)).tree;
    const changes: TreeChange[] = [];
    for (const { path } of input.fileChanges?.deletions ?? []) {
      checkPath(path);
      const entry = await repo.git.entryAt(current, path);
      if (!entry || entry.type === 'tree')
        throw githubError(
          'UNPROCESSABLE',
          `A path was requested for deletion which does not exist as of commit oid \`${current}\``,
        );
      changes.push({ path, sha: null });
    }
    for (const { path, contents } of input.fileChanges?.additions ?? []) {
      checkPath(path);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(contents) || contents.length % 4 !== 0)
        throw githubError('UNPROCESSABLE', `The contents of ${path} are not valid base64.`);
      const sha = await repo.git.writeBlob(Buffer.from(contents, 'base64'));
      changes.push({ path, mode: '100644', type: 'blob', sha });
    }
    const tree = await repo.git.buildTree(base, changes);
    const app = context.hub.state.apps.get(context.installation.appId);
    const who = context.hub.identity(app ? app.bot : repo.owner);
    const message = input.message.body ? `${headline}\n\n${input.message.body}` : headline;
    // GitHub makes and signs the commit itself: the App's bot is the author, `web-flow` the committer.
    const sha = await repo.git.writeCommit({
      tree,
      parents: [current],
      message,
      author: who,
      committer: context.hub.webFlow(),
    });
    repo.signedCommits.add(sha);
    // The old value makes the move atomic: a writer in between loses the race like a stale expectedHeadOid.
    if (!(await repo.git.updateRef(ref, sha, current))) throw stale(input.expectedHeadOid);
    repo.pushedAt = context.hub.now();
    const nameWithOwner = `${repo.owner.login}/${repo.name}`;
    const commit = await gitObject(repo, sha, 'commit');
    return {
      clientMutationId: input.clientMutationId ?? null,
      commit: { ...commit, url: `${context.hub.urls.html}/${nameWithOwner}/commit/${sha}` },
      ref: { __typename: 'Ref', name: ref.replace(/^refs\/heads\//, ''), prefix: 'refs/heads/' },
    };
  },
};

/** The repository (with write access to its contents) and the full ref name the input names. */
function resolveBranch(branch: CreateCommitOnBranchInput['branch'], context: GraphQLContext) {
  let owner: string | undefined;
  let name: string | undefined;
  let ref: string | undefined;
  if (branch.id) {
    // `REF_<base64url(repoId:refs/heads/name)>`, as repository.ts mints Ref ids.
    const decoded = Buffer.from(branch.id.replace(/^REF_/, ''), 'base64url').toString('utf8');
    const colon = decoded.indexOf(':');
    const record = [...context.hub.state.repos.values()].find(
      (candidate) => String(candidate.id) === decoded.slice(0, colon),
    );
    owner = record?.owner.login;
    name = record?.name;
    ref = decoded.slice(colon + 1);
  } else if (branch.repositoryNameWithOwner && branch.branchName) {
    [owner, name] = branch.repositoryNameWithOwner.split('/');
    ref = `refs/heads/${branch.branchName}`;
  }
  if (!owner || !name || !ref?.startsWith('refs/heads/'))
    throw githubError(
      'UNPROCESSABLE',
      'A branch must be given by its id, or by repositoryNameWithOwner and branchName.',
    );
  const repo = context.repo(owner, name, { method: 'POST', operationId: 'git/create-commit' });
  if (!repo)
    throw githubError('NOT_FOUND', `Could not resolve to a Repository with the name '${owner}/${name}'.`);
  return { repo, ref };
}

function checkPath(path: string): void {
  if (
    path === '' ||
    path.startsWith('/') ||
    path.endsWith('/') ||
    path.split('/').some((part) => part === '' || part === '.' || part === '..' || part === '.git')
  ) {
    throw githubError('UNPROCESSABLE', `The path '${path}' is not a valid file path.`);
  }
}

function stale(expected: string) {
  return githubError(
    'STALE_DATA',
    `Expected branch to point to "${expected}" but it did not. Pull and try again.`,
  );
}
