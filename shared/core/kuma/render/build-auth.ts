/**
 * OpenAPI `security` → JWT validation at the gateway. Kuma OSS has no auth policy, so this is a MeshProxyPatch
 * that adds Envoy's jwt_authn filter (plus one cluster per JWKS host). Its rules are generated from the same
 * ordered operation list as the routes, one per operation, so Envoy's first-match picks the same operation
 * Kuma routes to. Schemes the gateway cannot check become warnings, never a silent pass.
 * @module
 */
import type { Finding } from '../../findings.js';
import type { SourcePosition } from '../../spec/types.js';
import { stringifyYaml } from '../../yaml-output.js';
import { buildName } from './names.js';
import type { PathMatch } from './path-match.js';
import { escapeRegex } from './path-match.js';
import { escapePointer, isObject } from './resolve-ref.js';
import type { JwtProvider } from './types.js';

export interface AuthOperation {
  method: string;
  /** `METHOD /path`, for messages. */
  label: string;
  match: PathMatch;
  /** Exact query and header matches of the route (a `#name=value` path fragment): the rule requires them too. */
  params?: { in: 'query' | 'header'; name: string; value?: string }[];
  /** Effective OpenAPI security requirement (operation's, else the root's); undefined: none. */
  security: unknown;
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
  const unenforced = new Map<string, string[]>();
  const used = new Set<string>();
  const rules: Record<string, unknown>[] = [];
  let enforced = 0;
  for (const operation of input.operations) {
    const alternatives = Array.isArray(operation.security) ? operation.security.filter(isObject) : [];
    const names = alternatives.flatMap((alternative) => Object.keys(alternative));
    const missing = names.filter((name) => !isJwtScheme(schemes[name]) || !input.providers[name]);
    for (const name of missing) {
      const labels = unenforced.get(name);
      if (labels) labels.push(operation.label);
      else unenforced.set(name, [operation.label]);
    }
    const requires =
      alternatives.length > 0 && missing.length === 0 ? buildRequirement(alternatives) : undefined;
    if (requires) {
      enforced++;
      for (const name of names) used.add(name);
    }
    // Every operation gets a rule, with or without `requires`, so a broader regex of another operation can
    // never claim its requests.
    rules.push({ match: buildRouteMatch(operation, input.hostnames), ...(requires ? { requires } : {}) });
  }
  const findings = [...unenforced].map(([name, operations]) =>
    buildAuthFinding(name, schemes[name], operations, input, schemesPointer),
  );
  if (enforced === 0) return { findings };
  return { spec: buildProxyPatch(input, [...used].sort(), rules), findings };
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
    const cluster = buildName(input.api, 'jwks', host, String(port));
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
    name: 'envoy.filters.http.jwt_authn',
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
            match: { name: 'envoy.filters.http.router' },
            value: toYaml(filter),
          },
        },
      ],
    },
  };
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

/** OR of alternatives, AND within one; an empty alternative (`{}`) makes the token optional. */
function buildRequirement(alternatives: Record<string, unknown>[]): Requirement {
  const each = alternatives.map((alternative): Requirement => {
    const names = Object.keys(alternative).sort();
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

function isJwtScheme(scheme: unknown): boolean {
  if (!isObject(scheme)) return false;
  if (scheme.type === 'http') return String(scheme.scheme).toLowerCase() === 'bearer';
  return scheme.type === 'openIdConnect' || scheme.type === 'oauth2';
}

function readSchemes(bundle: Record<string, unknown>): { schemes: Record<string, unknown>; pointer: string } {
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
    kind: 'validation' as const,
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
    message: `security scheme "${name}" (${type || 'unknown type'}) cannot be enforced by the Kuma gateway: ${count} reach the service without authentication at the edge, so the service must check it`,
  };
}

/** Envoy config embedded as YAML text (Kuma parses it with Go YAML): the same parity emitter as the files. */
function toYaml(value: unknown): string {
  return stringifyYaml(value);
}
