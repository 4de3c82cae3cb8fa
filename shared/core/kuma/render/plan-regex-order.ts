/**
 * Makes Kuma's regex order agree with OpenAPI's "concrete beats templated".
 *
 * A builtin gateway ranks RegularExpression matches only by the length of the pattern text, longest first, and
 * leaves equal lengths in an undefined order (route/sorter.go, ported in validate/route-simulator.ts). So
 * `^/gists/[^/]+/[^/]+$` (`/gists/{gist_id}/{sha}`) would outrank `^/gists/[^/]+/star$` and tie with
 * `^/gists/[^/]+/forks$`. Our intended order, for two templates that can match the same request: compare
 * segment by segment from the left, and at the first difference a literal beats a partly literal segment
 * (`{name}.json`), which beats a narrowed parameter (integer, enum, uuid, pattern), which beats a bare `{param}`.
 * Every templated operation is then given the fewest `(?:…)` wraps (4 characters each, same language) that
 * make it strictly longer than every less specific operation of the same method that overlaps it.
 * Query-parameter matches (a `#name=value` fragment, routing/path-fragment.ts) do not help a regex: Kuma ranks
 * regexes of equal length as equal whatever else they match (sorter.go returns before comparing query matches).
 * So on the same segments the match with more query parameters is the more specific one and gets padded, unless
 * the two can never match one request (the same parameter with different values: `Action=A` and `Action=B`).
 * @module
 */
import { RE2JS } from 're2js';
import { buildSegmentsMatch, type PathSegment } from './path-match.js';
import type { RenderedOperation } from './render-operation.js';

export interface TemplatedMatch {
  method: string;
  segments: readonly PathSegment[];
  /** Exact query-parameter matches the route also requires; none by default. */
  query?: readonly QueryParam[];
  /** Length of the unwrapped regex. */
  length: number;
}

interface QueryParam {
  name: string;
  /** Undefined: present with any value. */
  value?: string;
}

const wrapLength = '(?:)'.length;

/** The number of wraps each templated match needs (same order as the input). */
export function planRegexWraps(matches: readonly TemplatedMatch[]): number[] {
  const wraps = matches.map(() => 0);
  const groups = new Map<string, number[]>();
  matches.forEach((match, index) => {
    // Segments never match `/`, so only templates with as many segments can overlap.
    const key = `${match.method} ${match.segments.length}`;
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  for (const members of groups.values()) {
    members.sort(
      (a, b) =>
        compareSpecificity(matches[a]!.segments, matches[b]!.segments) ||
        (matches[a]!.query?.length ?? 0) - (matches[b]!.query?.length ?? 0),
    );
    // The less specific matches placed so far, in a trie by segment: a match is compared only with those it
    // can overlap, not with every weaker one (quadratic: 10,000 templated GETs took 20 s).
    const weaker = createTrieNode();
    for (const index of members) {
      const match = matches[index]!;
      const query = match.query ?? [];
      const needed = Math.max(match.length, longestOverlapping(weaker, match.segments, 0, query) + 1);
      wraps[index] = Math.max(0, Math.ceil((needed - match.length) / wrapLength));
      insert(weaker, match.segments, match.length + wraps[index]! * wrapLength, query);
    }
  }
  return wraps;
}

/** Matches placed so far, by their segments: literal segments by text, templated ones by regex. */
interface TrieNode {
  literal: Map<string, TrieNode>;
  templated: Map<string, TrieNode>;
  /** Padded regex length of the matches ending here, by their query matches (only leaves hold any). */
  ends: Map<string, { query: readonly QueryParam[]; length: number }>;
}

function createTrieNode(): TrieNode {
  return { literal: new Map(), templated: new Map(), ends: new Map() };
}

function insert(
  root: TrieNode,
  segments: readonly PathSegment[],
  length: number,
  query: readonly QueryParam[],
): void {
  let node = root;
  for (const segment of segments) {
    const children = segment.pattern === undefined ? node.literal : node.templated;
    const key = segment.pattern ?? segment.text;
    let child = children.get(key);
    if (!child) {
      child = createTrieNode();
      children.set(key, child);
    }
    node = child;
  }
  const key = JSON.stringify(query);
  node.ends.set(key, { query, length: Math.max(node.ends.get(key)?.length ?? -1, length) });
}

/** Two sets of Exact query matches no request satisfies both of: one parameter, two values. */
function excludeEachOther(a: readonly QueryParam[], b: readonly QueryParam[]): boolean {
  return a.some((left) =>
    b.some(
      (right) =>
        left.name === right.name &&
        left.value !== undefined &&
        right.value !== undefined &&
        left.value !== right.value,
    ),
  );
}

/**
 * The longest padded regex among placed matches that some path could match along with `segments`; -1 if none.
 * Two literal segments overlap when equal, a literal and a templated one when the literal is accepted by the
 * segment regex; two templated segments are assumed to overlap.
 */
function longestOverlapping(
  node: TrieNode,
  segments: readonly PathSegment[],
  index: number,
  query: readonly QueryParam[],
): number {
  const segment = segments[index];
  if (!segment) {
    let longest = -1;
    for (const end of node.ends.values())
      if (!excludeEachOther(end.query, query)) longest = Math.max(longest, end.length);
    return longest;
  }
  let longest = -1;
  const visit = (child: TrieNode | undefined) => {
    if (child) longest = Math.max(longest, longestOverlapping(child, segments, index + 1, query));
  };
  if (segment.pattern === undefined) {
    visit(node.literal.get(segment.text));
    for (const [pattern, child] of node.templated) if (acceptsLiteral(pattern, segment.text)) visit(child);
  } else {
    for (const child of node.templated.values()) visit(child);
    for (const [text, child] of node.literal) if (acceptsLiteral(segment.pattern, text)) visit(child);
  }
  return longest;
}

/** Negative when `a` is less specific than `b`; a total order (ties broken by the template text). */
export function compareSpecificity(a: readonly PathSegment[], b: readonly PathSegment[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
    const left = rankSegment(a[index]!);
    const right = rankSegment(b[index]!);
    if (left[0] !== right[0]) return left[0] - right[0];
    if (left[1] !== right[1]) return left[1] - right[1];
  }
  const text = (segments: readonly PathSegment[]) =>
    segments.map((segment) => segment.pattern ?? segment.text).join('/');
  return a.length - b.length || (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0);
}

/** [kind, literal characters]: literal 3, partly literal 2, narrowed parameter 1, bare parameter 0. */
function rankSegment(segment: PathSegment): [number, number] {
  if (segment.pattern === undefined) return [3, segment.text.length];
  const literal = segment.text.replace(/\{[^{}]*\}/g, '').length;
  if (literal > 0) return [2, literal];
  return [segment.pattern === '[^/]+' ? 0 : 1, 0];
}

const segmentRegexes = new Map<string, RE2JS | null>();
/** A literal accepted by the segment regex; when it does not compile, assume it is (the safe side). */
function acceptsLiteral(pattern: string, literal: string): boolean {
  let compiled = segmentRegexes.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = RE2JS.compile(`^(?:${pattern})$`);
    } catch {
      compiled = null;
    }
    if (segmentRegexes.size > 1000) segmentRegexes.clear();
    segmentRegexes.set(pattern, compiled);
  }
  return compiled === null || compiled.matches(literal);
}

/**
 * Templated matches of rendered operations made just long enough that a gateway ranking regexes by length picks
 * the most specific: Kuma's builtin gateway (route/sorter.go) and Envoy Gateway (gatewayapi/sort.go: Exact,
 * then RegularExpression, then PathPrefix, each by the length of the path value) rank alike. In place.
 */
export function padRegexMatches(operations: RenderedOperation[]): RenderedOperation[] {
  const templated = operations.flatMap((operation) =>
    operation.matches
      .filter(({ match }) => match.type === 'RegularExpression')
      .map((match) => ({
        method: operation.method,
        query: operation.params.map((p) => ({
          name: `${p.in}:${p.name}`,
          ...(p.value === undefined ? {} : { value: p.value }),
        })),
        match,
      })),
  );
  const wraps = planRegexWraps(
    templated.map(({ method, query, match }) => ({
      method,
      segments: match.segments,
      query,
      length: match.match.value.length,
    })),
  );
  templated.forEach(({ match }, index) => {
    if (wraps[index]! > 0) match.match = buildSegmentsMatch(match.segments, wraps[index]);
  });
  return operations;
}
