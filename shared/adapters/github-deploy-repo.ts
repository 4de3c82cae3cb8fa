/**
 * Adapter: the deploy repo over GitHub's git data API. A deploy is ONE commit whatever the number of files:
 * `git/trees` with `base_tree` and inline `content` (deletions `sha: null`), `git/commits`, then a
 * fast-forward-only `PATCH git/refs` — GitHub's compare-and-swap: it answers 422 when the branch moved.
 * Reads: the branch ref and one recursive tree. So a commit costs 3 writes and a snapshot 2 reads, constant.
 * Pull-request mode commits the same tree onto a branch per source repo (recomputed from the deploy branch
 * each time, so it is force-moved) and opens or updates a PR.
 * Also the source repo's history (the default branch's head, `compare`), for "deploy only what is on the default
 * branch now, never an older commit over a newer one".
 * @module
 */
import type { Octokit } from '@octokit/rest';
import { buildRepoBranch } from '../core/deploy/deploy-paths.js';
import { toUpstreamError } from '../core/errors.js';
import { formatRepoRef, type RepoRef } from '../core/repo-ref.js';
import type { CommitOrder, DeployMode, DeployRepo, SourceHistory } from '../ports/deploy-repo.js';
import { webUrlOf } from './github/web-url.js';

export interface GitHubDeployRepoOptions {
  /** Branch that the cluster agent syncs; default the repo's default branch (read once). */
  branch?: string;
  /** `commit` (default): straight to the branch. `pull-request`: a PR per source repo for review. */
  mode?: DeployMode;
  /** Prefix of the PR branches in pull-request mode; default `kuma-api-forge/`. */
  branchPrefix?: string;
}

export function createGitHubDeployRepo(
  octokit: Octokit,
  repo: RepoRef,
  options: GitHubDeployRepoOptions = {},
): DeployRepo {
  let calls = 0;
  let branch = options.branch;
  const texts = new Map<string, string>();
  const call = <T>(request: () => Promise<T>): Promise<T> => {
    calls += 1;
    return request();
  };
  const deployBranch = async (): Promise<string> => {
    branch ??= (await call(() => octokit.rest.repos.get({ ...repo }))).data.default_branch;
    return branch;
  };
  // On the host the client talks to (github.com or a GitHub Enterprise server), not always github.com.
  const url = `${webUrlOf(octokit.request.endpoint.DEFAULTS.baseUrl)}/${formatRepoRef(repo)}`;

  return {
    description: `${formatRepoRef(repo)}${options.branch ? `@${options.branch}` : ''}`,
    url,
    get calls() {
      return calls;
    },
    async readSnapshot(commit) {
      // At a given commit (a drift report's push): no ref to read.
      let headSha = commit;
      if (headSha === undefined) {
        const name = await deployBranch();
        const ref = await call(() => octokit.rest.git.getRef({ ...repo, ref: `heads/${name}` }));
        headSha = ref.data.object.sha;
      }
      const tree = await call(() =>
        octokit.rest.git.getTree({ ...repo, tree_sha: headSha, recursive: 'true' }),
      );
      if (tree.data.truncated) {
        throw new Error(`${formatRepoRef(repo)}: the tree at ${headSha} is too large to read in one call`);
      }
      const files = tree.data.tree
        .filter((entry) => entry.type === 'blob' && entry.path && entry.sha)
        .map((entry) => ({ path: entry.path!, sha: entry.sha! }));
      return { headSha, treeSha: tree.data.sha, files };
    },
    async readText(blobSha) {
      const cached = texts.get(blobSha);
      if (cached !== undefined) return cached;
      const { data } = await call(() => octokit.rest.git.getBlob({ ...repo, file_sha: blobSha }));
      const text = Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
      texts.set(blobSha, text);
      return text;
    },
    async commit(request) {
      const tree = await call(() =>
        octokit.rest.git.createTree({
          ...repo,
          base_tree: request.parent.treeSha,
          tree: request.changes.map((change) =>
            change.content === null
              ? { path: change.path, mode: '100644' as const, type: 'blob' as const, sha: null }
              : {
                  path: change.path,
                  mode: '100644' as const,
                  type: 'blob' as const,
                  content: change.content,
                },
          ),
        }),
      );
      const commit = await call(() =>
        octokit.rest.git.createCommit({
          ...repo,
          message: request.message,
          tree: tree.data.sha,
          parents: [request.parent.sha],
        }),
      );
      const sha = commit.data.sha;
      const commitUrl = commit.data.html_url || `${url}/commit/${sha}`;
      if (options.mode === 'pull-request') {
        const pullRequestUrl = await openPullRequest(
          sha,
          request.sourceRepo,
          request.pullRequest ?? {
            title: request.message.split('\n')[0] ?? 'Deploy',
            body: request.message,
          },
        );
        return { status: 'committed', sha, url: commitUrl, pullRequestUrl };
      }
      try {
        await call(async () =>
          octokit.rest.git.updateRef({ ...repo, ref: `heads/${await deployBranch()}`, sha, force: false }),
        );
      } catch (error) {
        if (isNotFastForward(error)) return { status: 'conflict' };
        throw error;
      }
      return { status: 'committed', sha, url: commitUrl };
    },
  };

  async function openPullRequest(
    sha: string,
    sourceRepo: RepoRef,
    pr: { title: string; body: string },
  ): Promise<string> {
    const base = await deployBranch();
    const head = `${options.branchPrefix ?? 'kuma-api-forge/'}${buildRepoBranch(sourceRepo)}`;
    try {
      await call(() => octokit.rest.git.updateRef({ ...repo, ref: `heads/${head}`, sha, force: true }));
    } catch (error) {
      if (statusOf(error) !== 422 && statusOf(error) !== 404) throw error;
      await call(() => octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${head}`, sha }));
    }
    const open = await call(() =>
      octokit.rest.pulls.list({ ...repo, state: 'open', head: `${repo.owner}:${head}`, base, per_page: 1 }),
    );
    const existing = open.data[0];
    if (existing) {
      await call(() => octokit.rest.pulls.update({ ...repo, pull_number: existing.number, ...pr }));
      return existing.html_url;
    }
    const created = await call(() => octokit.rest.pulls.create({ ...repo, head, base, ...pr }));
    return created.data.html_url;
  }
}

export function createGitHubSourceHistory(octokit: Octokit, repo: RepoRef): SourceHistory {
  return {
    async defaultBranchHead() {
      const branch = (await octokit.rest.repos.get({ ...repo })).data.default_branch;
      const { data } = await octokit.rest.repos.getBranch({ ...repo, branch });
      return { branch, sha: data.commit.sha };
    },
    async compare(base, head): Promise<CommitOrder> {
      if (base === head) return 'identical';
      try {
        const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
          ...repo,
          basehead: `${base}...${head}`,
          per_page: 1,
        });
        return data.status;
      } catch (error) {
        // A commit that no longer exists (history rewritten and collected): no order can be known.
        if (statusOf(error) === 404) return 'unknown';
        throw error;
      }
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return toUpstreamError(error)?.status;
}

function isNotFastForward(error: unknown): boolean {
  return statusOf(error) === 422 && /fast.?forward/i.test(error instanceof Error ? error.message : '');
}
