/**
 * The worker's promotion job: a tag pushed in a source repo promotes its commit through the environments
 * (use-cases/promote-release.ts). Failures follow the deploy's rules: a retryable one is rethrown for the queue,
 * any other is logged and dropped (a refused promotion is an outcome, commented on the merged PR, not a failure).
 * @module
 */
import type { Environment } from '../core/deploy/environments.js';
import { failureFields, isRetryable } from '../core/errors.js';
import type { PromoteJob } from '../core/jobs.js';
import { formatRepoRef } from '../core/repo-ref.js';
import type { CodeHost } from '../ports/code-host.js';
import type { DeployTarget } from '../ports/deploy-repo.js';
import type { Logger } from '../ports/logger.js';
import type { ReleaseTags } from '../ports/release-tags.js';
import { type PromoteReleaseDeps, promoteRelease } from '../use-cases/promote-release.js';

export interface WorkerEnvironments {
  /** In promotion order; the first is the deploy target of merges (`WorkerDeps.deploy`). */
  targets: readonly { environment: Environment; target: DeployTarget }[];
  /** The source repo's tags, through the job's installation. */
  releaseTags(job: PromoteJob): ReleaseTags;
}

export async function runPromoteJob(
  job: PromoteJob,
  deps: {
    environments?: WorkerEnvironments;
    source: CodeHost;
    log: Logger;
    deployRetry?: Pick<PromoteReleaseDeps, 'maxAttempts' | 'backoffMs'>;
  },
): Promise<void> {
  const repo = formatRepoRef(job.repository);
  const { environments, log } = deps;
  if (!environments) {
    log.info('no environments are configured (DEPLOY_ENVIRONMENTS): a tag promotes nothing', {
      repo,
      tag: job.tag,
    });
    return;
  }
  try {
    const outcomes = await promoteRelease(job, {
      source: deps.source,
      history: environments.targets[0]!.target.history({ ...job, type: 'deploy' }),
      tags: environments.releaseTags(job),
      environments: environments.targets.map(({ environment, target }) => ({
        environment,
        repo: (access) => target.repo(access),
      })),
      log,
      ...deps.deployRetry,
    });
    for (const outcome of outcomes)
      log.info('promotion done', {
        repo,
        tag: job.tag,
        sha: job.sha,
        environment: outcome.environment,
        ...(outcome.status === 'refused'
          ? { status: 'refused', reason: outcome.reason }
          : { status: outcome.deploy.status }),
      });
  } catch (error) {
    if (isRetryable(error)) throw error;
    log.error('promotion failed and will not be retried', { repo, tag: job.tag, ...failureFields(error) });
  }
}
