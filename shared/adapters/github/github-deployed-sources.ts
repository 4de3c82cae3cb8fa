/**
 * Adapter: DeployedSources over GitHub — the App's installation on each source repo (found as the deploy target
 * finds the deploy repo's, `forRepo`: the asking job's own for a repo of its account, else looked up once per
 * container), a read-only token for that one repo, and
 * its files at a commit through the same file source as a PR check, its config's `_extends` resolved.
 * @module
 */
import type { DeployedSources } from '../../ports/deployed-sources.js';
import { withExtendedRepo } from '../with-extended-repo.js';
import type { GitHubClients } from './create-octokit.js';
import { createGitHubExtendedRepos } from './github-extended-repos.js';
import { createGitHubFileSource } from './github-file-source.js';
import { buildDeployedSourceScope } from './job-scopes.js';

export function createGitHubDeployedSources(clients: GitHubClients): DeployedSources {
  return {
    async files(repo, sha, asker) {
      const octokit = await clients.forRepo(repo, buildDeployedSourceScope(repo), asker);
      const files = createGitHubFileSource(octokit, repo, sha);
      // Judged with its org defaults (`_extends`), as its own check and deploy judged it.
      const installationId = await clients.installationFor(repo);
      return withExtendedRepo(
        files,
        createGitHubExtendedRepos(clients, { installationId, repository: repo }),
      );
    },
  };
}
