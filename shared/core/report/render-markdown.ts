/**
 * The sticky PR comment and the check-run summary: a hidden marker (to find and update the comment in place), the
 * verdict, a per-API summary table first, then the findings folded in `<details>` per kind. It always fits in
 * `maxLength` (GitHub: comment ≤ 65,536, check summary ≤ 65,535 characters): when the findings do not fit, the most
 * important ones are kept (errors, then warnings, then the rest) and a visible note says how many were left out.
 * Every piece of user-controlled text goes through escapeMarkdown.
 * @module
 */
import { compareFindings, type Finding, type FindingKind } from '../findings.js';
import { clipText } from './clip-text.js';
import { codeHtml, escapeMarkdown, escapeMessage, escapeUrl } from './escape.js';
import {
  compareForDisplay,
  countFindings,
  describeOperations,
  describeVerdict,
  describeVersion,
  describeWaiver,
  type FindingCounts,
  groupByApi,
  kindOrder,
  kindTitle,
  plural,
} from './summarize.js';
import type { ApiSummary, CheckReport } from './types.js';

export interface MarkdownOptions {
  /** Longest output, in UTF-16 code units (never fewer than GitHub's characters). Default 65,536. */
  maxLength?: number;
  links?: {
    /** URL of a file at a line, e.g. a blob permalink at the head (or, for `side: 'base'`, the base) commit. */
    fileUrl?(file: string, line: number, side: 'base' | 'head'): string;
  };
  /** Hidden first line that identifies the comment; default `<!-- kuma-api-forge -->`. */
  marker?: string;
}

export const defaultMarker = '<!-- kuma-api-forge -->';
export const githubCommentLimit = 65_536;
/** Pass as `maxLength` for a check run's `output.summary`. */
export const githubCheckSummaryLimit = 65_535;

// Per-finding caps, so that one absurd message or operation list cannot eat the whole comment.
const maxMessageChars = 500;
const maxPathChars = 200;
const maxListedOperations = 5;

export function renderMarkdown(report: CheckReport, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? githubCommentLimit;
  const findings = [...report.findings].sort(compareForDisplay);
  const header = renderHeader(report, options.marker ?? defaultMarker);

  const lines = findings.map((f) => ({
    finding: f,
    text: `- ${renderFinding(f, options.links?.fileUrl)}\n`,
  }));
  const kinds = kindOrder.filter((kind) => findings.some((f) => f.kind === kind));
  const total = findings.length;
  // Reserve room for every section's frame (and the blank line between sections) and for the note with its
  // largest possible numbers.
  const reserved =
    kinds.reduce(
      (sum, kind) => sum + sectionOpen(kind, findings, total).length + sectionClose.length + 1,
      0,
    ) + truncationNote(total, total).length;
  let budget = maxLength - header.length - reserved;

  const shown = new Set<Finding>();
  for (const line of [...lines].sort((a, b) => comparePriority(a.finding, b.finding))) {
    if (line.text.length > budget) break;
    budget -= line.text.length;
    shown.add(line.finding);
  }

  const note = shown.size < total ? truncationNote(total - shown.size, total) : '';
  const sections = kinds.map((kind) => {
    const ofKind = lines.filter((l) => l.finding.kind === kind);
    const body = ofKind.filter((l) => shown.has(l.finding)).map((l) => l.text);
    return `${sectionOpen(kind, findings, body.length)}${body.join('')}${sectionClose}`;
  });
  // The non-breaking changes come last and only take what room the findings left.
  const changelog = renderChangelog(report.changelog ?? [], budget, options.links?.fileUrl);
  if (changelog) sections.push(changelog);
  return clip(`${`${header}${note}${sections.join('\n')}`.trimEnd()}\n`, maxLength);
}

/**
 * The folded "Non-breaking changes" section (oasdiff's changelog level INFO), within `budget` characters; the
 * changes that do not fit are counted in its summary. Empty when there are none or not even the frame fits.
 */
function renderChangelog(
  changes: readonly Finding[],
  budget: number,
  fileUrl: NonNullable<MarkdownOptions['links']>['fileUrl'],
): string {
  if (changes.length === 0) return '';
  const open = (shown: number) =>
    `<details>\n<summary><b>Non-breaking changes</b> (${count(changes.length)}${shown < changes.length ? `, ${count(shown)} shown` : ''})</summary>\n\n`;
  let room = budget - open(0).length - sectionClose.length - 1;
  if (room < 0) return '';
  const body: string[] = [];
  for (const change of [...changes].sort(compareFindings)) {
    const line = `- ${renderChange(change, fileUrl)}\n`;
    if (line.length > room) break;
    room -= line.length;
    body.push(line);
  }
  return `${open(body.length)}${body.join('')}${sectionClose}`;
}

function renderChange(f: Finding, fileUrl: NonNullable<MarkdownOptions['links']>['fileUrl']): string {
  const parts = [renderLocation(f, fileUrl)];
  const operations = describeOperations(f);
  if (operations) parts.push(escapeMarkdown(clipText(operations, maxPathChars * 2)));
  parts.push(escapeMessage(clipText(f.message, maxMessageChars)), codeHtml(clipText(f.id, maxPathChars)));
  return parts.join(' · ');
}

function renderHeader(report: CheckReport, marker: string): string {
  const icon = report.verdict === 'pass' ? '✅' : '❌';
  const out = [markerLine(marker), `### ${icon} ${escapeMarkdown(describeVerdict(report))}`, ''];
  if (report.findings.length === 0 && report.verdict === 'pass') out.push('No problems found.', '');
  const table = renderTable(report);
  if (table) out.push(table, '');
  if (report.notices.length > 0) {
    out.push('> [!NOTE]', ...report.notices.map((n) => `> - ${escapeMarkdown(n)}`), '');
  }
  return `${out.join('\n')}\n`;
}

function markerLine(marker: string): string {
  const text = marker.trim();
  return text.startsWith('<!--') ? text : `<!-- ${text.replaceAll('--', '- -')} -->`;
}

function renderTable(report: CheckReport): string {
  const { groups, rest } = groupByApi(report);
  const rows = groups.map(({ api, findings }) =>
    tableRow(apiCell(api), api.status, describeVersion(api), findings),
  );
  if (rest.length > 0) rows.push(tableRow('_other files_', '', '', rest));
  if (rows.length === 0) return '';
  return [
    '| API | Status | Version | Errors | Warnings | Breaking |',
    '|:--|:--|:--|--:|--:|--:|',
    ...rows,
  ].join('\n');
}

function apiCell(api: ApiSummary): string {
  return `**${escapeMarkdown(api.name)}** <sub>${escapeMarkdown(clipText(api.spec, maxPathChars))}</sub>`;
}

function tableRow(name: string, status: string, version: string, findings: readonly Finding[]): string {
  const counts = countFindings(findings);
  const cells = [
    name,
    `${statusIcon(counts)} ${status}`.trim(),
    escapeMarkdown(version),
    count(counts.errors),
    count(counts.warnings),
    breakingCell(counts),
  ];
  return `| ${cells.join(' | ')} |`;
}

function statusIcon(counts: FindingCounts): string {
  if (counts.errors > 0 || counts.breaking > 0) return '❌';
  return counts.warnings > 0 ? '⚠️' : '✅';
}

function breakingCell(counts: FindingCounts): string {
  if (counts.accepted === 0) return count(counts.breaking);
  return `${count(counts.breaking)} (${count(counts.accepted)} accepted)`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function renderFinding(f: Finding, fileUrl: NonNullable<MarkdownOptions['links']>['fileUrl']): string {
  const parts = [`${findingIcon(f)} ${renderLocation(f, fileUrl)}`];
  if (f.operations && f.operations.length > 1) {
    const listed = f.operations
      .slice(0, maxListedOperations)
      .map((op) => codeHtml(clipText(op, maxPathChars)));
    const more = f.operations.length - listed.length;
    parts.push(
      `affects ${plural(f.operations.length, 'operation')}: ${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    );
  } else if (f.operation) {
    parts.push(codeHtml(clipText(f.operation, maxPathChars)));
  }
  let message = escapeMessage(clipText(f.message, maxMessageChars));
  if (f.waivedBy) message += ` — **${escapeMarkdown(describeWaiver(f))}**`;
  if (f.hint) message += ` _Hint: ${escapeMarkdown(clipText(f.hint, maxMessageChars))}_`;
  parts.push(message, codeHtml(clipText(f.id, maxPathChars)));
  return parts.join(' · ');
}

function findingIcon(f: Finding): string {
  if (f.waivedBy) return '☑️';
  return { error: '❌', warning: '⚠️', info: 'ℹ️' }[f.severity];
}

function renderLocation(f: Finding, fileUrl: NonNullable<MarkdownOptions['links']>['fileUrl']): string {
  const side = f.side ?? 'head';
  const text = `${clipText(f.file, maxPathChars)}:${f.line}`;
  const where = fileUrl
    ? `[${escapeMarkdown(text)}](${escapeUrl(fileUrl(f.file, f.line, side))})`
    : codeHtml(text);
  return side === 'base' ? `${where} (base)` : where;
}

function sectionOpen(kind: FindingKind, findings: readonly Finding[], shown: number): string {
  const total = findings.filter((f) => f.kind === kind).length;
  const truncated = shown < total ? `, ${shown.toLocaleString('en-US')} shown` : '';
  return `<details>\n<summary><b>${kindTitle[kind]}</b> (${total.toLocaleString('en-US')}${truncated})</summary>\n\n`;
}

const sectionClose = '\n</details>\n';

function truncationNote(omitted: number, total: number): string {
  return [
    '> [!WARNING]',
    `> ${plural(omitted, 'finding')} of ${count(total)} are not shown here: GitHub limits the length of this text.`,
    '> The check run lists every finding as an annotation, and `npx kuma-api-forge check` prints them all locally.',
    '',
    '',
  ].join('\n');
}

// Errors of every kind first, then warnings, then notes and accepted changes; the kind order breaks ties.
function comparePriority(a: Finding, b: Finding): number {
  return (
    rank(a) - rank(b) || kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || compareForDisplay(a, b)
  );
}

function rank(f: Finding): number {
  if (f.waivedBy) return 3;
  return { error: 0, warning: 1, info: 2 }[f.severity];
}

// Last resort when even the header is too long (thousands of APIs or notices): cut and say so.
function clip(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const tail = '\n\n… (cut: too long for GitHub; run `npx kuma-api-forge check` for the full report)\n';
  return `${text.slice(0, Math.max(0, maxLength - tail.length))}${tail}`.slice(0, maxLength);
}
