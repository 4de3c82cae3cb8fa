/**
 * Adapter: the deploy side of the worker over GitHub — the deploy repo (through the App's installation on the
 * deploy repo's owner: the asking job's own when the deploy repo is of its account, else the configured or looked
 * up one, once per container — `GitHubClients.forRepo`) and each source repo's history (through the job's own
 * installation). Each through a token for that one repo: the deploy repo read-only for the
 * preview in a check job, writable only for a deploy job (see job-scopes.ts).
 * @module
 */
import { SetupError, toUpstreamError } from '../../core/errors.js';
import { formatRepoRef, type RepoRef } from '../../core/repo-ref.js';
import type { DeployMode, DeployRepo, DeployRepoAccess, DeployTarget } from '../../ports/deploy-repo.js';
import { createGitHubDeployRepo, createGitHubSourceHistory } from '../github-deploy-repo.js';
import type { AppOctokit, GitHubClients, InstallationAsker } from './create-octokit.js';
import { buildDeployRepoScope, buildSourceScope } from './job-scopes.js';

export interface DeployTargetOptions {
  repo: RepoRef;
  mode?: DeployMode;
  /** The branch the cluster agent syncs; default the deploy repo's default branch. */
  branch?: string;
  /** Pull-request mode: the prefix of the deploy PR branches (default `kuma-api-forge/`). */
  branchPrefix?: string;
}

/** Thrown when the App cannot reach the deploy repo at all; a retry does not help, an admin does. */
export class DeployTargetError extends SetupError {
  override name = 'DeployTargetError';
}

export function createGitHubDeployTarget(clients: GitHubClients, options: DeployTargetOptions): DeployTarget {
  const name = formatRepoRef(options.repo);
  const repos = new Map<DeployRepoAccess, Promise<DeployRepo>>();
  const texts = new Map<string, Promise<string>>();
  const connect = async (access: DeployRepoAccess, asker: InstallationAsker | undefined) => {
    const scope = buildDeployRepoScope(options.repo, access, options.mode);
    let client: AppOctokit;
    try {
      client = await clients.forRepo(options.repo, scope, asker);
    } catch (error) {
      if (toUpstreamError(error)?.status !== 404) throw error;
      throw new DeployTargetError(
        `the App is not installed on the deploy repo ${name} (or the repo does not exist): install it on ${options.repo.owner} with contents and pull requests write access`,
      );
    }
    const repo = createGitHubDeployRepo(client, options.repo, {
      ...(options.mode ? { mode: options.mode } : {}),
      ...(options.branch ? { branch: options.branch } : {}),
      ...(options.branchPrefix ? { branchPrefix: options.branchPrefix } : {}),
    });
    return shareTexts(repo, texts);
  };
  return {
    description: name,
    ...(options.mode ? { mode: options.mode } : {}),
    repo(access, asker) {
      let repo = repos.get(access);
      if (!repo) {
        repo = connect(access, asker);
        repos.set(access, repo);
        // A failed lookup is not kept: the next job asks again.
        repo.catch(() => repos.delete(access));
      }
      return repo;
    },
    history: (job) =>
      createGitHubSourceHistory(
        clients.forInstallation(job.installationId, buildSourceScope(job)),
        job.repository,
      ),
  };
}

/**
 * The reading and the writing client of the deploy repo share the texts read by blob id (immutable), so a file
 * one of them read is not read again by the other.
 */
function shareTexts(repo: DeployRepo, texts: Map<string, Promise<string>>): DeployRepo {
  return {
    description: repo.description,
    url: repo.url,
    get calls() {
      return repo.calls;
    },
    readSnapshot: (commit, read) => repo.readSnapshot(commit, read),
    readText(blobSha) {
      let text = texts.get(blobSha);
      if (!text) {
        text = repo.readText(blobSha);
        texts.set(blobSha, text);
        text.catch(() => texts.delete(blobSha));
      }
      return text;
    },
    commit: (request) => repo.commit(request),
  };
}
