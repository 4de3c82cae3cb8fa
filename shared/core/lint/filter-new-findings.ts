/**
 * "Only new findings" (the PR default): a head finding is new when the base has no finding with its fingerprint.
 * Fingerprints ignore line numbers, so code moving around does not make old findings look new.
 * @module
 */
import type { Finding } from '../findings.js';

/** Rule id + operation (or file and pointer) + message: stable while the problem stays the same. */
export function buildFingerprint(
  finding: Pick<Finding, 'id' | 'operation' | 'file' | 'pointer' | 'message'>,
): string {
  const where = finding.operation ?? `${finding.file}#${finding.pointer}`;
  return `${finding.id}|${where}|${finding.message}`;
}

export function filterNewFindings(head: Finding[], base: Finding[]): Finding[] {
  const known = new Set(base.map((f) => f.fingerprint ?? buildFingerprint(f)));
  return head.filter((f) => !known.has(f.fingerprint ?? buildFingerprint(f)));
}
