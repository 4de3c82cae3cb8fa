/**
 * Bundle a multi-file spec into one document with only internal `#/…` refs, the form oasdiff and
 * swagger-parser get. External targets are hoisted once each (memoised, which also makes cycles work) under
 * `components/<section>` (2.0: `definitions`/`parameters`/`responses`); path items are inlined. An origin
 * table maps every bundle pointer back to the file and pointer it came from.
 * @module
 */
import type { Finding } from '../findings.js';
import { appendPointer, buildPointer, decodePointer, getAtPointer } from './json-pointer.js';
import type { ReadResult } from './load-spec.js';
import { resolveRefTarget } from './ref-target.js';
import { buildLoadFinding, type LoadFindingId } from './spec-finding.js';
import type { OpenApiVersion, SourceFile } from './types.js';

export interface Origin {
  file: string;
  pointer: string;
}

export interface Bundled {
  bundle: Record<string, unknown>;
  /** Where a bundle pointer came from (file and pointer in that file). */
  origin(bundlePointer: string): Origin;
  findings: Finding[];
}

type Read = (path: string) => Promise<ReadResult>;

/** One subtree to copy into the bundle: `file`'s node at `pointer`, placed at `at` in the bundle. */
interface Job {
  file: SourceFile;
  pointer: string;
  at: string[];
  fill(value: unknown): void;
}

/** Keys whose values are literal data, never references. */
const literalKeys = new Set(['example', 'default', 'enum', 'const']);
/**
 * Path items, operations and extension values have no component section: they are inlined, with a bound for
 * recursion (DigitalOcean's spec inlines ~2,700: each operation and its code samples are files of their own).
 */
const maxInlines = 20_000;

export async function bundleSpec(entry: SourceFile, version: OpenApiVersion, read: Read): Promise<Bundled> {
  const state = createBundleState(entry, version);
  await prefetchRefs(state, read, entry, entry.value);
  claimComponentSlots(state);
  const bundle = await copyQueued(state, read);
  mergeSections(bundle, state.sections, version);
  const { origins } = state;
  return { bundle, findings: state.findings, origin: (pointer) => findOrigin(origins, pointer) };
}

/** What the bundling steps share while the queue of copies drains. */
export interface BundleState {
  entry: SourceFile;
  version: OpenApiVersion;
  findings: Finding[];
  /** Bundle pointer → the file and pointer it was copied from. */
  origins: Map<string, Origin>;
  /** `file#pointer` of a hoisted target → its bundle pointer. */
  hoistedAt: Map<string, string>;
  /** Component slots of the entry that are themselves external refs: filled in place (names kept). */
  slotFills: Map<string, string>;
  /** Hoisted components by section name, merged into the bundle at the end. */
  sections: Map<string, Record<string, unknown>>;
  /** Every non-entry file read so far, by path. */
  loaded: Map<string, ReadResult>;
  queue: Job[];
  /** Path items inlined so far (bounded by `maxInlines`). */
  inlines: number;
  /** The file limit was reported already. */
  fileLimitReported: boolean;
}

export function createBundleState(entry: SourceFile, version: OpenApiVersion): BundleState {
  return {
    entry,
    version,
    findings: [],
    origins: new Map([['', { file: entry.path, pointer: '' }]]),
    hoistedAt: new Map(),
    slotFills: new Map(),
    sections: new Map(),
    loaded: new Map(),
    queue: [],
    inlines: 0,
    fileLimitReported: false,
  };
}

function report(state: BundleState, id: LoadFindingId, message: string, file: SourceFile, pointer: string) {
  state.findings.push(buildLoadFinding(id, message, { file: file.path, ...file.locate(pointer) }));
}

/** Read every file a subtree refers to, so that copying it can stay synchronous. */
async function prefetchRefs(state: BundleState, read: Read, file: SourceFile, value: unknown) {
  for (const ref of collectRefs(value)) {
    const target = resolveRefTarget(ref, file.path);
    if (target.kind === 'target' && target.file !== state.entry.path && !state.loaded.has(target.file)) {
      state.loaded.set(target.file, await read(target.file));
    }
  }
}

/**
 * The entry's own component slots that are external refs keep their names: claim them before any other ref can
 * hoist the same target under a derived name.
 */
function claimComponentSlots(state: BundleState) {
  const { entry, loaded, hoistedAt, slotFills } = state;
  for (const [slot, ref] of componentSlotRefs(entry.value, state.version)) {
    const target = resolveRefTarget(ref, entry.path);
    if (target.kind !== 'target' || target.file === entry.path) continue;
    const result = loaded.get(target.file);
    if (result?.kind !== 'ok' || !isObject(getAtPointer(result.file.value, target.pointer))) continue;
    const key = `${target.file}#${target.pointer}`;
    if (hoistedAt.has(key)) continue;
    hoistedAt.set(key, slot);
    slotFills.set(slot, key);
  }
}

/** Copy the entry, then every target its copies queued, breadth first; returns the entry's copy. */
async function copyQueued(state: BundleState, read: Read): Promise<Record<string, unknown>> {
  const { entry, queue } = state;
  let bundle: Record<string, unknown> = {};
  queue.push({
    file: entry,
    pointer: '',
    at: [],
    fill: (value) => {
      bundle = value as Record<string, unknown>;
    },
  });
  for (let job = queue.shift(); job; job = queue.shift()) {
    const value = getAtPointer(job.file.value, job.pointer);
    if (job.file !== entry) await prefetchRefs(state, read, job.file, value);
    job.fill(copyWithRefs(state, job, value, []));
  }
  return bundle;
}

function sectionFor(state: BundleState, name: string): Record<string, unknown> {
  let section = state.sections.get(name);
  if (!section) {
    section = {};
    state.sections.set(name, section);
  }
  return section;
}

/** Names already used in a section: the entry's own components and those hoisted so far. */
function takenNames(state: BundleState, section: string): Set<string> {
  const existing = getAtPointer(state.entry.value, sectionPointer(state.version, section));
  return new Set([
    ...Object.keys(isObject(existing) ? existing : {}),
    ...Object.keys(sectionFor(state, section)),
  ]);
}

/** Where a valid external ref leads, or undefined after reporting why it cannot be followed. */
export function followRef(
  state: BundleState,
  ref: string,
  file: SourceFile,
  refPointer: string,
): { file: SourceFile; pointer: string } | undefined {
  const target = resolveRefTarget(ref, file.path);
  if (target.kind === 'refused') {
    report(state, target.id, target.message, file, refPointer);
    return undefined;
  }
  let targetFile = state.entry;
  if (target.file !== state.entry.path) {
    const result = state.loaded.get(target.file);
    if (!result || result.kind === 'missing') {
      report(state, 'ref-not-found', `$ref "${ref}": file ${target.file} does not exist`, file, refPointer);
      return undefined;
    }
    if (result.kind === 'limit') {
      // One finding, at the first ref past the limit: every later one has the same cause.
      if (!state.fileLimitReported)
        report(state, 'too-many-files', `$ref "${ref}": ${result.message}`, file, refPointer);
      state.fileLimitReported = true;
      return undefined;
    }
    if (result.kind === 'unusable') return undefined; // its own findings say why
    targetFile = result.file;
  }
  if (getAtPointer(targetFile.value, target.pointer) === undefined) {
    report(
      state,
      'ref-pointer-not-found',
      `$ref "${ref}": ${target.file} has nothing at ${target.pointer || '/'}`,
      file,
      refPointer,
    );
    return undefined;
  }
  return { file: targetFile, pointer: target.pointer };
}

/** A copy of `value` (from `job.file` at `job.pointer` + `rel`) with every ref rewritten into the bundle. */
function copyWithRefs(state: BundleState, job: Job, value: unknown, rel: string[]): unknown {
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      rel.push(String(i));
      const out = copyWithRefs(state, job, item, rel);
      rel.pop();
      return out;
    });
  }
  if (!isObject(value)) return value;
  // A string `$ref` is a reference wherever it sits, as swagger-parser reads it: even in place of a whole
  // `properties` map (a property named `$ref` would be a schema object, not a string).
  if (typeof value.$ref === 'string') return rewriteRef(state, job, value, value.$ref, rel);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    rel.push(key);
    setMember(
      out,
      key,
      literalKeys.has(key) ? structuredClone(value[key]) : copyWithRefs(state, job, value[key], rel),
    );
    rel.pop();
  }
  return out;
}

/**
 * What a ref node becomes in the bundle: kept internal, filled in place, inlined, or a ref to its hoisted
 * component (hoisting it on first sight). An unfollowable ref leaves only its siblings.
 */
function rewriteRef(
  state: BundleState,
  job: Job,
  node: Record<string, unknown>,
  ref: string,
  rel: string[],
): unknown {
  const { entry, version } = state;
  const at = [...job.at, ...rel];
  const refPointer = appendPointer(job.pointer, ...rel, '$ref');
  const target = followRef(state, ref, job.file, refPointer);
  if (!target) return siblingsOf(node);
  if (target.file === entry) {
    // A ref into the entry stays (or becomes) internal.
    return { ...siblingsOf(node), $ref: job.file === entry ? ref : toFragment(target.pointer) };
  }
  const key = `${target.file.path}#${target.pointer}`;
  const targetValue = getAtPointer(target.file.value, target.pointer);
  const here = buildPointer(at);
  if (!isObject(targetValue)) return structuredClone(targetValue); // e.g. a boolean schema: nothing to share
  if (state.slotFills.get(here) === key) {
    state.slotFills.delete(here);
    return enqueueCopy(state, target.file, target.pointer, at);
  }
  const existing = state.hoistedAt.get(key);
  if (existing !== undefined) return { ...siblingsOf(node), $ref: toFragment(existing) };
  const section = chooseSection(at, version);
  if (section === 'inline') {
    if (++state.inlines > maxInlines) {
      report(
        state,
        'ref-invalid',
        `$ref "${ref}": path items, operations or extension values refer to each other without end`,
        job.file,
        refPointer,
      );
      return siblingsOf(node);
    }
    return enqueueCopy(state, target.file, target.pointer, at);
  }
  const name = uniqueName(deriveName(target.file.path, target.pointer), takenNames(state, section));
  const placed = [...sectionSegments(version, section), name];
  const pointer = buildPointer(placed);
  state.hoistedAt.set(key, pointer);
  setMember(sectionFor(state, section), name, enqueueCopy(state, target.file, target.pointer, placed));
  return { ...siblingsOf(node), $ref: toFragment(pointer) };
}

/** A ref node's members other than `$ref`, copied. */
function siblingsOf(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node)) if (key !== '$ref') setMember(out, key, structuredClone(node[key]));
  return out;
}

/** Queue a copy of a target; the returned holder object is filled when the job runs. */
function enqueueCopy(
  state: BundleState,
  file: SourceFile,
  pointer: string,
  at: string[],
): Record<string, unknown> {
  const holder: Record<string, unknown> = {};
  state.origins.set(buildPointer(at), { file: file.path, pointer });
  state.queue.push({ file, pointer, at, fill: (value) => copyMembers(holder, value) });
  return holder;
}

/** The nearest recorded ancestor's origin, extended by the rest of the pointer. */
function findOrigin(origins: ReadonlyMap<string, Origin>, pointer: string): Origin {
  const segments = decodePointer(pointer) ?? [];
  for (let n = segments.length; n >= 0; n--) {
    const origin = origins.get(buildPointer(segments.slice(0, n)));
    if (origin) return { file: origin.file, pointer: appendPointer(origin.pointer, ...segments.slice(n)) };
  }
  return { file: origins.get('')?.file ?? '', pointer };
}

/**
 * Which component section a ref target belongs in, from where the ref sits in the bundle. Schemas are the
 * default; path items are inlined.
 */
export function chooseSection(at: readonly string[], version: OpenApiVersion): string {
  const n = at.length;
  const last = at[n - 1];
  const parent = at[n - 2];
  // A path item, or one of its members (an operation, as DigitalOcean's spec writes them): no section holds it.
  if ((n === 2 || n === 3) && (at[0] === 'paths' || at[0] === 'webhooks')) return 'inline';
  // Inside an extension (`x-codeSamples: [$ref: …]`) the target is not OpenAPI: a component section would have
  // it validated as one.
  if (at.some((segment, i) => segment.startsWith('x-') && !schemaMaps.has(at[i - 1] ?? ''))) return 'inline';
  if (n >= 3 && at[n - 3] === 'callbacks' && !(n === 3 && at[0] === 'components')) {
    return version === '3.1' ? 'pathItems' : 'inline';
  }
  // A whole `properties` map in another file is a map of schemas, not a schema: no section holds it either.
  if (last !== undefined && schemaMaps.has(last)) return 'inline';
  if (parent === 'properties' || parent === 'patternProperties')
    return version === '2.0' ? 'definitions' : 'schemas';
  if (version === '2.0') {
    if (parent === 'parameters') return 'parameters';
    if (parent === 'responses') return 'responses';
    return 'definitions';
  }
  if (last === 'requestBody') return 'requestBodies';
  if (parent === 'examples' && last !== undefined && !/^\d+$/.test(last)) return 'examples';
  return (parent !== undefined && sectionByParent.get(parent)) || 'schemas';
}

/** Members whose keys are names of the user's choosing (a property may be called `x-id`). */
const schemaMaps = new Set(['properties', 'patternProperties']);

/** A Map, not an object: a repo key like `constructor` must not find Object.prototype's members. */
const sectionByParent = new Map(
  [
    'parameters',
    'responses',
    'requestBodies',
    'headers',
    'links',
    'callbacks',
    'securitySchemes',
    'pathItems',
  ].map((section) => [section, section]),
);

function sectionSegments(version: OpenApiVersion, section: string): string[] {
  return version === '2.0' ? [section] : ['components', section];
}

function sectionPointer(version: OpenApiVersion, section: string): string {
  return buildPointer(sectionSegments(version, section));
}

/** `[bundle pointer, ref]` of each component slot of the entry whose whole value is a `$ref`. */
function componentSlotRefs(document: unknown, version: OpenApiVersion): [string, string][] {
  const roots = version === '2.0' ? ['definitions', 'parameters', 'responses'] : [];
  const components = isObject(document) ? document.components : undefined;
  const out: [string, string][] = [];
  const add = (segments: string[], sectionValue: unknown) => {
    if (!isObject(sectionValue)) return;
    for (const [name, slot] of Object.entries(sectionValue)) {
      if (isObject(slot) && typeof slot.$ref === 'string')
        out.push([buildPointer([...segments, name]), slot.$ref]);
    }
  };
  if (version === '2.0' && isObject(document)) for (const root of roots) add([root], document[root]);
  if (isObject(components))
    for (const [section, value] of Object.entries(components)) add(['components', section], value);
  return out;
}

function mergeSections(
  bundle: Record<string, unknown>,
  sections: Map<string, Record<string, unknown>>,
  version: OpenApiVersion,
) {
  for (const [name, hoisted] of sections) {
    let parent = bundle;
    if (version !== '2.0') {
      if (!isObject(bundle.components)) bundle.components = {};
      parent = bundle.components as Record<string, unknown>;
    }
    const existing = isObject(parent[name]) ? (parent[name] as Record<string, unknown>) : {};
    parent[name] = { ...existing, ...hoisted };
  }
}

/** A component name from the target: the last pointer segment, or the file's base name. */
export function deriveName(file: string, pointer: string): string {
  const segments = decodePointer(pointer) ?? [];
  const raw = segments[segments.length - 1] ?? file.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/i, '');
  return raw.replace(/[^A-Za-z0-9._-]+/g, '_') || 'Ref';
}

function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) if (!taken.has(`${name}_${n}`)) return `${name}_${n}`;
}

/** Every `$ref` string in a subtree (skipping literal data), for prefetching. */
function collectRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, out);
  } else if (isObject(value)) {
    if (typeof value.$ref === 'string') out.push(value.$ref);
    else for (const key of Object.keys(value)) if (!literalKeys.has(key)) collectRefs(value[key], out);
  }
  return out;
}

/** A pointer as a URI fragment (`%`, `#`, spaces and quotes escaped, as json-schema-ref-parser expects). */
function toFragment(pointer: string): string {
  return `#${pointer.replace(/[%#\s"<>\\^`{|}]/g, (c) => encodeURIComponent(c))}`;
}

/**
 * Copy `source`'s own members onto `target` as own data properties. Never `Object.assign` or `target[key] =`
 * with a repo key: a `__proto__` key would replace the target's prototype and hide its members from every
 * consumer that reads own properties (validation, oasdiff) but not from one that reads inherited ones.
 */
function copyMembers(target: Record<string, unknown>, source: unknown) {
  if (!isObject(source)) return;
  for (const key of Object.keys(source)) setMember(target, key, source[key]);
}

function setMember(target: Record<string, unknown>, key: string, value: unknown) {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
