/**
 * Repository, contents and git-data endpoints, answered from the repository's real git objects.
 * @module
 */

import type { GitRepo } from './git.js';
import {
  type Handler,
  HttpError,
  notFound,
  type RouteContext,
  requireString,
  unprocessable,
} from './http.js';
import { buildBlob, buildCommit, buildGitRef, buildGitTag, buildTree } from './shapes.js';

async function resolveRef({ repo }: RouteContext, ref: string): Promise<string> {
  const sha = await repo.git.resolveCommit(ref);
  if (!sha) throw new HttpError(404, `No commit found for SHA: ${ref}`, { status: '404' });
  return sha;
}

/**
 * How `head` relates to `base` as GitHub's compare says it (REST `status`, GraphQL `Comparison.status` in upper
 * case) with the commits each is ahead by; undefined for commits without common history.
 */
export async function compareCommitPair(git: GitRepo, base: string, head: string) {
  const mergeBase = await git.mergeBase(base, head);
  if (!mergeBase) return undefined;
  const ahead = await git.commitsBetween(base, head);
  const behind = await git.commitsBetween(head, base);
  const status =
    ahead.length === 0 && behind.length === 0
      ? 'identical'
      : behind.length === 0
        ? 'ahead'
        : ahead.length === 0
          ? 'behind'
          : 'diverged';
  return { status, mergeBase, ahead, behind } as const;
}

/** How two commits relate (`status`, what the App reads) with the commits ahead; no file list. */
export const compareCommits: Handler = async (ctx) => {
  const { hub, repo, params } = ctx;
  const [baseRef = '', headRef = ''] = (params.basehead ?? '').split('...');
  const base = await resolveRef(ctx, baseRef);
  const head = await resolveRef(ctx, headRef);
  const pair = await compareCommitPair(repo.git, base, head);
  if (!pair) throw notFound();
  const { status, mergeBase, ahead, behind } = pair;
  const commits = await Promise.all(
    ahead.slice(0, 250).map(async (sha) => buildCommit(hub.urls, repo, await repo.git.readCommit(sha))),
  );
  const html = `${hub.urls.html}/${repo.owner.login}/${repo.name}/compare/${baseRef}...${headRef}`;
  return {
    status: 200,
    body: {
      url: `${hub.urls.api}/repos/${repo.owner.login}/${repo.name}/compare/${baseRef}...${headRef}`,
      html_url: html,
      permalink_url: `${hub.urls.html}/${repo.owner.login}/${repo.name}/compare/${base}...${head}`,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      base_commit: buildCommit(hub.urls, repo, await repo.git.readCommit(base)),
      merge_base_commit: buildCommit(hub.urls, repo, await repo.git.readCommit(mergeBase)),
      status,
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits,
    },
  };
};

export const getRef: Handler = async ({ hub, repo, params }) => {
  const ref = `refs/${params.ref ?? ''}`;
  const sha = await repo.git.readRef(ref);
  if (!sha || !(await repo.git.listRefs(ref)).some((found) => found.ref === ref)) throw notFound();
  const type = (await repo.git.objectType(sha)) === 'tag' ? 'tag' : 'commit';
  return { status: 200, body: buildGitRef(hub.urls, repo, ref, sha, type) };
};

/** An annotated tag object (what a tag ref names when the tag was made with `git tag -a`). */
export const getTag: Handler = async ({ hub, repo, params }) => {
  const sha = params.tag_sha ?? '';
  if (!/^[0-9a-f]{40}$/.test(sha) || (await repo.git.objectType(sha)) !== 'tag') throw notFound();
  return { status: 200, body: buildGitTag(hub.urls, repo, await repo.git.readTag(sha)) };
};

export const createRef: Handler = async ({ hub, repo, body }) => {
  const ref = requireString(body, 'ref');
  const sha = requireString(body, 'sha');
  if (!/^refs\/[^/]+\/.+/.test(ref) || ref.includes('..')) throw unprocessable('Reference name is invalid');
  if ((await repo.git.objectType(sha)) !== 'commit') throw unprocessable('Object does not exist');
  if (!(await repo.git.updateRef(ref, sha, '0'.repeat(40)))) throw unprocessable('Reference already exists');
  repo.pushedAt = hub.now();
  return { status: 201, body: buildGitRef(hub.urls, repo, ref, sha) };
};

/** The deploy's compare-and-swap: 422 unless a fast-forward (or `force`). */
export const updateRef: Handler = async ({ hub, repo, params, body }) => {
  const ref = `refs/${params.ref ?? ''}`;
  const sha = requireString(body, 'sha');
  const current = await repo.git.readRef(ref);
  if (!current) throw unprocessable('Reference does not exist');
  if ((await repo.git.objectType(sha)) !== 'commit') throw unprocessable('Object does not exist');
  if (body.force !== true && !(await repo.git.isAncestor(current, sha)))
    throw unprocessable('Update is not a fast forward');
  // The old value makes the move atomic: a concurrent update in between loses like a non-fast-forward.
  if (!(await repo.git.updateRef(ref, sha, current))) throw unprocessable('Update is not a fast forward');
  repo.pushedAt = hub.now();
  return { status: 200, body: buildGitRef(hub.urls, repo, ref, sha) };
};

/** A tree by its SHA or a commit's (as the App asks, with the commit SHA), recursive on request. */
export const getTree: Handler = async ({ hub, repo, params, query }) => {
  const wanted = params.tree_sha ?? '';
  let tree = (await repo.git.objectType(wanted)) === 'tree' ? wanted : undefined;
  if (!tree) {
    const commit = await repo.git.resolveCommit(wanted);
    if (!commit) throw notFound();
    tree = (await repo.git.readCommit(commit)).tree;
  }
  const entries = await repo.git.readTree(tree, query.has('recursive'));
  return { status: 200, body: buildTree(hub.urls, repo, tree, entries) };
};

export const getBlob: Handler = async ({ hub, repo, params }) => {
  const sha = params.file_sha ?? '';
  if ((await repo.git.objectType(sha)) !== 'blob') throw notFound();
  return { status: 200, body: buildBlob(hub.urls, repo, sha, await repo.git.readBlob(sha)) };
};
