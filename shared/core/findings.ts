/**
 * Findings: the one currency of every check. Every finding points at a file, line and column so that the CLI,
 * the PR comment and the check-run annotations can all show it where it belongs.
 * @module
 */

/** `governance`: the platform team's mandatory ruleset and limits (the deploy repo's `governance/`). */
export type FindingKind = 'validation' | 'lint' | 'breaking' | 'routing' | 'tenancy' | 'governance';
export type Severity = 'error' | 'warning' | 'info';

/** A place in a source file: `file` relative to the repo/spec root, 1-based line and column, a JSON pointer. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
  pointer: string;
}

export interface Finding extends SourcePosition {
  kind: FindingKind;
  /** Rule or check id, e.g. `operation-operationId-unique` or oasdiff's `api-path-removed-without-deprecation`. */
  id: string;
  severity: Severity;
  message: string;
  /** `METHOD /path` of the operation concerned, when there is one. */
  operation?: string;
  /** Which version the position is in; `base` for things that only exist there (removals). Default `head`. */
  side?: 'base' | 'head';
  /** For grouped breaking changes: every operation the one cause affects (fan-out), sorted. */
  operations?: string[];
  /**
   * A breaking change that does not gate: a major version bump, an explicit approval (the PR's approval label,
   * or the CLI's `--approved`), or a line of the repo's waiver file (`gates.errIgnore` / `gates.warnIgnore`, see
   * `waiver`).
   */
  waivedBy?: 'major-version' | 'approval' | 'approved-flag' | 'waiver';
  /** For `waivedBy: 'waiver'`: the waiver file (on the default branch) and the line that matched. */
  waiver?: { file: string; line: number };
  /** Stable identity across pushes (independent of line numbers), for "only new findings" and acknowledgements. */
  fingerprint?: string;
  /** A hint on how to fix it. */
  hint?: string;
  /**
   * For a base-side finding (a removal): the nearest ancestor of the removed thing that still exists in the
   * head (the path item that lost an operation, the schema that lost a property, `paths`…), so the PR's
   * "Files changed" can show it; absent when the head has no such place.
   */
  headPosition?: SourcePosition;
}

export const severityRank: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Sort findings for stable output: file, line, column, then id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    a.id.localeCompare(b.id) ||
    a.message.localeCompare(b.message)
  );
}

/** `extra` findings `known` does not already have, each once (the render repeats the spec's load findings). */
export function newFindings(known: readonly Finding[], extra: readonly Finding[]): Finding[] {
  const key = (f: Finding) => [f.kind, f.id, f.file, f.line, f.column, f.message].join('\u0000');
  const seen = new Set(known.map(key));
  return extra.filter((f) => {
    if (seen.has(key(f))) return false;
    seen.add(key(f));
    return true;
  });
}
