/**
 * Use case: what promoting a PR's commit would do to each later environment (DEPLOY_ENVIRONMENTS), without
 * writing: the PR's render (made once, for the first environment's preview) decided against each later
 * environment's deploy repo as it is now — its own tenants.yaml, its other tenants and what it runs — by the
 * same decision the promotion's deploy carries out. Counts only; the comment shows them under the mesh changes.
 * @module
 */
import { decideDeploy, type RenderedSource } from '../core/deploy/decide-deploy.js';
import { buildRepoFolder } from '../core/deploy/deploy-paths.js';
import type { Environment } from '../core/deploy/environments.js';
import { failureFields, isRetryable } from '../core/errors.js';
import type { RepoRef } from '../core/repo-ref.js';
import { describeFailure } from '../core/report/describe-failure.js';
import type { LaterEnvironmentPreview } from '../core/report/environments-preview.js';
import type { DeployRepo } from '../ports/deploy-repo.js';
import type { Logger } from '../ports/logger.js';
import { readDeployState } from './preview-deploy.js';

export interface LaterEnvironment {
  environment: Environment;
  /** The name of the environment before it. */
  previous: string;
  /** Its deploy repo, read-only. */
  repo(): Promise<DeployRepo>;
}

export async function previewLaterEnvironments(
  input: { sourceRepo: RepoRef; sourceSha: string; pullNumber?: number; rendered: RenderedSource },
  later: readonly LaterEnvironment[],
  log?: Logger,
): Promise<LaterEnvironmentPreview[]> {
  const folder = buildRepoFolder(input.sourceRepo);
  return Promise.all(
    later.map(async ({ environment, previous, repo }): Promise<LaterEnvironmentPreview> => {
      const rule = environment.promote;
      const base = {
        name: environment.name,
        ...(rule && 'tag' in rule ? { tag: rule.tag } : {}),
        ...(rule && 'after' in rule
          ? { after: rule.after, ...(rule.status ? { status: rule.status } : {}) }
          : {}),
        previous,
      };
      let deployRepo: DeployRepo | undefined;
      try {
        deployRepo = await repo();
        const snapshot = await deployRepo.readSnapshot();
        const state = await readDeployState(deployRepo, snapshot, folder);
        const decision = decideDeploy({
          ...input,
          state,
          current: snapshot.files.filter((file) => file.path.startsWith(folder)).map((file) => ({ ...file })),
        });
        const result =
          decision.status === 'planned'
            ? { status: 'planned' as const, summary: decision.plan.summary }
            : { status: 'rejected' as const, problems: decision.findings.length };
        return { ...base, deployRepo: deployRepo.description, result };
      } catch (error) {
        if (isRetryable(error)) throw error;
        log?.warn('the preview of a later environment is not available', {
          environment: environment.name,
          ...failureFields(error),
        });
        return {
          ...base,
          deployRepo: deployRepo?.description ?? environment.name,
          result: { status: 'unavailable', reason: describeFailure(error) },
        };
      }
    }),
  );
}
