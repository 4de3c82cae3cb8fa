/**
 * JSON pointers (RFC 6901): the address of every node a finding can point at.
 * @module
 */

/** Escape one reference token (`~` → `~0`, `/` → `~1`). */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Append reference tokens to a pointer. */
export function appendPointer(pointer: string, ...segments: (string | number)[]): string {
  let out = pointer;
  for (const segment of segments) out += `/${escapePointer(String(segment))}`;
  return out;
}

/** The reference tokens of a pointer; undefined when it is not a pointer (does not start with `/`). */
export function decodePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Build a pointer from reference tokens. */
export function buildPointer(segments: readonly (string | number)[]): string {
  return appendPointer('', ...segments);
}

/** The value at `pointer` inside `root`, or undefined when any step is missing. */
export function getAtPointer(root: unknown, pointer: string): unknown {
  const segments = decodePointer(pointer);
  if (!segments) return undefined;
  let node = root;
  for (const segment of segments) {
    node = childOf(node, segment);
    if (node === undefined) return undefined;
  }
  return node;
}

/** Whether `pointer` names an existing node of `root`. */
export function hasPointer(root: unknown, pointer: string): boolean {
  return getAtPointer(root, pointer) !== undefined;
}

/** The member `segment` of an object or array, own properties only. */
export function childOf(node: unknown, segment: string): unknown {
  if (Array.isArray(node)) {
    if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined;
    return node[Number(segment)];
  }
  if (node !== null && typeof node === 'object' && Object.hasOwn(node, segment)) {
    return (node as Record<string, unknown>)[segment];
  }
  return undefined;
}

export interface ResolvedNode {
  /** Pointer of the node itself, after following `$ref`s: where the definition really lives. */
  pointer: string;
  node: Record<string, unknown>;
}

const maxRefHops = 32;

/** The object at `pointer`, following internal `$ref`s (cycle-safe); undefined when there is no such object. */
export function resolveAtPointer(root: unknown, pointer: string): ResolvedNode | undefined {
  let current = pointer;
  for (let hop = 0; hop <= maxRefHops; hop++) {
    const node = getAtPointer(root, current);
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    const ref = (node as Record<string, unknown>).$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#'))
      return { pointer: current, node: node as Record<string, unknown> };
    current = decodeRefFragment(ref.slice(1));
  }
  return undefined;
}

function decodeRefFragment(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}
