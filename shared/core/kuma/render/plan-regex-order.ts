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
 * @module
 */
import { RE2JS } from 're2js';
import type { PathSegment } from './path-match.js';

export interface TemplatedMatch {
  method: string;
  segments: readonly PathSegment[];
  /** Length of the unwrapped regex. */
  length: number;
}

const wrapLength = '(?:)'.length;

/** The number of wraps each templated match needs (same order as the input). */
export function planRegexWraps(matches: readonly TemplatedMatch[]): number[] {
  const wraps = matches.map(() => 0);
  const groups = new Map<string, number[]>();
  matches.forEach((match, index) => {
    // Segments never match `/`, so only templates with as many segments can overlap.
    const key = `${match.method} ${match.segments.length}`;
    groups.set(key, [...(groups.get(key) ?? []), index]);
  });
  for (const members of groups.values()) {
    members.sort((a, b) => compareSpecificity(matches[a]!.segments, matches[b]!.segments));
    const lengths = new Map<number, number>();
    members.forEach((index, position) => {
      const match = matches[index]!;
      let needed = match.length;
      for (const weaker of members.slice(0, position)) {
        if (canOverlap(matches[weaker]!.segments, match.segments))
          needed = Math.max(needed, lengths.get(weaker)! + 1);
      }
      wraps[index] = Math.max(0, Math.ceil((needed - match.length) / wrapLength));
      lengths.set(index, match.length + wraps[index]! * wrapLength);
    });
  }
  return wraps;
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

/**
 * Whether some path could match both (same segment count assumed): literal segments must be equal, a literal
 * must be accepted by the other's segment regex; two templated segments are assumed to overlap.
 */
function canOverlap(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  return a.every((left, index) => {
    const right = b[index]!;
    if (left.pattern === undefined && right.pattern === undefined) return left.text === right.text;
    if (left.pattern !== undefined && right.pattern !== undefined) return true;
    const literal = left.pattern === undefined ? left.text : right.text;
    return acceptsLiteral((left.pattern ?? right.pattern)!, literal);
  });
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
