/**
 * `--format text`: the terminal report. One line per finding that editors and terminals can click
 * (`file:line:column`), grouped per file, then a summary line and the verdict.
 * @module
 */
import { compareFindings, type Finding, type Severity } from '../findings.js';
import { sanitizeTerminal } from './escape.js';
import {
  capitalize,
  countFindings,
  describeCounts,
  describeFanOut,
  describeOperations,
  describeVerdict,
  describeWaiver,
} from './summarize.js';
import type { CheckReport } from './types.js';

export interface TextOptions {
  /** ANSI colors; only when the caller knows the output is a terminal that wants them. */
  color?: boolean;
}

export function renderText(report: CheckReport, options: TextOptions = {}): string {
  const paint = options.color ? ansi : plain;
  const findings = [...report.findings].sort(compareFindings);
  const lines: string[] = [];

  for (const group of groupByFile(findings)) {
    const width = Math.max(...group.map((f) => location(f).length));
    for (const f of group) {
      const where = paint.dim(location(f).padEnd(width));
      const severity = paint[f.waivedBy ? 'dim' : f.severity](f.severity.padEnd(7));
      lines.push(`${where}  ${severity}  ${describe(f)}  ${paint.dim(`[${sanitizeTerminal(f.id)}]`)}`);
    }
    lines.push('');
  }

  lines.push(...describeChangelog(report.changelog ?? []));

  for (const notice of report.notices) lines.push(`${paint.warning('note:')} ${sanitizeTerminal(notice)}`);
  if (report.notices.length > 0) lines.push('');

  const counts = describeCounts(countFindings(findings));
  if (counts !== '') lines.push(`${capitalize(counts)}.`);
  else if (report.verdict === 'pass') lines.push('No problems found.');
  lines.push(paint[report.verdict === 'pass' ? 'pass' : 'error'](sanitizeTerminal(describeVerdict(report))));
  return `${lines.join('\n')}\n`;
}

/** Shown in the terminal; `--format json` lists every one. */
const maxChangelogLines = 20;

/** The non-breaking changes, compact: one line each (at most 20), after the findings. */
function describeChangelog(changes: readonly Finding[]): string[] {
  if (changes.length === 0) return [];
  const lines = [`Non-breaking changes (${changes.length}):`];
  for (const f of changes.slice(0, maxChangelogLines)) {
    const operations = describeOperations(f);
    lines.push(
      `  ${sanitizeTerminal(operations ? `${operations}: ${f.message}` : f.message)}  [${sanitizeTerminal(f.id)}]`,
    );
  }
  const more = changes.length - maxChangelogLines;
  if (more > 0) lines.push(`  … and ${more} more (--format json lists them all)`);
  lines.push('');
  return lines;
}

function location(f: Finding): string {
  return sanitizeTerminal(`${f.file}:${f.line}:${f.column}`);
}

function describe(f: Finding): string {
  const parts = [sanitizeTerminal(f.message)];
  const context: string[] = [];
  if (f.operations && f.operations.length > 1)
    context.push(describeFanOut(f.operations.map(sanitizeTerminal)));
  else if (f.operation) context.push(sanitizeTerminal(f.operation));
  if (f.side === 'base') context.push('in base');
  if (f.waivedBy) context.push(sanitizeTerminal(describeWaiver(f)));
  if (context.length > 0) parts.push(`(${context.join('; ')})`);
  return parts.join(' ');
}

function groupByFile(findings: readonly Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const group = groups.get(f.file);
    if (group) group.push(f);
    else groups.set(f.file, [f]);
  }
  return [...groups.values()];
}

type Painter = Record<Severity | 'dim' | 'pass', (text: string) => string>;

const plain: Painter = { error: id, warning: id, info: id, dim: id, pass: id };
const ansi: Painter = {
  error: (t) => `\u001b[31m${t}\u001b[39m`,
  warning: (t) => `\u001b[33m${t}\u001b[39m`,
  info: (t) => `\u001b[36m${t}\u001b[39m`,
  dim: (t) => `\u001b[2m${t}\u001b[22m`,
  pass: (t) => `\u001b[32m${t}\u001b[39m`,
};

function id(text: string): string {
  return text;
}
