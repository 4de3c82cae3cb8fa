/**
 * Regular languages as NFAs over code-point intervals, to decide questions about paths exactly: does a language
 * contain a string with `/`, the empty string, anything outside a path prefix; do two languages share a string
 * (product construction + reachability, with a witness). Sizes are bounded: a regex that would need more than
 * {@link maxStates} states is refused by {@link compileRegex}.
 * @module
 */
import {
  complement,
  intersectRanges,
  maxCodePoint,
  normalize,
  type Range,
  type RegexNode,
} from './re2-syntax.js';

interface Edge {
  ranges: Range[];
  to: number;
}

/** Thompson NFA: one start, one accepting state. */
export interface Nfa {
  start: number;
  accept: number;
  epsilon: number[][];
  edges: Edge[][];
}

export const maxStates = 20_000;
/** Pairs of states one product may visit before the question counts as too large to decide. */
export const maxProductStates = 250_000;

export class TooLarge extends Error {}

class Builder {
  epsilon: number[][] = [];
  edges: Edge[][] = [];
  state(): number {
    if (this.epsilon.length >= maxStates) throw new TooLarge('the expression is too large to analyse');
    this.epsilon.push([]);
    this.edges.push([]);
    return this.epsilon.length - 1;
  }
  /** A fragment from `from` to a fresh end state. */
  build(node: RegexNode, from: number): number {
    switch (node.type) {
      case 'set': {
        const to = this.state();
        if (node.ranges.length > 0) this.edges[from]!.push({ ranges: node.ranges, to });
        return to;
      }
      case 'concat':
        return node.items.reduce((at, item) => this.build(item, at), from);
      case 'alt': {
        const end = this.state();
        for (const item of node.items) {
          const start = this.state();
          this.epsilon[from]!.push(start);
          this.epsilon[this.build(item, start)]!.push(end);
        }
        return end;
      }
      case 'repeat': {
        let at = from;
        for (let i = 0; i < node.min; i += 1) at = this.build(node.item, at);
        if (node.max === Number.POSITIVE_INFINITY) {
          const loop = this.state();
          this.epsilon[at]!.push(loop);
          const back = this.build(node.item, loop);
          this.epsilon[back]!.push(loop);
          return loop;
        }
        const end = this.state();
        for (let i = node.min; i < node.max; i += 1) {
          this.epsilon[at]!.push(end);
          at = this.build(node.item, at);
        }
        this.epsilon[at]!.push(end);
        return end;
      }
    }
  }
  finish(start: number, accept: number): Nfa {
    return { start, accept, epsilon: this.epsilon, edges: this.edges };
  }
}

/** The NFA of a parsed regex (whole-match). Throws {@link TooLarge}. */
export function compileRegex(node: RegexNode): Nfa {
  const builder = new Builder();
  const start = builder.state();
  return builder.finish(start, builder.build(node, start));
}

/** Exactly `text`. */
export function literalNfa(text: string): Nfa {
  return compileRegex({
    type: 'concat',
    items: Array.from(text, (char) => {
      const code = char.codePointAt(0)!;
      return { type: 'set', ranges: [[code, code]] };
    }),
  });
}

const slash = 0x2f;
const anything: Range[] = [[0, maxCodePoint]];

/**
 * Paths under any of `prefixes` by whole segments (`/a` → `/a`, `/a/…`; `/` → everything), as Kuma's
 * PathPrefix matches them; with `negate`, every other string. Deterministic (a trie of the prefixes), which is
 * what makes the complement a matter of flipping the accepting states.
 */
export function prefixesNfa(prefixes: readonly string[], negate = false): Nfa {
  const builder = new Builder();
  const root = builder.state();
  const inside = builder.state();
  const outside = builder.state();
  const accept = builder.state();
  const children = new Map<number, Map<number, number>>();
  const complete = new Set<number>();
  for (const prefix of prefixes) {
    let at = root;
    for (const char of prefix.replace(/\/+$/, '')) {
      const code = char.codePointAt(0)!;
      const next = children.get(at) ?? new Map<number, number>();
      children.set(at, next);
      if (!next.has(code)) next.set(code, builder.state());
      at = next.get(code)!;
    }
    complete.add(at);
  }
  const nodes = [root, ...[...children.values()].flatMap((next) => [...next.values()])];
  for (const node of nodes) {
    if (complete.has(node) && node === root) {
      // `/` granted: everything is inside.
      builder.edges[node]!.push({ ranges: anything, to: inside });
      continue;
    }
    const next = new Map(children.get(node) ?? []);
    if (complete.has(node)) next.set(slash, inside);
    const handled: Range[] = [...next.keys()].map((code) => [code, code]);
    for (const [code, to] of next) builder.edges[node]!.push({ ranges: [[code, code]], to });
    const rest = complement(handled);
    if (rest.length > 0) builder.edges[node]!.push({ ranges: rest, to: outside });
  }
  builder.edges[inside]!.push({ ranges: anything, to: inside });
  builder.edges[outside]!.push({ ranges: anything, to: outside });
  const accepting = negate
    ? [...nodes.filter((node) => !complete.has(node)), outside]
    : [...nodes.filter((node) => complete.has(node)), inside];
  for (const state of accepting) builder.epsilon[state]!.push(accept);
  return builder.finish(root, accept);
}

/** Every string containing at least one code point of `ranges`. */
export function containsNfa(ranges: Range[]): Nfa {
  return compileRegex({
    type: 'concat',
    items: [
      { type: 'repeat', item: { type: 'set', ranges: anything }, min: 0, max: Number.POSITIVE_INFINITY },
      { type: 'set', ranges: normalize(ranges) },
      { type: 'repeat', item: { type: 'set', ranges: anything }, min: 0, max: Number.POSITIVE_INFINITY },
    ],
  });
}

/**
 * A string both NFAs accept (the shortest, by breadth-first search of the product), or undefined when their
 * languages are disjoint. Exact: the product explores every reachable pair of states; past
 * {@link maxProductStates} it throws {@link TooLarge} (callers then fail closed).
 */
export function findCommonString(a: Nfa, b: Nfa): string | undefined {
  const width = b.epsilon.length;
  const key = (x: number, y: number) => x * width + y;
  const parent = new Map<number, { from: number; code?: number }>();
  const startKey = key(a.start, b.start);
  parent.set(startKey, { from: -1 });
  // 0-1 BFS: epsilon moves first (front of the queue) so the witness is a shortest string.
  let queue: number[] = [startKey];
  while (queue.length > 0) {
    const nextLayer: number[] = [];
    for (let index = 0; index < queue.length; index += 1) {
      const current = queue[index]!;
      const x = Math.floor(current / width);
      const y = current % width;
      if (x === a.accept && y === b.accept) return readWitness(parent, current);
      const visit = (nx: number, ny: number, code: number | undefined, list: number[]) => {
        const k = key(nx, ny);
        if (parent.has(k)) return;
        if (parent.size >= maxProductStates) throw new TooLarge('the expressions are too large to compare');
        parent.set(k, code === undefined ? { from: current } : { from: current, code });
        list.push(k);
      };
      for (const nx of a.epsilon[x]!) visit(nx, y, undefined, queue);
      for (const ny of b.epsilon[y]!) visit(x, ny, undefined, queue);
      for (const edgeA of a.edges[x]!) {
        for (const edgeB of b.edges[y]!) {
          if (parent.has(key(edgeA.to, edgeB.to))) continue;
          const common = intersectRanges(edgeA.ranges, edgeB.ranges);
          if (common.length > 0) visit(edgeA.to, edgeB.to, pickReadable(common), nextLayer);
        }
      }
    }
    queue = nextLayer;
  }
  return undefined;
}

/** Whether the NFA accepts `text` (simulation, linear in the text). */
export function acceptsString(nfa: Nfa, text: string): boolean {
  let current = closure(nfa, [nfa.start]);
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const next: number[] = [];
    for (const state of current) {
      for (const edge of nfa.edges[state]!) {
        if (edge.ranges.some(([lo, hi]) => code >= lo && code <= hi)) next.push(edge.to);
      }
    }
    current = closure(nfa, next);
    if (current.size === 0) return false;
  }
  return current.has(nfa.accept);
}

function closure(nfa: Nfa, states: number[]): Set<number> {
  const seen = new Set(states);
  const stack = [...states];
  while (stack.length > 0) {
    for (const next of nfa.epsilon[stack.pop()!]!) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

function readWitness(parent: Map<number, { from: number; code?: number }>, end: number): string {
  const codes: number[] = [];
  for (let at = end; at !== -1; ) {
    const step = parent.get(at)!;
    if (step.code !== undefined) codes.push(step.code);
    at = step.from;
  }
  return String.fromCodePoint(...codes.reverse());
}

/** A code point of the ranges that reads well in a message: a letter or digit when there is one. */
function pickReadable(ranges: Range[]): number {
  for (const [lo, hi] of [
    [0x61, 0x7a],
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x21, 0x7e],
  ] as const) {
    const hit = intersectRanges(ranges, [[lo, hi]]);
    if (hit.length > 0) return hit[0]![0];
  }
  return ranges[0]![0];
}
