/**
 * Concrete requests for the no-shadowing proofs of both edge targets (the builtin gateway's MeshHTTPRoutes and
 * Gateway API HTTPRoutes): a path for an OpenAPI template that the rule's own path match accepts, and a value
 * for each header or query match. Both route kinds spell path, header and query matches the same way
 * (`{type, value}` with Exact, PathPrefix, RegularExpression), so one builder serves both. Regexes are RE2,
 * fully matched, as Envoy's `safe_regex` does.
 * @module
 */
import { RE2JS } from 're2js';
import { buildRegexExample } from '../kuma/validate/regex-example.js';

const regexCache = new Map<string, RE2JS | null>();
const regexCacheLimit = 10_000;

/** The compiled RE2 pattern, or null when RE2 rejects it (Envoy rejects the route; the validators report it). */
export function compileRe2(pattern: string): RE2JS | null {
  let compiled = regexCache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = RE2JS.compile(pattern);
    } catch {
      compiled = null;
    }
    if (regexCache.size > regexCacheLimit) regexCache.clear();
    regexCache.set(pattern, compiled);
  }
  return compiled;
}

/** Whether RE2 matches the whole text (false for an invalid pattern). */
export function fullyMatches(pattern: string, text: string): boolean {
  return compileRe2(pattern)?.matches(text) ?? false;
}

/** `/p?a=1&b=2` → the path and the first value of each query parameter (Envoy matches the first). */
export function splitQuery(path: string): { path: string; query: Map<string, string> } {
  const at = path.indexOf('?');
  if (at < 0) return { path, query: new Map() };
  const query = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(path.slice(at + 1)))
    if (!query.has(key)) query.set(key, value);
  return { path: path.slice(0, at), query };
}

export interface PathMatchSpec {
  type: string;
  value: string;
}

/**
 * A concrete path for the template that the rule's own path match accepts: parameters take their values from
 * an example of the rule's regex (so an integer segment gets digits, an enum one of its values), segment by
 * segment; literal segments must agree with the regex. Exact gives its value, PathPrefix the template with `1`
 * for each parameter.
 */
export function buildConcretePath(template: string, path: PathMatchSpec): string | { problem: string } {
  const { type, value } = path;
  if (type === 'Exact') return value;
  if (type === 'PathPrefix') return template.replace(/\{[^}]*\}/g, '1');
  const example = buildRegexExample(value);
  if (example === undefined) return { problem: `cannot build a request from the rule's regex ${value}` };
  const templateSegments = template.split('/');
  const exampleSegments = example.split('/');
  if (exampleSegments.length !== templateSegments.length) {
    return {
      problem: `the rule's regex ${value} does not have the template's segments (example ${example})`,
    };
  }
  const segments = templateSegments.map((segment, index) => {
    const fromExample = exampleSegments[index] as string;
    return segment.includes('{') || segment === fromExample ? fromExample : undefined;
  });
  if (segments.includes(undefined)) {
    return { problem: `the rule's regex ${value} does not agree with the template's literal segments` };
  }
  return segments.join('/');
}

/**
 * A value a header or query match accepts: the Exact value (the default type), any value for Present, an
 * example of a RegularExpression; undefined for what no request should carry (Absent) or cannot be built.
 */
export function sampleMatchValue(match: { type?: unknown; value?: unknown }): string | undefined {
  const value = typeof match.value === 'string' ? match.value : '';
  if (match.type === 'RegularExpression') return buildRegexExample(value);
  if (match.type === 'Present') return 'x';
  return match.type === undefined || match.type === 'Exact' ? value : undefined;
}

/** The `?query` a request needs to satisfy these query matches (empty when none). */
export function buildSampleQuery(
  params: readonly { name: string; type?: unknown; value?: unknown }[],
): string {
  return params
    .map((param) => ({ name: param.name, value: sampleMatchValue(param) }))
    .filter((param): param is { name: string; value: string } => param.value !== undefined)
    .map(({ name, value }) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}

/** The headers (lower-case names) a request needs to satisfy these header matches. */
export function buildSampleHeaders(
  headers: readonly { name: string; type?: unknown; value?: unknown }[],
): Record<string, string> {
  const entries = headers
    .map((header) => [header.name.toLowerCase(), sampleMatchValue(header)] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
  return Object.fromEntries(entries);
}
