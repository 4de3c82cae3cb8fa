/**
 * Use case: check one pull request and report on it — ONE sticky comment (found by its hidden marker, updated in
 * place, left alone when unchanged) and ONE check run on the head SHA with annotations on the spec lines.
 * Stale work never lands: a job for an old head is skipped, and a result whose head moved while it was being
 * computed is dropped. Our own failures end as a check run that says what happened.
 * @module
 */
import { buildRepoFolder } from '../core/deploy/deploy-paths.js';
import { failureFields, isRetryable } from '../core/errors.js';
import type { CheckJob } from '../core/jobs.js';
import {
  buildCheckFailedResult,
  buildCheckRunName,
  buildCheckRunResult,
  buildNoConfigResult,
  buildSupersededResult,
  type CheckRunResult,
} from '../core/report/check-run.js';
import { checkRunName } from '../core/report/check-run-name.js';
import { describeFailure } from '../core/report/describe-failure.js';
import { describeMesh, joinPreview, type MeshPreview } from '../core/report/mesh-preview.js';
import { otherBaseNotice } from '../core/report/notices.js';
import { buildCommentBody, type CommentAction, planComment } from '../core/report/pr-comment.js';
import { defaultMarker, type MarkdownOptions } from '../core/report/render-markdown.js';
import type { CheckReport } from '../core/report/types.js';
import type { BreakingDiff } from '../ports/breaking-diff.js';
import type { CheckRunInput, CodeHost, HostComment, PullRequestState } from '../ports/code-host.js';
import type { DeployRepo } from '../ports/deploy-repo.js';
import type { FileSource } from '../ports/file-source.js';
import type { Logger } from '../ports/logger.js';
import { runCheck, UnreadableInputError } from './check.js';
import { previewDeploy } from './preview-deploy.js';
import { type LaterEnvironment, previewLaterEnvironments } from './preview-environments.js';
import { configPaths, prefetchInputs } from './read-ahead.js';

export { checkRunName, isRetryable };

export interface CheckPullRequestDeps {
  codeHost: CodeHost;
  breakingDiff: BreakingDiff;
  log?: Logger;
  /** Hidden first line of the sticky comment; default `<!-- kuma-api-forge -->`. */
  marker?: string;
  /**
   * The platform team's deploy repo, when one is configured: the PR then gets the tenancy check and the comment
   * the "mesh changes" merging would apply. Without it, nothing is rendered for the deploy.
   */
  deployRepo?: () => Promise<DeployRepo>;
  /** DEPLOY_ENVIRONMENTS: the environments after the first; the comment says what promotion would do there. */
  laterEnvironments?: readonly LaterEnvironment[];
}

export type Outcome =
  | { status: 'skipped'; reason: 'closed' | 'head-moved'; headSha: string }
  | { status: 'no-config'; checkRunId: number }
  | { status: 'superseded'; checkRunId: number; by: string }
  | {
      status: 'reported';
      checkRunId: number;
      verdict: 'pass' | 'fail';
      comment: CommentAction;
      /** The deploy preview: planned (with its change count), refused, or not available (why). */
      mesh?: string;
    }
  | { status: 'failed'; checkRunId: number | undefined; error: string };

export async function checkPullRequest(job: CheckJob, deps: CheckPullRequestDeps): Promise<Outcome> {
  const host = deps.codeHost;
  const marker = deps.marker ?? defaultMarker;
  // One read: the PR, the default branch's head, and the config at the head, the base and the default branch.
  const pr = await host.getPullRequest(job.pullNumber, {
    files: { head: job.headSha, paths: configPaths },
  });
  if (pr.state === 'closed') return { status: 'skipped', reason: 'closed', headSha: pr.headSha };
  // The queue delivers a PR's jobs in order: a job for an older head is followed by the one for the newer.
  if (pr.headSha !== job.headSha) return { status: 'skipped', reason: 'head-moved', headSha: pr.headSha };

  // The check run is created once, with its result: the check takes seconds, and an in-progress state would
  // cost a request more per event (a job past its deadline still ends as a failed run, see job-deadline.ts).
  const run = {
    name: buildCheckRunName(pr.baseRef, pr.defaultBranch),
    headSha: pr.headSha,
    externalId: job.deliveryId,
  };
  try {
    const base = host.files(pr.baseSha);
    const head = host.files(pr.headSha);
    // The trust rule: gates come from the default branch as it is now (what branch protection guards, with any
    // gate tightened since the PR was opened), never from the PR's head nor from another base branch.
    const gates = host.files(pr.defaultBranchHead);
    await prefetchInputs(host, [pr.headSha, pr.baseSha, pr.defaultBranchHead], deps.log);
    let report: CheckReport;
    try {
      report = await runCheck(
        { mode: 'repo', base, head, gates },
        { labels: pr.labels, ...(job.approver ? { approver: job.approver } : {}) },
        { breakingDiff: deps.breakingDiff },
      );
    } catch (error) {
      if (!(error instanceof UnreadableInputError)) throw error;
      return { status: 'no-config', checkRunId: await host.createCheckRun(run, buildNoConfigResult()) };
    }
    if (pr.baseRef !== pr.defaultBranch) {
      report = {
        ...report,
        notices: [...report.notices, otherBaseNotice(pr.baseRef, pr.defaultBranch, checkRunName)],
      };
    }

    const mesh = deps.deployRepo
      ? await previewMesh(job, pr, head, deps.deployRepo, deps.log, deps.laterEnvironments)
      : undefined;
    if (mesh && 'preview' in mesh) report = joinPreview(report, mesh.preview);

    // A push during the check makes this result stale: the job for the new head reports instead. The same read
    // finds the sticky comment.
    const now = await host.getPullRequest(job.pullNumber, { marker });
    if (now.headSha !== pr.headSha) {
      const checkRunId = await host.createCheckRun(run, buildSupersededResult(now.headSha));
      return { status: 'superseded', checkRunId, by: now.headSha };
    }

    const links = buildLinks(pr);
    const body = buildCommentBody(report, marker, links, mesh);
    const comment = await postStickyComment(host, pr.number, now.comment, body, marker);
    const checkRunId = await host.createCheckRun(run, buildCheckRunResult(report, links));
    return {
      status: 'reported',
      checkRunId,
      verdict: report.verdict,
      comment,
      ...(mesh ? { mesh: describeMesh(mesh) } : {}),
    };
  } catch (error) {
    const checkRunId = await reportOwnFailure(host, run, error, deps.log);
    if (isRetryable(error)) throw error;
    return { status: 'failed', checkRunId, error: describeFailure(error) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// The deploy preview and the sticky comment

async function previewMesh(
  job: CheckJob,
  pr: PullRequestState,
  head: FileSource,
  deployRepo: () => Promise<DeployRepo>,
  log: CheckPullRequestDeps['log'],
  laterEnvironments: readonly LaterEnvironment[] = [],
): Promise<MeshPreview> {
  try {
    const repo = await deployRepo();
    const sourceRepo = job.repository;
    const preview = await previewDeploy(
      {
        files: head,
        sourceRepo,
        sourceSha: pr.headSha,
        pullNumber: pr.number,
      },
      repo,
    );
    const later =
      laterEnvironments.length > 0 && preview.decision.status === 'planned'
        ? await previewLaterEnvironments(
            { sourceRepo, sourceSha: pr.headSha, pullNumber: pr.number, rendered: preview.rendered },
            laterEnvironments,
            log,
          )
        : undefined;
    return {
      deployRepo: repo.description,
      folder: buildRepoFolder(sourceRepo),
      preview,
      ...(later ? { later } : {}),
    };
  } catch (error) {
    if (isRetryable(error)) throw error;
    log?.warn('the deploy preview is not available', failureFields(error));
    return { unavailable: describeFailure(error) };
  }
}

/** Creates, updates or resolves the one comment; writes nothing when its text would not change. */
async function postStickyComment(
  host: CodeHost,
  pullNumber: number,
  existing: HostComment | undefined,
  body: string | undefined,
  marker: string,
): Promise<CommentAction> {
  const action = planComment(existing, body, marker);
  if (action.write === 'create') await host.createComment(pullNumber, action.body);
  if (action.write === 'update' && existing) await host.updateComment(existing.id, action.body);
  return action.outcome;
}

// ---------------------------------------------------------------------------------------------------------
// Our own failures

/** A check run that says what went wrong on our side (never the user's spec), so the PR does not wait silently. */
export function buildFailureResult(error: unknown): CheckRunResult {
  return buildCheckFailedResult(describeFailure(error), isRetryable(error));
}

/** The check run that says so; undefined when GitHub refused that too. */
async function reportOwnFailure(
  host: CodeHost,
  run: CheckRunInput,
  error: unknown,
  log: CheckPullRequestDeps['log'],
): Promise<number | undefined> {
  try {
    return await host.createCheckRun(run, buildFailureResult(error));
  } catch (reportError) {
    // GitHub itself is failing: nothing more to tell the user; the queue's retry is the way out.
    log?.warn('could not report the failure on the check run', failureFields(reportError));
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

/** Each finding links to its line at the commit of its side. */
function buildLinks(pr: PullRequestState): NonNullable<MarkdownOptions['links']> {
  return {
    fileUrl: (file, line, side) =>
      `${pr.repoUrl}/blob/${side === 'base' ? pr.baseSha : pr.headSha}/${file.split('/').map(encodeURIComponent).join('/')}#L${line}`,
  };
}
