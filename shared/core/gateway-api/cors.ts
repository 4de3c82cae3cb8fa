/**
 * `x-kuma.cors` → Envoy Gateway SecurityPolicy `cors`, with the OpenAPI operations as the default allow-list, and
 * the rules a CORS setting must meet whatever the target (checked with the rest of x-kuma).
 * @module
 */
import { parseDuration } from '../kuma/render/duration.js';
import type { CorsSettings } from '../kuma/render/types.js';

/**
 * Envoy Gateway's `Origin` pattern (api/v1alpha1/cors_types.go), rewritten without its nested quantifier
 * (`([\w-]+\.?)+`, exponential backtracking in a JavaScript regex) but accepting the same strings: a scheme,
 * `://`, then `*`, or an optional `*.` and dot-separated labels; an optional port; no path.
 */
const originPattern = /^(?:\*|[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:\*|(?:\*\.)?[\w-]+(?:\.[\w-]+)*)(?::\d{1,5})?)$/;

/** `*` or `scheme://*` (any port): every origin of a scheme. */
function allowsAnyOrigin(origin: string): boolean {
  return /^(?:\*|[^:]+:\/\/\*(?::\d+)?)$/.test(origin);
}

/** A problem of one `cors` value: `path` is a JSON pointer into it. */
export interface CorsProblem {
  path: string;
  message: string;
}

/**
 * What browsers or Envoy Gateway would refuse, or what would leak credentials: malformed origins, any origin with
 * credentials (Envoy echoes the caller's Origin back, so every site could send the user's cookies and read the
 * answer), and `*` in methods or headers with credentials (browsers then take `*` literally).
 */
export function checkCors(cors: CorsSettings): CorsProblem[] {
  const problems: CorsProblem[] = [];
  cors.origins.forEach((origin, index) => {
    if (!originPattern.test(origin)) {
      problems.push({
        path: `/origins/${index}`,
        message: `"${origin}" is not an origin: write scheme://host[:port] (https://app.example.com), https://*.example.com or *; no path, no trailing slash`,
      });
    } else if (cors.credentials === true && allowsAnyOrigin(origin)) {
      problems.push({
        path: `/origins/${index}`,
        message: `"${origin}" allows every origin, which cannot be combined with credentials: true: browsers refuse a wildcard origin on credentialed requests, and the gateway would echo any site's Origin back, letting every site send the user's cookies and read the answer; list the origins`,
      });
    }
  });
  for (const key of ['methods', 'headers', 'exposeHeaders'] as const) {
    const index = cors[key]?.indexOf('*') ?? -1;
    if (cors.credentials === true && index >= 0) {
      problems.push({
        path: `/${key}/${index}`,
        message: `"*" with credentials: true is taken literally by browsers (a header or method named "*"); list the ${key === 'methods' ? 'methods' : 'headers'}`,
      });
    }
  }
  return problems;
}

/** What the default allow-list is made of: the route's operations as the spec declares them. */
export interface CorsDefaults {
  /** Upper-case methods of the route's operations. */
  methods: string[];
  /** Header parameters the operations declare, and the headers their security schemes read. */
  headers: string[];
}

/** The SecurityPolicy `cors` of a route. Assumes {@link checkCors} found nothing. */
export function buildCors(cors: CorsSettings, defaults: CorsDefaults): Record<string, unknown> {
  const headers = cors.headers ?? uniqueHeaders(defaults.headers);
  const maxAge = cors.maxAge === undefined ? undefined : parseDuration(cors.maxAge);
  return {
    allowOrigins: cors.origins,
    allowMethods: cors.methods ?? [...new Set(defaults.methods)].sort(),
    ...(headers.length > 0 ? { allowHeaders: headers } : {}),
    ...(cors.exposeHeaders ? { exposeHeaders: cors.exposeHeaders } : {}),
    ...(maxAge === undefined ? {} : { maxAge: formatGatewayDuration(maxAge) }),
    ...(cors.credentials === undefined ? {} : { allowCredentials: cors.credentials }),
  };
}

/** Header names compare case-insensitively: the first spelling of each, sorted. */
function uniqueHeaders(names: string[]): string[] {
  const byLower = new Map<string, string>();
  for (const name of names) if (!byLower.has(name.toLowerCase())) byLower.set(name.toLowerCase(), name);
  return [...byLower.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

/**
 * Gateway API's Duration (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`): whole units only, so `1.5s` becomes `1s500ms`.
 * Sub-millisecond parts are dropped.
 */
export function formatGatewayDuration(ms: number): string {
  let rest = Math.floor(ms);
  if (rest === 0) return '0s';
  let text = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0) text += `${amount}${unit}`;
  }
  return text;
}
