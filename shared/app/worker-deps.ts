/**
 * The worker's wiring — GitHub clients, the job's code host, oasdiff, the deploy target — built once from the
 * settings. The Lambda (`functions/worker.ts`) and the local server (`dev/start.ts`, which the end-to-end tests
 * drive) both use it, so the tests run the production wiring.
 * @module
 */

import { withinFolderHistory, withinFolderTarget } from '../adapters/folder-deploy-repo.js';
import { createGitHubClients } from '../adapters/github/create-octokit.js';
import { createJobCodeHost } from '../adapters/github/github-code-host.js';
import { createGitHubDeployHistory } from '../adapters/github/github-deploy-history.js';
import { createGitHubDeployTarget } from '../adapters/github/github-deploy-target.js';
import { createGitHubDeployedSources } from '../adapters/github/github-deployed-sources.js';
import { createGitHubExtendedRepos, withExtendedRepos } from '../adapters/github/github-extended-repos.js';
import { createGitHubPullReviews } from '../adapters/github/github-pull-reviews.js';
import { createGitHubReleaseTags } from '../adapters/github/github-release-tags.js';
import { buildDeployHistoryScope, buildSourceScope } from '../adapters/github/job-scopes.js';
import { createOasdiffRunner } from '../adapters/oasdiff-runner.js';
import { buildEnvironmentPullBranchPrefix } from '../core/deploy/deploy-paths.js';
import { describeTarget, type Environment } from '../core/deploy/environments.js';
import { type RepoRef, repoKey } from '../core/repo-ref.js';
import type { DeployTarget } from '../ports/deploy-repo.js';
import type { Logger } from '../ports/logger.js';
import type { WorkerEnvironments } from './promote-job.js';
import type { WorkerSettings } from './settings.js';
import type { WorkerDeps } from './worker.js';

export type WorkerDepsSettings = Pick<WorkerSettings, 'appId' | 'privateKey' | 'githubApiUrl'> &
  Partial<
    Pick<
      WorkerSettings,
      | 'deployRepo'
      | 'deployRepoInstallationId'
      | 'deployMode'
      | 'deployBranch'
      | 'maxReceiveCount'
      | 'environments'
      | 'deployCommentsPerBatch'
    >
  >;

export interface WorkerDepsOptions {
  log: Logger;
  /** Octokit's retry/rate-limit wait unit (default 1000 ms; tests use 1). */
  waitUnitMs?: number;
  /** Space GitHub writes as GitHub asks (default true); only the local GitHub of tests and the demo needs none. */
  spaceWrites?: boolean;
  /** Compare-and-swap retries of a deploy (tests shorten the backoff). */
  deployRetry?: WorkerDeps['deployRetry'];
}

export function createWorkerDeps(settings: WorkerDepsSettings, options: WorkerDepsOptions): WorkerDeps {
  const { log } = options;
  const github = createGitHubClients({
    appId: settings.appId,
    privateKey: settings.privateKey,
    baseUrl: settings.githubApiUrl,
    log,
    ...(options.waitUnitMs === undefined ? {} : { waitUnitMs: options.waitUnitMs }),
    ...(options.spaceWrites === undefined ? {} : { spaceWrites: options.spaceWrites }),
    ...(settings.deployRepo && settings.deployRepoInstallationId
      ? { installations: { [settings.deployRepo.owner]: settings.deployRepoInstallationId } }
      : {}),
  });
  // One client per repo and branch (one token, one blob cache), shared by the environments that are folders of
  // it; in pull-request mode, environments sharing a repo each get their own deploy PR branches.
  const branches = new Map<string, DeployTarget>();
  const pullRequests = settings.deployMode === 'pull-request';
  const deployTarget = (repo: RepoRef, branch: string | undefined, environment?: Environment) => {
    const shared =
      environment !== undefined &&
      (settings.environments ?? []).filter((e) => repoKey(e.repo) === repoKey(repo)).length > 1;
    const branchPrefix =
      pullRequests && shared ? buildEnvironmentPullBranchPrefix(environment.name) : undefined;
    const key = `${describeTarget({ repo, ...(branch ? { branch } : {}) })} ${branchPrefix ?? ''}`;
    let target = branches.get(key);
    if (!target) {
      target = createGitHubDeployTarget(github, {
        repo,
        ...(settings.deployMode ? { mode: settings.deployMode } : {}),
        ...(branch ? { branch } : {}),
        ...(branchPrefix ? { branchPrefix } : {}),
      });
      branches.set(key, target);
    }
    return environment?.path ? withinFolderTarget(target, environment.path) : target;
  };
  const [first] = settings.environments ?? [];
  const deploy = settings.deployRepo
    ? deployTarget(settings.deployRepo, settings.deployBranch, first)
    : undefined;
  // The first environment is the merges' deploy target itself, the others their own (or a folder of a shared one).
  const environments: WorkerEnvironments | undefined = settings.environments && {
    targets: settings.environments.map((environment, index) => ({
      environment,
      target:
        index === 0 && deploy ? deploy : deployTarget(environment.repo, environment.branch, environment),
    })),
    pullReviews: (job) =>
      createGitHubPullReviews(
        github.forInstallation(job.installationId, buildSourceScope(job)),
        job.repository,
      ),
    installationFor: (repo) => github.installationFor(repo),
    deployHistory: async (environment, asker) => {
      const history = createGitHubDeployHistory(
        await github.forRepo(environment.repo, buildDeployHistoryScope(environment.repo), asker),
        environment.repo,
      );
      return environment.path ? withinFolderHistory(history, environment.path) : history;
    },
    appLogin: () => github.appLogin(),
    releaseTags: (job) =>
      createGitHubReleaseTags(
        github.forInstallation(job.installationId, buildSourceScope(job)),
        job.repository,
      ),
  };
  return {
    // The job's sources resolve the repo config's `_extends` (org defaults) through the owner's other repos.
    codeHost: (job) =>
      withExtendedRepos(createJobCodeHost(github, job), createGitHubExtendedRepos(github, job)),
    breakingDiff: createOasdiffRunner(),
    log,
    ...(settings.maxReceiveCount ? { maxReceiveCount: settings.maxReceiveCount } : {}),
    ...(settings.deployCommentsPerBatch !== undefined
      ? { deployCommentsPerBatch: settings.deployCommentsPerBatch }
      : {}),
    ...(deploy ? { deploy, deployedSources: createGitHubDeployedSources(github) } : {}),
    ...(environments ? { environments } : {}),
    ...(options.deployRetry ? { deployRetry: options.deployRetry } : {}),
  };
}
