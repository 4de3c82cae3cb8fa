/**
 * Adapter: ExtendedRepos over GitHub — the other repos of a job's owner at their default branches, for the repo
 * config's `_extends` (org defaults, core/config/extends.ts). Same installation as the job (an installation is
 * per owner), a token that can only read that one repo. The file is found by walking its tree one folder at a
 * time, so a symbolic link is seen as one (mode 120000) rather than followed. Each answer is asked once per job:
 * the head, base and default-branch configs of a check share it.
 * @module
 */
import type { ExtendedRead, ExtendedRepos } from '../../core/config/extends.js';
import { toUpstreamError } from '../../core/errors.js';
import type { Job } from '../../core/jobs.js';
import type { CodeHost } from '../../ports/code-host.js';
import type { FileSource } from '../../ports/file-source.js';
import { withExtendedRepo } from '../with-extended-repo.js';
import type { AppOctokit, GitHubClients } from './create-octokit.js';
import { buildExtendedRepoScope } from './job-scopes.js';

export function createGitHubExtendedRepos(
  clients: GitHubClients,
  job: Pick<Job, 'installationId' | 'repository'>,
): ExtendedRepos {
  const { owner } = job.repository;
  const answers = new Map<string, Promise<ExtendedRead>>();
  return {
    self: { owner, repo: job.repository.repo },
    read(repo, path) {
      const key = `${repo}\0${path}`;
      let answer = answers.get(key);
      if (!answer) {
        const octokit = clients.forInstallation(job.installationId, buildExtendedRepoScope(repo));
        answer = readDefaultBranchFile(octokit, { owner, repo }, path);
        answers.set(key, answer);
        answer.catch(() => answers.delete(key)); // a failure that may pass is not remembered
      }
      return answer;
    },
  };
}

async function readDefaultBranchFile(
  octokit: AppOctokit,
  repo: { owner: string; repo: string },
  path: string,
): Promise<ExtendedRead> {
  try {
    const { data } = await octokit.rest.repos.get(repo);
    const { data: branch } = await octokit.rest.repos.getBranch({ ...repo, branch: data.default_branch });
    let tree = branch.commit.commit.tree.sha;
    const parts = path.split('/');
    for (const [index, name] of parts.entries()) {
      const { data: listing } = await octokit.rest.git.getTree({ ...repo, tree_sha: tree });
      const entry = listing.tree.find((e) => e.path === name);
      if (!entry?.sha) return { found: 'none' };
      if (entry.mode === '120000') return { found: 'symlink' };
      if (index < parts.length - 1) {
        if (entry.type !== 'tree') return { found: 'none' };
        tree = entry.sha;
      } else {
        if (entry.type !== 'blob') return { found: 'none' };
        const { data: blob } = await octokit.rest.git.getBlob({ ...repo, file_sha: entry.sha });
        return { found: 'file', bytes: new Uint8Array(Buffer.from(blob.content, 'base64')) };
      }
    }
    return { found: 'none' };
  } catch (error) {
    // No such repo, or not one the installation (hence the token) can read: said on the `_extends` line.
    const upstream = toUpstreamError(error);
    if (upstream && !upstream.retryable && [403, 404, 422].includes(upstream.status ?? 0)) {
      return { found: 'no-repo' };
    }
    throw error;
  }
}

/**
 * The job's code host whose file sources carry the other repos, so every reader of the repo config (check,
 * preview, deploy, the accept button) resolves its `_extends`. Built on the host and its sources as prototypes,
 * so whatever else they offer is kept; one wrapped source per commit (the spec loader caches by source).
 */
export function withExtendedRepos(host: CodeHost, repos: ExtendedRepos): CodeHost {
  const sources = new Map<string, FileSource>();
  const files = (sha: string): FileSource => {
    let source = sources.get(sha);
    if (!source) {
      source = withExtendedRepo(host.files(sha), repos);
      sources.set(sha, source);
    }
    return source;
  };
  return Object.assign(Object.create(host) as CodeHost, { files });
}
