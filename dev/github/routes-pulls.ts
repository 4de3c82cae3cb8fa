/**
 * Pull requests and their issue comments.
 * @module
 */

import { type Handler, notFound, paginate, type RouteContext, requireString, unprocessable } from './http.js';
import type { Hub } from './hub.js';
import { buildComment, buildPull, buildPullSimple, buildReview } from './shapes.js';
import type { CommentRecord, PullRecord, RepoRecord } from './state.js';

/** GitHub's limit on issue comment bodies. */
export const MAX_COMMENT_LENGTH = 65_536;

function findPull({ repo, params }: RouteContext): PullRecord {
  const pull = repo.pulls.get(Number(params.pull_number ?? params.issue_number));
  if (!pull) throw notFound();
  return pull;
}

export async function renderPull(hub: Hub, repo: RepoRecord, pull: PullRecord) {
  const shas = await hub.pullShas(repo, pull);
  const stats = await hub.pullStats(repo, pull, shas);
  return buildPull(hub.urls, repo, pull, shas, stats);
}

function checkCommentBody(body: Record<string, unknown>): string {
  const text = requireString(body, 'body');
  if (text.length > MAX_COMMENT_LENGTH) {
    throw unprocessable('Validation Failed', [
      {
        resource: 'IssueComment',
        code: 'custom',
        field: 'body',
        message: `body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)`,
      },
    ]);
  }
  return text;
}

export const listPulls: Handler = async ({ hub, repo, query, url }) => {
  const state = query.get('state') ?? 'open';
  const head = query.get('head');
  const base = query.get('base');
  const pulls = [...repo.pulls.values()]
    .filter((pull) => state === 'all' || pull.state === state)
    .filter((pull) => !head || `${repo.owner.login}:${pull.headRef}`.toLowerCase() === head.toLowerCase())
    .filter((pull) => !base || pull.baseRef === base)
    .sort((a, b) => b.number - a.number);
  const items = [];
  for (const pull of pulls) items.push(buildPullSimple(hub.urls, repo, pull, await hub.pullShas(repo, pull)));
  const { page, headers } = paginate(items, url);
  return { status: 200, body: page, headers };
};

export const createPull: Handler = async ({ hub, repo, body, app }) => {
  const title = requireString(body, 'title');
  const headSpec = requireString(body, 'head');
  const baseRef = requireString(body, 'base');
  const headRef = headSpec.includes(':') ? headSpec.slice(headSpec.indexOf(':') + 1) : headSpec;
  const invalid = (field: string) =>
    unprocessable('Validation Failed', [{ resource: 'PullRequest', field, code: 'invalid' }]);
  const head = await repo.git.readRef(`refs/heads/${headRef}`);
  const base = await repo.git.readRef(`refs/heads/${baseRef}`);
  if (!head) throw invalid('head');
  if (!base) throw invalid('base');
  const refuse = (message: string) =>
    unprocessable('Validation Failed', [{ resource: 'PullRequest', code: 'custom', message }]);
  if ((await repo.git.commitsBetween(base, head)).length === 0)
    throw refuse(`No commits between ${baseRef} and ${headRef}`);
  for (const other of repo.pulls.values()) {
    if (other.state === 'open' && other.headRef === headRef && other.baseRef === baseRef)
      throw refuse(`A pull request already exists for ${repo.owner.login}:${headRef}.`);
  }
  const pull = openPull(hub, repo, {
    title,
    body: typeof body.body === 'string' ? body.body : null,
    headRef,
    baseRef,
    draft: body.draft === true,
    user: app ? app.bot : repo.owner,
  });
  return { status: 201, body: await renderPull(hub, repo, pull) };
};

/** The title and body: what the App's deploy PRs change. */
export const updatePull: Handler = async (ctx) => {
  const { hub, repo, body } = ctx;
  const pull = findPull(ctx);
  if (typeof body.title === 'string') pull.title = body.title;
  if (typeof body.body === 'string') pull.body = body.body;
  pull.updatedAt = hub.now();
  return { status: 200, body: await renderPull(hub, repo, pull) };
};

export const createComment: Handler = (ctx) => {
  const { hub, repo, body, app } = ctx;
  const pull = findPull(ctx);
  const text = checkCommentBody(body);
  const now = hub.now();
  const comment = {
    id: hub.state.nextId(),
    issueNumber: pull.number,
    body: text,
    user: app ? app.bot : repo.owner,
    ...(app ? { appId: app.id } : {}),
    createdAt: now,
    updatedAt: now,
  };
  repo.comments.set(comment.id, comment);
  return { status: 201, body: renderComment(hub, repo, comment) };
};

export const updateComment: Handler = ({ hub, repo, params, body }) => {
  const comment = repo.comments.get(Number(params.comment_id));
  if (!comment) throw notFound();
  comment.body = checkCommentBody(body);
  comment.updatedAt = hub.now();
  return { status: 200, body: renderComment(hub, repo, comment) };
};

function renderComment(hub: Hub, repo: RepoRecord, comment: CommentRecord) {
  const app = comment.appId === undefined ? undefined : hub.appJson(comment.appId);
  return buildComment(hub.urls, repo, comment, app);
}

export function openPull(
  hub: Hub,
  repo: RepoRecord,
  input: {
    title: string;
    body: string | null;
    headRef: string;
    baseRef: string;
    draft: boolean;
    user: PullRecord['user'];
  },
): PullRecord {
  const now = hub.now();
  const pull: PullRecord = {
    id: hub.state.nextId(),
    number: repo.nextNumber++,
    ...input,
    state: 'open',
    labels: [],
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    mergedAt: null,
    mergeCommitSha: null,
    mergedBy: null,
  };
  repo.pulls.set(pull.number, pull);
  return pull;
}

export const listReviews: Handler = (ctx) => {
  const pull = findPull(ctx);
  const items = (pull.reviews ?? []).map((review) => buildReview(ctx.hub.urls, ctx.repo, pull, review));
  const { page, headers } = paginate(items, ctx.url);
  return { status: 200, body: page, headers };
};
