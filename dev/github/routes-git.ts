/**
 * Repository, contents and git-data endpoints, answered from the repository's real git objects.
 * @module
 */
import type { GitIdentity, TreeChange } from './git.js';
import {
  HttpError,
  notFound,
  paginate,
  type Route,
  type RouteContext,
  requireString,
  unprocessable,
} from './http.js';
import {
  buildBlob,
  buildBranch,
  buildCommit,
  buildContentItem,
  buildDiffEntry,
  buildGitCommit,
  buildGitRef,
  buildPullSimple,
  buildRepository,
  buildTree,
} from './shapes.js';

const SHA = /^[0-9a-f]{40}$/;
const MODES: Record<string, 'blob' | 'tree' | 'commit'> = {
  '100644': 'blob',
  '100755': 'blob',
  '120000': 'blob',
  '040000': 'tree',
  '160000': 'commit',
};

async function resolveRef({ repo }: RouteContext, ref: string): Promise<string> {
  const sha = await repo.git.resolveCommit(ref);
  if (!sha) throw new HttpError(404, `No commit found for SHA: ${ref}`, { status: '404' });
  return sha;
}

/** Whether the client asked for raw bytes (`application/vnd.github.raw`), as Octokit's `mediaType` does. */
const wantsRaw = (ctx: RouteContext) => /vnd\.github(?:\.v3)?\.raw/.test(ctx.accept);

async function getContent(ctx: RouteContext) {
  const { hub, repo, query } = ctx;
  const ref = query.get('ref') || repo.defaultBranch;
  const sha = await resolveRef(ctx, ref);
  const path = (ctx.params.path ?? '').replace(/^\/+|\/+$/g, '');
  const entry = await repo.git.entryAt(sha, path);
  if (!entry) throw notFound();
  if (entry.type === 'tree') {
    const children = await repo.git.readTree(path === '' ? entry.sha : `${sha}:${path}`, false);
    const items = children.map((child) =>
      buildContentItem(hub.urls, repo, ref, {
        ...child,
        path: path === '' ? child.path : `${path}/${child.path}`,
      }),
    );
    return { status: 200, body: items };
  }
  const content = await repo.git.readBlob(entry.sha);
  if (wantsRaw(ctx))
    return { status: 200, body: content, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  return { status: 200, body: buildContentItem(hub.urls, repo, ref, entry, content) };
}

function readIdentity(value: unknown, fallback: GitIdentity): GitIdentity {
  if (!value || typeof value !== 'object') return fallback;
  const who = value as Record<string, unknown>;
  return {
    name: typeof who.name === 'string' ? who.name : fallback.name,
    email: typeof who.email === 'string' ? who.email : fallback.email,
    date: typeof who.date === 'string' ? who.date : fallback.date,
  };
}

export const gitRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/:owner/:repo',
    operationId: 'repos/get',
    auth: 'installation',
    handle: ({ hub, repo }) => ({ status: 200, body: buildRepository(hub.urls, repo) }),
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/contents',
    operationId: 'repos/get-content',
    auth: 'installation',
    handle: getContent,
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/contents/:path{.+}',
    operationId: 'repos/get-content',
    auth: 'installation',
    handle: getContent,
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/git/trees/:tree_sha',
    operationId: 'git/get-tree',
    auth: 'installation',
    handle: async (ctx) => {
      const { hub, repo, params, query } = ctx;
      const wanted = params.tree_sha ?? '';
      let tree = (await repo.git.objectType(wanted)) === 'tree' ? wanted : undefined;
      if (!tree) {
        const commit = await repo.git.resolveCommit(wanted);
        if (!commit) throw notFound();
        tree = (await repo.git.readCommit(commit)).tree;
      }
      const entries = await repo.git.readTree(tree, query.has('recursive'));
      return { status: 200, body: buildTree(hub.urls, repo, tree, entries) };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/git/blobs/:file_sha',
    operationId: 'git/get-blob',
    auth: 'installation',
    handle: async (ctx) => {
      const { hub, repo, params } = ctx;
      const sha = params.file_sha ?? '';
      if ((await repo.git.objectType(sha)) !== 'blob') throw notFound();
      const content = await repo.git.readBlob(sha);
      if (wantsRaw(ctx)) {
        return { status: 200, body: content, headers: { 'content-type': 'text/plain; charset=utf-8' } };
      }
      return { status: 200, body: buildBlob(hub.urls, repo, sha, content) };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/commits/:ref',
    operationId: 'repos/get-commit',
    auth: 'installation',
    handle: async (ctx) => {
      const { hub, repo, params } = ctx;
      const sha = await resolveRef(ctx, params.ref ?? '');
      // `application/vnd.github.sha` answers just the SHA: the cheapest "where is this branch now?".
      if (/vnd\.github(?:\.v3)?\.sha/.test(ctx.accept)) {
        return {
          status: 200,
          body: Buffer.from(sha),
          headers: { 'content-type': 'application/vnd.github.sha; charset=utf-8' },
        };
      }
      const commit = await repo.git.readCommit(sha);
      const parent = commit.parents[0];
      const changed = parent ? await repo.git.diffFiles(parent, sha) : [];
      const files = changed.map((file) => buildDiffEntry(hub.urls, repo, sha, file));
      return { status: 200, body: buildCommit(hub.urls, repo, commit, files) };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/branches/:branch{.+}',
    operationId: 'repos/get-branch',
    auth: 'installation',
    handle: async ({ hub, repo, params }) => {
      const name = params.branch ?? '';
      const sha = await repo.git.readRef(`refs/heads/${name}`);
      if (!sha || name.includes('..')) throw new HttpError(404, 'Branch not found', { status: '404' });
      return { status: 200, body: buildBranch(hub.urls, repo, name, await repo.git.readCommit(sha)) };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/commits/:commit_sha/pulls',
    operationId: 'repos/list-pull-requests-associated-with-commit',
    auth: 'installation',
    handle: async (ctx) => {
      const { hub, repo, url } = ctx;
      const sha = await resolveRef(ctx, ctx.params.commit_sha ?? '');
      const items = [];
      for (const { pull, shas } of await hub.pullsWithCommit(repo, sha))
        items.push(buildPullSimple(hub.urls, repo, pull, shas));
      const { page, headers } = paginate(items, url);
      return { status: 200, body: page, headers };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/compare/:basehead{.+}',
    operationId: 'repos/compare-commits',
    auth: 'installation',
    handle: async (ctx) => {
      const { hub, repo, params } = ctx;
      const [baseRef = '', headRef = ''] = (params.basehead ?? '').split('...');
      const base = await resolveRef(ctx, baseRef);
      const head = await resolveRef(ctx, headRef);
      const mergeBase = await repo.git.mergeBase(base, head);
      if (!mergeBase) throw notFound();
      const ahead = await repo.git.commitsBetween(base, head);
      const behind = await repo.git.commitsBetween(head, base);
      const status =
        ahead.length === 0 && behind.length === 0
          ? 'identical'
          : behind.length === 0
            ? 'ahead'
            : ahead.length === 0
              ? 'behind'
              : 'diverged';
      const commits = await Promise.all(
        ahead.slice(0, 250).map(async (sha) => buildCommit(hub.urls, repo, await repo.git.readCommit(sha))),
      );
      const files = (await repo.git.diffFiles(mergeBase, head)).map((file) =>
        buildDiffEntry(hub.urls, repo, head, file),
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
          files,
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/git/commits/:commit_sha',
    operationId: 'git/get-commit',
    auth: 'installation',
    handle: async ({ hub, repo, params }) => {
      const sha = params.commit_sha ?? '';
      if ((await repo.git.objectType(sha)) !== 'commit') throw notFound();
      return { status: 200, body: buildGitCommit(hub.urls, repo, await repo.git.readCommit(sha)) };
    },
  },
  {
    method: 'POST',
    path: '/repos/:owner/:repo/git/blobs',
    operationId: 'git/create-blob',
    auth: 'installation',
    handle: async ({ hub, repo, body }) => {
      if (typeof body.content !== 'string')
        throw unprocessable('Invalid request.\n\n"content" wasn\'t supplied.');
      const encoding = body.encoding ?? 'utf-8';
      if (encoding !== 'utf-8' && encoding !== 'base64')
        throw unprocessable(`encoding ${String(encoding)} is not supported`);
      const sha = await repo.git.writeBlob(
        Buffer.from(body.content, encoding === 'base64' ? 'base64' : 'utf8'),
      );
      return {
        status: 201,
        body: { sha, url: `${hub.urls.api}/repos/${repo.owner.login}/${repo.name}/git/blobs/${sha}` },
      };
    },
  },
  {
    method: 'POST',
    path: '/repos/:owner/:repo/git/trees',
    operationId: 'git/create-tree',
    auth: 'installation',
    handle: async ({ hub, repo, body }) => {
      if (!Array.isArray(body.tree)) throw unprocessable('Invalid request.\n\n"tree" wasn\'t supplied.');
      let baseTree: string | undefined;
      if (body.base_tree !== undefined) {
        baseTree = String(body.base_tree);
        const type = await repo.git.objectType(baseTree);
        if (type === 'commit') baseTree = (await repo.git.readCommit(baseTree)).tree;
        else if (type !== 'tree') throw unprocessable(`base_tree ${baseTree} is not a valid tree oid`);
      }
      const changes: TreeChange[] = [];
      for (const raw of body.tree as Record<string, unknown>[]) {
        const path = String(raw.path ?? '');
        if (
          path === '' ||
          path.startsWith('/') ||
          path.endsWith('/') ||
          path.split('/').some((part) => part === '..' || part === '.' || part === '.git')
        ) {
          throw unprocessable(`tree.path contains a malformed path component`);
        }
        const mode = String(raw.mode ?? '');
        const type = MODES[mode];
        if (!type || (raw.type !== undefined && raw.type !== type))
          throw unprocessable(`tree.mode ${mode} is not valid for type ${String(raw.type)}`);
        if (raw.sha === null) {
          changes.push({ path, sha: null });
        } else if (typeof raw.content === 'string') {
          if (type !== 'blob') throw unprocessable('tree.content is only valid for blobs');
          changes.push({ path, mode, type, sha: await repo.git.writeBlob(raw.content) });
        } else if (typeof raw.sha === 'string' && SHA.test(raw.sha)) {
          const actual = type === 'commit' ? 'commit' : await repo.git.objectType(raw.sha);
          if (actual !== type) throw unprocessable(`tree.sha ${raw.sha} is not a valid ${type}`);
          changes.push(
            type === 'tree' ? { path, mode, type, sha: raw.sha } : { path, mode, type, sha: raw.sha },
          );
        } else {
          throw unprocessable('Must supply either tree.sha or tree.content');
        }
      }
      const sha = await repo.git.buildTree(baseTree, changes);
      return { status: 201, body: buildTree(hub.urls, repo, sha, await repo.git.readTree(sha, false)) };
    },
  },
  {
    method: 'POST',
    path: '/repos/:owner/:repo/git/commits',
    operationId: 'git/create-commit',
    auth: 'installation',
    handle: async ({ hub, repo, body, app }) => {
      const message = requireString(body, 'message');
      const tree = requireString(body, 'tree');
      if ((await repo.git.objectType(tree)) !== 'tree') throw unprocessable('Tree SHA does not exist');
      const parents = Array.isArray(body.parents) ? body.parents.map(String) : [];
      for (const parent of parents) {
        if ((await repo.git.objectType(parent)) !== 'commit')
          throw unprocessable('Parent SHA does not exist or is not a commit object');
      }
      const fallback = hub.identity(app ? app.bot : repo.owner);
      const author = readIdentity(body.author, fallback);
      const committer = readIdentity(body.committer, author);
      const sha = await repo.git.writeCommit({ tree, parents, message, author, committer });
      return { status: 201, body: buildGitCommit(hub.urls, repo, await repo.git.readCommit(sha)) };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/git/ref/:ref{.+}',
    operationId: 'git/get-ref',
    auth: 'installation',
    handle: async ({ hub, repo, params }) => {
      const ref = `refs/${params.ref ?? ''}`;
      const sha = await repo.git.readRef(ref);
      if (!sha || !(await repo.git.listRefs(ref)).some((found) => found.ref === ref)) throw notFound();
      return { status: 200, body: buildGitRef(hub.urls, repo, ref, sha) };
    },
  },
  {
    method: 'POST',
    path: '/repos/:owner/:repo/git/refs',
    operationId: 'git/create-ref',
    auth: 'installation',
    handle: async ({ hub, repo, body }) => {
      const ref = requireString(body, 'ref');
      const sha = requireString(body, 'sha');
      if (!/^refs\/[^/]+\/.+/.test(ref) || ref.includes('..'))
        throw unprocessable('Reference name is invalid');
      if ((await repo.git.objectType(sha)) !== 'commit') throw unprocessable('Object does not exist');
      if (!(await repo.git.updateRef(ref, sha, '0'.repeat(40))))
        throw unprocessable('Reference already exists');
      repo.pushedAt = hub.now();
      return { status: 201, body: buildGitRef(hub.urls, repo, ref, sha) };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/:owner/:repo/git/refs/:ref{.+}',
    operationId: 'git/update-ref',
    auth: 'installation',
    handle: async ({ hub, repo, params, body }) => {
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
    },
  },
  {
    method: 'DELETE',
    path: '/repos/:owner/:repo/git/refs/:ref{.+}',
    operationId: 'git/delete-ref',
    auth: 'installation',
    handle: async ({ repo, params }) => {
      const ref = `refs/${params.ref ?? ''}`;
      if (!(await repo.git.readRef(ref))) throw unprocessable('Reference does not exist');
      await repo.git.deleteRef(ref);
      return { status: 204 };
    },
  },
];
