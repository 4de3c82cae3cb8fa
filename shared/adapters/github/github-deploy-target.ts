/**
 * Adapter: the deploy side of the worker over GitHub — the deploy repo (written through the App's installation
 * on the deploy repo's owner, which is found once per container and cached with the client) and each source
 * repo's history (through the job's own installation).
 * @module
 */
import type { DeployJob, RepoRef } from '../../core/jobs.js';
import type { DeployRepo, SourceHistory } from '../../ports/deploy-repo.js';
import { createGitHubDeployRepo, createGitHubSourceHistory, type DeployMode } from '../github-deploy-repo.js';
import type { GitHubClients } from './create-octokit.js';

export interface DeployTargetOptions {
  repo: RepoRef;
  mode?: DeployMode;
  /** The branch the cluster agent syncs; default the deploy repo's default branch. */
  branch?: string;
}

export interface GitHubDeployTarget {
  /** `owner/repo` of the deploy repo. */
  readonly description: string;
  /** The deploy repo client, built once: its blob cache and default branch outlive a job. */
  repo(): Promise<DeployRepo>;
  history(job: DeployJob): SourceHistory;
}

/** Thrown when the App cannot reach the deploy repo at all; a retry does not help, an admin does. */
export class DeployTargetError extends Error {
  override name = 'DeployTargetError';
}

export function createGitHubDeployTarget(
  clients: GitHubClients,
  options: DeployTargetOptions,
): GitHubDeployTarget {
  const name = `${options.repo.owner}/${options.repo.repo}`;
  let repo: Promise<DeployRepo> | undefined;
  return {
    description: name,
    repo() {
      repo ??= clients.installationFor(options.repo).then(
        (installationId) =>
          createGitHubDeployRepo(clients.forInstallation(installationId), options.repo, {
            ...(options.mode ? { mode: options.mode } : {}),
            ...(options.branch ? { branch: options.branch } : {}),
          }),
        (error: unknown) => {
          if ((error as { status?: unknown }).status !== 404) throw error;
          throw new DeployTargetError(
            `the App is not installed on the deploy repo ${name} (or the repo does not exist): install it on ${options.repo.owner} with contents and pull requests write access`,
          );
        },
      );
      // A failed lookup is not kept: the next job asks again.
      repo.catch(() => {
        repo = undefined;
      });
      return repo;
    },
    history: (job) => createGitHubSourceHistory(clients.forInstallation(job.installationId), job.repository),
  };
}
