/**
 * Breaking changes between two versions of one API, as findings on the lines that caused them: oasdiff (via the
 * BreakingDiff port) on the two bundles, each change located in our own source map, the fan-out grouped.
 * `x-stability-level` (draft/alpha exempt) and `deprecated` + `x-sunset` are honoured by oasdiff itself; the
 * bundles and the 2.0 → 3.0 conversion keep those extensions, and nothing here filters changes.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Finding, SourcePosition } from '../findings.js';
import { resolveAtPointer } from '../spec/json-pointer.js';
import type { LoadedSpec } from '../spec/types.js';
import type { BreakingChange, BreakingChangeSource } from './breaking-change.js';
import { convertSwagger2, mapPointerToSwagger2 } from './convert-swagger2.js';
import { findNearestInHead } from './find-nearest-in-head.js';
import { groupLocatedChanges, type LocatedChange } from './group-changes.js';
import { locateChange } from './locate-change.js';
import { pruneToChanges } from './prune-to-changes.js';
import { findWaiver, type WaiverFile, waiverKey } from './waivers.js';

export { isMajorBump } from './is-major-bump.js';

interface Side {
  spec: LoadedSpec;
  /** The bundle as oasdiff sees it (OpenAPI 3.x). */
  doc: Record<string, unknown>;
  name: 'base' | 'head';
}

/** What changed between two versions of one API, as located findings. */
export interface ApiChanges {
  /** oasdiff's ERR (severity error) and WARN (warning) changes, and the input findings of a side it cannot read. */
  breaking: Finding[];
  /** oasdiff's INFO changes (its `changelog` level 1): added operations, new optional parameters, …; severity info. */
  changelog: Finding[];
  /** The waiver lines (`file:line`, see waiverKey) that waived at least one change. */
  usedWaivers: string[];
}

/** Every change oasdiff's `changelog` reports, from one run: the breaking ones and the rest. */
export async function findApiChanges(
  base: LoadedSpec,
  head: LoadedSpec,
  diff: BreakingChangeSource,
  waivers: readonly WaiverFile[] = [],
): Promise<ApiChanges> {
  const unusable = findUnusableInput(head, 'head') ?? findUnusableInput(base, 'base');
  if (unusable) return { breaking: [unusable], changelog: [], usedWaivers: [] };
  const [baseDoc, headDoc] = await Promise.all([toOpenApi3(base), toOpenApi3(head)]);
  // oasdiff sees only what changed (same findings, see prune-to-changes.ts); we locate on the full bundles.
  const pruned = pruneToChanges(baseDoc, headDoc);
  const changes = pruned === 'unchanged' ? [] : await diff.breaking(pruned.base, pruned.head);
  const sides = {
    base: { spec: base, doc: baseDoc, name: 'base' as const },
    head: { spec: head, doc: headDoc, name: 'head' as const },
  };
  const located = changes.map((reported) => {
    const change = wholeEnumRemoved(reported, sides) ?? reported;
    const waiver = findWaiver(reported, waivers);
    return { ...placeChange(change, sides), ...(waiver ? { waiver } : {}) };
  });
  return {
    breaking: groupLocatedChanges(located.filter((item) => item.change.severity !== 'info')),
    changelog: groupLocatedChanges(located.filter((item) => item.change.severity === 'info')),
    usedWaivers: [
      ...new Set(
        located.flatMap((item) => (item.waiver ? [waiverKey(item.waiver.file, item.waiver.line)] : [])),
      ),
    ],
  };
}

/** The breaking changes only (oasdiff's ERR and WARN). */
export async function findBreakingChanges(
  base: LoadedSpec,
  head: LoadedSpec,
  diff: BreakingChangeSource,
): Promise<Finding[]> {
  return (await findApiChanges(base, head, diff)).breaking;
}

/**
 * oasdiff reads a document it cannot understand as an API without paths and then reports every operation as
 * removed; a half-loaded one (a refused or broken `$ref`) gives removals and type changes that are not real.
 * So a side that did not load cleanly is one input finding, not a list of changes. On the head it is an error
 * (the PR must fix it); on the base only a warning, as the PR may be the fix.
 */
function findUnusableInput(spec: LoadedSpec, side: 'base' | 'head'): Finding | undefined {
  const loadFailed = spec.findings.some((finding) => finding.severity === 'error');
  if (spec.bundle && spec.version && !loadFailed) return undefined;
  return {
    kind: 'breaking',
    id: 'breaking-input-invalid',
    severity: side === 'head' ? 'error' : 'warning',
    message: `breaking changes not checked: the ${side} spec ${spec.entry} did not load as a complete OpenAPI document (see its other findings)`,
    ...spec.locate(''),
    ...(side === 'base' ? { side } : {}),
  };
}

async function toOpenApi3(spec: LoadedSpec): Promise<Record<string, unknown>> {
  const bundle = spec.bundle ?? {};
  return spec.version === '2.0' ? convertSwagger2(bundle) : bundle;
}

/** oasdiff's per-value texts, and what the one change says instead when the whole enum went. */
const enumValueRemoved: [RegExp, string][] = [
  [
    /^removed the enum value `[^`]*` (?:from|of) the (.+)$/,
    'removed the whole enum of the $1: any value is accepted now',
  ],
  [
    /^removed the `[^`]*` enum value from the (.+)$/,
    'removed the whole enum of the $1: it may hold any value now',
  ],
];

/**
 * Removing an `enum` entirely makes oasdiff report every value as removed, for every operation (2,510 changes on
 * Twilio's API). One cause, one change: when the head's schema at the same place has no `enum` at all, each
 * per-value change becomes `…-enum-removed` with one text, so grouping folds the values and the operations into
 * one finding. On a request it widens what is accepted: not breaking (info, the changelog).
 */
function wholeEnumRemoved(
  change: BreakingChange,
  sides: { base: Side; head: Side },
): BreakingChange | undefined {
  if (!change.id.endsWith('-enum-value-removed')) return undefined;
  const rule = enumValueRemoved.find(([pattern]) => pattern.test(change.text));
  if (!rule) return undefined;
  const onBase = locateChange(change, sides.base.doc).pointer.match(/^(.*)\/enum\/\d+$/);
  const onHead = locateChange(change, sides.head.doc).pointer;
  const schema = onBase && onBase[1] === onHead ? resolveAtPointer(sides.head.doc, onHead) : undefined;
  if (!schema || Object.hasOwn(schema.node, 'enum')) return undefined;
  const id = change.id.replace(/-enum-value-removed$/, '-enum-removed');
  const text = change.text.replace(rule[0], rule[1]);
  const fingerprint = createHash('sha256')
    .update(`${id}:${change.operation ?? ''}:${change.path ?? ''}:${text}`)
    .digest('hex')
    .slice(0, 12);
  return {
    ...change,
    id,
    text,
    fingerprint,
    severity: change.id.startsWith('request-') ? 'info' : change.severity,
  };
}

/**
 * Head, unless the base shows more of the change (a removal: the thing only exists there); a removal also gets
 * its nearest surviving ancestor in the head, so it can be annotated in the PR's "Files changed".
 */
function placeChange(change: BreakingChange, sides: { base: Side; head: Side }): LocatedChange {
  const onHead = locateChange(change, sides.head.doc);
  const onBase = locateChange(change, sides.base.doc);
  if (onBase.depth <= onHead.depth) {
    return { change, side: 'head', position: locateOn(sides.head, onHead.pointer), used: onHead.used };
  }
  const inHead = findNearestInHead(onBase.pointer, sides.base.doc, sides.head.doc);
  return {
    change,
    side: 'base',
    position: locateOn(sides.base, onBase.pointer),
    used: onBase.used,
    headPosition: locateOn(sides.head, inHead),
  };
}

/** Source position of a pointer into the bundle oasdiff saw (mapped back to 2.0 when the spec is one). */
function locateOn(side: Side, pointer: string): SourcePosition {
  const { spec } = side;
  return spec.locate(spec.version === '2.0' ? mapPointerToSwagger2(pointer, spec.bundle) : pointer);
}
