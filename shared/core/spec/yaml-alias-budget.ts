/**
 * How big a YAML document becomes once its aliases are expanded, measured on the syntax tree before anything
 * is expanded. The count of aliases alone is no guard: 99 aliases of one 4.6 MB node stay under any sensible
 * count and expand to 455 MB (minutes of CPU and gigabytes of memory in `toJS` and every later stage).
 * @module
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';

export type AliasProblem =
  /** Expanding this alias takes the document past `maxBytes`. */
  | { kind: 'too-large'; offset: number; alias: string; bytes: number }
  /** This alias refers to a node that contains it: its expansion never ends. */
  | { kind: 'cycle'; offset: number; alias: string }
  /** No anchor of this name comes before the alias. */
  | { kind: 'unknown'; offset: number; alias: string };

/**
 * The first alias, in document order, at which the expanded document exceeds `maxBytes` (or that cannot be
 * expanded at all); undefined when the whole expansion fits. Size is the source length of every scalar plus
 * one per node, so a document without aliases measures about its own length. Each anchored node is measured
 * once (memoised), so the cost is one walk of the tree however many aliases there are. Recursion depth is the
 * document's nesting, like the parser's own.
 */
export function findAliasProblem(doc: Document, maxBytes: number): AliasProblem | undefined {
  /** Anchors in effect at the current point of the walk (a later anchor of the same name replaces one). */
  const anchors = new Map<string, Node>();
  /** Expanded size of each anchored node, once its walk is complete. */
  const measured = new Map<Node, number>();
  let total = 0;
  let problem: AliasProblem | undefined;

  const measure = (node: unknown): number => {
    if (problem) return 0;
    if (isPair(node)) return measure(node.key) + measure(node.value);
    if (isAlias(node)) {
      const offset = node.range?.[0] ?? 0;
      const target = anchors.get(node.source);
      if (!target) {
        problem = { kind: 'unknown', offset, alias: node.source };
        return 0;
      }
      const size = measured.get(target);
      if (size === undefined) {
        problem = { kind: 'cycle', offset, alias: node.source };
        return 0;
      }
      total += size;
      if (total > maxBytes) problem = { kind: 'too-large', offset, alias: node.source, bytes: total };
      return size;
    }
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return 0;
    if (node.anchor) anchors.set(node.anchor, node);
    let size = 1;
    if (isScalar(node)) {
      const [start, end] = node.range ?? [0, 0];
      size += end - start;
      total += size;
    } else {
      total += 1;
      for (const item of node.items) size += measure(item);
    }
    if (node.anchor) measured.set(node, size);
    return size;
  };

  measure(doc.contents);
  return problem;
}
