/**
 * Adapter: DeployedSources over GitHub — the App's installation on each source repo (found as the deploy target
 * finds the deploy repo's, `installationFor`, cached per container), a read-only token for that one repo, and
 * its files at a commit through the same file source as a PR check, its config's `_extends` resolved.
 * @module
 */
import type { RepoRef } from '../../core/repo-ref.js';
import type { DeployedSources } from '../../ports/deployed-sources.js';
import { withExtendedRepo } from '../with-extended-repo.js';
import type { GitHubClients } from './create-octokit.js';
import { createGitHubExtendedRepos } from './github-extended-repos.js';
import { createGitHubFileSource } from './github-file-source.js';
import { buildDeployedSourceScope } from './job-scopes.js';

export function createGitHubDeployedSources(clients: GitHubClients): DeployedSources {
  return {
    async files(repo: RepoRef, sha: string) {
      const installationId = await clients.installationFor(repo);
      const files = createGitHubFileSource(
        clients.forInstallation(installationId, buildDeployedSourceScope(repo)),
        repo,
        sha,
      );
      // Judged with its org defaults (`_extends`), as its own check and deploy judged it.
      return withExtendedRepo(
        files,
        createGitHubExtendedRepos(clients, { installationId, repository: repo }),
      );
    },
  };
}
