/**
 * Evaluates a parsed JSONPath (./parse.ts) over plain data: no code is compiled or run, every lookup is an own
 * property (`__proto__`, `constructor` and `prototype` are ordinary keys), and the work is linear in the size of
 * the document per segment: each object is visited at most once per segment, so cycles (through `$ref`s in the
 * resolved view) and shared nodes cannot multiply it.
 * @module
 */
import type { CompareOp, FilterExpr, Segment, Selector } from './parse.js';

export type PathSegment = string | number;

/** A node reached by a path. Its path is built only when asked: most visited nodes never need one. */
export interface PathNode {
  value: unknown;
  /** Its key in the (resolved) parent: what `@property` sees. */
  key: PathSegment | undefined;
  up: PathNode | undefined;
  /** Set on the root and on nodes a `$ref` led to: the real location, where the path starts over. */
  at?: readonly PathSegment[];
}

/** Replaces a node by what it stands for (e.g. an internal `$ref` by its target); identity when not resolving. */
export type Deref = (node: PathNode) => PathNode;

export function pathOf(node: PathNode): PathSegment[] {
  const keys: PathSegment[] = [];
  let current: PathNode | undefined = node;
  while (current && !current.at) {
    keys.push(current.key as PathSegment);
    current = current.up;
  }
  return [...(current?.at ?? []), ...keys.reverse()];
}

export function rootNode(value: unknown, at: readonly PathSegment[] = []): PathNode {
  return { value, key: undefined, up: undefined, at };
}

export function evaluateJsonPath(segments: readonly Segment[], root: PathNode, deref: Deref): PathNode[] {
  let nodes = [deref(root)];
  for (const segment of segments) {
    const sources = segment.descendant ? descendantsOrSelf(nodes, deref) : nodes;
    const next: PathNode[] = [];
    const seen = new Set<object>();
    for (const node of sources) {
      for (const selector of segment.selectors) {
        for (const found of select(node, selector, deref)) {
          if (isComposite(found.value)) {
            if (seen.has(found.value)) continue;
            seen.add(found.value);
          }
          next.push(found);
        }
      }
    }
    nodes = next;
  }
  return nodes;
}

/** The own child `key` of a node (array indexes, object keys), dereferenced; undefined when there is none. */
export function childNode(node: PathNode, key: PathSegment, deref: Deref): PathNode | undefined {
  const value = ownMember(node.value, key);
  if (value === undefined && !hasOwnMember(node.value, key)) return undefined;
  const index = Array.isArray(node.value) ? Number(key) : key;
  return deref({ value, key: index, up: node });
}

function descendantsOrSelf(nodes: readonly PathNode[], deref: Deref): PathNode[] {
  const out: PathNode[] = [];
  const seen = new Set<object>();
  const stack = [...nodes].reverse();
  while (stack.length > 0) {
    const node = stack.pop() as PathNode;
    if (isComposite(node.value)) {
      if (seen.has(node.value)) continue;
      seen.add(node.value);
    }
    out.push(node);
    const kids = children(node, deref);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as PathNode);
  }
  return out;
}

function children(node: PathNode, deref: Deref): PathNode[] {
  const { value } = node;
  if (Array.isArray(value)) return value.map((item, index) => deref({ value: item, key: index, up: node }));
  if (isComposite(value))
    return Object.keys(value).map((key) =>
      deref({ value: (value as Record<string, unknown>)[key], key, up: node }),
    );
  return [];
}

function select(node: PathNode, selector: Selector, deref: Deref): PathNode[] {
  switch (selector.kind) {
    case 'wildcard':
      return children(node, deref);
    case 'name':
      return optional(childNode(node, selector.name, deref));
    case 'index': {
      const { value } = node;
      if (!Array.isArray(value)) return optional(childNode(node, String(selector.index), deref));
      const index = selector.index < 0 ? value.length + selector.index : selector.index;
      return index >= 0 ? optional(childNode(node, index, deref)) : [];
    }
    case 'slice':
      return Array.isArray(node.value)
        ? sliceIndexes(node.value.length, selector).flatMap((i) => optional(childNode(node, i, deref)))
        : [];
    case 'filter':
      return children(node, deref).filter((child) => matchesFilter(selector.expr, child, deref));
  }
}

function sliceIndexes(length: number, slice: { start?: number; end?: number; step: number }): number[] {
  const clamp = (n: number, low: number, high: number) => Math.min(Math.max(n, low), high);
  const norm = (n: number) => (n < 0 ? n + length : n);
  const out: number[] = [];
  if (slice.step > 0) {
    const start = clamp(norm(slice.start ?? 0), 0, length);
    const end = clamp(norm(slice.end ?? length), 0, length);
    for (let i = start; i < end; i += slice.step) out.push(i);
  } else {
    const start = clamp(norm(slice.start ?? length - 1), -1, length - 1);
    const end = clamp(slice.end === undefined ? -1 : norm(slice.end), -1, length - 1);
    const stride = -slice.step;
    for (let i = start; i > end; i -= stride) out.push(i);
  }
  return out;
}

// Filters: JavaScript's meaning for this small grammar, computed here.

/** Accessing a member of null/undefined is an error in JavaScript: the filter is false for that node. */
class NoValue extends Error {}

export function matchesFilter(expr: FilterExpr, node: PathNode, deref: Deref): boolean {
  try {
    return Boolean(evaluateFilter(expr, node, deref));
  } catch (error) {
    if (error instanceof NoValue) return false;
    throw error;
  }
}

function evaluateFilter(expr: FilterExpr, node: PathNode, deref: Deref): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'property':
      return node.key;
    case 'current': {
      let current: PathNode = node;
      for (const member of expr.members) {
        if (current.value === null || current.value === undefined) throw new NoValue();
        current = childNode(current, member, deref) ?? { value: undefined, key: member, up: current };
      }
      return current.value;
    }
    case 'not':
      return !evaluateFilter(expr.operand, node, deref);
    case 'and': {
      const left = evaluateFilter(expr.left, node, deref);
      return left ? evaluateFilter(expr.right, node, deref) : left;
    }
    case 'or': {
      const left = evaluateFilter(expr.left, node, deref);
      return left ? left : evaluateFilter(expr.right, node, deref);
    }
    case 'compare':
      return compare(
        expr.op,
        evaluateFilter(expr.left, node, deref),
        evaluateFilter(expr.right, node, deref),
      );
  }
}

function compare(op: CompareOp, a: unknown, b: unknown): boolean {
  switch (op) {
    case '===':
      return a === b;
    case '!==':
      return a !== b;
    case '==':
      return looseEquals(a, b);
    case '!=':
      return !looseEquals(a, b);
    default:
      return relation(op, a, b);
  }
}

/** JavaScript's `==` on JSON values, without ever converting an object (that could call code). */
function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined)
    return (a === null || a === undefined) && (b === null || b === undefined);
  if (isComposite(a) || isComposite(b)) return false;
  return Number(a) === Number(b);
}

/** JavaScript's `<`, `<=`, `>`, `>=` on primitives (strings compare as strings); false with an object. */
function relation(op: CompareOp, a: unknown, b: unknown): boolean {
  if (isComposite(a) || isComposite(b)) return false;
  const [x, y] = typeof a === 'string' && typeof b === 'string' ? [a, b] : [Number(a), Number(b)];
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}

function ownMember(value: unknown, key: PathSegment): unknown {
  return hasOwnMember(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function hasOwnMember(value: unknown, key: PathSegment): boolean {
  if (Array.isArray(value)) {
    const index = typeof key === 'number' ? key : /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : -1;
    return index >= 0 && index < value.length;
  }
  return isComposite(value) && Object.hasOwn(value, key);
}

function isComposite(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function optional(node: PathNode | undefined): PathNode[] {
  return node ? [node] : [];
}
