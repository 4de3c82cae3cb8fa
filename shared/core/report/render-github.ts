/**
 * `--format github`: GitHub Actions workflow commands, for the CLI run inside a workflow. Each finding becomes one
 * `::error|warning|notice file=…,line=…,col=…,title=<id>::<message>` line, which the runner turns into an annotation
 * on the PR; the summary and the verdict follow as plain lines. Every value goes through the workflow-command
 * escaper, so no message can end its command or start another one.
 * @module
 */
import { compareFindings, type Finding } from '../findings.js';
import { escapeWorkflowData, escapeWorkflowProperty, sanitizeTerminal } from './escape.js';
import { capitalize, countFindings, describeCounts, describePlain, describeVerdict } from './summarize.js';
import type { CheckReport } from './types.js';

const command = { error: 'error', warning: 'warning', info: 'notice' } as const;

export function renderGithub(report: CheckReport): string {
  const findings = [...report.findings].sort(compareFindings);
  const lines = findings.map(toCommand);
  for (const notice of report.notices) lines.push(`::notice::${escapeWorkflowData(notice)}`);
  const counts = describeCounts(countFindings(findings));
  if (counts !== '') lines.push(`${capitalize(counts)}.`);
  lines.push(sanitizeTerminal(describeVerdict(report)));
  return `${lines.join('\n')}\n`;
}

function toCommand(f: Finding): string {
  // A removal has no line in the head: it is annotated at the nearest place the head still has, if any.
  const at = f.side === 'base' && f.headPosition ? f.headPosition : f;
  const properties = [
    `file=${escapeWorkflowProperty(at.file)}`,
    `line=${Math.max(1, at.line)}`,
    `col=${Math.max(1, at.column)}`,
    `title=${escapeWorkflowProperty(f.id)}`,
  ];
  const level = f.waivedBy ? 'notice' : command[f.severity];
  return `::${level} ${properties.join(',')}::${escapeWorkflowData(describe(f))}`;
}

function describe(f: Finding): string {
  const text = describePlain(f);
  return f.hint ? `${text}\nHint: ${f.hint}` : text;
}
