/**
 * The `Repository` type and its git objects as plain resolver objects: `defaultBranchRef`, `ref(qualifiedName)`
 * (with `compare(headRef)`), `object(expression | oid)` → `Blob` / `Tree` / `Commit` (with `file(path)` and
 * `tree.entries`). Shared by the source and deploy areas; each adds its own fields (`pullRequest`, …) on top
 * with `extendRepository`. Fields are functions, so a query pays only for what it selects.
 * @module
 */
import { GraphQLError } from 'graphql';
import type { GitTreeEntry } from '../git.js';
import { compareCommitPair } from '../routes-git.js';
import type { RepoRecord } from '../state.js';
import type { GraphQLContext } from './index.js';
import { associatedPullRequests } from './source.js';

/** A GraphQL error as GitHub shapes it: `type` (NOT_FOUND, FORBIDDEN, UNPROCESSABLE, …) beside `message`. */
export function githubError(type: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { githubType: type } });
}

/** `repository(owner, name)`: null plus a NOT_FOUND error when the token cannot see it, as GitHub answers. */
export function resolveRepository(
  args: { owner: string; name: string },
  context: GraphQLContext,
  extend: (repo: RepoRecord, context: GraphQLContext) => Record<string, unknown>,
): Record<string, unknown> {
  const repo = context.repo(args.owner, args.name);
  if (!repo)
    throw githubError(
      'NOT_FOUND',
      `Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`,
    );
  return { ...repositoryFields(repo, context), ...extend(repo, context) };
}

function repositoryFields(repo: RepoRecord, context: GraphQLContext): Record<string, unknown> {
  // Git objects need the contents permission (metadata alone lists the repo, not its files).
  const readable = () =>
    context.repo(repo.owner.login, repo.name, { method: 'GET', operationId: 'git/get-blob' });
  const ref = async (qualifiedName: string) => {
    const full = qualifiedName.startsWith('refs/') ? qualifiedName : `refs/heads/${qualifiedName}`;
    const sha = await repo.git.readRef(full);
    if (!sha) return null;
    const name = full.replace(/^refs\/(heads|tags)\//, '');
    return {
      __typename: 'Ref',
      id: refId(repo, full),
      name,
      prefix: full.slice(0, full.length - name.length),
      target: () => gitObject(repo, sha),
      // This ref as base, `headRef` (a branch, tag or commit) as head; null when they cannot be compared.
      compare: async ({ headRef }: { headRef: string }) => {
        readable();
        const head = await repo.git.resolveCommit(headRef);
        const pair = head && (await compareCommitPair(repo.git, sha, head));
        if (!pair) return null;
        return {
          __typename: 'Comparison',
          id: `CMP_${repo.id}_${sha}_${head}`,
          status: pair.status.toUpperCase(),
          aheadBy: pair.ahead.length,
          behindBy: pair.behind.length,
          baseTarget: () => gitObject(repo, sha),
          headTarget: () => gitObject(repo, head!),
        };
      },
    };
  };
  return {
    __typename: 'Repository',
    id: `R_${repo.id}`,
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner: `${repo.owner.login}/${repo.name}`,
    owner: {
      __typename: repo.owner.type === 'User' ? 'User' : 'Organization',
      login: repo.owner.login,
      id: `O_${repo.owner.id}`,
    },
    defaultBranchRef: () => ref(repo.defaultBranch),
    ref: ({ qualifiedName }: { qualifiedName: string }) => ref(qualifiedName),
    object: async ({ expression, oid }: { expression?: string; oid?: string }) => {
      readable();
      if (oid !== undefined) return (await repo.git.objectType(oid)) ? gitObject(repo, oid) : null;
      if (expression === undefined) return null;
      const colon = expression.indexOf(':');
      const rev = colon < 0 ? expression : expression.slice(0, colon);
      const commit = await repo.git.resolveCommit(rev);
      if (!commit) return null;
      if (colon < 0) return gitObject(repo, commit);
      const entry = await repo.git.entryAt(commit, expression.slice(colon + 1).replace(/\/+$/, ''));
      return entry && entry.type !== 'commit' ? gitObject(repo, entry.sha, entry.type) : null;
    },
  };
}

function refId(repo: RepoRecord, ref: string): string {
  return `REF_${Buffer.from(`${repo.id}:${ref}`).toString('base64url')}`;
}

/** A git object as its GraphQL type: Blob, Tree or Commit (tags are not kept by the local GitHub). */
export async function gitObject(
  repo: RepoRecord,
  sha: string,
  known?: 'blob' | 'tree' | 'commit',
): Promise<Record<string, unknown> | null> {
  const type = known ?? (await repo.git.objectType(sha));
  const base = { oid: sha, abbreviatedOid: sha.slice(0, 7), id: `GO_${repo.id}_${sha}` };
  if (type === 'blob') {
    return {
      ...base,
      __typename: 'Blob',
      byteSize: async () => (await repo.git.readBlob(sha)).length,
      isBinary: async () => isBinary(await repo.git.readBlob(sha)),
      isTruncated: false,
      text: async () => {
        const bytes = await repo.git.readBlob(sha);
        return isBinary(bytes) ? null : bytes.toString('utf8');
      },
    };
  }
  if (type === 'tree') return { ...base, __typename: 'Tree', entries: () => treeEntries(repo, sha, '') };
  if (type === 'commit') {
    return {
      ...base,
      __typename: 'Commit',
      tree: async () => gitObject(repo, (await repo.git.readCommit(sha)).tree, 'tree'),
      message: async () => (await repo.git.readCommit(sha)).message,
      associatedPullRequests: (args: Parameters<typeof associatedPullRequests>[2], context: GraphQLContext) =>
        associatedPullRequests(repo, sha, args, context),
      file: async ({ path }: { path: string }) => {
        const entry = await repo.git.entryAt(sha, path.replace(/\/+$/, ''));
        return entry ? treeEntry(repo, entry, entry.path) : null;
      },
    };
  }
  return null;
}

async function treeEntries(repo: RepoRecord, tree: string, prefix: string) {
  const entries = await repo.git.readTree(tree, false);
  return entries.map((entry) => treeEntry(repo, entry, prefix + entry.path));
}

function treeEntry(repo: RepoRecord, entry: GitTreeEntry, path: string): Record<string, unknown> {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return {
    __typename: 'TreeEntry',
    name,
    path,
    oid: entry.sha,
    // GitHub answers the git mode as a decimal Int (100644 octal → 33188).
    mode: Number.parseInt(entry.mode, 8),
    type: entry.type,
    size: entry.size ?? 0,
    extension: name.includes('.') ? name.slice(name.lastIndexOf('.')) : null,
    object: () =>
      entry.type === 'tree'
        ? {
            ...base(entry.sha, repo),
            __typename: 'Tree',
            entries: () => treeEntries(repo, entry.sha, `${path}/`),
          }
        : gitObject(repo, entry.sha, entry.type),
  };
}

function base(sha: string, repo: RepoRecord) {
  return { oid: sha, abbreviatedOid: sha.slice(0, 7), id: `GO_${repo.id}_${sha}` };
}

/** Git's own test: a NUL byte in the first 8,000 bytes. */
function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).includes(0);
}
