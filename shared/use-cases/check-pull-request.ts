/**
 * Use case: check one pull request and report on it — ONE sticky comment (found by its hidden marker, updated in
 * place, left alone when unchanged) and ONE check run on the head SHA with annotations on the spec lines.
 * Stale work never lands: a job for an old head is skipped, and a result whose head moved while it was being
 * computed is dropped. Our own failures end as a check run that says what happened.
 * @module
 */
import { parseRepoConfig, repoConfigFile, resolveGates } from '../core/config/repo-config.js';
import { buildRepoFolder } from '../core/deploy/deploy-paths.js';
import type { DeployPlan } from '../core/deploy/plan-deploy.js';
import { renderPlanMarkdown } from '../core/deploy/render-plan-markdown.js';
import { compareFindings, type Finding } from '../core/findings.js';
import type { CheckJob } from '../core/jobs.js';
import {
  defaultMarker,
  githubCheckSummaryLimit,
  githubCommentLimit,
  type MarkdownOptions,
  renderMarkdown,
} from '../core/report/render-markdown.js';
import { describeVerdict, plural } from '../core/report/summarize.js';
import type { CheckReport } from '../core/report/types.js';
import { loadSourceFile } from '../core/spec/load-spec.js';
import { decideVerdict } from '../core/verdict.js';
import type { BreakingDiff } from '../ports/breaking-diff.js';
import type {
  Annotation,
  CheckRunResult,
  CodeHost,
  HostComment,
  PullRequestState,
} from '../ports/code-host.js';
import type { DeployRepo } from '../ports/deploy-repo.js';
import type { FileSource } from '../ports/file-source.js';
import { runCheck, UnreadableInputError } from './check.js';
import { type DeployPreview, previewDeploy } from './deploy-push.js';

export const checkRunName = 'kuma-api-forge';
/** Annotations sent per check run (GitHub takes 50 per request): the rest are listed in the run's text. */
export const maxAnnotations = 200;

export interface CheckPullRequestDeps {
  codeHost: CodeHost;
  breakingDiff: BreakingDiff;
  log?: Pick<Console, 'info' | 'warn'>;
  /** Hidden first line of the sticky comment; default `<!-- kuma-api-forge -->`. */
  marker?: string;
  /**
   * The platform team's deploy repo, when one is configured: the PR then gets the tenancy check and the comment
   * the "mesh changes" merging would apply. Without it, nothing is rendered for the deploy.
   */
  deployRepo?: () => Promise<DeployRepo>;
}

export type CommentAction = 'created' | 'updated' | 'unchanged' | 'resolved' | 'none';

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
  | { status: 'failed'; checkRunId: number; error: string };

export async function checkPullRequest(job: CheckJob, deps: CheckPullRequestDeps): Promise<Outcome> {
  const host = deps.codeHost;
  const marker = deps.marker ?? defaultMarker;
  const pr = await host.getPullRequest(job.pullNumber);
  if (pr.state === 'closed') return { status: 'skipped', reason: 'closed', headSha: pr.headSha };
  // The queue delivers a PR's jobs in order: a job for an older head is followed by the one for the newer.
  if (pr.headSha !== job.headSha) return { status: 'skipped', reason: 'head-moved', headSha: pr.headSha };

  const checkRunId = await host.startCheckRun({
    name: checkRunName,
    headSha: pr.headSha,
    externalId: job.deliveryId,
  });
  try {
    const base = host.files(pr.baseSha);
    const head = host.files(pr.headSha);
    let report: CheckReport;
    try {
      report = await runCheck(
        { mode: 'repo', base, head },
        { labels: pr.labels },
        { breakingDiff: deps.breakingDiff },
      );
    } catch (error) {
      if (!(error instanceof UnreadableInputError)) throw error;
      await host.completeCheckRun(checkRunId, buildNoConfigResult());
      return { status: 'no-config', checkRunId };
    }

    const mesh = deps.deployRepo ? await previewMesh(job, pr, head, deps.deployRepo, deps.log) : undefined;
    if (mesh && 'preview' in mesh) report = joinPreview(report, mesh.preview);

    // A push during the check makes this result stale: the job for the new head reports instead.
    const now = await host.getPullRequest(job.pullNumber);
    if (now.headSha !== pr.headSha) {
      await host.completeCheckRun(checkRunId, buildSupersededResult(now.headSha));
      return { status: 'superseded', checkRunId, by: now.headSha };
    }

    report = await noteApproval(report, pr, base);
    const links = buildLinks(pr);
    const body = buildCommentBody(report, marker, links, mesh);
    const comment = await postStickyComment(host, pr.number, body, marker);
    await host.completeCheckRun(checkRunId, buildCheckRunResult(report, links));
    return {
      status: 'reported',
      checkRunId,
      verdict: report.verdict,
      comment,
      ...(mesh ? { mesh: describeMesh(mesh) } : {}),
    };
  } catch (error) {
    await reportOwnFailure(host, checkRunId, error, deps.log);
    if (isRetryable(error)) throw error;
    return { status: 'failed', checkRunId, error: describeFailure(error) };
  }
}

// ---------------------------------------------------------------------------------------------------------
// The sticky comment

/**
 * The comment's body, or undefined when there is nothing to say (no findings, no notices, no mesh changes).
 * With a deploy preview, its "mesh changes" section follows the report; when both do not fit GitHub's limit the
 * report keeps at least half, and the plan gets shorter diffs, then fewer resources with a note.
 */
export function buildCommentBody(
  report: CheckReport,
  marker: string,
  links: MarkdownOptions['links'] = {},
  mesh?: MeshPreview,
  limit = githubCommentLimit,
): string | undefined {
  const plan = mesh && 'preview' in mesh ? plannedOf(mesh.preview) : undefined;
  const hasChanges = plan !== undefined && plan.resources.length > 0;
  if (report.findings.length === 0 && report.notices.length === 0 && !hasChanges) return undefined;
  if (!mesh) return renderMarkdown(report, { maxLength: limit, marker, links });
  const full = renderMeshSection(mesh, Number.POSITIVE_INFINITY);
  const reportText = renderMarkdown(report, {
    maxLength: Math.max(limit - full.length - 1, Math.floor(limit / 2)),
    marker,
    links,
  });
  return `${reportText}\n${renderMeshSection(mesh, limit - reportText.length - 1)}`;
}

// ---------------------------------------------------------------------------------------------------------
// The plan in the PR: what merging would apply to the deploy repo

export type MeshPreview =
  | { deployRepo: string; folder: string; preview: DeployPreview }
  /** Our side could not compute it (the deploy repo unreachable, the App not installed there): said, not fatal. */
  | { unavailable: string };

async function previewMesh(
  job: CheckJob,
  pr: PullRequestState,
  head: FileSource,
  deployRepo: () => Promise<DeployRepo>,
  log: CheckPullRequestDeps['log'],
): Promise<MeshPreview> {
  try {
    const repo = await deployRepo();
    const sourceRepo = `${job.repository.owner}/${job.repository.repo}`;
    const preview = await previewDeploy(
      {
        files: head,
        sourceRepo,
        sourceSha: pr.headSha,
        pullNumber: pr.number,
      },
      repo,
    );
    return { deployRepo: repo.description, folder: buildRepoFolder(sourceRepo), preview };
  } catch (error) {
    if (isRetryable(error)) throw error;
    log?.warn('the deploy preview is not available', { error: describeFailure(error) });
    return { unavailable: describeFailure(error) };
  }
}

function plannedOf(preview: DeployPreview): DeployPlan | undefined {
  return preview.decision.status === 'planned' ? preview.decision.plan : undefined;
}

function describeMesh(mesh: MeshPreview): string {
  if (!('preview' in mesh)) return `unavailable: ${mesh.unavailable}`;
  const plan = plannedOf(mesh.preview);
  if (!plan) return 'refused';
  const { added, changed, removed } = plan.summary;
  return `planned: ${added} added, ${changed} changed, ${removed} removed`;
}

/**
 * The render's and the deploy's problems join the report (those the check did not already find): tenancy
 * violations and render errors would make the merge deploy nothing, so they fail the check, on their lines.
 */
export function joinPreview(report: CheckReport, preview: DeployPreview): CheckReport {
  const key = (f: Finding) => [f.kind, f.id, f.file, f.line, f.column, f.message].join('\u0000');
  const known = new Set(report.findings.map(key));
  const refused = preview.decision.status === 'rejected' ? preview.decision.findings : [];
  const added = new Map<string, Finding>();
  for (const finding of [...preview.rendered.findings, ...refused]) {
    if (!known.has(key(finding))) added.set(key(finding), finding);
  }
  if (added.size === 0) return report;
  const extra = [...added.values()];
  // Tenancy and render findings have no gate of their own: errors fail, whatever the lint settings.
  const theirs = decideVerdict(extra, { gates: resolveGates(undefined) });
  const findings = [...report.findings, ...extra].sort(compareFindings);
  if (theirs.verdict === 'pass') return { ...report, findings };
  const reason =
    report.verdict === 'fail' ? `${report.reason}, ${theirs.reason.replace(/^failed: /, '')}` : theirs.reason;
  return { ...report, findings, verdict: 'fail', reason };
}

/** The "mesh changes" section within `room` characters. */
export function renderMeshSection(mesh: MeshPreview, room: number): string {
  if (!('preview' in mesh)) {
    return `### Mesh changes\n\nNot available: ${clip(escapeText(mesh.unavailable), 300)}. The rest of the check is complete.\n`;
  }
  const { decision } = mesh.preview;
  const deployRepo = mesh.deployRepo;
  if (decision.status === 'rejected') {
    return `### Mesh changes\n\n⛔ Merging this would deploy nothing to \`${escapeText(mesh.folder)}\` in ${escapeText(deployRepo)}: the deploy refuses a render with ${plural(decision.findings.length, 'problem')} (listed above) and writes nothing until they are fixed.\n`;
  }
  const plan = decision.plan;
  for (const maxDiffLines of [300, 40]) {
    const text = renderPlanMarkdown(plan, { deployRepo, maxDiffLines });
    if (text.length <= room) return text;
  }
  // Fewer resources, each still whole: the largest prefix that fits with its note.
  let low = 0;
  let high = plan.resources.length;
  const render = (count: number) => {
    const text = renderPlanMarkdown(
      { ...plan, resources: plan.resources.slice(0, count) },
      { deployRepo, maxDiffLines: 40 },
    );
    const left = plan.resources.length - count;
    return `${text}\n> [!NOTE]\n> ${plural(left, 'more resource change')} not shown (GitHub's comment size limit); the merge applies all ${plan.resources.length}.\n`;
  };
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (render(mid).length <= room) low = mid;
    else high = mid - 1;
  }
  return clip(render(low), Math.max(room, 0));
}

function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[char]!);
}

export function buildResolvedBody(marker: string): string {
  return `${marker}\n### ✅ Resolved\n\nEverything kuma-api-forge reported on this pull request earlier is fixed: no findings left.\n`;
}

/** Creates, updates or resolves the one comment; writes nothing when its text would not change. */
async function postStickyComment(
  host: CodeHost,
  pullNumber: number,
  body: string | undefined,
  marker: string,
): Promise<CommentAction> {
  const existing = await host.findComment(pullNumber, marker);
  const action = planComment(existing, body, marker);
  if (action.write === 'create') await host.createComment(pullNumber, action.body);
  if (action.write === 'update' && existing) await host.updateComment(existing.id, action.body);
  return action.outcome;
}

type CommentPlan =
  | { write: 'create' | 'update'; body: string; outcome: CommentAction }
  | { write: 'none'; outcome: CommentAction };

export function planComment(
  existing: HostComment | undefined,
  body: string | undefined,
  marker: string,
): CommentPlan {
  if (body === undefined) {
    if (!existing) return { write: 'none', outcome: 'none' };
    const resolved = buildResolvedBody(marker);
    return sameText(existing.body, resolved)
      ? { write: 'none', outcome: 'unchanged' }
      : { write: 'update', body: resolved, outcome: 'resolved' };
  }
  if (!existing) return { write: 'create', body, outcome: 'created' };
  return sameText(existing.body, body)
    ? { write: 'none', outcome: 'unchanged' }
    : { write: 'update', body, outcome: 'updated' };
}

/** GitHub stores comment bodies with CRLF line ends sometimes; compare the text, not the bytes. */
function sameText(a: string, b: string): boolean {
  return a.replace(/\r\n/g, '\n').trimEnd() === b.replace(/\r\n/g, '\n').trimEnd();
}

// ---------------------------------------------------------------------------------------------------------
// The check run

export function buildCheckRunResult(
  report: CheckReport,
  links: MarkdownOptions['links'] = {},
): CheckRunResult {
  const { annotations, unannotated } = buildAnnotations(report.findings);
  const text = buildUnannotatedText(unannotated);
  return {
    conclusion: report.verdict === 'pass' ? 'success' : 'failure',
    title: describeVerdict(report),
    summary: renderMarkdown(report, { maxLength: githubCheckSummaryLimit, marker: defaultMarker, links }),
    ...(text ? { text } : {}),
    annotations,
  };
}

const annotationLevel = { error: 'failure', warning: 'warning', info: 'notice' } as const;

/**
 * Findings become annotations on their head line (at most `limit`, errors first). A base-side one (a removal)
 * has no line of its own in the head commit: it is annotated at its `headPosition`, the nearest place that is
 * left, saying what was removed and where it was; without one it is returned to be summarised instead.
 */
export function buildAnnotations(
  findings: readonly Finding[],
  limit = maxAnnotations,
): { annotations: Annotation[]; unannotated: Finding[] } {
  const rank = { failure: 0, warning: 1, notice: 2 };
  const candidates = findings
    .flatMap((f) => {
      const annotation = toAnnotation(f);
      return annotation ? [{ finding: f, annotation }] : [];
    })
    .sort((a, b) => rank[a.annotation.level] - rank[b.annotation.level]);
  const kept = candidates.slice(0, limit);
  const keptSet = new Set(kept.map((c) => c.finding));
  return {
    annotations: kept.map((c) => c.annotation),
    unannotated: findings.filter((f) => !keptSet.has(f)),
  };
}

function toAnnotation(f: Finding): Annotation | undefined {
  const removed = f.side === 'base';
  const at = removed ? f.headPosition : f;
  if (!at || at.file === '' || at.line < 1) return undefined;
  const level = f.waivedBy ? 'notice' : annotationLevel[f.severity];
  const where = f.operations && f.operations.length > 1 ? f.operations.join(', ') : f.operation;
  const accepted = f.waivedBy
    ? ` (accepted: ${f.waivedBy === 'approval' ? 'approved by label' : 'major version bump'})`
    : '';
  const lead = removed
    ? `removed here: ${where ? `${where} ` : ''}(was at ${f.file}:${f.line} in the base)\n`
    : where
      ? `${where}: `
      : '';
  return {
    path: at.file,
    startLine: at.line,
    endLine: at.line,
    level,
    message: clip(`${lead}${f.message}${accepted}${f.hint ? `\nHint: ${f.hint}` : ''}`, 4000),
    title: clip(f.id, 255),
  };
}

/** The findings without an annotation, one line each, within the check run's text limit. */
export function buildUnannotatedText(findings: readonly Finding[]): string | undefined {
  if (findings.length === 0) return undefined;
  // A removal with a head position is here only because of the annotation limit.
  const base = findings.filter((f) => f.side === 'base' && !f.headPosition).length;
  const lines = [
    `### ${findings.length} ${findings.length === 1 ? 'finding is' : 'findings are'} not annotated`,
    '',
    describeUnannotated(base, findings.length - base),
    '',
  ];
  let text = `${lines.join('\n')}\n`;
  for (const [i, f] of findings.entries()) {
    const side = f.side === 'base' ? ' (base)' : '';
    const line = `- \`${f.file}:${f.line}\`${side} ${f.severity} \`${f.id}\`: ${clip(f.message.replace(/\s+/g, ' '), 300)}\n`;
    const rest = findings.length - i;
    if (text.length + line.length > githubCheckSummaryLimit - 100) {
      text += `- … and ${rest} more\n`;
      break;
    }
    text += line;
  }
  return text;
}

function describeUnannotated(base: number, excess: number): string {
  const parts = [
    base > 0
      ? `${base} ${base === 1 ? 'is' : 'are'} in the base version (something removed has no line in this commit)`
      : '',
    excess > 0
      ? `${excess} ${excess === 1 ? 'is' : 'are'} beyond the ${maxAnnotations} annotations shown`
      : '',
  ];
  return `${parts.filter(Boolean).join('; ')}.`;
}

export function buildNoConfigResult(): CheckRunResult {
  return {
    conclusion: 'neutral',
    title: `No ${repoConfigFile} in this repository`,
    summary: `kuma-api-forge checks the APIs listed in \`${repoConfigFile}\` at the root of the repository. This pull request's head has none, so there is nothing to check.`,
  };
}

export function buildSupersededResult(sha: string): CheckRunResult {
  return {
    conclusion: 'neutral',
    title: `Superseded by ${sha.slice(0, 7)}`,
    summary: `The pull request's head moved to ${sha} while this commit was being checked; the check of the new head reports instead.`,
  };
}

/** A check run that says what went wrong on our side (never the user's spec), so the PR does not wait silently. */
export function buildFailureResult(error: unknown): CheckRunResult {
  const retry = isRetryable(error)
    ? 'It will be retried automatically.'
    : 'Re-run the check from the Checks tab to try again.';
  return {
    conclusion: 'failure',
    title: 'kuma-api-forge could not finish the check',
    summary: `The check did not complete: ${describeFailure(error)}.\n\nThis is a problem on kuma-api-forge's side or GitHub's, not in this pull request. ${retry}`,
  };
}

async function reportOwnFailure(
  host: CodeHost,
  checkRunId: number,
  error: unknown,
  log: CheckPullRequestDeps['log'],
): Promise<void> {
  try {
    await host.completeCheckRun(checkRunId, buildFailureResult(error));
  } catch (reportError) {
    // GitHub itself is failing: nothing more to tell the user; the queue's retry is the way out.
    log?.warn('could not report the failure on the check run', { error: describeFailure(reportError) });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

/** Makes the approval visible: which label accepted the breaking changes. */
async function noteApproval(
  report: CheckReport,
  pr: PullRequestState,
  base: FileSource,
): Promise<CheckReport> {
  if (!report.findings.some((f) => f.waivedBy === 'approval')) return report;
  const file = await loadSourceFile(base, repoConfigFile);
  const config = file && !('findings' in file) ? parseRepoConfig(file).config : undefined;
  const label = (config?.gates ?? resolveGates(undefined)).approvalLabel;
  if (!pr.labels.includes(label)) return report;
  const notice = `Breaking changes are accepted because this pull request has the label ${label}.`;
  return { ...report, notices: [...report.notices, notice] };
}

function buildLinks(pr: PullRequestState): NonNullable<MarkdownOptions['links']> {
  return {
    fileUrl: (file, line, side) =>
      `${pr.repoUrl}/blob/${side === 'base' ? pr.baseSha : pr.headSha}/${file.split('/').map(encodeURIComponent).join('/')}#L${line}`,
  };
}

/** Server errors, rate limits, timeouts and network failures: a later try may work. */
export function isRetryable(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number') {
    const message = error instanceof Error ? error.message : '';
    return status >= 500 || status === 429 || (status === 403 && /rate limit/i.test(message));
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'OasdiffError') return false;
  return (
    error instanceof Error &&
    /timed? ?out|ECONNRESET|ECONNREFUSED|ETIMEDOUT|fetch failed|socket/i.test(
      `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`,
    )
  );
}

function describeFailure(error: unknown): string {
  const { status, response } = (error ?? {}) as { status?: unknown; response?: unknown };
  const message = error instanceof Error ? error.message : String(error);
  const first = clip(message.split('\n')[0] ?? '', 200);
  if (typeof status !== 'number') return clip(first, 300);
  // Octokit reports a request that got no answer (timeout, connection refused) as a 500 without a response.
  if (response === undefined) return `GitHub did not answer (${first})`;
  return `GitHub answered ${status} (${first})`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
