/**
 * Adapter: the CodeHost port over GitHub's API for one repository, through an installation's Octokit, in as few
 * requests as GitHub allows: reads through GraphQL (the pull request, the default branch, the sticky comment and
 * files in one query; for a deploy, the default branch, the PRs merged as the pushed commits, their files and
 * how the head stands against the commit deployed last in one), writes through REST (a check run created with its result, a comment). Answers in domain
 * terms and keeps GitHub's limits here: pages of 100, at most 50 annotations per check-run request (the rest go
 * in follow-up updates, which GitHub appends).
 * @module
 */

import { UpstreamError } from '../../core/errors.js';
import type { Job } from '../../core/jobs.js';
import { formatRepoRef, type RepoRef } from '../../core/repo-ref.js';
import type {
  Annotation,
  CheckRunInput,
  CheckRunResult,
  CodeHost,
  HostComment,
} from '../../ports/code-host.js';
import type { CommitOrder } from '../../ports/deploy-repo.js';
import type { FileSource } from '../../ports/file-source.js';
import type { AppOctokit, GitHubClients } from './create-octokit.js';
import {
  createGitHubFileSource,
  createSourceCache,
  fileEntryFragment,
  fileSelections,
  normalizePath,
  prefetchFiles,
  storeFiles,
} from './github-file-source.js';
import { buildSourceScope } from './job-scopes.js';

export const annotationsPerRequest = 50;

/** The code host of a job's own repo, through a token for that repo only and what the job does there. */
export function createJobCodeHost(clients: GitHubClients, job: Job): CodeHost {
  return createGitHubCodeHost(
    clients.forInstallation(job.installationId, buildSourceScope(job)),
    job.repository,
  );
}

export function createGitHubCodeHost(octokit: AppOctokit, repo: RepoRef): CodeHost {
  // What the job has read, shared by every commit's source: an unchanged file is one blob, read once.
  const cache = createSourceCache();
  const sources = new Map<string, FileSource>();
  // The PR merged as each commit asked about (a commit's merge never changes): the push's query answers them.
  const mergedPulls = new Map<string, Promise<number | undefined>>();
  /** The merged PR of `sha`, page by page of its associated PRs from `after` (null: the first page). */
  const pullsFrom = async (sha: string, after: string | null): Promise<number | undefined> => {
    for (let cursor = after; ; ) {
      const { repository } = await octokit.graphql<CommitPullsAnswer>(commitPullRequestsQuery, {
        owner: repo.owner,
        name: repo.repo,
        oid: sha,
        after: cursor,
      });
      const pulls = repository.object?.associatedPullRequests;
      const branch = repository.defaultBranchRef?.name;
      if (!pulls || branch === undefined) return undefined;
      const number = findMerged(pulls.nodes, sha, repository.databaseId, branch);
      if (number !== undefined) return number;
      if (!pulls.pageInfo.hasNextPage || !pulls.pageInfo.endCursor) return undefined;
      cursor = pulls.pageInfo.endCursor;
    }
  };
  const createCheck = (input: CheckRunInput, fields: Record<string, unknown>) =>
    octokit.rest.checks.create({
      ...repo,
      name: input.name,
      head_sha: input.headSha,
      ...(input.externalId ? { external_id: input.externalId } : {}),
      ...fields,
    });
  const host: CodeHost = {
    description: formatRepoRef(repo),
    async getPullRequest(number, read) {
      const paths = read?.files?.paths.flatMap((p) => normalizePath(p) ?? []) ?? [];
      const head = read?.files?.head;
      const { repository } = await octokit.graphql<PullRequestAnswer>(
        buildPullRequestQuery({
          files: paths.length,
          head: head !== undefined,
          comments: read?.marker !== undefined,
        }),
        {
          owner: repo.owner,
          name: repo.repo,
          number,
          ...(head !== undefined ? { head } : {}),
          ...Object.fromEntries(paths.map((path, i) => [`p${i}`, path])),
        },
      );
      const pull = repository.pullRequest;
      const defaultRef = repository.defaultBranchRef;
      if (!defaultRef) throw new UpstreamError(`${formatRepoRef(repo)} has no default branch`, notFound);
      storeFiles(cache, defaultRef.target.oid, paths, defaultRef.target);
      if (pull.baseRef) storeFiles(cache, pull.baseRef.target.oid, paths, pull.baseRef.target);
      if (head !== undefined) storeFiles(cache, head, paths, repository.head);
      const labels = await allPages(pull.labels, (after) =>
        morePullRequestPages(octokit, repo, number, 'labels', after),
      );
      const comment =
        read?.marker !== undefined && pull.comments
          ? await findSticky(pull.comments, read.marker, (after) =>
              morePullRequestPages(octokit, repo, number, 'comments', after),
            )
          : undefined;
      return {
        number,
        state: pull.state === 'OPEN' ? 'open' : 'closed',
        headSha: pull.headRefOid,
        baseSha: pull.baseRefOid,
        baseRef: pull.baseRefName,
        defaultBranch: defaultRef.name,
        defaultBranchHead: defaultRef.target.oid,
        labels: labels.map((label) => label.name),
        repoUrl: repository.url,
        ...(comment ? { comment } : {}),
      };
    },
    prefetch(reads) {
      return prefetchFiles(octokit, repo, cache, reads);
    },
    files(sha) {
      let source = sources.get(sha);
      if (!source) {
        source = createGitHubFileSource(octokit, repo, sha, cache);
        sources.set(sha, source);
      }
      return source;
    },
    async readDefaultBranch(read) {
      const commits = [...new Set(read?.commits ?? [])];
      const paths = read?.paths?.flatMap((p) => normalizePath(p) ?? []) ?? [];
      const base = read?.compareWith;
      const { repository } = await withoutCompareErrors(
        octokit.graphql<SourcePushAnswer>(
          buildSourcePushQuery({ commits: commits.length, files: paths.length, compare: base !== undefined }),
          {
            owner: repo.owner,
            name: repo.repo,
            ...(base !== undefined ? { base } : {}),
            ...Object.fromEntries(commits.map((sha, i) => [`c${i}`, sha])),
            ...Object.fromEntries(paths.map((path, i) => [`p${i}`, path])),
          },
        ),
      );
      const ref = repository.defaultBranchRef;
      if (!ref) throw new UpstreamError(`${formatRepoRef(repo)} has no default branch`, notFound);
      const merged = (sha: string, commit: PullsOfCommit | null | undefined) => {
        // A commit not in the repo (rewritten away) answers nothing: a later question asks again.
        if (!commit) return;
        const { nodes, pageInfo } = commit.associatedPullRequests;
        const number = findMerged(nodes, sha, repository.databaseId, ref.name);
        // Past the first hundred PRs of a commit (rare), the rest are read when the deploy asks.
        if (number !== undefined || !pageInfo.hasNextPage || !pageInfo.endCursor)
          mergedPulls.set(sha, Promise.resolve(number));
      };
      merged(ref.target.oid, ref.target);
      commits.forEach((sha, i) => {
        const commit = repository[`c${i}`] as PullsOfCommit | null | undefined;
        merged(sha, commit);
        storeFiles(cache, sha, paths, commit);
      });
      const order = base === ref.target.oid ? 'identical' : orderOf(ref.compare?.status);
      return { branch: ref.name, sha: ref.target.oid, ...(order ? { order } : {}) };
    },
    findMergedPullRequest(sha) {
      let found = mergedPulls.get(sha);
      if (!found) {
        found = pullsFrom(sha, null);
        mergedPulls.set(sha, found);
        found.catch(() => mergedPulls.delete(sha));
      }
      return found;
    },
    async createComment(pullNumber, body) {
      const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: pullNumber, body });
      return { id: data.id, body: data.body ?? body };
    },
    async updateComment(commentId, body) {
      await octokit.rest.issues.updateComment({ ...repo, comment_id: commentId, body });
    },
    async createCheckRun(input, result) {
      const batches = chunk(result.annotations ?? [], annotationsPerRequest);
      const output = buildOutput(result);
      if (batches.length <= 1) {
        // The usual case: ONE request, the run created completed with its whole result.
        const { data } = await createCheck(input, {
          status: 'completed',
          conclusion: result.conclusion,
          output: { ...output, ...(batches[0] ? { annotations: batches[0].map(toGitHub) } : {}) },
          ...(result.actions ? { actions: result.actions } : {}),
        });
        return data.id;
      }
      // Over 50 annotations: created in progress with the first 50, completed by the request with the last.
      const { data } = await createCheck(input, {
        status: 'in_progress',
        output: {
          title: output.title,
          summary: output.summary,
          annotations: (batches[0] ?? []).map(toGitHub),
        },
      });
      await host.completeCheckRun(data.id, { ...result, annotations: batches.slice(1).flat() });
      return data.id;
    },
    async permissionOf(login) {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: login });
      return data.permission;
    },
    async addLabel(pullNumber, label) {
      await octokit.rest.issues.addLabels({ ...repo, issue_number: pullNumber, labels: [label] });
    },
    async completeCheckRun(checkRunId, result) {
      const batches = chunk(result.annotations ?? [], annotationsPerRequest);
      const output = buildOutput(result);
      // Every batch but the last while still in progress; the last one completes the run.
      for (const batch of batches.slice(0, -1)) {
        await octokit.rest.checks.update({
          ...repo,
          check_run_id: checkRunId,
          output: { title: output.title, summary: output.summary, annotations: batch.map(toGitHub) },
        });
      }
      await octokit.rest.checks.update({
        ...repo,
        check_run_id: checkRunId,
        status: 'completed',
        conclusion: result.conclusion,
        ...(result.actions ? { actions: result.actions } : {}),
        output: {
          ...output,
          ...(batches.length > 0 ? { annotations: (batches.at(-1) ?? []).map(toGitHub) } : {}),
        },
      });
    },
  };
  return host;
}

const notFound = { service: 'GitHub', retryable: false, status: 404 } as const;

function buildOutput(result: CheckRunResult) {
  return {
    title: result.title,
    summary: result.summary,
    ...(result.text !== undefined ? { text: result.text } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The pull request in one query

interface Page<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

interface CommentNode {
  databaseId: number;
  body: string;
  viewerDidAuthor: boolean;
}

interface CommitFiles extends Record<string, unknown> {
  oid: string;
}

interface PullRequestAnswer {
  repository: {
    url: string;
    defaultBranchRef: { name: string; target: CommitFiles } | null;
    head?: CommitFiles | null;
    pullRequest: {
      state: 'OPEN' | 'CLOSED' | 'MERGED';
      headRefOid: string;
      baseRefOid: string;
      baseRefName: string;
      baseRef: { target: CommitFiles } | null;
      labels: Page<{ name: string }>;
      comments?: Page<CommentNode>;
    };
  };
}

const pageInfo = 'pageInfo { hasNextPage endCursor }';
const labelsPage = `nodes { name } ${pageInfo}`;
const commentsPage = `nodes { databaseId body viewerDidAuthor } ${pageInfo}`;

/**
 * The PR's state, head, base and labels, the default branch's head, and — when asked — the sticky comment's
 * page and `files` paths (variables `$p0`…) at the PR's head (`$head`), its base branch and the default branch.
 */
export function buildPullRequestQuery(ask: { files: number; head: boolean; comments: boolean }): string {
  const paths = Array.from({ length: ask.files }, (_, i) => `p${i}`);
  const files = ask.files > 0 ? ` ... on Commit { ${fileSelections(paths, (i) => `p${i}`)} }` : '';
  const variables = [
    '$owner: String!',
    '$name: String!',
    '$number: Int!',
    ...(ask.head ? ['$head: GitObjectID!'] : []),
    ...paths.map((p) => `$${p}: String!`),
  ];
  return `query PullRequest(${variables.join(', ')}) {
  repository(owner: $owner, name: $name) {
    url
    defaultBranchRef { name target { oid${files} } }
    pullRequest(number: $number) {
      state
      headRefOid
      baseRefOid
      baseRefName
      baseRef { target { oid${files} } }
      labels(first: 100) { ${labelsPage} }
      ${ask.comments ? `comments(first: 100) { ${commentsPage} }` : ''}
    }
    ${ask.head ? `head: object(oid: $head) { oid${files} }` : ''}
  }
}
${ask.files > 0 ? fileEntryFragment : ''}`;
}

/** The next page of the PR's labels or comments (a PR with over a hundred of them). */
export function buildPullRequestPageQuery(field: 'labels' | 'comments'): string {
  return `query PullRequestPage($owner: String!, $name: String!, $number: Int!, $after: String!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      ${field}(first: 100, after: $after) { ${field === 'labels' ? labelsPage : commentsPage} }
    }
  }
}`;
}

async function morePullRequestPages<F extends 'labels' | 'comments'>(
  octokit: AppOctokit,
  repo: RepoRef,
  number: number,
  field: F,
  after: string,
): Promise<Page<F extends 'labels' ? { name: string } : CommentNode>> {
  const answer = await octokit.graphql<{ repository: { pullRequest: Record<F, Page<never>> } }>(
    buildPullRequestPageQuery(field),
    { owner: repo.owner, name: repo.repo, number, after },
  );
  return answer.repository.pullRequest[field];
}

async function allPages<T>(first: Page<T>, next: (after: string) => Promise<Page<T>>): Promise<T[]> {
  const items = [...first.nodes];
  for (let page = first; page.pageInfo.hasNextPage && page.pageInfo.endCursor; ) {
    page = await next(page.pageInfo.endCursor);
    items.push(...page.nodes);
  }
  return items;
}

/** The oldest comment of our own (the App's bot) that starts with the marker: a person quoting it takes nothing over. */
async function findSticky(
  first: Page<CommentNode>,
  marker: string,
  next: (after: string) => Promise<Page<CommentNode>>,
): Promise<HostComment | undefined> {
  for (let page: Page<CommentNode> | undefined = first; page; ) {
    const found = page.nodes.find((c) => c.viewerDidAuthor && c.body.startsWith(marker));
    if (found) return { id: found.databaseId, body: found.body };
    page =
      page.pageInfo.hasNextPage && page.pageInfo.endCursor ? await next(page.pageInfo.endCursor) : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The push a deploy reads: the default branch, the PR merged as each commit, the config files, in one query

interface AssociatedPull {
  number: number;
  merged: boolean;
  baseRefName: string;
  mergeCommit: { oid: string } | null;
  baseRepository: { databaseId: number | null } | null;
}

interface PullsOfCommit extends Record<string, unknown> {
  associatedPullRequests: Page<AssociatedPull>;
}

interface SourcePushAnswer {
  repository: {
    databaseId: number | null;
    defaultBranchRef: {
      name: string;
      target: PullsOfCommit & { oid: string };
      /** The branch as base, the asked commit as head: null when GitHub cannot compare them. */
      compare?: { status: 'AHEAD' | 'BEHIND' | 'DIVERGED' | 'IDENTICAL' } | null;
    } | null;
  } & Record<string, unknown>;
}

/**
 * `compare(base, head)` from GitHub's comparison of the branch (its base) with `base` (its head): a commit the
 * branch is AHEAD of is one the head descends from. Undefined when GitHub did not compare them.
 */
function orderOf(status: 'AHEAD' | 'BEHIND' | 'DIVERGED' | 'IDENTICAL' | undefined): CommitOrder | undefined {
  if (status === 'BEHIND') return 'ahead';
  if (status === 'AHEAD') return 'behind';
  return status?.toLowerCase() as CommitOrder | undefined;
}

/**
 * The answer even when GitHub refused only the comparison (e.g. a deployed commit since rewritten away): its
 * errors then all sit under `compare`, the rest of the data is whole, and the deploy asks the REST compare.
 */
async function withoutCompareErrors<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    const cause = (error as { cause?: { errors?: unknown; data?: unknown } }).cause ?? error;
    const { errors, data } = cause as { errors?: unknown; data?: unknown };
    const onCompare = (entry: unknown) =>
      Array.isArray((entry as { path?: unknown }).path) &&
      ((entry as { path: unknown[] }).path as unknown[]).includes('compare');
    const repository = (data as { repository?: unknown } | undefined)?.repository;
    if (Array.isArray(errors) && errors.length > 0 && errors.every(onCompare) && repository) return data as T;
    throw error;
  }
}

interface CommitPullsAnswer {
  repository: {
    databaseId: number | null;
    defaultBranchRef: { name: string } | null;
    object: PullsOfCommit | null;
  };
}

/**
 * The pull request merged INTO THIS REPO'S DEFAULT BRANCH as commit `sha` (its merge, squash or rebase commit),
 * as GitHub associates it with the commit; never guessed from a commit message. GitHub also lists open PRs
 * containing a commit not yet on the default branch, and PRs of other repos of the fork network: not these.
 */
function findMerged(
  pulls: readonly AssociatedPull[],
  sha: string,
  repoId: number | null,
  defaultBranch: string,
): number | undefined {
  return pulls.find(
    (pull) =>
      pull.merged &&
      pull.mergeCommit?.oid === sha &&
      pull.baseRefName === defaultBranch &&
      pull.baseRepository?.databaseId === repoId,
  )?.number;
}

const associatedPullsPage = `nodes { number merged baseRefName mergeCommit { oid } baseRepository { databaseId } } ${pageInfo}`;

/**
 * The default branch and its head, and for the head and each of `commits` (variables `$c0`…) the PRs GitHub
 * associates with it; with `files` paths (`$p0`…) read at each of `commits`; with `compare`, the branch compared
 * with the commit `$base` (GitHub accepts a commit id as `headRef`).
 */
export function buildSourcePushQuery(ask: { commits: number; files: number; compare?: boolean }): string {
  const paths = Array.from({ length: ask.files }, (_, i) => `p${i}`);
  const commits = Array.from({ length: ask.commits }, (_, i) => `c${i}`);
  const pulls = `associatedPullRequests(first: 100) { ${associatedPullsPage} }`;
  const files = ask.files > 0 ? ` ${fileSelections(paths, (i) => `p${i}`)}` : '';
  const variables = [
    '$owner: String!',
    '$name: String!',
    ...(ask.compare ? ['$base: String!'] : []),
    ...commits.map((c) => `$${c}: GitObjectID!`),
    ...paths.map((p) => `$${p}: String!`),
  ];
  return `query SourcePush(${variables.join(', ')}) {
  repository(owner: $owner, name: $name) {
    databaseId
    defaultBranchRef { name target { oid ... on Commit { ${pulls} } }${ask.compare ? ' compare(headRef: $base) { status }' : ''} }
    ${commits.map((c) => `${c}: object(oid: $${c}) { ... on Commit { ${pulls}${files} } }`).join('\n    ')}
  }
}
${ask.files > 0 ? fileEntryFragment : ''}`;
}

/** One page of the PRs GitHub associates with a commit (`$after` null: the first). */
export const commitPullRequestsQuery = `query CommitPullRequests($owner: String!, $name: String!, $oid: GitObjectID!, $after: String) {
  repository(owner: $owner, name: $name) {
    databaseId
    defaultBranchRef { name }
    object(oid: $oid) { ... on Commit { associatedPullRequests(first: 100, after: $after) { ${associatedPullsPage} } } }
  }
}`;

function toGitHub(a: Annotation) {
  return {
    path: a.path,
    start_line: a.startLine,
    end_line: a.endLine,
    annotation_level: a.level,
    message: a.message,
    title: a.title,
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Every shape of GraphQL document this module sends (the contract test validates them against GitHub's schema). */
export const graphqlDocuments: readonly string[] = [
  buildPullRequestQuery({ files: 2, head: true, comments: false }),
  buildPullRequestQuery({ files: 0, head: false, comments: true }),
  buildPullRequestPageQuery('labels'),
  buildPullRequestPageQuery('comments'),
  buildSourcePushQuery({ commits: 1, files: 0 }),
  buildSourcePushQuery({ commits: 2, files: 2 }),
  buildSourcePushQuery({ commits: 1, files: 1, compare: true }),
  commitPullRequestsQuery,
];
