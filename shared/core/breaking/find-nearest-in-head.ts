/**
 * Where a removal shows in the head: GitHub annotates only lines of the head commit, so a thing that exists
 * only in the base (a removed operation, property, enum value) is shown on its nearest surviving ancestor in
 * the head — the path item that lost a method, the schema that lost a property, the list that lost a value.
 * @module
 */
import { buildPointer, childOf, decodePointer } from '../spec/json-pointer.js';

/**
 * The deepest ancestor of `pointer` (into `base`) that also exists in `head`; `''` at worst. An array index is
 * no identity, so the walk steps into an element only when the array kept its length: a removed parameter or
 * enum value lands on its list, not on whichever neighbour moved into its slot.
 */
export function findNearestInHead(pointer: string, base: unknown, head: unknown): string {
  const segments = decodePointer(pointer) ?? [];
  let baseNode = base;
  let headNode = head;
  let depth = 0;
  for (const segment of segments) {
    if (Array.isArray(headNode) && (!Array.isArray(baseNode) || baseNode.length !== headNode.length)) break;
    const next = childOf(headNode, segment);
    if (next === undefined) break;
    headNode = next;
    baseNode = childOf(baseNode, segment);
    depth++;
  }
  return buildPointer(segments.slice(0, depth));
}
