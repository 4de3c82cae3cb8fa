/**
 * The worker: takes jobs off the queue and runs their use case. In Lambda it gets one SQS FIFO record per
 * invocation and reports it as a batch item failure when it failed, so the queue retries it (and the jobs behind
 * it in its group wait for it); a malformed message is logged and dropped instead of being retried forever.
 * @module
 */
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { failureFields, isRetryable, SetupError } from '../core/errors.js';
import type { CheckJob, DeployJob, DriftJob, GovernanceJob, Job, PromoteJob } from '../core/jobs.js';
import { formatRepoRef } from '../core/repo-ref.js';
import { buildDeadlineResult } from '../core/report/check-run.js';
import { buildDeployFailedComment } from '../core/report/deploy-comment.js';
import type { BreakingDiff } from '../ports/breaking-diff.js';
import type { CodeHost } from '../ports/code-host.js';
import type { DeployTarget } from '../ports/deploy-repo.js';
import type { DeployedSources } from '../ports/deployed-sources.js';
import type { Delivery } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import { acceptBreaking } from '../use-cases/accept-breaking.js';
import { checkGovernanceChange } from '../use-cases/check-governance-change.js';
import { checkPullRequest, checkRunName, type Outcome } from '../use-cases/check-pull-request.js';
import { type DeployOutcome, type DeployPushDeps, deployPush } from '../use-cases/deploy-push.js';
import { reportDrift } from '../use-cases/drift-report.js';
import { defaultCheckDeadlineMs, watchPorts } from './job-deadline.js';
import { runPromoteJob, type WorkerEnvironments } from './promote-job.js';

export interface WorkerDeps {
  /**
   * The code host of the job's repository, authenticated as the job's installation with only what the job does
   * there (GitHub: `createJobCodeHost`).
   */
  codeHost(job: Job): CodeHost;
  breakingDiff: BreakingDiff;
  log: Logger;
  /** Without it (no `DEPLOY_REPO`), merges deploy nothing and PRs show no mesh changes. */
  deploy?: DeployTarget;
  /** Each deployed source repo's files, for the governance check of a deploy-repo PR. */
  deployedSources?: DeployedSources;
  /** `DEPLOY_ENVIRONMENTS`: the environments a release tag promotes through (the first is `deploy`). */
  environments?: WorkerEnvironments;
  /** CAS retries of a deploy (attempts, backoff); defaults of deployPush otherwise. */
  deployRetry?: Pick<DeployPushDeps, 'maxAttempts' | 'backoffMs'>;
  /**
   * The queue's `maxReceiveCount` (its redrive policy): on that delivery a job that fails again goes to the
   * dead-letter queue, so a failed deploy says so on the merged PR before it is rethrown.
   */
  maxReceiveCount?: number;
  /**
   * How long a check job may take before it is stopped and its check run fails saying which step took too
   * long; default 240 s, well below the worker Lambda's 300 s timeout (which would end it silently).
   */
  checkDeadlineMs?: number;
}

export interface Worker {
  /** Runs one job; throws only when it failed and a retry may help (other failures are logged). */
  processJob(job: Job, delivery?: Delivery): Promise<void>;
  handleSqsEvent(event: SQSEvent): Promise<SQSBatchResponse>;
}

export function createWorker(deps: WorkerDeps): Worker {
  const processJob = async (job: Job, delivery: Delivery = {}): Promise<void> => {
    const log = deps.log.child({ deliveryId: job.deliveryId, event: job.event, job: job.type });
    if (job.type === 'deploy') {
      const lastTry =
        deps.maxReceiveCount !== undefined && (delivery.receiveCount ?? 0) >= deps.maxReceiveCount;
      return runDeployJob(job, deps, log, lastTry);
    }
    if (job.type === 'governance') return runGovernanceJob(job, deps, log);
    if (job.type === 'promote') return runPromoteJob(job, { ...deps, source: deps.codeHost(job), log });
    try {
      if (job.type === 'drift') return await runDriftJob(job, deps, log);
      if (job.approver?.via === 'button') {
        // The Accept button: approve (or say why not), then check with the label on.
        const accepted = await acceptBreaking(job, deps.codeHost(job));
        log.info('accept button pressed', { ...accepted, repo: formatRepoRef(job.repository) });
        if (accepted.status === 'refused') return;
      }
      const outcome = await runCheckJob(job, deps, log);
      log.info('check done', { ...outcome, repo: formatRepoRef(job.repository) });
    } catch (error) {
      if (isRetryable(error)) throw error;
      // A retry cannot help (the PR or the installation is gone, a refusal, a bug): dropped, loudly.
      log.error('job failed and will not be retried', failureFields(error));
    }
  };

  const processRecord = async (record: SQSRecord): Promise<void> => {
    const job = parseJob(record.body);
    if (!job) {
      deps.log.error('malformed queue message dropped', {
        messageId: record.messageId,
        body: record.body.slice(0, 500),
      });
      return;
    }
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount);
    await processJob(job, Number.isSafeInteger(receiveCount) ? { receiveCount } : {});
  };

  return {
    processJob,
    async handleSqsEvent(event) {
      // One record per invocation (serverless.yml `batchSize: 1`): SQS FIFO then keeps a group's jobs in order
      // and holds the rest of a group back while a failed job waits for its retry. A larger batch would run a
      // group's later jobs here before the failed one's retry: refused, loudly, without running any of it.
      if (event.Records.length > 1) {
        deps.log.error('the worker takes one queue message per invocation: set batchSize 1', {
          records: event.Records.length,
        });
        throw new SetupError(`expected one SQS record per invocation, got ${event.Records.length}`);
      }
      const failures: SQSBatchItemFailure[] = [];
      for (const record of event.Records) {
        try {
          await processRecord(record);
        } catch (error) {
          deps.log.error('job failed; the queue will retry it', {
            messageId: record.messageId,
            ...failureFields(error),
          });
          failures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures: failures };
    },
  };
}

async function runCheckJob(job: CheckJob, deps: WorkerDeps, log: Logger): Promise<Outcome> {
  const deploy = deps.deploy;
  const host = deps.codeHost(job);
  const deadline = new AbortController();
  const ports = watchPorts(
    {
      codeHost: host,
      breakingDiff: deps.breakingDiff,
      ...(deploy ? { deployRepo: () => deploy.repo('read') } : {}),
    },
    deadline.signal,
  );
  const later = deps.environments?.targets.slice(1).map(({ environment, target }, index) => ({
    environment,
    previous: deps.environments!.targets[index]!.environment.name,
    repo: () => target.repo('read'),
  }));
  const work = checkPullRequest(job, {
    codeHost: ports.codeHost,
    breakingDiff: ports.breakingDiff,
    ...(ports.deployRepo ? { deployRepo: ports.deployRepo } : {}),
    ...(later ? { laterEnvironments: later } : {}),
    log,
  });
  const limitMs = deps.checkDeadlineMs ?? defaultCheckDeadlineMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), limitMs);
  });
  try {
    const first = await Promise.race([work, expired]);
    if (first !== 'expired') return first;
  } finally {
    clearTimeout(timer);
  }
  // Past the deadline: stop oasdiff, fence the abandoned work's writes, and fail the check run visibly.
  const step = ports.step();
  deadline.abort();
  work.catch(() => {}); // its own failure (a refused write) is expected now
  log.error('check stopped at its deadline', { step, deadlineMs: limitMs });
  const result = buildDeadlineResult(step, limitMs / 1000);
  const created = ports.checkRunId();
  const checkRunId =
    created === undefined
      ? await host.createCheckRun(
          { name: checkRunName, headSha: job.headSha, externalId: job.deliveryId },
          result,
        )
      : created;
  if (created !== undefined) await host.completeCheckRun(created, result);
  return { status: 'failed', checkRunId, error: result.title };
}

/** A pull request on the deploy repo: the proposed governance against every deployed API. */
async function runGovernanceJob(job: GovernanceJob, deps: WorkerDeps, log: Logger): Promise<void> {
  const { deploy, deployedSources } = deps;
  if (!deploy || !deployedSources) {
    log.info('no deploy repo is configured (DEPLOY_REPO): nothing to check the governance against');
    return;
  }
  try {
    const outcome = await checkGovernanceChange(job, {
      codeHost: deps.codeHost(job),
      deployRepo: () => deploy.repo('read'),
      sources: deployedSources,
      log,
    });
    log.info('governance check done', { ...outcome, repo: formatRepoRef(job.repository) });
  } catch (error) {
    if (isRetryable(error)) throw error;
    log.error('job failed and will not be retried', failureFields(error));
  }
}

/**
 * A push to the default branch: render it and commit to the deploy repo. A failure a retry may help (GitHub
 * 5xx, rate limits, every CAS attempt lost) is rethrown for the queue; any other ends visibly, as a comment on
 * the merged PR, and is not retried. On the queue's last try a retryable failure is commented on too, since the
 * job then goes to the dead-letter queue.
 */
async function runDeployJob(job: DeployJob, deps: WorkerDeps, log: Logger, lastTry: boolean): Promise<void> {
  const sha = job.sha;
  if (!deps.deploy) {
    log.info('no deploy repo is configured (DEPLOY_REPO): the push deploys nothing', { sha });
    return;
  }
  const source = deps.codeHost(job);
  const repo = formatRepoRef(job.repository);
  try {
    const deployRepo = await deps.deploy.repo('write');
    const before = deployRepo.calls;
    const outcome = await deployPush(job, {
      source,
      history: deps.deploy.history(job),
      deployRepo,
      log,
      ...deps.deployRetry,
    });
    log.info('deploy done', {
      repo,
      sha,
      ...describeDeploy(outcome),
      deployRepoCalls: deployRepo.calls - before,
    });
  } catch (error) {
    const retryable = isRetryable(error);
    if (retryable && !lastTry) throw error;
    log.error(
      retryable
        ? 'deploy failed on its last try: to the dead-letter queue'
        : 'deploy failed and will not be retried',
      {
        repo,
        sha,
        ...failureFields(error),
        // The queue will not retry it again: the operator does, once the cause is gone.
        ...(retryable
          ? { next: 'redrive the message from the dead-letter queue once the service is back' }
          : {}),
      },
    );
    try {
      const pullNumber = await source.findMergedPullRequest(sha);
      if (pullNumber !== undefined) {
        const reason = error instanceof Error ? error.message : String(error);
        const comment = buildDeployFailedComment({
          deployRepo: deps.deploy.description,
          sha: job.sha,
          reason,
        });
        await source.createComment(pullNumber, comment);
      }
    } catch (commentError) {
      log.warn('could not comment on the merged pull request', failureFields(commentError));
    }
    if (retryable) throw error;
  }
}

/** A push to the deploy branch: a check run on it when it left generated files edited by hand. */
async function runDriftJob(job: DriftJob, deps: WorkerDeps, log: Logger): Promise<void> {
  if (!deps.deploy) return;
  const outcome = await reportDrift(job, {
    deployRepo: await deps.deploy.repo('read'),
    checks: deps.codeHost(job),
    log,
  });
  log.info('drift check done', {
    sha: job.sha,
    status: outcome.status,
    ...(outcome.status === 'reported' ? { checkRunId: outcome.checkRunId } : { folders: outcome.folders }),
  });
}

function describeDeploy(outcome: DeployOutcome): Record<string, unknown> {
  switch (outcome.status) {
    case 'committed':
      return {
        status: outcome.status,
        commit: outcome.sha,
        attempts: outcome.attempts,
        ...outcome.plan.summary,
      };
    case 'rejected':
      return { status: outcome.status, problems: outcome.findings.length };
    default:
      return { ...outcome };
  }
}

/** A job from a queue message, or undefined when the message is not one (it will never become one). */
export function parseJob(body: string): Job | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const job = value as Partial<CheckJob> & Partial<Omit<Job, 'type'>> & { type?: unknown };
  const repo = job.repository;
  const common =
    typeof job.deliveryId === 'string' &&
    typeof job.event === 'string' &&
    Number.isSafeInteger(job.installationId) &&
    typeof repo?.owner === 'string' &&
    typeof repo.repo === 'string';
  if (!common) return undefined;
  if (job.type === 'check' || job.type === 'governance') {
    return Number.isSafeInteger(job.pullNumber) && isSha(job.headSha)
      ? (job as CheckJob | GovernanceJob)
      : undefined;
  }
  if (job.type === 'deploy') return isSha((value as { sha?: unknown }).sha) ? (value as Job) : undefined;
  if (job.type === 'promote') {
    const promote = value as Partial<PromoteJob>;
    return isSha(promote.sha) && typeof promote.tag === 'string' && promote.tag !== ''
      ? (value as PromoteJob)
      : undefined;
  }
  if (job.type === 'drift') {
    const { sha, before } = value as { sha?: unknown; before?: unknown };
    return isSha(sha) && isSha(before) ? (value as Job) : undefined;
  }
  return undefined;
}

function isSha(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{40}$/.test(value);
}
