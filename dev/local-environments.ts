/**
 * The deploy targets of `DEPLOY_ENVIRONMENTS` made real on the local GitHub, for `npm start` and `npm run pr`:
 * each environment's repo (created once, its default branch `main`), its branch (from `main`) and its folder,
 * holding the platform files it is given (its `tenants.yaml`, `governance/`) at the folder's root.
 * @module
 */
import { describeTarget, type Environment } from '../shared/core/deploy/environments.js';
import { formatRepoRef, type RepoRef, repoKey } from '../shared/core/repo-ref.js';
import type { LocalGitHub } from './github/index.js';

/** The branch an environment's cluster agent syncs on the local GitHub: its own, else the repo's `main`. */
export const localBranchOf = (environment: Environment): string => environment.branch ?? 'main';

/** Where an environment's file `path` (`tenants.yaml`, `apis/…`) is on its branch. */
export const environmentPathOf = (environment: Environment, path: string): string =>
  environment.path ? `${environment.path}/${path}` : path;

/**
 * Creates every environment's repo, branch and folder with `filesOf(environment)` in it (no webhooks: nothing
 * for the App to do yet). The repos are created on the local GitHub; the App must be installed on their owners.
 */
export async function createLocalEnvironments(
  gh: LocalGitHub,
  environments: readonly Environment[],
  filesOf: (environment: Environment) => Record<string, string | Buffer>,
): Promise<void> {
  const created = new Set<string>();
  for (const environment of environments) {
    const files = Object.fromEntries(
      Object.entries(filesOf(environment)).map(([path, content]) => [
        environmentPathOf(environment, path),
        content,
      ]),
    );
    if (!created.has(repoKey(environment.repo))) {
      await gh.admin.createRepo({ ...environment.repo, files: { 'README.md': readme(environment.repo) } });
      created.add(repoKey(environment.repo));
    }
    await gh.admin.push({
      ...environment.repo,
      branch: localBranchOf(environment),
      files,
      message: `Platform files of ${environment.name} (${describeTarget(environment)})`,
      deliver: false,
    });
  }
}

/** The owners the App must be installed on to deploy to every environment. */
export function ownersOf(environments: readonly Environment[]): string[] {
  return [...new Set(environments.map((environment) => environment.repo.owner))];
}

const readme = (repo: RepoRef) =>
  `# ${formatRepoRef(repo)}\n\nThe deploy repo of kuma-api-forge's environments (created by the local GitHub).\n`;
