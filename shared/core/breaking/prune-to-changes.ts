/**
 * Diff only what changed: before oasdiff runs, drop from both bundles what is identical on both sides and reached
 * by nothing that changed, so a one-operation PR on a 13 MB description diffs a few kilobytes.
 *
 * The findings must stay exactly oasdiff's on the full pair, so the cut is made only where oasdiff compares
 * independently, and only of parts equal on both sides (an equal pair of parts yields no change):
 * - path items, grouped by template with the parameter names blanked (oasdiff matches `/a/{x}` with `/a/{y}`,
 *   and a path's checks read its other operations), and webhooks, each kept whole when its *resolved* content
 *   differs: its own JSON, or anything it reaches through `$ref`s (transitively, cycles included), or a security
 *   scheme it names (its own `security` or the global one);
 * - named components (`components.<section>.<name>`) and top-level extensions (`x-webhooks` holds all of
 *   GitHub's webhooks, reaching hundreds of schemas), kept when they differ or a kept part reaches them.
 * Always kept: everything else at the top level (openapi, info, servers, security, tags, externalDocs), every
 * security scheme, and components' non-map members.
 * A `$ref` we cannot place (external, or not a JSON pointer) means no pruning at all: the full pair is diffed.
 * Pure: the inputs are not changed; the outputs share their unchanged subtrees.
 * @module
 */
import { decodePointer } from '../spec/json-pointer.js';

type Doc = Record<string, unknown>;

export interface PrunedPair {
  base: Doc;
  head: Doc;
}

/** A part oasdiff compares on its own: `p:<template>`, `w:<webhook>`, `c:<section>/<name>` or `x:<extension>`. */
type UnitId = string;

interface Side {
  doc: Doc;
  /** Each unit's content on this side (path groups: the group's path items, by their own key). */
  units: Map<UnitId, unknown>;
  /** Units each unit reaches directly. */
  edges: Map<UnitId, Set<UnitId>>;
  /** Units reached from the always-kept top level. */
  topRefs: Set<UnitId>;
}

class Unplaceable extends Error {}

/**
 * The two bundles (OpenAPI 3.x) cut down to what can differ in oasdiff's eyes, or `'unchanged'` when they are
 * equal (oasdiff would report nothing).
 */
export function pruneToChanges(base: Doc, head: Doc): PrunedPair | 'unchanged' {
  let sides: [Side, Side];
  try {
    sides = [describeSide(base), describeSide(head)];
  } catch (error) {
    if (!(error instanceof Unplaceable)) throw error;
    return JSON.stringify(base) === JSON.stringify(head) ? 'unchanged' : { base, head };
  }
  const dirty = findDirtyUnits(sides);
  const [keptBase, keptHead] = keepOnBothSides(sides, dirty);
  const prunedBase = buildPruned(sides[0], keptBase);
  const prunedHead = buildPruned(sides[1], keptHead);
  // Every unit equal and what is left equal too: the documents are equal as oasdiff reads them.
  if (dirty.size === 0 && JSON.stringify(prunedBase) === JSON.stringify(prunedHead)) return 'unchanged';
  return { base: prunedBase, head: prunedHead };
}

function describeSide(doc: Doc): Side {
  const side: Side = { doc, units: new Map(), edges: new Map(), topRefs: new Set() };
  const globalSchemes = new Set<UnitId>();
  collectSchemeNames(doc.security, globalSchemes);

  for (const [key, item] of entriesOf(doc.paths)) {
    const id = pathUnit(key);
    const group = (side.units.get(id) as Doc | undefined) ?? {};
    group[key] = item;
    side.units.set(id, group);
  }
  for (const [key, item] of entriesOf(doc.webhooks)) side.units.set(`w:${key}`, item);
  for (const [key, value] of Object.entries(doc)) if (key.startsWith('x-')) side.units.set(`x:${key}`, value);
  for (const [section, members] of entriesOf(doc.components)) {
    if (section.startsWith('x-')) continue;
    for (const [name, value] of entriesOf(members)) side.units.set(componentUnit(section, name), value);
  }

  for (const [id, content] of side.units) {
    const reached = new Set<UnitId>();
    collectRefs(content, reached);
    if (!id.startsWith('c:')) {
      collectSecuritySchemes(content, reached);
      for (const scheme of globalSchemes) reached.add(scheme);
    }
    side.edges.set(id, reached);
  }
  for (const [key, value] of Object.entries(doc)) {
    if (!isCutAtTop(key)) collectRefs(value, side.topRefs);
  }
  return side;
}

/** Units whose resolved content differs: their own JSON, or a unit they reach (on either side) differs. */
function findDirtyUnits([base, head]: [Side, Side]): Set<UnitId> {
  const dirty = new Set<UnitId>();
  for (const id of new Set([...base.units.keys(), ...head.units.keys()])) {
    if (JSON.stringify(base.units.get(id)) !== JSON.stringify(head.units.get(id))) dirty.add(id);
  }
  // The global `security` applies to every operation without its own.
  if (JSON.stringify(base.doc.security) !== JSON.stringify(head.doc.security)) {
    for (const side of [base, head]) {
      for (const id of side.units.keys()) if (!id.startsWith('c:')) dirty.add(id);
    }
  }
  const reachedBy = new Map<UnitId, UnitId[]>();
  for (const side of [base, head]) {
    for (const [from, targets] of side.edges) {
      for (const to of targets) reachedBy.set(to, [...(reachedBy.get(to) ?? []), from]);
    }
  }
  const queue = [...dirty];
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    for (const from of reachedBy.get(id) ?? []) {
      if (dirty.has(from)) continue;
      dirty.add(from);
      queue.push(from);
    }
  }
  return dirty;
}

/**
 * What each side keeps. A unit kept on one side is kept on the other too when it exists there: oasdiff compares
 * named components one by one, so an equal schema kept in the base (reached from a removed operation, say) but
 * cut from the head would read as "schema removed". Keeping it may reach more units, so this runs to a fixpoint.
 */
function keepOnBothSides([base, head]: [Side, Side], dirty: Set<UnitId>): [Set<UnitId>, Set<UnitId>] {
  let keptBase = keepOnSide(base, dirty, new Set());
  let keptHead = keepOnSide(head, dirty, new Set());
  for (;;) {
    const nextBase = keepOnSide(base, dirty, keptHead);
    const nextHead = keepOnSide(head, dirty, keptBase);
    if (nextBase.size === keptBase.size && nextHead.size === keptHead.size) return [keptBase, keptHead];
    keptBase = nextBase;
    keptHead = nextHead;
  }
}

/**
 * The dirty units present on this side, every security scheme, the units the other side keeps, and all they and
 * the top level reach.
 */
function keepOnSide(side: Side, dirty: Set<UnitId>, keptOnOtherSide: Set<UnitId>): Set<UnitId> {
  const kept = new Set<UnitId>();
  const queue: UnitId[] = [...side.topRefs, ...keptOnOtherSide];
  for (const id of side.units.keys()) {
    if (dirty.has(id) || id.startsWith('c:securitySchemes/')) queue.push(id);
  }
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    if (kept.has(id) || !side.units.has(id)) continue;
    kept.add(id);
    queue.push(...(side.edges.get(id) ?? []));
  }
  return kept;
}

function buildPruned(side: Side, kept: Set<UnitId>): Doc {
  const { doc } = side;
  const out: Doc = Object.fromEntries(
    Object.entries(doc).filter(([key]) => !key.startsWith('x-') || kept.has(`x:${key}`)),
  );
  if (isObject(doc.paths)) {
    out.paths = Object.fromEntries(entriesOf(doc.paths).filter(([key]) => kept.has(pathUnit(key))));
  }
  if (isObject(doc.webhooks)) {
    out.webhooks = Object.fromEntries(entriesOf(doc.webhooks).filter(([key]) => kept.has(`w:${key}`)));
  }
  if (isObject(doc.components)) {
    out.components = Object.fromEntries(
      entriesOf(doc.components).map(([section, members]) =>
        isComponentMap(section, members)
          ? [
              section,
              Object.fromEntries(
                entriesOf(members).filter(([name]) => kept.has(componentUnit(section, name))),
              ),
            ]
          : [section, members],
      ),
    );
  }
  return out;
}

/** Top-level members cut by unit; the others are always kept whole. */
function isCutAtTop(key: string): boolean {
  return key === 'paths' || key === 'webhooks' || key === 'components' || key.startsWith('x-');
}

/** oasdiff matches path templates whatever their parameters are called. */
function pathUnit(key: string): UnitId {
  return `p:${key.replace(/\{[^}]*\}/g, '{}')}`;
}

function componentUnit(section: string, name: string): UnitId {
  return `c:${section}/${name}`;
}

/** A components member we cut by name (security schemes are kept whole, being named, not `$ref`ed). */
function isComponentMap(section: string, members: unknown): members is Doc {
  return section !== 'securitySchemes' && !section.startsWith('x-') && isObject(members);
}

/** The unit a local `$ref` lands in, or undefined for the always-kept top level. */
function unitOfRef(ref: string): UnitId | undefined {
  if (!ref.startsWith('#')) throw new Unplaceable(ref);
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    throw new Unplaceable(ref);
  }
  const segments = decodePointer(fragment);
  if (!segments) throw new Unplaceable(ref);
  const [root, key, name] = segments;
  if (key === undefined) return undefined;
  if (root === 'paths') return pathUnit(key);
  if (root === 'webhooks') return `w:${key}`;
  if (root === 'components' && name !== undefined) return componentUnit(key, name);
  return undefined;
}

function collectRefs(node: unknown, into: Set<UnitId>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, into);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const unit = unitOfRef(value);
      if (unit !== undefined) into.add(unit);
    } else {
      collectRefs(value, into);
    }
  }
}

/** Security schemes named in any `security` list inside `node` (operations, callbacks). */
function collectSecuritySchemes(node: unknown, into: Set<UnitId>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectSecuritySchemes(item, into);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'security') collectSchemeNames(value, into);
    collectSecuritySchemes(value, into);
  }
}

function collectSchemeNames(security: unknown, into: Set<UnitId>): void {
  if (!Array.isArray(security)) return;
  for (const requirement of security) {
    if (isObject(requirement))
      for (const name of Object.keys(requirement)) into.add(`c:securitySchemes/${name}`);
  }
}

function entriesOf(value: unknown): [string, unknown][] {
  return isObject(value) ? Object.entries(value) : [];
}

function isObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
