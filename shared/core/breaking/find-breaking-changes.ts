/**
 * Breaking changes between two versions of one API, as findings on the lines that caused them: oasdiff (via the
 * BreakingDiff port) on the two bundles, each change located in our own source map, the fan-out grouped.
 * `x-stability-level` (draft/alpha exempt) and `deprecated` + `x-sunset` are honoured by oasdiff itself; the
 * bundles and the 2.0 → 3.0 conversion keep those extensions, and nothing here filters changes.
 * @module
 */
import type { Finding, SourcePosition } from '../findings.js';
import type { LoadedSpec } from '../spec/types.js';
import type { BreakingChange, BreakingChangeSource } from './breaking-change.js';
import { convertSwagger2, mapPointerToSwagger2 } from './convert-swagger2.js';
import { findNearestInHead } from './find-nearest-in-head.js';
import { groupLocatedChanges, type LocatedChange } from './group-changes.js';
import { locateChange } from './locate-change.js';
import { pruneToChanges } from './prune-to-changes.js';

export { isMajorBump } from './is-major-bump.js';

interface Side {
  spec: LoadedSpec;
  /** The bundle as oasdiff sees it (OpenAPI 3.x). */
  doc: Record<string, unknown>;
  name: 'base' | 'head';
}

export async function findBreakingChanges(
  base: LoadedSpec,
  head: LoadedSpec,
  diff: BreakingChangeSource,
): Promise<Finding[]> {
  const unusable = findUnusableInput(head, 'head') ?? findUnusableInput(base, 'base');
  if (unusable) return [unusable];
  const [baseDoc, headDoc] = await Promise.all([toOpenApi3(base), toOpenApi3(head)]);
  // oasdiff sees only what changed (same findings, see prune-to-changes.ts); we locate on the full bundles.
  const pruned = pruneToChanges(baseDoc, headDoc);
  const changes = pruned === 'unchanged' ? [] : await diff.breaking(pruned.base, pruned.head);
  const sides = {
    base: { spec: base, doc: baseDoc, name: 'base' as const },
    head: { spec: head, doc: headDoc, name: 'head' as const },
  };
  return groupLocatedChanges(changes.map((change) => placeChange(change, sides)));
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
