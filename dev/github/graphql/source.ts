/**
 * GraphQL resolvers for what a PR check reads from a source repo (owned by the `calls-pr` work): `Repository.url`
 * and `Repository.pullRequest(number)` — its state, head and base, labels, the base branch's `Ref`, and its
 * comments with `viewerDidAuthor` — and `Commit.associatedPullRequests` (with each PR's `mergeCommit` and
 * `baseRepository`) as GitHub answers them: connections paged by `first`/`after` (or
 * `last`/`before`) with `pageInfo`, at most 100 per page, and a NOT_FOUND error for a number that is no PR.
 * @module
 */
import type { CommentRecord, PullRecord, RepoRecord } from '../state.js';
import type { GraphQLContext, RepositoryFields, RootFields } from './index.js';
import { githubError, gitObject, resolveRepository } from './repository.js';

export const sourceRepositoryFields: RepositoryFields = (repo, context) => ({
  url: `${context.hub.urls.html}/${repo.owner.login}/${repo.name}`,
  pullRequest: async ({ number }: { number: number }) => {
    // A pull request, its labels and comments need the pull_requests permission (FORBIDDEN without it).
    context.repo(repo.owner.login, repo.name, { method: 'GET', operationId: 'pulls/get' });
    const pull = repo.pulls.get(number);
    if (!pull)
      throw githubError('NOT_FOUND', `Could not resolve to a PullRequest with the number of ${number}.`);
    return pullRequest(repo, pull, context);
  },
});
export const sourceMutations: RootFields = {};

/**
 * `Commit.associatedPullRequests`, as GitHub answers it: on the default branch, the merged PR that brought the
 * commit there (its merge, squash or rebase commit, or one of its commits); elsewhere, the open and merged PRs
 * that contain it. Needs the pull_requests permission, like `pullRequest`.
 */
export async function associatedPullRequests(
  repo: RepoRecord,
  sha: string,
  args: PageArgs,
  context: GraphQLContext,
) {
  context.repo(repo.owner.login, repo.name, { method: 'GET', operationId: 'pulls/get' });
  const found = await context.hub.pullsWithCommit(repo, sha);
  const pulls = await Promise.all(found.map(({ pull }) => pullRequest(repo, pull, context)));
  return connection('associatedPullRequests', pulls, args);
}

async function pullRequest(repo: RepoRecord, pull: PullRecord, context: GraphQLContext) {
  const { hub } = context;
  const shas = await hub.pullShas(repo, pull);
  const merged = pull.mergedAt !== null;
  const viewerAppId = context.installation.appId;
  return {
    __typename: 'PullRequest',
    id: `PR_${pull.id}`,
    databaseId: pull.id,
    number: pull.number,
    title: pull.title,
    url: `${hub.urls.html}/${repo.owner.login}/${repo.name}/pull/${pull.number}`,
    state: merged ? 'MERGED' : pull.state === 'open' ? 'OPEN' : 'CLOSED',
    closed: pull.state === 'closed',
    merged,
    isDraft: pull.draft,
    createdAt: pull.createdAt,
    updatedAt: pull.updatedAt,
    headRefName: pull.headRef,
    headRefOid: shas.head,
    baseRefName: pull.baseRef,
    baseRefOid: shas.base,
    mergeCommit: () => (pull.mergeCommitSha ? gitObject(repo, pull.mergeCommitSha, 'commit') : null),
    // Pull requests of the local GitHub are within one repo (no forks): the base repository is this one.
    baseRepository: () =>
      resolveRepository({ owner: repo.owner.login, name: repo.name }, context, sourceRepositoryFields),
    // The base branch as it is now (null once deleted), like `Repository.ref`.
    baseRef: async () => {
      const full = `refs/heads/${pull.baseRef}`;
      const sha = await repo.git.readRef(full);
      if (!sha) return null;
      return {
        __typename: 'Ref',
        id: `REF_${Buffer.from(`${repo.id}:${full}`).toString('base64url')}`,
        name: pull.baseRef,
        prefix: 'refs/heads/',
        target: () => gitObject(repo, sha),
      };
    },
    labels: (args: PageArgs) =>
      connection(
        'labels',
        pull.labels.map((name) => label(repo, name)),
        args,
      ),
    comments: (args: PageArgs) =>
      connection(
        'comments',
        [...repo.comments.values()]
          .filter((c) => c.issueNumber === pull.number)
          .sort((a, b) => a.id - b.id)
          .map((c) => comment(c, viewerAppId, context)),
        args,
      ),
  };
}

function label(repo: RepoRecord, name: string) {
  const record = repo.labels.get(name);
  return {
    __typename: 'Label',
    id: `LA_${record?.id ?? name}`,
    name,
    color: record?.color ?? 'ededed',
    description: record?.description ?? null,
  };
}

function comment(c: CommentRecord, viewerAppId: number, context: GraphQLContext) {
  const app = c.appId === undefined ? undefined : context.hub.state.apps.get(c.appId);
  const author = app ? app.bot : c.user;
  return {
    __typename: 'IssueComment',
    id: `IC_${c.id}`,
    databaseId: c.id,
    body: c.body,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    // The viewer of an installation token is its App's bot.
    viewerDidAuthor: c.appId === viewerAppId,
    author: {
      // An App's comments are by its bot (`Bot`, login `slug[bot]`); a person's by a `User`.
      __typename: author.type === 'Bot' ? 'Bot' : author.type === 'Organization' ? 'Organization' : 'User',
      login: author.login,
      id: `U_${author.id}`,
    },
  };
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** GitHub's cursor connections: `first`/`after` or `last`/`before`, one of `first`/`last` required, ≤ 100. */
function connection<T>(field: string, items: readonly T[], args: PageArgs) {
  const { first, after, last, before } = args;
  if (first == null && last == null)
    throw githubError(
      'MISSING_PAGINATION_BOUNDARIES',
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`,
    );
  for (const [name, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value == null) continue;
    if (value < 0)
      throw githubError(
        'INVALID_ARGUMENTS',
        `\`${name}\` on the \`${field}\` connection cannot be less than zero.`,
      );
    if (value > 100)
      throw githubError(
        'EXCESSIVE_PAGINATION',
        `Requesting ${value} records on the \`${field}\` connection exceeds the \`${name}\` limit of 100 records.`,
      );
  }
  let start = after != null ? decodeCursor(after) + 1 : 0;
  let end = before != null ? decodeCursor(before) : items.length;
  start = Math.max(0, Math.min(start, items.length));
  end = Math.max(start, Math.min(end, items.length));
  if (first != null) end = Math.min(end, start + first);
  if (last != null) start = Math.max(start, end - last);
  const indexes = Array.from({ length: end - start }, (_, i) => start + i);
  return {
    totalCount: items.length,
    nodes: indexes.map((i) => items[i]),
    edges: indexes.map((i) => ({ cursor: encodeCursor(i), node: items[i] })),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: indexes.length > 0 ? encodeCursor(start) : null,
      endCursor: indexes.length > 0 ? encodeCursor(end - 1) : null,
    },
  };
}

function encodeCursor(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString('base64');
}

function decodeCursor(cursor: string): number {
  const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match)
    throw githubError('INVALID_CURSOR_ARGUMENTS', `\`${cursor}\` does not appear to be a valid cursor.`);
  return Number(match[1]);
}
