/**
 * Pull requests, their files, issue comments and issue labels.
 * @module
 */

import {
  HttpError,
  notFound,
  paginate,
  type Route,
  type RouteContext,
  requireString,
  unprocessable,
} from './http.js';
import type { Hub } from './hub.js';
import { buildComment, buildDiffEntry, buildLabel, buildPull, buildPullSimple } from './shapes.js';
import type { PullRecord, RepoRecord } from './state.js';

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

/** Closing freezes the head and base SHAs (GitHub stops following the branches); reopening thaws them. */
export async function setPullState(hub: Hub, repo: RepoRecord, pull: PullRecord, state: 'open' | 'closed') {
  if (pull.state === state) return;
  if (state === 'closed') {
    pull.frozen = await hub.pullShas(repo, pull);
    pull.closedAt = hub.now();
  } else {
    delete pull.frozen;
    pull.closedAt = null;
  }
  pull.state = state;
  pull.updatedAt = hub.now();
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

export const pullRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/:owner/:repo/pulls/:pull_number',
    operationId: 'pulls/get',
    auth: 'installation',
    handle: async (ctx) => ({ status: 200, body: await renderPull(ctx.hub, ctx.repo, findPull(ctx)) }),
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/pulls/:pull_number/files',
    operationId: 'pulls/list-files',
    auth: 'installation',
    handle: async (ctx) => {
      const { hub, repo, url } = ctx;
      const pull = findPull(ctx);
      const shas = await hub.pullShas(repo, pull);
      const { files } = await hub.pullStats(repo, pull, shas);
      const { page, headers } = paginate(
        files.map((file) => buildDiffEntry(hub.urls, repo, shas.head, file)),
        url,
      );
      return { status: 200, body: page, headers };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/pulls',
    operationId: 'pulls/list',
    auth: 'installation',
    handle: async ({ hub, repo, query, url }) => {
      const state = query.get('state') ?? 'open';
      const head = query.get('head');
      const base = query.get('base');
      const pulls = [...repo.pulls.values()]
        .filter((pull) => state === 'all' || pull.state === state)
        .filter((pull) => !head || `${repo.owner.login}:${pull.headRef}`.toLowerCase() === head.toLowerCase())
        .filter((pull) => !base || pull.baseRef === base)
        .sort((a, b) => (query.get('direction') === 'asc' ? a.number - b.number : b.number - a.number));
      const items = [];
      for (const pull of pulls)
        items.push(buildPullSimple(hub.urls, repo, pull, await hub.pullShas(repo, pull)));
      const { page, headers } = paginate(items, url);
      return { status: 200, body: page, headers };
    },
  },
  {
    method: 'POST',
    path: '/repos/:owner/:repo/pulls',
    operationId: 'pulls/create',
    auth: 'installation',
    handle: async ({ hub, repo, body, app }) => {
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
      if ((await repo.git.commitsBetween(base, head)).length === 0) {
        throw unprocessable('Validation Failed', [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `No commits between ${baseRef} and ${headRef}`,
          },
        ]);
      }
      for (const other of repo.pulls.values()) {
        if (other.state === 'open' && other.headRef === headRef && other.baseRef === baseRef) {
          throw unprocessable('Validation Failed', [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${repo.owner.login}:${headRef}.`,
            },
          ]);
        }
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
    },
  },
  {
    method: 'PATCH',
    path: '/repos/:owner/:repo/pulls/:pull_number',
    operationId: 'pulls/update',
    auth: 'installation',
    handle: async (ctx) => {
      const { hub, repo, body } = ctx;
      const pull = findPull(ctx);
      if (typeof body.title === 'string') pull.title = body.title;
      if (typeof body.body === 'string') pull.body = body.body;
      if (typeof body.base === 'string') {
        if (!(await repo.git.readRef(`refs/heads/${body.base}`))) {
          throw unprocessable('Validation Failed', [
            { resource: 'PullRequest', field: 'base', code: 'invalid' },
          ]);
        }
        pull.baseRef = body.base;
      }
      if (body.state === 'open' || body.state === 'closed') {
        if (pull.mergedAt && body.state === 'open')
          throw unprocessable('Validation Failed', [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: 'state cannot be changed. The pull request cannot be reopened.',
            },
          ]);
        await setPullState(hub, repo, pull, body.state);
      }
      pull.updatedAt = hub.now();
      return { status: 200, body: await renderPull(hub, repo, pull) };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/issues/:issue_number/comments',
    operationId: 'issues/list-comments',
    auth: 'installation',
    handle: (ctx) => {
      const { hub, repo, url } = ctx;
      const pull = findPull(ctx);
      const comments = [...repo.comments.values()]
        .filter((comment) => comment.issueNumber === pull.number)
        .sort((a, b) => a.id - b.id)
        .map((comment) =>
          buildComment(
            hub.urls,
            repo,
            comment,
            comment.appId === undefined ? undefined : hub.appJson(comment.appId),
          ),
        );
      const { page, headers } = paginate(comments, url);
      return { status: 200, body: page, headers };
    },
  },
  {
    method: 'POST',
    path: '/repos/:owner/:repo/issues/:issue_number/comments',
    operationId: 'issues/create-comment',
    auth: 'installation',
    handle: (ctx) => {
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
      return {
        status: 201,
        body: buildComment(hub.urls, repo, comment, app ? hub.appJson(app.id) : undefined),
      };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/issues/comments/:comment_id',
    operationId: 'issues/get-comment',
    auth: 'installation',
    handle: ({ hub, repo, params }) => {
      const comment = repo.comments.get(Number(params.comment_id));
      if (!comment) throw notFound();
      const app = comment.appId === undefined ? undefined : hub.appJson(comment.appId);
      return { status: 200, body: buildComment(hub.urls, repo, comment, app) };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/:owner/:repo/issues/comments/:comment_id',
    operationId: 'issues/update-comment',
    auth: 'installation',
    handle: ({ hub, repo, params, body }) => {
      const comment = repo.comments.get(Number(params.comment_id));
      if (!comment) throw notFound();
      comment.body = checkCommentBody(body);
      comment.updatedAt = hub.now();
      const app = comment.appId === undefined ? undefined : hub.appJson(comment.appId);
      return { status: 200, body: buildComment(hub.urls, repo, comment, app) };
    },
  },
  {
    method: 'DELETE',
    path: '/repos/:owner/:repo/issues/comments/:comment_id',
    operationId: 'issues/delete-comment',
    auth: 'installation',
    handle: ({ repo, params }) => {
      if (!repo.comments.delete(Number(params.comment_id))) throw notFound();
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    path: '/repos/:owner/:repo/issues/:issue_number/labels',
    operationId: 'issues/add-labels',
    auth: 'installation',
    handle: (ctx) => {
      const { hub, repo, body } = ctx;
      const pull = findPull(ctx);
      const names = Array.isArray(body.labels) ? body.labels : [];
      if (names.length === 0) throw unprocessable('Invalid request.\n\nNo labels supplied.');
      for (const name of names)
        addLabel(
          hub,
          repo,
          pull,
          String(typeof name === 'object' && name ? (name as { name: unknown }).name : name),
        );
      return {
        status: 200,
        body: pull.labels.map((name) => buildLabel(hub.urls, repo, repo.labels.get(name)!)),
      };
    },
  },
  {
    method: 'DELETE',
    path: '/repos/:owner/:repo/issues/:issue_number/labels/:name',
    operationId: 'issues/remove-label',
    auth: 'installation',
    handle: (ctx) => {
      const { hub, repo, params } = ctx;
      const pull = findPull(ctx);
      const name = params.name ?? '';
      if (!pull.labels.includes(name)) throw new HttpError(404, 'Label does not exist', { status: '404' });
      removeLabel(hub, pull, name);
      return {
        status: 200,
        body: pull.labels.map((label) => buildLabel(hub.urls, repo, repo.labels.get(label)!)),
      };
    },
  },
];

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

/** Adds a label to a pull, creating the repo label on first use like GitHub does. Answers whether it changed. */
export function addLabel(hub: Hub, repo: RepoRecord, pull: PullRecord, name: string): boolean {
  if (!repo.labels.has(name))
    repo.labels.set(name, { id: hub.state.nextId(), name, color: 'ededed', description: null });
  if (pull.labels.includes(name)) return false;
  pull.labels.push(name);
  pull.updatedAt = hub.now();
  return true;
}

export function removeLabel(hub: Hub, pull: PullRecord, name: string): boolean {
  const before = pull.labels.length;
  pull.labels = pull.labels.filter((label) => label !== name);
  pull.updatedAt = hub.now();
  return pull.labels.length !== before;
}
