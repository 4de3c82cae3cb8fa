/**
 * Whether two gateway route matches can take the same request (hostnames, methods, paths), and whether every
 * request a match takes lies under granted base paths — decided exactly, not by samples. Each path match is a
 * regular language (Exact: one string; PathPrefix: the prefix by whole segments, as Kuma matches it;
 * RegularExpression: parsed by our RE2 parser), compiled to an NFA; two routes overlap when the product of
 * their NFAs reaches an accepting pair (and the shortest such path is shown), a route stays inside the grant
 * when its product with the complement of the granted prefixes accepts nothing. A regex we cannot parse is
 * assumed to take every path (fail closed) and the answer says so.
 * Hostnames follow Envoy: compared case-insensitively, `*.x.com` = any non-empty prefix (several labels
 * included) before `.x.com`, `*` = any host.
 * @module
 */
import {
  acceptsString,
  compileRegex,
  findCommonString,
  literalNfa,
  type Nfa,
  prefixesNfa,
  TooLarge,
} from '../regex/automaton.js';
import { parseRe2, type RegexNode } from '../regex/re2-syntax.js';
import type { PathMatchType } from './route-claims.js';

export interface PathMatchValue {
  type: PathMatchType;
  value: string;
}

/** `path` is `prefix` or below it, by whole segments; `/` covers everything. */
export function isUnderPrefix(path: string, prefix: string): boolean {
  const base = prefix.replace(/\/+$/, '');
  return base === '' || path === base || path.startsWith(`${base}/`);
}

/** A hostname pattern (`*`, `*.example.com` or exact) covers a hostname (itself possibly a wildcard). */
export function coversHostname(pattern: string, hostname: string): boolean {
  const [p, h] = [pattern.toLowerCase(), hostname.toLowerCase()];
  if (p === '*' || p === h) return true;
  if (h === '*') return false;
  if (!p.startsWith('*.')) return false;
  const suffix = p.slice(1);
  return h.endsWith(suffix) && h.length > suffix.length;
}

/** Two hostname lists share a hostname; an empty list means every hostname. */
export function hostnamesOverlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((x) => b.some((y) => coversHostname(x, y) || coversHostname(y, x)));
}

export function methodsOverlap(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a.toUpperCase() === b.toUpperCase();
}

/** Some request satisfies both sets of Exact query matches: no parameter is required with two values. */
export function queriesOverlap(
  a: readonly { name: string; value: string }[] = [],
  b: readonly { name: string; value: string }[] = [],
): boolean {
  return !a.some((left) => b.some((right) => left.name === right.name && left.value !== right.value));
}

/** Why two path matches are taken to overlap: a request both take, or a regex we could not analyse. */
export type PathOverlap = { path: string } | { unknown: string };

export function pathsOverlap(a: PathMatchValue, b: PathMatchValue): boolean {
  return findPathOverlap(a, b) !== undefined;
}

/** A path both matches take (the shortest), or why we must assume one; undefined when they are disjoint. */
export function findPathOverlap(a: PathMatchValue, b: PathMatchValue): PathOverlap | undefined {
  const [left, right] = [languageOf(a), languageOf(b)];
  if ('unknown' in left) return left;
  if ('unknown' in right) return right;
  // Two fixed starts that differ: disjoint, without building the product.
  const [x, y] = [left.start, right.start];
  if (!x.startsWith(y) && !y.startsWith(x)) return undefined;
  // Two fixed ends that differ: disjoint too (`…/star` and `…/forks`).
  if (!left.end.endsWith(right.end) && !right.end.endsWith(left.end)) return undefined;
  if (a.type === 'Exact') return acceptsString(right.nfa, a.value) ? { path: a.value } : undefined;
  if (b.type === 'Exact') return acceptsString(left.nfa, b.value) ? { path: b.value } : undefined;
  const path = decide(
    () => findCommonString(left.nfa, right.nfa),
    `${a.value} and ${b.value} are too large to compare exactly, so they are taken to overlap`,
  );
  return typeof path === 'object' ? path : path === undefined ? undefined : { path };
}

/**
 * Items indexed by the fixed start of their path match, so that only those that can overlap a given match
 * (one start a prefix of the other, or a regex we cannot analyse) are compared with it: thousands of routes
 * against thousands stay fast. Candidates come back in the items' order.
 */
export function indexByPathStart<T extends { path: PathMatchValue }>(
  items: readonly T[],
): (match: PathMatchValue) => T[] {
  const byStart = new Map<string, number[]>();
  const always: number[] = [];
  const starts: { start: string; index: number }[] = [];
  items.forEach((item, index) => {
    const language = languageOf(item.path);
    if ('unknown' in language) {
      always.push(index);
      return;
    }
    starts.push({ start: language.start, index });
    const same = byStart.get(language.start);
    if (same) same.push(index);
    else byStart.set(language.start, [index]);
  });
  starts.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.index - b.index));
  return (match) => {
    const language = languageOf(match);
    if ('unknown' in language) return [...items];
    const start = language.start;
    const found = new Set(always);
    // Items whose start is a prefix of ours (ours included)…
    for (let length = 0; length <= start.length; length += 1) {
      for (const index of byStart.get(start.slice(0, length)) ?? []) found.add(index);
    }
    // …and items whose start begins with ours: a contiguous run of the sorted starts.
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (starts[middle]!.start < start) low = middle + 1;
      else high = middle;
    }
    for (let at = low; at < starts.length && starts[at]!.start.startsWith(start); at += 1)
      found.add(starts[at]!.index);
    return [...found].sort((a, b) => a - b).map((index) => items[index]!);
  };
}

/**
 * A request the match takes outside every granted prefix (the shortest), or why we must assume one; undefined
 * when every request it takes is under one of them.
 */
export function findOutsidePrefixes(
  match: PathMatchValue,
  prefixes: readonly string[],
): PathOverlap | undefined {
  if (prefixes.some((prefix) => prefix.replace(/\/+$/, '') === '')) return undefined;
  if (match.type === 'Exact')
    return prefixes.some((prefix) => isUnderPrefix(match.value, prefix)) ? undefined : { path: match.value };
  const language = languageOf(match);
  if ('unknown' in language) return language;
  // Every request starts with the fixed start: when that is already below a prefix, so is every request.
  if (prefixes.some((prefix) => language.start.startsWith(`${prefix.replace(/\/+$/, '')}/`)))
    return undefined;
  const path = decide(
    () => findCommonString(language.nfa, prefixesNfa(prefixes, true)),
    `the regex ${match.value} is too large to analyse, so it is taken to leave the base paths`,
  );
  return typeof path === 'object' ? path : path === undefined ? undefined : { path };
}

/** Every request the match takes is under the base path `prefix`. */
export function isMatchUnder(match: PathMatchValue, prefix: string): boolean {
  return findOutsidePrefixes(match, [prefix]) === undefined;
}

/** The product's answer, or (fail closed) `unknown` when it grows past its bound. */
function decide(search: () => string | undefined, unknown: string): string | undefined | { unknown: string } {
  try {
    return search();
  } catch (error) {
    if (error instanceof TooLarge) return { unknown };
    throw error;
  }
}

/** `start`/`end`: literal text every string of the language starts/ends with. */
type Language = { nfa: Nfa; start: string; end: string } | { unknown: string };

const cache = new Map<string, Language>();
const maxCached = 20_000;
/** By object first: a tenancy check compares the same match objects thousands of times. */
const byObject = new WeakMap<PathMatchValue, Language>();

function languageOf(match: PathMatchValue): Language {
  let language = byObject.get(match);
  if (language) return language;
  const key = `${match.type}\u0000${match.value}`;
  language = cache.get(key);
  if (!language) {
    language = buildLanguage(match);
    if (cache.size >= maxCached) cache.clear();
    cache.set(key, language);
  }
  byObject.set(match, language);
  return language;
}

function buildLanguage(match: PathMatchValue): Language {
  switch (match.type) {
    case 'Exact':
      return { nfa: literalNfa(match.value), start: match.value, end: match.value };
    case 'PathPrefix': {
      const base = match.value.replace(/\/+$/, '');
      return { nfa: prefixesNfa([match.value]), start: base, end: '' };
    }
    case 'RegularExpression': {
      const parsed = parseRe2(match.value, { edgeAnchors: true });
      if (!parsed.ok)
        return {
          unknown: `the regex ${match.value} cannot be analysed (${parsed.reason}), so it is taken to match every path`,
        };
      try {
        return {
          nfa: compileRegex(parsed.node),
          start: readFixed(parsed.node, false),
          end: readFixed(parsed.node, true),
        };
      } catch (error) {
        if (error instanceof TooLarge)
          return {
            unknown: `the regex ${match.value} is too large to analyse, so it is taken to match every path`,
          };
        throw error;
      }
    }
  }
}

/** The literal text every string of the language starts (or ends) with (`^/pets/[^/]+$` → `/pets/`, ``). */
function readFixed(node: RegexNode, fromEnd: boolean): string {
  const items = node.type === 'concat' ? [...node.items] : [node];
  if (fromEnd) items.reverse();
  const chars: string[] = [];
  for (const item of items) {
    if (item.type === 'set' && item.ranges.length === 1 && item.ranges[0]![0] === item.ranges[0]![1]) {
      chars.push(String.fromCodePoint(item.ranges[0]![0]));
      continue;
    }
    if (item.type === 'concat') {
      const inner = Array.from(readFixed(item, fromEnd));
      chars.push(...(fromEnd ? inner.reverse() : inner));
      if (inner.length === countChars(item)) continue;
    }
    break;
  }
  return (fromEnd ? chars.reverse() : chars).join('');
}

/** How many characters a concat of single characters spans; -1 when it is not one. */
function countChars(node: RegexNode): number {
  if (node.type === 'set')
    return node.ranges.length === 1 && node.ranges[0]![0] === node.ranges[0]![1] ? 1 : -1;
  if (node.type !== 'concat') return -1;
  let total = 0;
  for (const item of node.items) {
    const count = countChars(item);
    if (count < 0) return -1;
    total += count;
  }
  return total;
}
