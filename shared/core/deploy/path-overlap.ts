/**
 * Whether two gateway route matches can take the same request: hostnames, methods and paths. Exact and prefix
 * paths are compared exactly (prefixes by whole segments, as Kuma's PathPrefix does); a regex is compared
 * through a sample request it matches (buildRegexExample), checked against the other side with RE2, in both
 * directions. That finds every overlap of the anchored per-segment regexes the renderer emits; for arbitrary
 * regexes it can miss one (never reports a false one).
 * @module
 */
import { RE2JS } from 're2js';
import { buildRegexExample } from '../kuma/validate/regex-example.js';
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
  if (pattern === '*' || pattern === hostname) return true;
  if (hostname === '*') return false;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(1);
  return hostname.endsWith(suffix) && hostname.length > suffix.length;
}

/** Two hostname lists share a hostname; an empty list means every hostname. */
export function hostnamesOverlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((x) => b.some((y) => coversHostname(x, y) || coversHostname(y, x)));
}

export function methodsOverlap(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a.toUpperCase() === b.toUpperCase();
}

export function pathsOverlap(a: PathMatchValue, b: PathMatchValue): boolean {
  if (a.type === 'RegularExpression' || b.type === 'RegularExpression') {
    return samplesOf(a).some((s) => accepts(b, s)) || samplesOf(b).some((s) => accepts(a, s));
  }
  if (a.type === 'Exact' && b.type === 'Exact') return a.value === b.value;
  if (a.type === 'Exact') return isUnderPrefix(a.value, b.value);
  if (b.type === 'Exact') return isUnderPrefix(b.value, a.value);
  return isUnderPrefix(a.value, b.value) || isUnderPrefix(b.value, a.value);
}

/** Requests a match takes, for testing against a regex. */
export function samplesOf(match: PathMatchValue): string[] {
  switch (match.type) {
    case 'Exact':
      return [match.value];
    case 'PathPrefix': {
      const base = match.value.replace(/\/+$/, '');
      return [base || '/', `${base}/a`, `${base}/1`];
    }
    case 'RegularExpression': {
      const sample = buildRegexExample(match.value);
      return sample === undefined ? [] : [sample];
    }
  }
}

const compiled = new Map<string, RE2JS | undefined>();

function accepts(match: PathMatchValue, path: string): boolean {
  switch (match.type) {
    case 'Exact':
      return match.value === path;
    case 'PathPrefix':
      return isUnderPrefix(path, match.value);
    case 'RegularExpression': {
      if (!compiled.has(match.value)) {
        try {
          compiled.set(match.value, RE2JS.compile(match.value));
        } catch {
          compiled.set(match.value, undefined);
        }
      }
      return compiled.get(match.value)?.matches(path) ?? false;
    }
  }
}

/**
 * The longest literal start of an anchored regex and the pattern after it (`^/pets/[^/]+$` → `/pets/` and
 * `[^/]+$`); undefined when it is not anchored or alternates at the top level (then nothing is known).
 */
export function readRegexLiteralPrefix(pattern: string): { literal: string; rest: string } | undefined {
  if (!pattern.startsWith('^') || hasTopLevelAlternation(pattern)) return undefined;
  let literal = '';
  let i = 1;
  for (; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) break;
      literal += next;
      i += 1;
      continue;
    }
    if ('.[](){}*+?|$^'.includes(char)) {
      // A repeat makes the char before it optional: it is not part of the certain prefix.
      if ('*+?{'.includes(char)) return { literal: literal.slice(0, -1), rest: pattern.slice(i - 1) };
      break;
    }
    literal += char;
  }
  return { literal, rest: pattern.slice(i) };
}

function hasTopLevelAlternation(pattern: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i];
    if (char === '\\') i += 1;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') inClass = true;
    else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '|' && depth === 0) return true;
  }
  return false;
}

/** Every request the match takes is under the base path `prefix`. */
export function isMatchUnder(match: PathMatchValue, prefix: string): boolean {
  if (match.type !== 'RegularExpression') return isUnderPrefix(match.value, prefix);
  const base = prefix.replace(/\/+$/, '');
  if (base === '') return true;
  const start = readRegexLiteralPrefix(match.value);
  if (!start) return false;
  return (
    start.literal.startsWith(`${base}/`) ||
    (start.literal === base && (start.rest === '$' || start.rest.startsWith('/')))
  );
}
