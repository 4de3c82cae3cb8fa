/**
 * The worker's promotion job: a tag pushed in a source repo promotes its commit through the environments
 * (use-cases/promote-release.ts). Failures follow the deploy's rules: a retryable one is rethrown for the queue,
 * any other is logged and dropped (a refused promotion is an outcome, commented on the merged PR, not a failure).
 * @module
 */

import {
  type ApprovalRefusal,
  decideApprovedPull,
  findApprovalPromotion,
  sourceRepoOfBranch,
} from '../core/deploy/approval-promotion.js';
import { buildRepoFolder, toEnvironmentPath } from '../core/deploy/deploy-paths.js';
import type { Environment } from '../core/deploy/environments.js';
import { parseSourceRecord, sourceRecordFile } from '../core/deploy/source-record.js';
import { failureFields, isRetryable } from '../core/errors.js';
import type { ApprovedPromoteJob, Job, PromoteJob, TimePromoteJob } from '../core/jobs.js';
import { formatRepoRef, type RepoRef } from '../core/repo-ref.js';
import { buildApprovalRefusedComment } from '../core/report/promotion-comment.js';
import type { CodeHost } from '../ports/code-host.js';
import type { DeployHistory } from '../ports/deploy-history.js';
import type { DeployTarget, SourceHistory } from '../ports/deploy-repo.js';
import type { Logger } from '../ports/logger.js';
import type { PullReviews } from '../ports/pull-reviews.js';
import type { ReleaseTags } from '../ports/release-tags.js';
import { promoteAfterSoak } from '../use-cases/promote-after-soak.js';
import {
  type PromoteReleaseDeps,
  type PromotionOutcome,
  promoteApproved,
  promoteRelease,
} from '../use-cases/promote-release.js';

export interface WorkerEnvironments {
  /** The reviews and commits of a deploy PR, through the deploy repo's installation (the job's). */
  pullReviews(job: ApprovedPromoteJob): PullReviews;
  /** The installation that covers a source repo (promotion by approval starts from the deploy repo's). */
  installationFor(repo: RepoRef): Promise<number>;
  /** In promotion order; the first is the deploy target of merges (`WorkerDeps.deploy`). */
  targets: readonly { environment: Environment; target: DeployTarget }[];
  /** The source repo's tags, through the job's installation. */
  releaseTags(job: PromoteJob): ReleaseTags;
  /**
   * An environment's deploy branch history (who made its commits, their statuses), read as the App through
   * `asker`'s installation when it is of that repo's account (no lookup), as the deploy repos are.
   */
  deployHistory(
    environment: Environment,
    asker?: Pick<Job, 'installationId' | 'repository'>,
  ): Promise<DeployHistory>;
  /** The App's bot login, `<slug>[bot]`: the author of its own commits. */
  appLogin(): Promise<string>;
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
        repo: (access) => target.repo(access, job),
      })),
      log,
      ...deps.deployRetry,
    });
    for (const outcome of outcomes)
      log.info('promotion done', {
        repo,
        tag: job.tag,
        sha: job.sha,
        ...promotionFields(outcome),
      });
  } catch (error) {
    if (isRetryable(error)) throw error;
    log.error('promotion failed and will not be retried', { repo, tag: job.tag, ...failureFields(error) });
  }
}

/** What the approval and time promotion jobs need of the worker. */
interface PromotionJobDeps {
  environments?: WorkerEnvironments;
  codeHost(job: Job): CodeHost;
  log: Logger;
  deployRetry?: Pick<PromoteReleaseDeps, 'maxAttempts' | 'backoffMs'>;
}

/**
 * A deploy PR merged into an environment whose next one promotes by approval: check it is the App's deploy PR,
 * untouched by hand, approved on its head by a writer (core/deploy/approval-promotion.ts), then promote the source
 * commit its head's `.source.yaml` records through the promotion's own rules. A refusal of a deploy PR is
 * commented on it; a PR that is not a deploy PR is only logged.
 */
export async function runApprovedPromoteJob(job: ApprovedPromoteJob, deps: PromotionJobDeps): Promise<void> {
  const { environments, log } = deps;
  const pull = `${formatRepoRef(job.repository)}#${job.pullNumber}`;
  const index =
    environments &&
    findApprovalPromotion(
      environments.targets.map((t) => t.environment),
      job.repository,
    );
  if (!environments || index === undefined) {
    log.info('no environment is promoted by approval from this repo: nothing to promote', { pull });
    return;
  }
  try {
    const deployHost = deps.codeHost(job);
    const reviewsOf = environments.pullReviews(job);
    const previous = environments.targets[index - 1]!.environment;
    const sourceRepo = sourceRepoOfBranch(job.headRef);
    const [deployBranch, source, reviews, commitAuthors] = await Promise.all([
      previous.branch ?? deployHost.getPullRequest(job.pullNumber).then((state) => state.defaultBranch),
      sourceRepo && readSourceRecord(deployHost, job.headSha, sourceRepo, previous.path),
      reviewsOf.reviews(job.pullNumber),
      reviewsOf.commitAuthors(job.baseSha, job.headSha),
    ]);
    // The source repo's history, through its own installation: whether the recorded commit was merged there.
    const installationId = source && (await environments.installationFor(source.repo));
    const sourceJob = source && {
      type: 'deploy' as const,
      deliveryId: job.deliveryId,
      event: job.event,
      repository: source.repo,
      installationId: installationId!,
      sha: source.commit,
    };
    const history = sourceJob && environments.targets[0]!.target.history(sourceJob);
    const sourceMerged =
      sourceJob && history ? await isMerged(deps.codeHost(sourceJob), history, sourceJob.sha) : false;
    const permissions = new Map<string, string>();
    for (const login of new Set(reviews.map((review) => review.login)))
      permissions.set(login, await deployHost.permissionOf(login).catch(noAccess));
    const decision = decideApprovedPull({
      merged: true,
      baseRef: job.baseRef,
      deployBranch,
      headRef: job.headRef,
      headSha: job.headSha,
      author: job.author,
      commitAuthors,
      reviews: reviews.map((review) => ({ ...review, permission: permissions.get(review.login) ?? 'none' })),
      ...(source ? { source } : {}),
      sourceMerged,
    });
    if (decision.status === 'refused') {
      log.info('approved promotion refused', { pull, reason: decision.reason, detail: decision.detail });
      if (commented.has(decision.reason))
        await deployHost.createComment(
          job.pullNumber,
          buildApprovalRefusedComment({
            target: environments.targets[index]!.environment.name,
            reason: decision.reason,
            ...(decision.detail ? { detail: decision.detail } : {}),
          }),
        );
      return;
    }
    const request = {
      deliveryId: job.deliveryId,
      event: `${job.event} (approved by ${decision.approvers.join(', ')})`,
      installationId: installationId!,
      repository: decision.source.repo,
      sha: decision.source.commit,
    };
    const outcome = await promoteApproved(request, index, pull, {
      source: deps.codeHost({ ...request, type: 'promote', tag: '' }),
      history: history!,
      environments: environments.targets.map(({ environment, target }) => ({
        environment,
        repo: (access) => target.repo(access, job),
      })),
      log,
      ...deps.deployRetry,
    });
    log.info('promotion done', {
      pull,
      repo: formatRepoRef(decision.source.repo),
      sha: decision.source.commit,
      ...promotionFields(outcome),
    });
  } catch (error) {
    if (isRetryable(error)) throw error;
    log.error('promotion failed and will not be retried', { pull, ...failureFields(error) });
  }
}

/**
 * The sweep of an environment promoted after a time: each source commit the environment before has run long
 * enough, from the App's own deploy commit, with no failing status, is promoted (use-cases/promote-after-soak.ts).
 * The time is the sweep's (`job.at`), never the worker's clock: a job that waited in the queue measures less.
 */
export async function runTimePromoteJob(job: TimePromoteJob, deps: PromotionJobDeps): Promise<void> {
  const { environments, log } = deps;
  const index = environments?.targets.findIndex(({ environment }) => environment.name === job.environment);
  const rule = index === undefined ? undefined : environments?.targets[index]?.environment.promote;
  if (!environments || index === undefined || index < 1 || !rule || !('after' in rule)) {
    log.info('no environment of that name is promoted after a time: nothing to sweep', {
      environment: job.environment,
    });
    return;
  }
  const previous = environments.targets[index - 1]!.environment;
  try {
    const [previousHistory, appLogin] = await Promise.all([
      environments.deployHistory(previous, job),
      environments.appLogin(),
    ]);
    const outcomes = await promoteAfterSoak(
      { index, now: Date.parse(job.at), deliveryId: job.deliveryId, event: job.event },
      {
        environments: environments.targets.map(({ environment, target }) => ({
          environment,
          repo: (access) => target.repo(access, job),
        })),
        previousHistory,
        appLogin,
        async sourceOf(repository, sha) {
          const request = {
            deliveryId: job.deliveryId,
            event: `${job.event} (${rule.after} after its deploy to ${previous.name})`,
            installationId: await environments.installationFor(repository),
            repository,
            sha,
          };
          return {
            request,
            source: deps.codeHost({ ...request, type: 'promote', tag: '' }),
            history: environments.targets[0]!.target.history({ ...request, type: 'deploy' }),
          };
        },
        log,
        ...deps.deployRetry,
      },
    );
    const count = (status: string) => outcomes.filter((outcome) => outcome.status === status).length;
    log.info('time promotion sweep done', {
      environment: job.environment,
      at: job.at,
      repos: outcomes.length,
      deployed: count('deployed'),
      waiting: count('waiting'),
      refused: count('refused') + count('refused-at-write'),
      failed: count('failed'),
    });
  } catch (error) {
    if (isRetryable(error)) throw error;
    log.error('time promotion sweep failed and will not be retried', {
      environment: job.environment,
      ...failureFields(error),
    });
  }
}

/** Refusals worth a comment on the deploy PR: it is the App's, and the reviewers need to know. */
const commented = new Set<ApprovalRefusal>([
  'edited-by-hand',
  'source-not-merged',
  'changes-requested',
  'not-approved',
]);

/** A reviewer GitHub says is no collaborator has no access; a transient failure is retried by the queue. */
function noAccess(error: unknown): string {
  if (isRetryable(error)) throw error;
  return 'none';
}

/** Whether `sha` is the source repo's default branch head or one of its ancestors. */
async function isMerged(source: CodeHost, history: SourceHistory, sha: string): Promise<boolean> {
  const head = await source.readDefaultBranch();
  const order = await history.compare(sha, head.sha);
  return order === 'identical' || order === 'ahead';
}

/** The source repo and commit the PR head's `.source.yaml` records in the branch's folder (in the environment's). */
async function readSourceRecord(host: CodeHost, headSha: string, repo: RepoRef, environmentPath?: string) {
  const path = `${buildRepoFolder(repo)}${sourceRecordFile}`;
  const bytes = await host
    .files(headSha)
    .read(environmentPath ? toEnvironmentPath(environmentPath, path) : path);
  const record = bytes && parseSourceRecord(new TextDecoder().decode(bytes), repo);
  return record ? { repo: record.repo, commit: record.commit } : undefined;
}

/** A promotion's outcome as log fields: the environment, and the refusal's reason or the deploy's status. */
function promotionFields(outcome: PromotionOutcome) {
  return {
    environment: outcome.environment,
    ...(outcome.status === 'refused'
      ? { status: 'refused', reason: outcome.reason }
      : { status: outcome.deploy.status }),
  };
}
