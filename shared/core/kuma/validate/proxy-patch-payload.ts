/**
 * The Envoy configuration inside MeshProxyPatch `value`s. Kuma's webhook decodes each value as YAML into the Envoy
 * message of its modification with protojson, ignoring unknown fields (kumahq/kuma v2.14.3
 * `meshproxypatch/api/v1alpha1/validator.go`, `pkg/util/proto`); Envoy then loads the result and refuses what its
 * protos cannot say: a `requires` naming no provider, an invalid RE2 pattern. Either way the gateway's whole
 * listener stops updating, so these are checked before anything is emitted. Field names and types are proven
 * against Envoy's protos in test/unit/kuma/render/envoy-protos.test.ts; the checks here need no proto at run time.
 * Regex program size is not checked: Kuma's bootstrap raises `re2.max_program_size.error_level` to 2^32-1
 * (`pkg/xds/bootstrap/template_v3.go`), so Envoy never rejects a pattern for its size, it only warns above 1000.
 * @module
 */
import { parse } from 'yaml';
import { explainInvalidRe2 } from './mesh-http-route-rules.js';
import {
  asArray,
  asObject,
  asString,
  type Json,
  joinPath,
  type KumaProblem,
  type Report,
} from './problem.js';

/**
 * Names of the `google.protobuf.Duration` fields of the Envoy messages reachable from Cluster, HttpFilter,
 * jwt_authn and UpstreamTlsContext (test/envoy-protos; the test derives the same list from the protos). protojson
 * reads a Duration only as decimal seconds with an `s` (`5s`, `0.5s`), not Go's `1m` or `500ms`.
 */
export const envoyDurationFields = new Set(
  'access_log_flush_interval base_ejection_time base_interval cache_duration cleanup_interval connect_timeout connection_idle_interval delayed_close_timeout dns_jitter dns_refresh_rate drain_timeout duration endpoint_stale_after failed_refetch_duration flush_timeout grpc_timeout_header_max grpc_timeout_header_offset grpc_timeout_offset healthy_edge_interval idle_network_timeout idle_timeout initial_fetch_timeout initial_interval initial_jitter interval interval_jitter max_connection_duration max_ejection_time max_ejection_time_jitter max_grpc_timeout max_idle_time_before_migration max_interval max_lifetime max_stream_duration max_time_on_non_default_network no_traffic_healthy_interval no_traffic_interval per_try_idle_timeout per_try_timeout refresh_delay request_headers_timeout request_timeout session_timeout slow_start_window stream_flush_timeout stream_idle_timeout time_to_first_downstream_tx_byte time_to_first_upstream_rx_byte time_to_first_upstream_tx_byte time_to_last_downstream_tx_byte time_to_last_rx_byte time_to_last_upstream_rx_byte time_to_last_upstream_tx_byte timeout ttl unhealthy_edge_interval unhealthy_interval update_merge_window'.split(
    ' ',
  ),
);

/** protojson's Duration: seconds, up to nine fractional digits, `s`. */
const protoDuration = /^-?\d+(\.\d{1,9})?s$/;

const jwtAuthnType = 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';

const modificationKinds = ['cluster', 'listener', 'networkFilter', 'httpFilter', 'virtualHost'] as const;

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A field as protojson reads it: by its JSON (lowerCamel) name or its proto (snake_case) name. */
function field(message: Json | undefined, camel: string): unknown {
  return message?.[camel] ?? message?.[snake(camel)];
}

interface Decoded {
  kind: (typeof modificationKinds)[number];
  operation: string;
  path: string;
  value: Json;
}

/** The decodable `value`s of a MeshProxyPatch spec; those that are not a YAML mapping are reported. */
function decodeValues(spec: Json, report: Report): Decoded[] {
  const decoded: Decoded[] = [];
  const base = 'spec.default.appendModifications';
  for (const [index, item] of asArray(asObject(spec.default)?.appendModifications).entries()) {
    for (const kind of modificationKinds) {
      const body = asObject(asObject(item)?.[kind]);
      const text = asString(body?.value);
      if (text === undefined) continue;
      const path = joinPath(base, index, kind, 'value');
      let value: unknown;
      try {
        value = parse(text);
      } catch (error) {
        report(
          path,
          `not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
          'proxy-patch-value',
        );
        continue;
      }
      const object = asObject(value);
      if (!object) {
        report(path, 'must be a YAML mapping (an Envoy resource)', 'proxy-patch-value');
        continue;
      }
      decoded.push({ kind, operation: asString(body?.operation) ?? '', path, value: object });
    }
  }
  return decoded;
}

/** Every Duration must be in protojson's form, and every Any must say its type, or Kuma cannot decode the value. */
function checkEncoding(value: unknown, path: string, report: Report): void {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) checkEncoding(item, joinPath(path, index), report);
    return;
  }
  const object = asObject(value);
  if (!object) return;
  for (const [key, child] of Object.entries(object)) {
    const at = joinPath(path, key);
    if (typeof child === 'string' && envoyDurationFields.has(snake(key)) && !protoDuration.test(child)) {
      report(
        at,
        `"${child}" is not a protobuf Duration (seconds with an s: "5s", "0.5s")`,
        'proxy-patch-value',
      );
    }
    const any = (key === 'typedConfig' || key === 'typed_config') && asObject(child);
    if (any && Object.keys(any).length > 0 && !asString(any['@type'])) {
      report(at, 'a typed config needs an "@type" naming its Envoy message', 'proxy-patch-value');
    }
    checkEncoding(child, at, report);
  }
}

/** Provider names a jwt_authn requirement uses, at any depth of `requires_any`/`requires_all`. */
function requiredProviders(
  requirement: unknown,
  path: string,
  report: Report,
): { name: string; path: string }[] {
  const object = asObject(requirement);
  if (!object) return [];
  const direct = asString(field(object, 'providerName'));
  if (direct !== undefined) return [{ name: direct, path: joinPath(path, 'providerName') }];
  const withAudiences = asString(field(asObject(field(object, 'providerAndAudiences')), 'providerName'));
  if (withAudiences !== undefined)
    return [{ name: withAudiences, path: joinPath(path, 'providerAndAudiences') }];
  for (const group of ['requiresAny', 'requiresAll']) {
    const list = asObject(field(object, group));
    if (!list) continue;
    const requirements = asArray(field(list, 'requirements'));
    const at = joinPath(path, group, 'requirements');
    // PGV `min_items: 2` on JwtRequirementOrList/AndList, enforced when Envoy loads the filter.
    if (requirements.length < 2) report(at, 'needs at least 2 requirements', 'envoy-jwt-authn');
    return requirements.flatMap((item, index) => requiredProviders(item, joinPath(at, index), report));
  }
  return [];
}

/**
 * What Envoy refuses when it loads a jwt_authn filter (`verifier.cc`: "Required provider ['x'] is not configured";
 * `safe_regex` patterns must compile), and a provider fetching its keys through a cluster no patch adds.
 */
function checkJwtAuthn(config: Json, path: string, clusters: Set<string>, report: Report): void {
  const providers = asObject(field(config, 'providers')) ?? {};
  for (const [name, provider] of Object.entries(providers)) {
    const uri = asObject(field(asObject(field(asObject(provider), 'remoteJwks')), 'httpUri'));
    const cluster = asString(field(uri, 'cluster'));
    if (cluster !== undefined && !clusters.has(cluster)) {
      report(
        joinPath(path, 'providers', name, 'remoteJwks', 'httpUri', 'cluster'),
        `no cluster "${cluster}" is added by this patch: the keys could not be fetched and every token would fail`,
        'envoy-jwt-authn',
      );
    }
  }
  const regex = (matcher: unknown, at: string) => {
    const pattern = asString(field(asObject(field(asObject(matcher), 'safeRegex')), 'regex'));
    const reason = pattern === undefined ? undefined : explainInvalidRe2(pattern);
    if (reason)
      report(
        joinPath(at, 'safeRegex', 'regex'),
        `not a valid RE2 regular expression: ${reason}`,
        'regex-re2',
      );
  };
  for (const [index, rule] of asArray(field(config, 'rules')).entries()) {
    const at = joinPath(path, 'rules', index);
    const match = asObject(field(asObject(rule), 'match'));
    regex(match, joinPath(at, 'match'));
    for (const [h, header] of asArray(field(match, 'headers')).entries())
      regex(field(asObject(header), 'stringMatch'), joinPath(at, 'match', 'headers', h, 'stringMatch'));
    for (const used of requiredProviders(
      field(asObject(rule), 'requires'),
      joinPath(at, 'requires'),
      report,
    )) {
      if (!(used.name in providers))
        report(
          used.path,
          `Envoy refuses the filter: required provider "${used.name}" is not configured`,
          'envoy-jwt-authn',
        );
    }
  }
}

/** Checks the Envoy resources inside one MeshProxyPatch. */
export function checkProxyPatchPayloads(spec: Json, report: Report): void {
  const decoded = decodeValues(spec, report);
  const clusters = new Set(
    decoded
      .filter((d) => d.kind === 'cluster' && d.operation === 'Add')
      .map((d) => String(field(d.value, 'name'))),
  );
  for (const { kind, operation, path, value } of decoded) {
    checkEncoding(value, path, report);
    const name = asString(field(value, 'name'));
    // HttpFilter.name has PGV `min_len: 1`, which Kuma's webhook enforces; an added cluster is keyed by its name.
    if ((kind === 'httpFilter' || (kind === 'cluster' && operation === 'Add')) && !name)
      report(joinPath(path, 'name'), 'must be a non-empty string', 'proxy-patch-value');
    const typed = asObject(field(value, 'typedConfig'));
    if (kind === 'httpFilter' && asString(typed?.['@type'])?.endsWith(`/${jwtAuthnType}`))
      checkJwtAuthn(typed!, joinPath(path, 'typedConfig'), clusters, report);
  }
}

/**
 * Across MeshProxyPatches that select the same proxies: Kuma concatenates their modifications, so two that add an
 * HTTP filter of the same name put both in one connection manager (everything that addresses a filter by name
 * then hits both), and two that add different clusters of the same name leave only the last one.
 */
export function checkSharedProxyPatches(patches: { id: string; mesh: string; spec: Json }[]): KumaProblem[] {
  const problems: KumaProblem[] = [];
  const seen = new Map<string, { id: string; body: string }>();
  for (const { id, mesh, spec } of patches) {
    const target = JSON.stringify([mesh, spec.targetRef ?? { kind: 'Mesh' }]);
    const decoded = decodeValues(spec, () => {});
    for (const { kind, operation, path, value } of decoded) {
      const name = asString(field(value, 'name'));
      const added =
        kind === 'httpFilter' ? operation.startsWith('Add') : kind === 'cluster' && operation === 'Add';
      if (!name || !added) continue;
      const key = `${target}\0${kind}\0${name}`;
      const body = JSON.stringify(value);
      const earlier = seen.get(key);
      if (!earlier) {
        seen.set(key, { id, body });
        continue;
      }
      // Within one patch it is its author's explicit order (Kuma accepts it); across patches it is a clash.
      if (earlier.id === id) continue;
      if (kind === 'cluster' && earlier.body === body) continue; // the same cluster twice is harmless
      problems.push({
        resource: id,
        path: joinPath(path, 'name'),
        message:
          kind === 'httpFilter'
            ? `${earlier.id} already adds an HTTP filter named "${name}" to the same proxies`
            : `${earlier.id} already adds a different cluster named "${name}" to the same proxies; only one would remain`,
        rule: 'proxy-patch-shared',
      });
    }
  }
  return problems;
}
