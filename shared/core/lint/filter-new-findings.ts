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

/**
 * `entries`: the base's and the head's entry file. The same spec under another file name (`--base old.yaml
 * --head new.yaml`, a spec renamed in the config) is the same spec: a base finding about its entry counts as one
 * about the head's entry, so a rename alone makes no finding new.
 */
export function filterNewFindings(
  head: Finding[],
  base: Finding[],
  entries?: { base: string; head: string },
): Finding[] {
  const renamed = (f: Finding): string => {
    if (!entries || entries.base === entries.head || f.file !== entries.base)
      return f.fingerprint ?? buildFingerprint(f);
    return buildFingerprint({
      ...f,
      file: entries.head,
      message: f.message.replaceAll(entries.base, entries.head),
    });
  };
  const known = new Set(base.map(renamed));
  return head.filter((f) => !known.has(f.fingerprint ?? buildFingerprint(f)));
}
