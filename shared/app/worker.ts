/**
 * The worker: takes jobs off the queue and runs their use case. In Lambda it gets one SQS FIFO record per
 * invocation and reports it as a batch item failure when it failed, so the queue retries it (and the jobs behind
 * it in its group wait for it); a malformed message is logged and dropped instead of being retried forever.
 * @module
 */
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { withinFolderHost } from '../adapters/folder-deploy-repo.js';
import { describeBranch, type Environment } from '../core/deploy/environments.js';
import { failureFields, isRetryable, SetupError } from '../core/errors.js';
import type {
  ApprovedPromoteJob,
  CheckJob,
  DeployJob,
  DriftJob,
  GovernanceJob,
  Job,
  PromoteJob,
  TimePromoteJob,
} from '../core/jobs.js';
import { formatRepoRef } from '../core/repo-ref.js';
import { buildDeadlineResult } from '../core/report/check-run.js';
import { buildDeployFailedComment } from '../core/report/deploy-comment.js';
import { driftCheckRunName } from '../core/report/drift-report.js';
import type { BreakingDiff } from '../ports/breaking-diff.js';
import type { CodeHost } from '../ports/code-host.js';
import type { DeployTarget } from '../ports/deploy-repo.js';
import type { DeployedSources } from '../ports/deployed-sources.js';
import type { Delivery } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import { acceptBreaking } from '../use-cases/accept-breaking.js';
import { checkGovernanceChange } from '../use-cases/check-governance-change.js';
import { checkPullRequest, checkRunName, type Outcome } from '../use-cases/check-pull-request.js';
import { type DeployOutcome, type DeployPushDeps, deployBatch } from '../use-cases/deploy-push.js';
import { reportDrift } from '../use-cases/drift-report.js';
import { defaultCheckDeadlineMs, watchPorts } from './job-deadline.js';
import {
  runApprovedPromoteJob,
  runPromoteJob,
  runTimePromoteJob,
  type WorkerEnvironments,
} from './promote-job.js';

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
  /** "Deployed" comments per deploy batch (the rest are skipped and logged); default: one per merged PR. */
  deployCommentsPerBatch?: number;
  /**
   * How long a check job may take before it is stopped and its check run fails saying which step took too
   * long; default 240 s, well below the worker Lambda's 300 s timeout (which would end it silently).
   */
  checkDeadlineMs?: number;
}

/** A deploy job as the queue delivered it. */
export interface DeployDelivery {
  job: DeployJob;
  delivery: Delivery;
}

export interface Worker {
  /** Runs one job; throws only when it failed and a retry may help (other failures are logged). */
  processJob(job: Job, delivery?: Delivery): Promise<void>;
  /**
   * Runs the waiting deploy jobs of one deploy repo as one batch (one commit, see `deployBatch`); answers the
   * jobs a retry may help, each with its error (the others are done, or failed for good and said so).
   */
  processDeployBatch(batch: DeployDelivery[]): Promise<{ job: DeployJob; error: unknown }[]>;
  handleSqsEvent(event: SQSEvent): Promise<SQSBatchResponse>;
}

export function createWorker(deps: WorkerDeps): Worker {
  const processJob = async (job: Job, delivery: Delivery = {}): Promise<void> => {
    const log = deps.log.child({ deliveryId: job.deliveryId, event: job.event, job: job.type });
    if (job.type === 'deploy') {
      const [failure] = await runDeployBatch([{ job, delivery }], deps, log);
      if (failure) throw failure.error;
      return;
    }
    if (job.type === 'governance') return runGovernanceJob(job, deps, log);
    if (job.type === 'promote') return runPromoteJob(job, { ...deps, source: deps.codeHost(job), log });
    if (job.type === 'promote-approved') return runApprovedPromoteJob(job, { ...deps, log });
    if (job.type === 'promote-time') return runTimePromoteJob(job, { ...deps, log });
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

  const dropMalformed = (record: SQSRecord) =>
    deps.log.error('malformed queue message dropped', {
      messageId: record.messageId,
      body: record.body.slice(0, 500),
    });

  const processRecord = async (record: SQSRecord): Promise<void> => {
    const job = parseJob(record.body);
    if (!job) return dropMalformed(record);
    await processJob(job, deliveryOf(record));
  };

  return {
    processJob,
    processDeployBatch: (batch) => runDeployBatch(batch, deps, deps.log.child({ job: 'deploy' })),
    async handleSqsEvent(event) {
      // The deploy queue hands over a backlog of its one group (the deploy repo) in order, up to its batchSize:
      // one commit for all of it. A record that did not land is reported failed, and so is every record after
      // it (SQS FIFO redelivers them in order); a landed one redelivered is superseded, never deployed twice.
      const parsed = event.Records.map((record) => ({ record, job: parseJob(record.body) }));
      if (event.Records.length > 1 && parsed.every(({ job }) => job === undefined || job.type === 'deploy')) {
        const batch = [];
        for (const { record, job } of parsed) {
          if (job) batch.push({ record, job: job as DeployJob, delivery: deliveryOf(record) });
          else dropMalformed(record);
        }
        const failed = new Set((await runDeployBatch(batch, deps, deps.log)).map(({ job }) => job));
        const first = batch.findIndex(({ job }) => failed.has(job));
        return {
          batchItemFailures:
            first < 0 ? [] : batch.slice(first).map(({ record }) => ({ itemIdentifier: record.messageId })),
        };
      }
      // Checks: one record per invocation (their queue's `batchSize: 1`): SQS FIFO then keeps a group's jobs in
      // order and holds the rest of a group back while a failed job waits for its retry. A larger batch would run
      // a group's later jobs here before the failed one's retry: refused, loudly, without running any of it.
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
      ...(deploy ? { deployRepo: () => deploy.repo('read', job) } : {}),
    },
    deadline.signal,
  );
  const later = deps.environments?.targets.slice(1).map(({ environment, target }, index) => ({
    environment,
    previous: deps.environments!.targets[index]!.environment.name,
    repo: () => target.repo('read', job),
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
    // Environments that are folders of the deploy branch: each folder's governance is checked on its own.
    const host = deps.codeHost(job);
    for (const { environment, target } of findBranchTargets(deps)) {
      const folder = environment?.path;
      const outcome = await checkGovernanceChange(job, {
        codeHost: folder ? withinFolderHost(host, folder) : host,
        deployRepo: () => target.repo('read', job),
        sources: { files: (repo, sha) => deployedSources.files(repo, sha, job) },
        ...(environment && folder ? { environment: { name: environment.name, folder } } : {}),
        log,
      });
      log.info('governance check done', {
        ...outcome,
        repo: formatRepoRef(job.repository),
        ...(environment ? { environment: environment.name } : {}),
      });
    }
  } catch (error) {
    if (isRetryable(error)) throw error;
    log.error('job failed and will not be retried', failureFields(error));
  }
}

/** What SQS says of a record's deliveries. */
function deliveryOf(record: SQSRecord): Delivery {
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isSafeInteger(receiveCount) ? { receiveCount } : {};
}

/**
 * Pushes to default branches: render them and commit to the deploy repo, all of a batch in one commit (in
 * pull-request mode, one commit and PR per source repo, in order). A failure a retry may help (GitHub 5xx, rate
 * limits, every CAS attempt lost) is answered for the queue, with every job after it; any other ends visibly, as
 * a comment on each merged PR, and is not retried. On a job's last try a retryable failure is commented on
 * too, since the job then goes to the dead-letter queue.
 */
async function runDeployBatch<T extends DeployDelivery>(
  batch: T[],
  deps: WorkerDeps,
  log: Logger,
): Promise<(T & { error: unknown })[]> {
  const deploy = deps.deploy;
  if (!deploy) {
    for (const { job } of batch)
      log.info('no deploy repo is configured (DEPLOY_REPO): the push deploys nothing', { sha: job.sha });
    return [];
  }
  const groups =
    deploy.mode === 'pull-request'
      ? [...groupBy(batch, ({ job }) => formatRepoRef(job.repository).toLowerCase())]
      : [batch];
  const failed: (T & { error: unknown })[] = [];
  for (const group of groups) {
    // FIFO: once a job failed, the jobs behind it wait for its retry.
    if (failed.length > 0) {
      failed.push(...group.map((entry) => ({ ...entry, error: failed[0]!.error })));
      continue;
    }
    try {
      const deployRepo = await deploy.repo('write', group[0]!.job);
      const before = deployRepo.calls;
      const outcomes = await deployBatch(
        group.map(({ job }) => job),
        {
          sourceOf: (job) => ({ source: deps.codeHost(job), history: deploy.history(job) }),
          deployRepo,
          log,
          ...(deps.deployCommentsPerBatch !== undefined ? { maxComments: deps.deployCommentsPerBatch } : {}),
          ...deps.deployRetry,
        },
      );
      for (const [index, { job }] of group.entries())
        log.info('deploy done', {
          deliveryId: job.deliveryId,
          repo: formatRepoRef(job.repository),
          sha: job.sha,
          ...describeDeploy(outcomes[index]!),
          batch: group.length,
          deployRepoCalls: deployRepo.calls - before,
        });
    } catch (error) {
      const retryable = isRetryable(error);
      for (const entry of group) {
        const lastTry =
          deps.maxReceiveCount !== undefined && (entry.delivery.receiveCount ?? 0) >= deps.maxReceiveCount;
        if (retryable && !lastTry) continue;
        await reportDeployFailure(entry.job, error, retryable, deploy.description, deps, log);
      }
      if (retryable) failed.push(...group.map((entry) => ({ ...entry, error })));
    }
  }
  return failed;
}

/** Logs a deploy that will not be retried (or goes to the dead-letter queue) and says so on its merged PR. */
async function reportDeployFailure(
  job: DeployJob,
  error: unknown,
  retryable: boolean,
  deployRepo: string,
  deps: WorkerDeps,
  log: Logger,
): Promise<void> {
  const sha = job.sha;
  log.error(
    retryable
      ? 'deploy failed on its last try: to the dead-letter queue'
      : 'deploy failed and will not be retried',
    {
      deliveryId: job.deliveryId,
      repo: formatRepoRef(job.repository),
      sha,
      ...failureFields(error),
      // The queue will not retry it again: the operator does, once the cause is gone.
      ...(retryable
        ? { next: 'redrive the message from the dead-letter queue once the service is back' }
        : {}),
    },
  );
  try {
    const source = deps.codeHost(job);
    const pullNumber = await source.findMergedPullRequest(sha);
    if (pullNumber !== undefined) {
      const reason = error instanceof Error ? error.message : String(error);
      await source.createComment(pullNumber, buildDeployFailedComment({ deployRepo, sha, reason }));
    }
  } catch (commentError) {
    log.warn('could not comment on the merged pull request', failureFields(commentError));
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item)) ?? [];
    list.push(item);
    groups.set(key(item), list);
  }
  return [...groups.values()];
}

/** A push to the deploy branch: a check run on it when it left generated files edited by hand. */
async function runDriftJob(job: DriftJob, deps: WorkerDeps, log: Logger): Promise<void> {
  if (!deps.deploy) return;
  for (const { environment, target } of findBranchTargets(deps)) {
    const name = environment?.name;
    const outcome = await reportDrift(job, {
      deployRepo: await target.repo('read', job),
      checks: deps.codeHost(job),
      log,
      ...(name ? { checkRunName: `${driftCheckRunName} (${name})` } : {}),
    });
    log.info('drift check done', {
      sha: job.sha,
      ...(name ? { environment: name } : {}),
      status: outcome.status,
      ...(outcome.status === 'reported' ? { checkRunId: outcome.checkRunId } : { folders: outcome.folders }),
    });
  }
}

/**
 * What a push to (or a pull request on) the deploy branch is judged as: the deploy target, or, when environments
 * are folders of that branch, each of them on its own (named, with a check run each), so a hand edit or a
 * governance change in one is never blamed on another.
 */
function findBranchTargets(deps: WorkerDeps): { environment?: Environment; target: DeployTarget }[] {
  const targets = deps.environments?.targets;
  const first = targets?.[0]?.environment;
  if (!targets || !first?.path) return [{ target: deps.deploy! }];
  const branch = describeBranch(first);
  return targets.filter(({ environment }) => describeBranch(environment) === branch);
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
  if (job.type === 'promote-approved') {
    const approved = value as Partial<ApprovedPromoteJob>;
    return Number.isSafeInteger(approved.pullNumber) &&
      isSha(approved.headSha) &&
      isSha(approved.baseSha) &&
      typeof approved.headRef === 'string' &&
      typeof approved.baseRef === 'string' &&
      typeof approved.author?.login === 'string' &&
      typeof approved.author.type === 'string'
      ? (value as ApprovedPromoteJob)
      : undefined;
  }
  if (job.type === 'promote-time') {
    const { environment, at } = value as Partial<TimePromoteJob>;
    return typeof environment === 'string' && typeof at === 'string' && !Number.isNaN(Date.parse(at))
      ? (value as TimePromoteJob)
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
