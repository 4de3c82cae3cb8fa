/**
 * The check run's result on the PR's head commit: conclusion, title and summary from the report, annotations on
 * the spec lines (errors first, within a limit) and a text listing the findings left without one.
 * @module
 */
import { acceptBreakingAction, type CheckRunAction, offersAcceptBreaking } from '../accept-breaking.js';
import { githubConfigFile } from '../config/config-location.js';
import { repoConfigFile } from '../config/repo-config.js';
import type { Finding } from '../findings.js';
import { clipText } from './clip-text.js';
import { escapeMarkdown, escapeMessage, inlineCode } from './escape.js';
import {
  defaultMarker,
  githubCheckSummaryLimit,
  type MarkdownOptions,
  renderMarkdown,
} from './render-markdown.js';
import { describeVerdict, describeWaiver } from './summarize.js';
import type { CheckReport } from './types.js';

export { buildCheckRunName, checkRunName } from './check-run-name.js';

export type AnnotationLevel = 'failure' | 'warning' | 'notice';

/** A note on a line of a file at the check run's head commit. */
export interface Annotation {
  path: string;
  startLine: number;
  endLine: number;
  level: AnnotationLevel;
  message: string;
  title: string;
}

export type CheckConclusion = 'success' | 'failure' | 'neutral';

export interface CheckRunResult {
  conclusion: CheckConclusion;
  /** One line: the verdict's reason. */
  title: string;
  /** Markdown within the host's limit. */
  summary: string;
  text?: string;
  /** Any number: the adapter sends them in batches the host accepts. */
  annotations?: Annotation[];
  /** Buttons on the run (GitHub: at most three); pressing one sends `check_run.requested_action`. */
  actions?: CheckRunAction[];
}

/** Annotations sent per check run (GitHub takes 50 per request): the rest are listed in the run's text. */
export const maxAnnotations = 200;

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
    ...(offersAcceptBreaking(report.findings) ? { actions: [{ ...acceptBreakingAction }] } : {}),
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
  const accepted = f.waivedBy ? ` (${describeWaiver(f)})` : '';
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
    message: clipText(`${lead}${f.message}${accepted}${f.hint ? `\nHint: ${f.hint}` : ''}`, 4000),
    title: clipText(f.id, 255),
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
    const message = escapeMessage(clipText(f.message.replace(/\s+/g, ' '), 300));
    const line = `- ${inlineCode(`${f.file}:${f.line}`)}${side} ${f.severity} ${inlineCode(f.id)}: ${message}\n`;
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
    summary: `kuma-api-forge checks the APIs listed in \`${repoConfigFile}\` at the root of the repository or in \`${githubConfigFile}\`. This pull request's head has neither, so there is nothing to check.`,
  };
}

export function buildSupersededResult(sha: string): CheckRunResult {
  return {
    conclusion: 'neutral',
    title: `Superseded by ${sha.slice(0, 7)}`,
    summary: `The pull request's head moved to ${sha} while this commit was being checked; the check of the new head reports instead.`,
  };
}

/**
 * A check stopped at the worker's per-job deadline: a failure that says which step took too long, so the PR
 * never waits on a check run the platform killed silently.
 */
export function buildDeadlineResult(step: string, seconds: number): CheckRunResult {
  return {
    conclusion: 'failure',
    title: `kuma-api-forge stopped the check after ${seconds} s`,
    summary: `The check did not finish within its limit of ${seconds} s: ${step} took too long, and the check was stopped there. Nothing was reported for this commit.\n\nVery large specs (many thousands of operations or examples) can take this long; so can a slow GitHub or deploy repo. Re-run the check from the Checks tab to try again.`,
  };
}

/**
 * A check that failed on our side (never the user's spec), so the PR does not wait silently. `reason` is one line
 * about the error; `retryable` says whether the queue tries again by itself.
 */
export function buildCheckFailedResult(reason: string, retryable: boolean): CheckRunResult {
  const retry = retryable
    ? 'It will be retried automatically.'
    : 'Re-run the check from the Checks tab to try again.';
  return {
    conclusion: 'failure',
    title: 'kuma-api-forge could not finish the check',
    summary: `The check did not complete: ${escapeMarkdown(reason)}.\n\nThis is a problem on kuma-api-forge's side or GitHub's, not in this pull request. ${retry}`,
  };
}
