/**
 * What every report format says the same way: display order, counts, wording of waivers, fan-out and version
 * changes, and which API a finding belongs to.
 * @module
 */
import { compareFindings, type Finding, type FindingKind, severityRank } from '../findings.js';
import type { ApiSummary, CheckReport } from './types.js';

export interface FindingCounts {
  /** Findings that are not breaking changes, by severity. */
  errors: number;
  warnings: number;
  infos: number;
  /** Breaking changes that count (severity warning or error, not waived). */
  breaking: number;
  /** Breaking changes accepted by a major version bump or an approval. */
  accepted: number;
}

/** Sections of the detailed reports, in the order a reviewer reads them. */
export const kindOrder: readonly FindingKind[] = [
  'breaking',
  'validation',
  'lint',
  'routing',
  'tenancy',
  'governance',
];

export const kindTitle: Record<FindingKind, string> = {
  breaking: 'Breaking changes',
  validation: 'Validation',
  lint: 'Lint',
  routing: 'Routing',
  tenancy: 'Tenancy',
  governance: 'Platform governance',
};

/** Most severe first, accepted ones after the ones that count, then by position (compareFindings). */
export function compareForDisplay(a: Finding, b: Finding): number {
  return (
    Number(a.waivedBy !== undefined) - Number(b.waivedBy !== undefined) ||
    severityRank[b.severity] - severityRank[a.severity] ||
    compareFindings(a, b)
  );
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const counts: FindingCounts = { errors: 0, warnings: 0, infos: 0, breaking: 0, accepted: 0 };
  for (const f of findings) {
    if (f.waivedBy) counts.accepted++;
    else if (f.kind === 'breaking' && f.severity !== 'info') counts.breaking++;
    else if (f.severity === 'error') counts.errors++;
    else if (f.severity === 'warning') counts.warnings++;
    else counts.infos++;
  }
  return counts;
}

/**
 * Splits the findings by API: a finding belongs to the first API whose `files` (or entry `spec`) contain its
 * file; with a single API everything is that API's. Findings of no API (e.g. the repo config) come back as `rest`.
 */
export function groupByApi(report: CheckReport): {
  groups: { api: ApiSummary; findings: Finding[] }[];
  rest: Finding[];
} {
  const groups = report.apis.map((api) => ({ api, findings: [] as Finding[] }));
  const rest: Finding[] = [];
  for (const f of report.findings) {
    const group =
      groups.length === 1 ? groups[0] : groups.find(({ api }) => (api.files ?? [api.spec]).includes(f.file));
    (group?.findings ?? rest).push(f);
  }
  return { groups, rest };
}

/** `1.4.0 → 2.0.0`, `1.4.0`, `new: 1.0.0`, or `—` when no side has a version. */
export function describeVersion(api: ApiSummary): string {
  const { baseVersion: base, headVersion: head } = api;
  if (base !== undefined && head !== undefined) return base === head ? head : `${base} → ${head}`;
  if (head !== undefined) return api.status === 'added' ? `new: ${head}` : head;
  if (base !== undefined) return api.status === 'removed' ? `was ${base}` : base;
  return '—';
}

/** `accepted: major version bump`, `accepted: approved by label`, `waived by .oasdiff-ignore.txt:3`. */
export function describeWaiver(f: Pick<Finding, 'waivedBy' | 'waiver'>): string {
  if (f.waivedBy === 'waiver') {
    return f.waiver ? `waived by ${f.waiver.file}:${f.waiver.line}` : 'waived';
  }
  return f.waivedBy ? `accepted: ${waiverText[f.waivedBy]}` : '';
}

const waiverText: Record<Exclude<Finding['waivedBy'], 'waiver' | undefined>, string> = {
  'major-version': 'major version bump',
  approval: 'approved by label',
  'approved-flag': 'approved with --approved',
};

/** `affects 3 operations: GET /a, POST /a, GET /b` (at most `max` listed, then `and N more`). */
export function describeFanOut(operations: readonly string[], max = 5): string {
  const listed = operations.slice(0, max).join(', ');
  const more = operations.length > max ? ` and ${operations.length - max} more` : '';
  return `affects ${plural(operations.length, 'operation')}: ${listed}${more}`;
}

/**
 * A finding's message with its context, as plain text: the operations, where a removal was in the base, the
 * waiver (for the formats whose consumer shows one line of text per finding: SARIF, workflow commands).
 */
export function describePlain(f: Finding): string {
  const context: string[] = [];
  if (f.operations && f.operations.length > 1) context.push(describeFanOut(f.operations));
  else if (f.operation) context.push(f.operation);
  if (f.side === 'base') context.push(`removed: was at ${f.file}:${f.line} in the base`);
  if (f.waivedBy) context.push(describeWaiver(f));
  return context.length > 0 ? `${f.message} (${context.join('; ')})` : f.message;
}

/** `GET /owners`, `affects 3 operations: …`, or empty: the operations a change concerns, in one phrase. */
export function describeOperations(f: Finding): string {
  if (f.operations && f.operations.length > 1) return describeFanOut(f.operations);
  return f.operation ?? '';
}

/** `3 errors, 1 warning and 2 breaking changes (1 accepted)`; empty string when there is nothing to count. */
export function describeCounts(counts: FindingCounts): string {
  const parts = [
    counts.errors > 0 ? plural(counts.errors, 'error') : '',
    counts.warnings > 0 ? plural(counts.warnings, 'warning') : '',
    counts.breaking > 0 ? plural(counts.breaking, 'breaking change') : '',
    counts.accepted > 0 ? `${plural(counts.accepted, 'accepted breaking change')}` : '',
    counts.infos > 0 ? plural(counts.infos, 'note') : '',
  ].filter(Boolean);
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

export function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** `Failed: 2 breaking changes` — the report's reason, said so that it always starts with the verdict. */
export function describeVerdict(report: Pick<CheckReport, 'verdict' | 'reason'>): string {
  const word = report.verdict === 'pass' ? 'passed' : 'failed';
  const reason = report.reason.trim();
  if (reason === '' || reason.toLowerCase() === word) return capitalize(word);
  return reason.toLowerCase().startsWith(word) ? capitalize(reason) : `${capitalize(word)}: ${reason}`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
