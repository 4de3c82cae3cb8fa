/**
 * What GitHub knows about the commits of a branch: its history (optionally of one path), each commit attributed
 * to accounts by e-mail and verified when GitHub signed it; the commit statuses cluster agents post (Argo CD's
 * notifications, Flux's notification-controller) and the check runs on a commit. The promotion after a time
 * reads them (shared/adapters/github/github-deploy-history.ts).
 * @module
 */
import { type Handler, HttpError, paginate, type RouteContext } from './http.js';
import { buildCheckRun, buildCommit, buildRepository, buildUser, repoApiUrl } from './shapes.js';
import type { StatusRecord } from './state.js';

async function resolveRef({ repo }: RouteContext, ref: string): Promise<string> {
  const sha = await repo.git.resolveCommit(ref);
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${ref}`, { status: '422' });
  return sha;
}

/** Newest first, like `git log <sha> -- <path>`; at most 1,000 (ten pages) from one request. */
export const listCommits: Handler = async (ctx) => {
  const { hub, repo, query, url } = ctx;
  const head = await resolveRef(ctx, query.get('sha') ?? repo.defaultBranch);
  const path = query.get('path')?.replace(/^\/+|\/+$/g, '');
  const shas = await repo.git.log(head, { ...(path ? { path } : {}), limit: 1000 });
  const { page, headers } = paginate(shas, url);
  const body = await Promise.all(
    page.map(async (sha) => {
      const commit = await repo.git.readCommit(sha);
      const author = hub.accountOf(commit.author);
      const committer = hub.accountOf(commit.committer);
      return buildCommit(hub.urls, repo, commit, undefined, {
        ...(author ? { author } : {}),
        ...(committer ? { committer } : {}),
        signed: repo.signedCommits.has(sha),
      });
    }),
  );
  return { status: 200, body, headers };
};

/** The latest status of each context on the commit, and their combined state (GitHub's rules). */
export const getCombinedStatus: Handler = async (ctx) => {
  const { hub, repo, params } = ctx;
  const sha = await resolveRef(ctx, params.ref ?? '');
  const latest = new Map<string, StatusRecord>();
  for (const status of repo.statuses) if (status.sha === sha) latest.set(status.context, status);
  const statuses = [...latest.values()].sort((a, b) => b.id - a.id);
  const states = statuses.map((status) => status.state);
  const state = states.some((s) => s === 'error' || s === 'failure')
    ? 'failure'
    : states.length === 0 || states.includes('pending')
      ? 'pending'
      : 'success';
  const api = repoApiUrl(hub.urls, repo);
  return {
    status: 200,
    body: {
      state,
      statuses: statuses.map((status) => ({
        url: `${api}/statuses/${sha}`,
        avatar_url: buildUser(hub.urls, status.creator).avatar_url,
        id: status.id,
        node_id: Buffer.from(`StatusContext:${status.id}`).toString('base64url'),
        state: status.state,
        description: status.description,
        target_url: status.targetUrl,
        context: status.context,
        created_at: status.createdAt,
        updated_at: status.createdAt,
      })),
      sha,
      total_count: statuses.length,
      repository: buildRepository(hub.urls, repo),
      commit_url: `${api}/commits/${sha}`,
      url: `${api}/commits/${sha}/status`,
    },
  };
};

/** The check runs on a commit, of every App; `filter=latest` (the default) keeps each name's newest run. */
export const listCheckRunsForRef: Handler = async (ctx) => {
  const { hub, repo, params, query, url } = ctx;
  const sha = await resolveRef(ctx, params.ref ?? '');
  const runs = [...repo.checkRuns.values()]
    .filter((run) => run.headSha === sha)
    .filter((run) => !query.get('check_name') || run.name === query.get('check_name'))
    .sort((a, b) => b.id - a.id);
  const latest =
    query.get('filter') === 'all'
      ? runs
      : runs.filter(
          (run, index) => runs.findIndex((r) => r.name === run.name && r.appId === run.appId) === index,
        );
  const { page, headers } = paginate(latest, url);
  const pulls = await hub.pullsWithHead(repo, sha);
  return {
    status: 200,
    headers,
    body: {
      total_count: latest.length,
      check_runs: page.map((run) => buildCheckRun(hub.urls, repo, run, hub.appJson(run.appId), pulls)),
    },
  };
};
