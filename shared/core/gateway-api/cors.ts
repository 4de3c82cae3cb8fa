/**
 * `x-kuma.cors` → the Gateway API `CORS` filter (standard channel since v1.5) on each rule of a CORS-enabled
 * operation, with the OpenAPI operations as the default allow-list, and the rules a CORS setting must meet
 * whatever the target (checked with the rest of x-kuma).
 *
 * A rule filter, not Envoy Gateway's SecurityPolicy `cors`: Envoy Gateway (v1.9.0 `internal/gatewayapi/route.go`
 * 1306-1353) adds the route that answers a browser's preflight (OPTIONS with `origin` and
 * `access-control-request-method`, same path) only for a rule with a `CORS` filter. Our rules match their method,
 * so with SecurityPolicy `cors` the OPTIONS preflight matches no rule and gets 404.
 * @module
 */
import type { Finding } from '../findings.js';
import { valueAt } from '../kuma/render/build-auth.js';
import { parseDuration } from '../kuma/render/duration.js';
import { isObject, resolveRef } from '../kuma/render/resolve-ref.js';
import type { CorsSettings } from '../kuma/render/types.js';
import type { EdgeInput, EdgeOperation, EdgeOutput, RuleFilter } from './edge.js';
import { createSchemeResolver, credentialHeader } from './security-schemes.js';

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
    if (!originPattern.test(origin) || !/^(?:\*|https?:\/\/)/.test(origin)) {
      problems.push({
        path: `/origins/${index}`,
        message: `"${origin}" is not an origin: write http(s)://host[:port] (https://app.example.com), https://*.example.com or *; no path, no trailing slash`,
      });
    } else if (cors.credentials === true && allowsAnyOrigin(origin)) {
      problems.push({
        path: `/origins/${index}`,
        message: `"${origin}" allows every origin, which cannot be combined with credentials: true: browsers refuse a wildcard origin on credentialed requests, and the gateway would echo any site's Origin back, letting every site send the user's cookies and read the answer; list the origins`,
      });
    }
  });
  for (const key of ['origins', 'methods', 'headers'] as const) {
    const index = cors[key]?.indexOf('*') ?? -1;
    if (index >= 0 && cors[key]!.length > 1 && !problems.some((p) => p.path === `/${key}/${index}`)) {
      problems.push({
        path: `/${key}/${index}`,
        message: `"*" already allows every ${key === 'origins' ? 'origin' : key === 'methods' ? 'method' : 'header'}: list it alone or not at all (Gateway API refuses "*" alongside others)`,
      });
    }
  }
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

/**
 * The edge plug-in for `x-kuma.cors`: a `CORS` filter on the rule of each operation that has it. Invalid settings
 * are one error per place they are written, and those operations get no CORS.
 */
export function buildCorsFilters(input: EdgeInput): EdgeOutput {
  const findings: Finding[] = [];
  const reported = new Set<string>();
  const ruleFilters: RuleFilter[] = [];
  const defaults = collectDefaults(input);
  for (const route of input.routes) {
    route.operations.forEach((operation, ruleIndex) => {
      const cors = operation.settings.cors;
      if (!cors) return;
      const problems = checkCors(cors);
      const origin = operation.origins.cors;
      for (const problem of problems) {
        const key = `${origin ?? 'defaults'}${problem.path}`;
        if (reported.has(key)) continue;
        reported.add(key);
        findings.push({
          kind: 'routing',
          id: 'gateway-api-cors-invalid',
          severity: 'error',
          ...(origin ? {} : { operation: operation.label }),
          ...input.locate(origin ? `${origin}${problem.path}` : operation.pointer),
          message: `x-kuma.cors${problem.path.replaceAll('/', '.')}${origin ? '' : ' (from the config defaults)'}: ${problem.message} (no CORS is rendered for the operations it applies to)`,
        });
      }
      if (problems.length > 0) return;
      const filter = { type: 'CORS', cors: buildCors(cors, defaults.get(pathItemOf(operation))!) };
      ruleFilters.push({ route: route.name, ruleIndex, filter });
    });
  }
  return { resources: [], findings, ruleFilters };
}

/** What the default allow-list is made of: the path's CORS-enabled operations as the spec declares them. */
export interface CorsDefaults {
  /** Upper-case methods. */
  methods: string[];
  /** Header parameters the operations declare, Content-Type when they take a body, and their credential headers. */
  headers: string[];
}

/**
 * The defaults per path item, over every route: Envoy Gateway answers a preflight with the first preflight route
 * of the path (any requested method), so its rule must allow what every CORS-enabled operation of the path needs.
 */
function collectDefaults(input: EdgeInput): Map<string, CorsDefaults> {
  const resolve = createSchemeResolver(input);
  const byPath = new Map<string, CorsDefaults>();
  for (const operation of input.routes.flatMap((route) => route.operations)) {
    if (!operation.settings.cors) continue;
    const entry = byPath.get(pathItemOf(operation)) ?? { methods: [], headers: [] };
    entry.methods.push(operation.method);
    entry.headers.push(...declaredHeaders(input.bundle, operation.pointer));
    if (takesBody(input.bundle, operation.pointer)) entry.headers.push('Content-Type');
    for (const name of schemeNames(operation.security)) {
      const resolution = resolve(name);
      const header = 'checked' in resolution ? credentialHeader(resolution.checked) : undefined;
      if (header) entry.headers.push(header);
    }
    byPath.set(pathItemOf(operation), entry);
  }
  return byPath;
}

/** The bundle pointer of the operation's path item. */
function pathItemOf(operation: EdgeOperation): string {
  return operation.pointer.slice(0, operation.pointer.lastIndexOf('/'));
}

function schemeNames(security: unknown): string[] {
  if (!Array.isArray(security)) return [];
  return security.flatMap((requirement) => (isObject(requirement) ? Object.keys(requirement) : []));
}

/** The Gateway API `cors` of a rule. Assumes {@link checkCors} found nothing. */
export function buildCors(cors: CorsSettings, defaults: CorsDefaults): Record<string, unknown> {
  const headers = cors.headers ?? uniqueHeaders(defaults.headers);
  const maxAge = cors.maxAge === undefined ? undefined : parseDuration(cors.maxAge);
  return {
    allowOrigins: cors.origins,
    allowMethods: cors.methods ?? [...new Set(defaults.methods)].sort(),
    ...(headers.length > 0 ? { allowHeaders: headers } : {}),
    ...(cors.exposeHeaders ? { exposeHeaders: cors.exposeHeaders } : {}),
    // Whole seconds, at least 1 (the CRD's minimum): a part second is rounded up.
    ...(maxAge === undefined ? {} : { maxAge: Math.max(1, Math.ceil(maxAge / 1000)) }),
    ...(cors.credentials === undefined ? {} : { allowCredentials: cors.credentials }),
  };
}

/** Header names compare case-insensitively: the first spelling of each, sorted. */
function uniqueHeaders(names: string[]): string[] {
  const byLower = new Map<string, string>();
  for (const name of names) if (!byLower.has(name.toLowerCase())) byLower.set(name.toLowerCase(), name);
  return [...byLower.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

/** The operation's and its path item's parameters, `$ref`s followed. */
function readParameters(bundle: Record<string, unknown>, pointer: string): Record<string, unknown>[] {
  const pathItem = valueAt(bundle, pointer.slice(0, pointer.lastIndexOf('/')));
  const operation = valueAt(bundle, pointer);
  return [pathItem, operation].flatMap((owner) => {
    const parameters = isObject(owner) && Array.isArray(owner.parameters) ? owner.parameters : [];
    return parameters.map((parameter) => resolveRef(bundle, parameter)).filter(isObject);
  });
}

function declaredHeaders(bundle: Record<string, unknown>, pointer: string): string[] {
  return readParameters(bundle, pointer)
    .filter((parameter) => parameter.in === 'header' && typeof parameter.name === 'string')
    .map((parameter) => parameter.name as string);
}

/** A request body (OpenAPI 3 `requestBody`, Swagger 2 `body`/`formData` parameters): browsers preflight its Content-Type. */
function takesBody(bundle: Record<string, unknown>, pointer: string): boolean {
  const operation = valueAt(bundle, pointer);
  if (isObject(operation) && operation.requestBody !== undefined) return true;
  return readParameters(bundle, pointer).some(
    (parameter) => parameter.in === 'body' || parameter.in === 'formData',
  );
}
