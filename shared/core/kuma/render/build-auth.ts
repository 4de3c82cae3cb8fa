/**
 * OpenAPI `security` → JWT validation at the gateway. Kuma OSS has no auth policy, so this is a MeshProxyPatch
 * that adds Envoy's jwt_authn filter (plus one cluster per JWKS host). Its rules are generated from the same
 * ordered operation list as the routes, one per operation, so Envoy's first-match picks the same operation
 * Kuma routes to. Schemes the gateway cannot check become warnings, never a silent pass.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../../findings.js';
import { escapePointer } from '../../spec/json-pointer.js';
import type { SourcePosition } from '../../spec/types.js';
import { stringifyYaml } from '../../yaml-output.js';
import { buildName, buildSlug } from './names.js';
import type { PathMatch } from './path-match.js';
import { escapeRegex } from './path-match.js';
import { isObject } from './resolve-ref.js';
import type { JwtProvider, XKumaRoute } from './types.js';

export interface AuthOperation {
  method: string;
  /** `METHOD /path`, for messages. */
  label: string;
  /** JSON pointer of the operation object in the bundle. */
  pointer: string;
  match: PathMatch;
  /** Exact query and header matches of the route (a `#name=value` path fragment): the rule requires them too. */
  params?: { in: 'query' | 'header'; name: string; value?: string }[];
  /** Effective OpenAPI security requirement (operation's, else the root's); undefined: none. */
  security: unknown;
  /** Its effective x-kuma, for the edge keys this gateway cannot express (`cors`). */
  settings?: Pick<XKumaRoute, 'cors'>;
}

export interface AuthInput {
  api: string;
  gateway: string;
  bundle: Record<string, unknown>;
  hostnames: string[];
  /** Operations in the order Kuma matches them. */
  operations: AuthOperation[];
  providers: Record<string, JwtProvider>;
  locate(pointer: string): SourcePosition;
}

type Requirement = Record<string, unknown>;

/**
 * The system CA bundle in kuma-dp images, which Envoy trusts for the IdP's certificate when fetching JWKS: without
 * a validation context Envoy accepts any certificate, so anyone on the path could serve the keys tokens are
 * checked against.
 */
export const JWKS_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The MeshProxyPatch spec (undefined when nothing is enforced) and the warnings about what is not. */
export function buildAuth(input: AuthInput): { spec?: Record<string, unknown>; findings: Finding[] } {
  const { schemes, pointer: schemesPointer } = readSchemes(input.bundle);
  const enforceable = (name: string) => isJwtScheme(schemes[name]) && input.providers[name] !== undefined;
  const unenforced = new Map<string, string[]>();
  const findings: Finding[] = [];
  const used = new Set<string>();
  const rules: Record<string, unknown>[] = [];
  let enforced = 0;
  for (const operation of input.operations) {
    const alternatives = Array.isArray(operation.security) ? operation.security.filter(isObject) : [];
    const names = alternatives.flatMap((alternative) => Object.keys(alternative));
    const missing = names.filter((name) => !enforceable(name));
    for (const name of missing) {
      const labels = unenforced.get(name);
      if (labels) labels.push(operation.label);
      else unenforced.set(name, [operation.label]);
    }
    for (const [index, alternative] of (Array.isArray(operation.security)
      ? operation.security
      : []
    ).entries()) {
      if (!isObject(alternative)) continue;
      const partial = buildPartialFinding(Object.keys(alternative), index, operation, input, enforceable);
      if (partial) findings.push(partial);
    }
    // What the gateway can check of each alternative. An alternative it can check nothing of (a lone API key)
    // means no JWT may be required: that would refuse the requests the alternative allows.
    const checkable = alternatives.map((alternative) => Object.keys(alternative).filter(enforceable));
    const open = alternatives.some(
      (alternative, i) => Object.keys(alternative).length > 0 && checkable[i]!.length === 0,
    );
    const requires = alternatives.length > 0 && !open ? buildRequirement(checkable) : undefined;
    if (requires) {
      enforced++;
      for (const name of checkable.flat()) used.add(name);
    }
    // Every operation gets a rule, with or without `requires`, so a broader regex of another operation can
    // never claim its requests.
    rules.push({ match: buildRouteMatch(operation, input.hostnames), ...(requires ? { requires } : {}) });
  }
  findings.unshift(
    ...[...unenforced].map(([name, operations]) =>
      buildAuthFinding(name, schemes[name], operations, input, schemesPointer),
    ),
    ...findUnsupportedCors(input),
  );
  if (enforced === 0) return { findings };
  return { spec: buildProxyPatch(input, [...used].sort(), rules), findings };
}

/**
 * One requirement object is an AND: a request must meet every scheme in it. When the gateway can check some of
 * them (JWTs) but not the others (an API key, a JWT scheme without x-kuma.auth), it requires the JWTs and lets the
 * rest through to the service: weaker at the edge than the spec says, so an error on that requirement rather than
 * a warning on the scheme. (Until this check existed, the whole requirement was dropped, JWT included, silently.)
 */
function buildPartialFinding(
  names: string[],
  index: number,
  operation: AuthOperation,
  input: AuthInput,
  enforceable: (name: string) => boolean,
): Finding | undefined {
  const checked = names.filter(enforceable);
  const unchecked = names.filter((name) => !enforceable(name));
  if (checked.length === 0 || unchecked.length === 0) return undefined;
  const quote = (list: string[]) => list.map((name) => `"${name}"`).join(', ');
  const declared = valueAt(input.bundle, operation.pointer);
  const own = isObject(declared) && declared.security !== undefined;
  const pointer = `${own ? `${operation.pointer}/security` : '/security'}/${index}`;
  return {
    kind: 'routing',
    id: 'kuma-auth-partial',
    severity: 'error',
    operation: operation.label,
    ...input.locate(pointer),
    message: `${operation.label}: this security requirement needs ${quote(checked)} and ${quote(unchecked)} together, but the Kuma gateway can only check ${quote(checked)}: ${quote(unchecked)} would reach the service unchecked at the edge`,
    hint: `add x-kuma.auth entries for ${quote(unchecked)} if they are JWT schemes; the gateway cannot check any other kind of scheme, so a requirement combining one with a JWT cannot be enforced at the edge`,
  };
}

/**
 * `x-kuma.cors` cannot be expressed on the builtin gateway: it has no CORS filter, and a preflight (OPTIONS)
 * matches no route and gets 404. One warning per x-kuma block that sets it, naming the target that can.
 */
function findUnsupportedCors(input: AuthInput): Finding[] {
  const byOrigin = new Map<string, string[]>();
  for (const operation of input.operations) {
    if (operation.settings?.cors === undefined) continue;
    const pathItem = operation.pointer.slice(0, operation.pointer.lastIndexOf('/'));
    const origin =
      [operation.pointer, pathItem, '']
        .map((owner) => `${owner}/x-kuma/cors`)
        .find((pointer) => valueAt(input.bundle, pointer) !== undefined) ?? '/x-kuma';
    const labels = byOrigin.get(origin) ?? [];
    if (!labels.includes(operation.label)) labels.push(operation.label);
    byOrigin.set(origin, labels);
  }
  return [...byOrigin].map(([pointer, labels]) => ({
    kind: 'routing',
    id: 'x-kuma-target-unsupported',
    severity: 'warning',
    ...input.locate(pointer),
    ...(labels.length === 1 ? { operation: labels[0] } : {}),
    message: `x-kuma.cors${pointer === '/x-kuma' ? ' (from the config defaults)' : ''} cannot be expressed on target kuma-gateway: the builtin gateway has no CORS filter and answers preflight requests with 404, so ${labels.length === 1 ? `${labels[0]} gets` : `${labels.length} operations (first: ${labels[0]}) get`} no CORS headers; use target: gateway-api for this API`,
  }));
}

/** The value at a JSON pointer of the bundle, or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (!isObject(value) && !Array.isArray(value)) return undefined;
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function buildProxyPatch(
  input: AuthInput,
  used: string[],
  rules: Record<string, unknown>[],
): Record<string, unknown> {
  const clusters = new Map<string, Record<string, unknown>>();
  const providers: Record<string, unknown> = {};
  for (const name of used) {
    const provider = input.providers[name]!;
    const url = new URL(provider.jwksUri);
    const tls = url.protocol === 'https:';
    const port = Number(url.port || (tls ? 443 : 80));
    // WHATWG URL already gives the canonical form: lower-case names, dotted-quad IPv4, bracketed IPv6.
    const ip = url.hostname.startsWith('[') || /^[0-9.]+$/.test(url.hostname);
    const host = ip ? url.hostname.replace(/^\[|\]$/g, '') : url.hostname;
    const cluster = jwksClusterName(input.api, name);
    clusters.set(cluster, buildJwksCluster(cluster, { host, ip }, port, tls));
    providers[name] = {
      issuer: provider.issuer,
      ...(provider.audiences ? { audiences: provider.audiences } : {}),
      remoteJwks: {
        httpUri: { uri: provider.jwksUri, cluster, timeout: '5s' },
        cacheDuration: '600s',
        // Fetched once in the main thread and shared by the workers; an updated listener only takes over once
        // its keys are fetched (or the fetch failed), so requests are not paused for a fetch per worker.
        asyncFetch: { fastListener: false },
        // A transient IdP failure is retried with back-off instead of leaving the gateway without keys.
        retryPolicy: { numRetries: 3, retryBackOff: { baseInterval: '0.5s', maxInterval: '5s' } },
      },
      forward: provider.forward ?? true,
    };
  }
  const filter = {
    name: jwtFilterName(input.api),
    typedConfig: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
      providers,
      rules,
    },
  };
  const clusterPatches = [...clusters.keys()]
    .sort()
    .map((name) => ({ cluster: { operation: 'Add', value: toYaml(clusters.get(name)!) } }));
  return {
    targetRef: { kind: 'MeshGateway', name: input.gateway },
    default: {
      appendModifications: [
        ...clusterPatches,
        {
          httpFilter: {
            operation: 'AddBefore',
            // Only the listeners Kuma's gateway generator makes: a gateway proxy has others with an HTTP
            // connection manager too (Prometheus metrics, admin), which must not demand this API's JWTs.
            // (A cluster `Add` takes no match in Kuma: the targetRef already limits it to the gateway's proxies.)
            match: { name: 'envoy.filters.http.router', origin: 'gateway' },
            value: toYaml(filter),
          },
        },
      ],
    },
  };
}

/**
 * One jwt_authn filter per API, named after it. Kuma concatenates the `appendModifications` of every
 * MeshProxyPatch that selects the gateway (`Append*` lists are appended on merge, core/rules/merge/merge.go), so
 * each API on a shared gateway adds its own filter to the same HTTP connection manager. Envoy finds a filter's
 * factory by the `typed_config` type, not the name, and does not require unique names, but names are how
 * everything else addresses a filter: per-route `typed_per_filter_config` and `disabled` entries, Kuma's own
 * `match: {name}` in later patches, Envoy's config dump. One shared filter built from every API on the gateway
 * is not an option: APIs of other repos and tenants are rendered and deployed independently. The rules of each
 * API's filter match only its own hosts (or, without hostnames, its own methods and paths), so the filters do
 * not interfere.
 */
function jwtFilterName(api: string): string {
  return `envoy.filters.http.jwt_authn.${buildName(api)}`;
}

/**
 * One JWKS cluster per API and provider: Kuma adds clusters by name and a later one with the same name replaces
 * the earlier, so a name shared by two different clusters (`https://idp` and `http://idp:443`, or two APIs) would
 * send one provider's key fetches to the other's endpoint or without TLS. A provider name that does not survive
 * as a slug (case, `_`) gets a hash of itself, so `Bearer` and `bearer` stay apart.
 */
function jwksClusterName(api: string, provider: string): string {
  const exact = buildSlug(provider) === provider;
  const hash = createHash('sha256').update(provider).digest('hex').slice(0, 8);
  return buildName(api, 'jwks', provider, ...(exact ? [] : [hash]));
}

function buildJwksCluster(
  name: string,
  { host, ip }: { host: string; ip: boolean },
  port: number,
  tls: boolean,
): Record<string, unknown> {
  return {
    name,
    type: 'STRICT_DNS',
    connectTimeout: '5s',
    loadAssignment: {
      clusterName: name,
      endpoints: [
        { lbEndpoints: [{ endpoint: { address: { socketAddress: { address: host, portValue: port } } } }] },
      ],
    },
    ...(tls
      ? {
          transportSocket: {
            name: 'envoy.transport_sockets.tls',
            typedConfig: {
              '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
              // SNI carries host names only (RFC 6066 §3); an IP literal is checked against the IP SAN instead.
              ...(ip ? {} : { sni: host }),
              commonTlsContext: {
                validationContext: {
                  trustedCa: { filename: JWKS_CA_BUNDLE },
                  matchTypedSubjectAltNames: [
                    { sanType: ip ? 'IP_ADDRESS' : 'DNS', matcher: { exact: host } },
                  ],
                },
              },
            },
          },
        }
      : {}),
  };
}

/** OR of alternatives (scheme names), AND within one; an empty alternative (`{}`) makes the token optional. */
function buildRequirement(alternatives: string[][]): Requirement {
  const each = alternatives.map((alternative): Requirement => {
    const names = [...alternative].sort();
    if (names.length === 0) return { allowMissing: {} };
    if (names.length === 1) return { providerName: names[0] };
    return { requiresAll: { requirements: names.map((providerName) => ({ providerName })) } };
  });
  return each.length === 1 ? each[0]! : { requiresAny: { requirements: each } };
}

function buildRouteMatch(operation: AuthOperation, hostnames: string[]): Record<string, unknown> {
  const path =
    operation.match.type === 'Exact'
      ? { path: operation.match.value }
      : { safeRegex: { regex: operation.match.value } };
  const params = operation.params ?? [];
  const headers: Record<string, unknown>[] = [
    { name: ':method', stringMatch: { exact: operation.method } },
    ...params
      .filter((param) => param.in === 'header')
      .map(({ name, value }) => ({ name, ...buildValueMatch(value) })),
  ];
  if (hostnames.length > 0) {
    headers.push({
      name: ':authority',
      stringMatch: { safeRegex: { regex: buildAuthorityRegex(hostnames) } },
    });
  }
  const query = params
    .filter((param) => param.in === 'query')
    .map(({ name, value }) => ({ name, ...buildValueMatch(value) }));
  return { ...path, headers, ...(query.length > 0 ? { queryParameters: query } : {}) };
}

/** A header or query parameter matcher's value: this one, or any (present). */
function buildValueMatch(value: string | undefined): Record<string, unknown> {
  return value === undefined ? { presentMatch: true } : { stringMatch: { exact: value } };
}

/**
 * Every Host header Envoy routes to these hostnames' virtual host must meet the rule, or changing the Host header
 * skips authentication. Envoy selects the virtual host case-insensitively, and a `*.` domain covers any non-empty
 * prefix, several labels included (`RouteMatcher::findVirtualHost`); Kuma passes route hostnames verbatim as
 * domains. So: RE2 `(?i)` (a StringMatcher's `ignoreCase` has no effect on `safeRegex`), `.+` for the wildcard,
 * and an optional port. Without hostnames no `:authority` header is matched: the API's routes serve every host of
 * the gateway, and the rule is scoped by this API's own method and path matches.
 */
function buildAuthorityRegex(hostnames: string[]): string {
  const hosts = hostnames.map((host) => {
    if (host === '*') return '.+';
    return host.startsWith('*.') ? `.+${escapeRegex(host.slice(1))}` : escapeRegex(host);
  });
  return `(?i)^(?:${hosts.join('|')})(?::[0-9]+)?$`;
}

export function isJwtScheme(scheme: unknown): boolean {
  if (!isObject(scheme)) return false;
  if (scheme.type === 'http') return String(scheme.scheme).toLowerCase() === 'bearer';
  return scheme.type === 'openIdConnect' || scheme.type === 'oauth2';
}

export function readSchemes(bundle: Record<string, unknown>): {
  schemes: Record<string, unknown>;
  pointer: string;
} {
  const components = bundle.components;
  if (isObject(components) && isObject(components.securitySchemes)) {
    return { schemes: components.securitySchemes, pointer: '/components/securitySchemes' };
  }
  if (isObject(bundle.securityDefinitions))
    return { schemes: bundle.securityDefinitions, pointer: '/securityDefinitions' };
  return { schemes: {}, pointer: '/components/securitySchemes' };
}

function buildAuthFinding(
  name: string,
  scheme: unknown,
  operations: string[],
  input: AuthInput,
  schemesPointer: string,
): Finding {
  const count =
    operations.length === 1
      ? `operation ${operations[0]}`
      : `${operations.length} operations (first: ${operations[0]})`;
  const base = {
    kind: 'routing' as const,
    severity: 'warning' as const,
    ...input.locate(`${schemesPointer}/${escapePointer(name)}`),
  };
  if (isJwtScheme(scheme)) {
    return {
      ...base,
      id: 'kuma-auth-not-configured',
      message: `security scheme "${name}" is not enforced at the gateway for ${count}: add x-kuma.auth.${name} with issuer and jwksUri so the gateway validates its JWTs`,
    };
  }
  const type = isObject(scheme)
    ? [scheme.type, scheme.scheme].filter((part) => typeof part === 'string').join(' ')
    : 'undefined';
  return {
    ...base,
    id: 'kuma-auth-unenforceable',
    message: `security scheme "${name}" (${type || 'unknown type'}) cannot be enforced by the Kuma gateway: ${count} reach the service without authentication at the edge, so the service must check it${gatewayApiEnforces(scheme) ? `; target gateway-api enforces it (Envoy Gateway SecurityPolicy ${isObject(scheme) && scheme.type === 'apiKey' ? 'apiKeyAuth' : 'oidc'})` : ''}`,
  };
}

/** API keys (Secrets named in the config) and OpenID Connect logins, which target gateway-api can enforce. */
function gatewayApiEnforces(scheme: unknown): boolean {
  return isObject(scheme) && (scheme.type === 'apiKey' || scheme.type === 'openIdConnect');
}

/** Envoy config embedded as YAML text (Kuma parses it with Go YAML): the same parity emitter as the files. */
function toYaml(value: unknown): string {
  return stringifyYaml(value);
}
