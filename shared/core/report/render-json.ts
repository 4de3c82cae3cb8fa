/**
 * `--format json`: the machine-readable report of DESIGN.md §3. The contract fields come first and in a fixed
 * order; the extra fields after them may grow, the contract ones never change.
 * @module
 */
import { compareFindings, type Finding } from '../findings.js';
import type { CheckReport } from './types.js';

export function renderJson(report: CheckReport): string {
  const json = {
    verdict: report.verdict,
    findings: [...report.findings].sort(compareFindings).map(toJsonFinding),
    reason: report.reason,
    apis: report.apis,
    notices: report.notices,
    changelog: [...(report.changelog ?? [])].sort(compareFindings).map(toJsonChange),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

// Spelled out (not spread) so the key order is the contract's and unknown fields never leak into the output.
function toJsonFinding(f: Finding): Record<string, unknown> {
  return {
    kind: f.kind,
    id: f.id,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
    pointer: f.pointer,
    operation: f.operation ?? null,
    side: f.side,
    operations: f.operations,
    waivedBy: f.waivedBy,
    fingerprint: f.fingerprint,
    hint: f.hint,
    headPosition: f.headPosition,
    waiver: f.waiver,
  };
}

/** A non-breaking change (oasdiff's changelog, level INFO): where it is, what it is, which operations. */
function toJsonChange(f: Finding): Record<string, unknown> {
  return {
    id: f.id,
    level: 'info',
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
    pointer: f.pointer,
    operation: f.operation ?? null,
    side: f.side,
    operations: f.operations,
    fingerprint: f.fingerprint,
    headPosition: f.headPosition,
  };
}
