/**
 * The few JSON pointer helpers the breaking-change mapping needs (RFC 6901 escaping, walking plain data and
 * following internal `$ref`s of a bundle).
 * @module
 */

export function escapePointerSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function appendPointer(pointer: string, ...segments: (string | number)[]): string {
  return pointer + segments.map((segment) => `/${escapePointerSegment(String(segment))}`).join('');
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The value at `pointer` in `doc`, or undefined. */
export function getAtPointer(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const segment of splitPointer(pointer)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

export interface ResolvedNode {
  /** Pointer of the node itself, after following `$ref`s: where the definition really lives. */
  pointer: string;
  node: Record<string, unknown>;
}

const maxRefHops = 32;

/** The object at `pointer`, following internal `$ref`s (cycle-safe); undefined when there is no such object. */
export function resolveAtPointer(doc: unknown, pointer: string): ResolvedNode | undefined {
  let current = pointer;
  for (let hop = 0; hop <= maxRefHops; hop++) {
    const node = getAtPointer(doc, current);
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
