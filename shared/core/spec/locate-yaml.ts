/**
 * Pointer → position in a parsed YAML document, by walking its node tree (no index to build up front).
 * @module
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import { appendPointer, decodePointer } from './json-pointer.js';

export interface Located {
  line: number;
  column: number;
  pointer: string;
}

export function locateInYaml(doc: Document, lineCounter: LineCounter, pointer: string): Located {
  const segments = decodePointer(pointer) ?? [];
  let node = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  let found = '';
  for (const segment of segments) {
    const next = stepInto(doc, node, segment);
    if (!next) break;
    offset = next.offset;
    node = next.node;
    found = appendPointer(found, segment);
  }
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col, pointer: found };
}

function stepInto(
  doc: Document,
  node: Node | null,
  segment: string,
): { node: Node | null; offset: number } | undefined {
  const target = resolveAlias(doc, node);
  if (isMap(target)) {
    const pair = findPair(doc, target.items as Pair[], segment, 0);
    if (!pair) return undefined;
    const key = pair.key as Node | null;
    return { node: pair.value as Node | null, offset: key?.range?.[0] ?? 0 };
  }
  if (isSeq(target)) {
    if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined;
    const item = target.items[Number(segment)] as Node | null | undefined;
    if (item === undefined) return undefined;
    return { node: item, offset: item?.range?.[0] ?? 0 };
  }
  return undefined;
}

/** The last pair with this key (as the parsed value keeps the last), looking into `<<` merges as well. */
function findPair(doc: Document, pairs: Pair[], segment: string, depth: number): Pair | undefined {
  for (let i = pairs.length - 1; i >= 0; i--) {
    const pair = pairs[i];
    if (pair && keyText(pair.key) === segment) return pair;
  }
  if (depth > 8) return undefined;
  for (const pair of pairs) {
    if (keyText(pair.key) !== '<<') continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const map = resolveAlias(doc, source as Node | null);
      const found = isMap(map) ? findPair(doc, map.items as Pair[], segment, depth + 1) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function resolveAlias(doc: Document, node: Node | null | undefined): Node | null | undefined {
  let current = node;
  for (let hops = 0; isAlias(current) && hops < 32; hops++) current = current.resolve(doc) ?? null;
  return current;
}
