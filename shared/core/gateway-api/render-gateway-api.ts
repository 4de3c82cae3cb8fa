/**
 * The `gateway-api` render target: the exposed operations of one API → Gateway API v1 HTTPRoutes attached to
 * the platform's `Gateway` of a delegated gateway (Envoy Gateway), a ReferenceGrant when the backends live in
 * another namespace than the routes, the edge policies of the gateway product (plug-ins, edge.ts) and the mesh
 * leg from the gateway's sidecar to the backends. Pure.
 *
 * Routes are grouped and named like the builtin target's (group-routes.ts: after where their settings are
 * written, or a pinned `x-kuma.route`), then split so that every operation of one HTTPRoute has the same
 * {@link edgePolicyKey} (a policy targets a whole route) and no HTTPRoute exceeds the CRD's limits (16 rules,
 * 128 matches in all). Rules keep the operations' label order; templated paths are padded like the builtin
 * target's (plan-regex-order.ts), since Envoy Gateway also ranks regexes by length (gatewayapi/sort.go).
 * @module
 */
import { createHash } from 'node:crypto';
import { dropRejected } from '../drop-rejected.js';
import type { Finding, SourcePosition } from '../findings.js';
import { parseDuration } from '../kuma/render/duration.js';
import { groupRoutes, type RouteGroup, stableStringify } from '../kuma/render/group-routes.js';
import {
  buildLabels,
  collectBackends,
  dropInvalid,
  dropNameCollisions,
  type NameOrigin,
} from '../kuma/render/kuma-gateway-target.js';
import { buildName, buildSlug } from '../kuma/render/names.js';
import { padRegexMatches } from '../kuma/render/plan-regex-order.js';
import { compareText, type PreparedApi } from '../kuma/render/prepare-api.js';
import type { OperationRoute, RenderInput, RenderResult, RenderTarget } from '../kuma/render/render-api.js';
import type { RenderedOperation } from '../kuma/render/render-operation.js';
import { routeKeys } from '../kuma/render/settings.js';
import type { ParentGatewayRef } from '../kuma/render/types.js';
import { isManifestResource, type KumaResource, type RenderedResource } from '../kuma/resource.js';
import type { RequestMatch } from '../routing/path-fragment.js';
import { buildBackendTrafficPolicies } from './backend-traffic-policy.js';
import { buildCorsFilters } from './cors.js';
import {
  type EdgeInput,
  type EdgeOutput,
  type EdgeRoute,
  edgePolicyKey,
  type ManifestResource,
  type MeshLegInput,
  type MeshLegOutput,
  type RuleFilter,
  ruleOnlyKeys,
} from './edge.js';
import { formatGatewayDuration } from './gateway-duration.js';
import { buildMeshLeg } from './mesh-leg.js';
import { buildSecurityPolicies } from './security-policy.js';
import { type GatewayApiProblem, validateGatewayApiResources } from './validate/index.js';

export { formatGatewayDuration };

export const gatewayApiVersion = 'gateway.networking.k8s.io/v1';
export const referenceGrantApiVersion = 'gateway.networking.k8s.io/v1beta1';

/** HTTPRoute CRD (gateway-api config/crd/standard): `spec.rules` maxItems, and the CEL limit on all matches. */
export const maxRulesPerRoute = 16;
export const maxMatchesPerRoute = 128;

/** Namespace of a Kubernetes Service when the config names none (render-repo.ts applies the same default). */
const defaultNamespace = 'default';

/** x-kuma keys that decide the builtin target's route groups: equal within a group by construction. */
const groupKeys = new Set(['timeout', 'idleTimeout', 'retries', 'rateLimit']);

/** One HTTPRoute to be: its name, operations (one rule each) and where its name comes from. */
interface RouteDraft {
  name: string;
  operations: RenderedOperation[];
  origin: NameOrigin;
}

/** The plug-ins of one gateway product: its edge policies, the mesh leg to the backends, its validation. */
export interface GatewayApiPlugins {
  /** Each renders its policies for the routes (every operation of a route shares one edge policy key). */
  edge: ((input: EdgeInput) => EdgeOutput)[];
  meshLeg(input: MeshLegInput): MeshLegOutput;
  /** The Gateway API and product objects the cluster would reject. */
  validate(resources: ManifestResource[]): GatewayApiProblem[];
}

/**
 * Envoy Gateway: Gateway API CORS filters (Envoy Gateway answers preflights only for those), SecurityPolicy and
 * BackendTrafficPolicy, Kuma's mesh leg, its CRDs and controller rules.
 */
export const envoyGatewayPlugins: GatewayApiPlugins = {
  edge: [buildCorsFilters, buildSecurityPolicies, buildBackendTrafficPolicies],
  meshLeg: buildMeshLeg,
  validate: validateGatewayApiResources,
};

/** A gateway-api render target for one gateway product (a Kong target would pass KongPlugin plug-ins). */
export function createGatewayApiTarget(plugins: GatewayApiPlugins): RenderTarget {
  return (input, prepared) => renderWith(plugins, input, prepared);
}

export const renderGatewayApi: RenderTarget = createGatewayApiTarget(envoyGatewayPlugins);

function renderWith(plugins: GatewayApiPlugins, input: RenderInput, prepared: PreparedApi): RenderResult {
  const { spec, api } = input;
  const { findings, bundle, root } = prepared;
  const parent = api.parentRef;
  const refuse = (message: string) => {
    findings.push({
      kind: 'validation',
      id: 'config-target',
      severity: 'error',
      message,
      ...spec.locate(''),
    });
    return { resources: [], manifests: [], findings, operations: [] };
  };
  if (!parent) {
    return refuse(
      `API "${api.name}" has target gateway-api but no parentRef: name the Gateway its HTTPRoutes attach to (nothing is rendered)`,
    );
  }
  if ((input.format ?? 'k8s') !== 'k8s') {
    return refuse(
      `API "${api.name}" has target gateway-api, which renders Kubernetes objects only (HTTPRoute, ReferenceGrant, Envoy Gateway policies): render it with --format k8s (nothing is rendered)`,
    );
  }
  const routeNamespace = api.routeNamespace ?? api.service?.namespace ?? defaultNamespace;
  const hostnames = [...(api.hostnames ?? [])].sort();
  const operations = padRegexMatches(prepared.operations);
  const grouped = groupRoutes(api.name, operations, spec.locate);
  findings.push(...grouped.findings);
  const drafts = grouped.groups
    .flatMap((group) => splitByPolicy(group, bundle.security, root))
    .flatMap(splitByLimits);

  const labels = buildLabels(api.name, false);
  const manifest = (apiVersion: string, kind: string, name: string, namespace: string, spec: object) =>
    ({ apiVersion, kind, name, namespace, labels, spec }) as ManifestResource;
  const namedBy = new Map<RenderedResource, NameOrigin>();
  const resources: RenderedResource[] = [];
  for (const draft of drafts) {
    const route = manifest(
      gatewayApiVersion,
      'HTTPRoute',
      draft.name,
      routeNamespace,
      buildRouteSpec(draft, parent, routeNamespace, hostnames, findings, spec.locate),
    );
    resources.push(route);
    namedBy.set(route, draft.origin);
  }
  const backendNamespace = api.service?.namespace ?? defaultNamespace;
  if (drafts.length > 0 && backendNamespace !== routeNamespace) {
    const services = [...new Set(collectBackends(operations).map((backend) => backend.name))].sort();
    resources.push(
      manifest(referenceGrantApiVersion, 'ReferenceGrant', buildName(api.name), backendNamespace, {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: routeNamespace }],
        to: services.map((name) => ({ group: '', kind: 'Service', name })),
      }),
    );
  }

  const edge: EdgeInput = {
    api,
    bundle,
    root,
    routes: drafts.map(
      (draft): EdgeRoute => ({
        name: draft.name,
        namespace: routeNamespace,
        operations: draft.operations.map((operation) => ({
          label: operation.label,
          pointer: operation.pointer,
          method: operation.method,
          security: operation.security,
          settings: operation.settings,
          origins: operation.origins,
          routeSettings: operation.routeSettings,
        })),
      }),
    ),
    labels,
    locate: spec.locate,
  };
  const { labels: _edgeLabels, ...legInput } = edge;
  const routeSpecs = new Map(
    resources.filter((r) => r.kind === 'HTTPRoute').map((route) => [route.name, route.spec]),
  );
  const addFilter = ({ route, ruleIndex, filter }: RuleFilter) => {
    const rule = (routeSpecs.get(route)?.rules as Record<string, unknown>[] | undefined)?.[ruleIndex];
    if (rule) rule.filters = [...((rule.filters as unknown[] | undefined) ?? []), filter];
  };
  for (const plugin of [
    ...plugins.edge.map((build) => build(edge)),
    plugins.meshLeg({
      ...legInput,
      mesh: input.mesh ?? 'default',
      labels: buildLabels(api.name, input.zoneOrigin === true),
      backends: collectBackends(operations),
    }),
  ]) {
    resources.push(...plugin.resources);
    findings.push(...plugin.findings);
    for (const filter of ('ruleFilters' in plugin ? plugin.ruleFilters : undefined) ?? []) addFilter(filter);
  }

  if (drafts.length > 0) findings.push(...reportGatewayWideKeys(root, bundle, spec.locate));

  const unique = dropNameCollisions(resources, namedBy, findings, spec);
  const position = () => spec.locate('/x-kuma');
  const objects = unique.filter(isManifestResource);
  const manifests = dropRejected(objects, plugins.validate(objects), findings, position, {
    id: 'gateway-api-invalid-resource',
    by: '',
    routesTargeted: (resource) => targetsOf(resource).map((name) => `HTTPRoute/${name}`),
  });
  const meshLeg = dropInvalid(
    unique.filter((resource): resource is KumaResource => !isManifestResource(resource)),
    findings,
    position,
  );
  const routes = new Set(manifests.filter((r) => r.kind === 'HTTPRoute').map((r) => r.name));
  return {
    resources: meshLeg.sort(compareResources),
    manifests: manifests.sort(compareResources),
    findings,
    operations: drafts
      .filter((draft) => routes.has(draft.name))
      .flatMap((draft) => placeOperations(draft, routeNamespace)),
  };
}

/** Root x-kuma keys the builtin target renders gateway-wide that a delegated gateway's routes cannot carry. */
const gatewayWideKeys = {
  accessLog: { what: 'access logs', field: 'spec.telemetry.accessLog', kind: 'MeshAccessLog' },
  trace: { what: 'tracing', field: 'spec.telemetry.tracing', kind: 'MeshTrace' },
} as const;

/**
 * Envoy Gateway configures access logs and tracing per Gateway (its EnvoyProxy `telemetry`), which the
 * platform team owns, not per route: a warning names the target that renders the key. Located at the spec's
 * key, else the spec's root (the key then comes from the repo config's defaults).
 */
function reportGatewayWideKeys(
  root: PreparedApi['root'],
  bundle: Record<string, unknown>,
  locate: (pointer: string) => SourcePosition,
): Finding[] {
  const own = (bundle['x-kuma'] ?? {}) as Record<string, unknown>;
  return (Object.keys(gatewayWideKeys) as (keyof typeof gatewayWideKeys)[])
    .filter((key) => root[key] !== undefined)
    .map((key) => ({
      kind: 'routing',
      id: 'x-kuma-target-unsupported',
      severity: 'warning',
      message: `x-kuma ${key} is not rendered for target gateway-api: Envoy Gateway sets ${gatewayWideKeys[key].what} for a whole Gateway in its EnvoyProxy (${gatewayWideKeys[key].field}), which the platform team owns; target kuma-gateway renders it (${gatewayWideKeys[key].kind})${key in own ? '' : ' (set in the repo config defaults)'}`,
      ...locate(key in own ? `/x-kuma/${key}` : ''),
    }));
}

/**
 * A route group's operations by their edge policy key. One key: the group as it is. Several: each keeps the
 * group's name plus what sets it apart, read from its own operations only (so adding or changing another
 * operation renames nothing else): the security schemes of an operation-level `security` (`public` for none),
 * and a hash of route-wide x-kuma keys (e.g. `cors`) that differ from the API's root.
 */
function splitByPolicy(
  group: RouteGroup<RenderedOperation>,
  rootSecurity: unknown,
  root: PreparedApi['root'],
): RouteDraft[] {
  const byKey = new Map<string, RenderedOperation[]>();
  for (const operation of group.operations) {
    const key = edgePolicyKey(operation);
    byKey.set(key, [...(byKey.get(key) ?? []), operation]);
  }
  if (byKey.size === 1) return [{ name: group.name, operations: group.operations, origin: group.origin }];
  const taken = new Set<string>();
  return [...byKey.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([key, members]) => {
      const first = members[0]!;
      const parts = [
        ...(stableStringify(first.security ?? null) === stableStringify(rootSecurity ?? null)
          ? []
          : [securitySlug(first.security)]),
        ...(differsFromRoot(first, root) ? [hash(stableStringify(policySettings(first.settings)))] : []),
      ];
      let name = buildName(group.name, ...parts);
      if (taken.has(name)) name = buildName(group.name, ...parts, hash(key));
      taken.add(name);
      return {
        name,
        operations: members,
        origin: { pointer: first.pointer, operation: first.label },
      };
    });
}

/** `[{oauth: [...]}, {apiKey: []}]` → `api-key-oauth`; no requirement at all (`[]`, `[{}]`) → `public`. */
function securitySlug(security: unknown): string {
  const names = Array.isArray(security)
    ? [...new Set(security.flatMap((requirement) => Object.keys(requirement ?? {})))].sort()
    : [];
  return names.length > 0 ? buildSlug(names.join('-')) || hash(stableStringify(security)) : 'public';
}

/**
 * The per-operation x-kuma keys (settings.ts `routeKeys`) that are route-wide policies the builtin target does
 * not group by (e.g. `cors`). Root-only keys (auth, circuitBreaker…) are the same for every operation.
 */
function policySettings(settings: object): Record<string, unknown> {
  const perOperation = new Set<string>(routeKeys);
  return Object.fromEntries(
    Object.entries(settings).filter(
      ([key]) => perOperation.has(key) && !groupKeys.has(key) && !ruleOnlyKeys.has(key),
    ),
  );
}

function differsFromRoot(operation: RenderedOperation, root: PreparedApi['root']): boolean {
  const own = policySettings(operation.settings);
  const inherited = policySettings(root);
  return Object.keys({ ...own, ...inherited }).some(
    (key) => stableStringify(own[key] ?? null) !== stableStringify(inherited[key] ?? null),
  );
}

/** At most 16 rules and 128 matches per HTTPRoute: the first part keeps the name, the next get `-2`, `-3`… */
function splitByLimits(route: RouteDraft): RouteDraft[] {
  const parts: RenderedOperation[][] = [];
  let current: RenderedOperation[] = [];
  let matches = 0;
  for (const operation of route.operations) {
    const size = operation.matches.length;
    if (current.length > 0 && (current.length === maxRulesPerRoute || matches + size > maxMatchesPerRoute)) {
      parts.push(current);
      current = [];
      matches = 0;
    }
    current.push(operation);
    matches += size;
  }
  parts.push(current);
  return parts.map((operations, index) => ({
    ...route,
    name: index === 0 ? route.name : buildName(route.name, String(index + 1)),
    operations,
  }));
}

function buildRouteSpec(
  route: RouteDraft,
  parent: ParentGatewayRef,
  routeNamespace: string,
  hostnames: readonly string[],
  findings: Finding[],
  locate: (pointer: string) => SourcePosition,
): Record<string, unknown> {
  return {
    parentRefs: [
      {
        name: parent.name,
        namespace: parent.namespace ?? routeNamespace,
        ...(parent.sectionName ? { sectionName: parent.sectionName } : {}),
      },
    ],
    ...(hostnames.length > 0 ? { hostnames } : {}),
    rules: route.operations.map((operation) => {
      const timeout = buildRequestTimeout(operation, findings, locate);
      return {
        matches: operation.matches.map(({ match }) => ({
          path: { type: match.type, value: match.value },
          method: operation.method,
          ...buildParamMatches(operation.params),
        })),
        ...(operation.ruleDefault.filters ? { filters: operation.ruleDefault.filters } : {}),
        backendRefs: toServiceRefs(operation.ruleDefault.backendRefs, routeNamespace),
        ...(timeout ? { timeouts: { request: timeout } } : {}),
      };
    }),
  };
}

/**
 * The rendered MeshService references as Gateway API backendRefs to the Kubernetes Services of the same name
 * and port (Gateway API's default group and kind); the namespace only when it is not the route's.
 */
function toServiceRefs(refs: Record<string, unknown>[], routeNamespace: string): Record<string, unknown>[] {
  return refs.map((ref) => ({
    name: ref.name,
    ...(typeof ref.namespace === 'string' && ref.namespace !== routeNamespace
      ? { namespace: ref.namespace }
      : {}),
    port: ref.port,
    ...(ref.weight === undefined ? {} : { weight: ref.weight }),
  }));
}

/**
 * x-kuma `timeout` → `timeouts.request` (the whole request, retries included, like Kuma's request timeout).
 * Without one Envoy Gateway sets no route timeout (xds/translator/route.go), so Envoy's route default of 15s
 * applies. Gateway API durations are at most four `<1-5 digits><h|m|s|ms>` parts: a timeout beyond that is a
 * warning and left out.
 */
function buildRequestTimeout(
  operation: RenderedOperation,
  findings: Finding[],
  locate: (pointer: string) => SourcePosition,
): string | undefined {
  const text = operation.routeSettings.timeout;
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  const formatted = ms === undefined ? undefined : formatGatewayDuration(ms);
  if (formatted === undefined) {
    findings.push({
      kind: 'routing',
      id: 'gateway-api-timeout',
      severity: 'warning',
      message: `${operation.label}: x-kuma timeout "${text}" is longer than a Gateway API duration can say (99999h); the route keeps Envoy's default of 15s`,
      operation: operation.label,
      ...locate(operation.origins.timeout ?? operation.pointer),
    });
  }
  return formatted;
}

/**
 * A rule match's `headers` and `queryParams`: Exact, or for a parameter that only has to be present, the regex
 * `.*` (Gateway API has no presence match; Envoy's regex header and query matchers require the parameter).
 */
function buildParamMatches(params: RequestMatch[]): Record<string, unknown> {
  const build = (location: RequestMatch['in']) =>
    params
      .filter((param) => param.in === location)
      .map(({ name, value }) =>
        value === undefined
          ? { type: 'RegularExpression', name, value: '.*' }
          : { type: 'Exact', name, value },
      );
  const headers = build('header');
  const queryParams = build('query');
  return {
    ...(headers.length > 0 ? { headers } : {}),
    ...(queryParams.length > 0 ? { queryParams } : {}),
  };
}

function placeOperations(route: RouteDraft, namespace: string): OperationRoute[] {
  return route.operations.flatMap((operation, ruleIndex) =>
    operation.matches.map((match, matchIndex) => ({
      method: operation.method,
      pathTemplate: match.pathTemplate,
      route: route.name,
      namespace,
      ruleIndex,
      ...(matchIndex > 0 ? { matchIndex } : {}),
      operation: operation.label,
      pointer: operation.pointer,
    })),
  );
}

/** Names of the HTTPRoutes a policy targets (`targetRef` or `targetRefs`, Gateway API policy attachment). */
function targetsOf(resource: ManifestResource): string[] {
  const refs = [
    resource.spec.targetRef,
    ...(Array.isArray(resource.spec.targetRefs) ? resource.spec.targetRefs : []),
  ];
  return refs.flatMap((ref) => {
    const target = ref as { kind?: unknown; name?: unknown } | undefined;
    return target?.kind === 'HTTPRoute' && typeof target.name === 'string' ? [target.name] : [];
  });
}

const kindOrder = ['HTTPRoute', 'ReferenceGrant', 'SecurityPolicy', 'BackendTrafficPolicy'];

function compareResources(a: RenderedResource, b: RenderedResource): number {
  const rank = (kind: string) => (kindOrder.includes(kind) ? kindOrder.indexOf(kind) : kindOrder.length);
  return (
    rank(a.kind) - rank(b.kind) ||
    compareText(a.kind, b.kind) ||
    compareText(a.name, b.name) ||
    compareText(a.namespace ?? '', b.namespace ?? '')
  );
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
