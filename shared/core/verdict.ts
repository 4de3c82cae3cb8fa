/**
 * From findings to a verdict: the gate settings decide which findings fail the check.
 * @module
 */
import { isMajorBump } from './breaking/is-major-bump.js';
import type { GateSettings, LintFailOn } from './config/repo-config.js';
import { type Finding, severityRank } from './findings.js';

export interface VerdictOptions {
  gates: GateSettings;
  /** CLI `--fail-on`: lowest severity that fails, for every kind (overrides the lint gate). */
  failOn?: 'error' | 'warning';
}

/** Applies the breaking gate to breaking findings: `warn` demotes errors, `off` drops them. Waived ones stay visible. */
export function applyBreakingGate(findings: Finding[], gates: GateSettings): Finding[] {
  if (gates.breaking === 'fail') return findings;
  return findings.flatMap((f) => {
    if (f.kind !== 'breaking') return [f];
    if (gates.breaking === 'off') return [];
    return [f.severity === 'error' ? { ...f, severity: 'warning' as const } : f];
  });
}

/** Marks breaking findings as waived (they are shown, but do not gate) and demotes them to info. */
export function waiveBreaking(findings: Finding[], waivedBy: NonNullable<Finding['waivedBy']>): Finding[] {
  return findings.map((f) =>
    f.kind === 'breaking' && f.severity !== 'info' ? { ...f, severity: 'info' as const, waivedBy } : f,
  );
}

/** Who accepted a PR's breaking changes: the CLI's flag, or the approval label among the PR's labels. */
export interface BreakingApproval {
  approved?: boolean;
  labels?: readonly string[];
}

/**
 * One API's breaking findings through their waivers, then the gate: a major version bump or an approval waives
 * them (shown, not gating), then the `breaking` setting demotes or drops them.
 */
export function gateBreaking(
  breaking: Finding[],
  versions: { baseVersion?: string; headVersion?: string },
  gates: GateSettings,
  approval: BreakingApproval,
): Finding[] {
  if (isMajorBump(versions.baseVersion, versions.headVersion))
    return waiveBreaking(breaking, 'major-version');
  const approved = approval.approved || approval.labels?.includes(gates.approvalLabel);
  const waived = approved
    ? waiveBreaking(breaking, approval.approved ? 'approved-flag' : 'approval')
    : breaking;
  return applyBreakingGate(waived, gates);
}

export function decideVerdict(
  findings: Finding[],
  options: VerdictOptions,
): { verdict: 'pass' | 'fail'; reason: string } {
  const failing = findings.filter((f) => fails(f, options));
  if (failing.length === 0) {
    const waived = findings.filter((f) => f.waivedBy).length;
    return {
      verdict: 'pass',
      reason: waived > 0 ? `passed; ${plural(waived, 'breaking change')} accepted` : 'passed',
    };
  }
  const byKind = new Map<Finding['kind'], number>();
  for (const f of failing) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  const parts = [...byKind].map(([kind, n]) => {
    if (kind !== 'breaking') return plural(n, kindNoun[kind]);
    // The summary counts every breaking change that is not waived; say why fewer of them fail.
    const counted = findings.filter(
      (f) => f.kind === 'breaking' && !f.waivedBy && f.severity !== 'info',
    ).length;
    return counted > n
      ? `${n} of the ${counted} breaking changes (the others are warnings)`
      : plural(n, kindNoun[kind]);
  });
  return { verdict: 'fail', reason: `failed: ${parts.join(', ')}` };
}

const kindNoun: Record<Finding['kind'], string> = {
  breaking: 'breaking change',
  validation: 'validation error',
  lint: 'lint finding',
  routing: 'routing problem',
  tenancy: 'tenancy violation',
  governance: 'platform rule violation',
};

function fails(finding: Finding, { gates, failOn }: VerdictOptions): boolean {
  if (finding.waivedBy) return false;
  const threshold: LintFailOn = failOn ?? (finding.kind === 'lint' ? gates.lint.failOn : 'error');
  if (threshold === 'never') return false;
  return severityRank[finding.severity] >= severityRank[threshold];
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
