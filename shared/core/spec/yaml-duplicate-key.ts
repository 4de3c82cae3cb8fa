/**
 * The first duplicate key of a YAML document, in linear time. (The parser's own `uniqueKeys` compares each key
 * with every earlier key of its map: a 46,000-key map took 33 s.)
 * @module
 */
import { type Document, isMap, isPair, isScalar, isSeq } from 'yaml';

export interface DuplicateKey {
  key: string;
  /** Offsets of the duplicate and of the first key of that name. */
  offset: number;
  firstOffset: number;
}

/**
 * Keys compare as the parsed object will have them (`1` and `"1"` are the same member), so no value is ever
 * silently replaced by another; merge keys (`<<`) may repeat. Recursion depth is the document's nesting.
 */
export function findYamlDuplicateKey(doc: Document): DuplicateKey | undefined {
  const visit = (node: unknown): DuplicateKey | undefined => {
    if (isPair(node)) return visit(node.key) ?? visit(node.value);
    if (isSeq(node)) {
      for (const item of node.items) {
        const found = visit(item);
        if (found) return found;
      }
    }
    if (!isMap(node)) return undefined;
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      if (isScalar(pair.key) && pair.key.value !== '<<') {
        const key = String(pair.key.value);
        const offset = pair.key.range?.[0] ?? 0;
        const firstOffset = seen.get(key);
        if (firstOffset !== undefined) return { key, offset, firstOffset };
        seen.set(key, offset);
      }
      const found = visit(pair);
      if (found) return found;
    }
    return undefined;
  };
  return visit(doc.contents);
}
