/**
 * One cause, one finding. A single schema edit fans out into one oasdiff change per operation (and per
 * response) that uses the schema; once each change is located, changes with the same check, the same place and
 * the same text (apart from the names that only said where) become one finding listing every operation.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Finding, SourcePosition } from '../findings.js';
import { compareFindings } from '../findings.js';
import type { BreakingChange } from './breaking-change.js';

export interface LocatedChange {
  change: BreakingChange;
  side: 'base' | 'head';
  position: SourcePosition;
  /** The backticked names used to find the position (status, media type, parameter, property path). */
  used: string[];
  /** For a base-side change: its nearest surviving ancestor in the head (see `Finding.headPosition`). */
  headPosition?: SourcePosition;
  /** The waiver line that waives this change (waived and unwaived operations of one cause stay apart). */
  waiver?: { file: string; line: number };
}

export function groupLocatedChanges(located: LocatedChange[]): Finding[] {
  const groups = new Map<string, LocatedChange[]>();
  for (const item of located) {
    const key = [
      item.change.id,
      item.side,
      item.position.file,
      item.position.pointer,
      stripNames(item.change.text, item.used),
      item.waiver ? `${item.waiver.file}:${item.waiver.line}` : '',
    ].join('\u0000');
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()].map(buildFinding).sort(compareFindings);
}

function buildFinding(group: LocatedChange[]): Finding {
  const sorted = [...group].sort((a, b) => labelOperation(a.change).localeCompare(labelOperation(b.change)));
  const first = sorted[0]!;
  const { change } = first;
  const operations = [
    ...new Set(sorted.map((item) => labelOperation(item.change)).filter((label) => label !== '')),
  ];
  const fingerprint = combineFingerprints(sorted.map((item) => item.change.fingerprint ?? ''));
  return {
    kind: 'breaking',
    id: change.id,
    // A waived change is shown but never gates, like an approved one.
    severity: first.waiver ? 'info' : change.severity,
    ...(first.waiver ? { waivedBy: 'waiver' as const, waiver: first.waiver } : {}),
    message: change.text,
    ...first.position,
    ...(first.side === 'base' ? { side: 'base' as const } : {}),
    ...(first.headPosition ? { headPosition: first.headPosition } : {}),
    ...(operations[0] !== undefined ? { operation: operations[0], operations } : {}),
    ...(fingerprint ? { fingerprint } : {}),
    ...(change.hint ? { hint: change.hint } : {}),
  };
}

function labelOperation(change: BreakingChange): string {
  return change.operation && change.path ? `${change.operation} ${change.path}` : (change.path ?? '');
}

function stripNames(text: string, used: string[]): string {
  return used.reduce((stripped, name) => stripped.replace(`\`${name}\``, '`…`'), text);
}

/** oasdiff's own fingerprint for a single change; for a group, a short hash of the members' fingerprints. */
function combineFingerprints(fingerprints: string[]): string | undefined {
  const distinct = [...new Set(fingerprints.filter((fingerprint) => fingerprint !== ''))].sort();
  if (distinct.length <= 1) return distinct[0];
  return createHash('sha256').update(distinct.join('\n')).digest('hex').slice(0, 12);
}
