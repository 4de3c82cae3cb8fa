/**
 * The `kuma-gateway` render target: the exposed operations of one API → the Kuma 2.x resources that serve
 * them on a builtin MeshGateway (MeshHTTPRoutes in Kuma's order, per-route and gateway-wide policies, the JWT
 * proxy patch), validated against Kuma's rules. Pure.
 * @module
 */
import { dropRejected } from '../../drop-rejected.js';
import type { Finding, SourcePosition } from '../../findings.js';
import type { RequestMatch } from '../../routing/path-fragment.js';
import type { LoadedSpec } from '../../spec/types.js';
import type { KumaResource } from '../resource.js';
import { validateKumaResources } from '../validate/index.js';
import { buildAuth } from './build-auth.js';
import { buildGatewayPolicies, buildRoutePolicies, type PolicyDraft } from './build-policies.js';
import type { Backend } from './build-route-parts.js';
import { groupRoutes, type RouteGroup } from './group-routes.js';
import { buildName } from './names.js';
import type { PathMatch } from './path-match.js';
import { padRegexMatches } from './plan-regex-order.js';
import { compareText, type PreparedApi } from './prepare-api.js';
import type { OperationRoute, RenderInput, RenderResult } from './render-api.js';
import type { RenderedOperation } from './render-operation.js';
import { resolveGatewayIdentity } from './traffic-permission.js';

/** Policies that reference a gateway or a route must live in the control plane's system namespace. */
export const systemNamespace = 'kuma-system';

export function renderKumaGateway(input: RenderInput, prepared: PreparedApi): RenderResult {
  const { spec } = input;
  const { findings } = prepared;
  const operations = padRegexMatches(prepared.operations);
  operations.sort((a, b) => compareKumaOrder(firstMatch(a), firstMatch(b)));
  const assembled = assembleResources(input, prepared.bundle, prepared.root, operations, findings);
  const unique = dropNameCollisions(assembled.resources, assembled.namedBy, findings, spec);
  const valid = dropInvalid(unique, findings, () => spec.locate('/x-kuma'));
  const routes = new Set(valid.filter((r) => r.kind === 'MeshHTTPRoute').map((r) => r.name));
  return {
    resources: valid.sort(compareResources),
    manifests: [],
    findings,
    operations: assembled.placed.filter((operation) => routes.has(operation.route)),
  };
}

interface AssembledResources {
  resources: KumaResource[];
  /** Where each operation was placed: route name, rule and match index. */
  placed: OperationRoute[];
  /** Where a route's name comes from, for locating a name collision. */
  namedBy: Map<KumaResource, NameOrigin>;
}

/**
 * The Kuma resources of the exposed operations, in Kuma's order: one MeshHTTPRoute per route group with its
 * per-route policies, then the gateway-wide policies and the JWT proxy patch of the API.
 */
function assembleResources(
  input: RenderInput,
  bundle: Record<string, unknown>,
  root: PreparedApi['root'],
  operations: RenderedOperation[],
  findings: Finding[],
): AssembledResources {
  const { spec, api } = input;
  const format = input.format ?? 'k8s';
  const gateway = api.gateway ?? 'gateway';
  const hostnames = [...(api.hostnames ?? [])].sort();
  const labels = buildLabels(api.name, input.zoneOrigin === true);
  const mesh = input.mesh ?? 'default';
  const resource = (kind: string, name: string, spec: Record<string, unknown>): KumaResource => ({
    kind,
    name,
    namespace: systemNamespace,
    mesh,
    labels,
    spec,
  });
  const fromDraft = (draft: PolicyDraft, prefix: string): KumaResource => {
    const made = resource(draft.kind, buildName(prefix, draft.suffix), draft.spec);
    return draft.labels ? { ...made, labels: { ...made.labels, ...draft.labels } } : made;
  };
  const resources: KumaResource[] = [];
  const placed: OperationRoute[] = [];
  const namedBy = new Map<KumaResource, NameOrigin>();
  const grouped = groupRoutes(api.name, operations, spec.locate);
  findings.push(...grouped.findings);
  for (const group of grouped.groups) {
    placed.push(...placeOperations(group));
    resources.push(resource('MeshHTTPRoute', group.name, buildRouteSpec(group, gateway, hostnames)));
    const policies = buildRoutePolicies(group.name, group.operations[0]!.routeSettings);
    resources.push(...policies.map((policy) => fromDraft(policy, group.name)));
    for (const made of resources.slice(-1 - policies.length)) namedBy.set(made, group.origin);
  }
  if (operations.length > 0) {
    const drafts: PolicyDraft[] = buildGatewayPolicies({
      gateway,
      gatewayIdentity: resolveGatewayIdentity(api, gateway, format),
      format,
      root,
      backends: collectBackends(operations),
    });
    resources.push(...drafts.map((draft) => fromDraft(draft, api.name)));
    const auth = buildAuth({
      api: api.name,
      gateway,
      bundle,
      hostnames,
      // One jwt_authn rule per route match, in Kuma's order, so Envoy's first match is the operation Kuma routes to.
      operations: operations
        .flatMap((operation) => operation.matches.map(({ match }) => ({ ...operation, match })))
        .sort(compareKumaOrder),
      providers: root.auth ?? {},
      locate: spec.locate,
    });
    findings.push(...auth.findings);
    if (auth.spec) resources.push(resource('MeshProxyPatch', buildName(api.name, 'jwt'), auth.spec));
  }
  return { resources, placed, namedBy };
}

/** Where each match of a group's operations lands: the route, the rule index, and the match index past the first. */
function placeOperations(group: RouteGroup<RenderedOperation>): OperationRoute[] {
  return group.operations.flatMap((operation, ruleIndex) =>
    operation.matches.map((match, matchIndex) => ({
      method: operation.method,
      pathTemplate: match.pathTemplate,
      route: group.name,
      ruleIndex,
      ...(matchIndex > 0 ? { matchIndex } : {}),
      operation: operation.label,
      pointer: operation.pointer,
    })),
  );
}

/** A MeshHTTPRoute's spec: one rule per operation of the group, on the API's gateway and hostnames. */
function buildRouteSpec(
  group: RouteGroup<RenderedOperation>,
  gateway: string,
  hostnames: readonly string[],
): Record<string, unknown> {
  return {
    targetRef: { kind: 'MeshGateway', name: gateway },
    to: [
      {
        targetRef: { kind: 'Mesh' },
        ...(hostnames.length > 0 ? { hostnames } : {}),
        rules: group.operations.map((operation) => ({
          matches: operation.matches.map(({ match }) => ({
            path: match,
            method: operation.method,
            ...buildParamMatches(operation.params),
          })),
          default: operation.ruleDefault,
        })),
      },
    ],
  };
}

/** Resources Kuma would reject (and policies on a rejected route) are dropped, each with an error finding. */
export function dropInvalid(
  resources: KumaResource[],
  findings: Finding[],
  locate: () => SourcePosition,
): KumaResource[] {
  return dropRejected(resources, validateKumaResources(resources), findings, locate, {
    id: 'kuma-invalid-resource',
    by: 'by Kuma',
    routesTargeted: (resource) => {
      const target = (resource.spec.targetRef ?? {}) as { kind?: string; name?: string };
      return target.kind === 'MeshHTTPRoute' ? [`MeshHTTPRoute/${target.name}`] : [];
    },
  });
}

/** Where a resource's name comes from: its route's group, or the API (gateway-wide policies). */
export type NameOrigin = { pointer: string; operation?: string };

/**
 * Two resources of one kind and name would be one file and one object in `kuma-system`: one would silently
 * replace the other. Route names are distinct by construction (group-routes.ts), so this guards the names of
 * the other resources: an error on both origins; only the first resource of a name is kept.
 */
export function dropNameCollisions<R extends { kind: string; name: string }>(
  resources: R[],
  namedBy: ReadonlyMap<R, NameOrigin>,
  findings: Finding[],
  spec: LoadedSpec,
): R[] {
  const first = new Map<string, R>();
  const kept: R[] = [];
  for (const resource of resources) {
    const key = `${resource.kind}/${resource.name}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, resource);
      kept.push(resource);
      continue;
    }
    for (const origin of new Set([namedBy.get(earlier), namedBy.get(resource)])) {
      findings.push({
        kind: 'routing',
        id: 'kuma-name-collision',
        severity: 'error',
        message: `${resource.kind} "${resource.name}" is rendered twice: one would overwrite the other; pin a distinct route name with x-kuma.route`,
        ...(origin?.operation ? { operation: origin.operation } : {}),
        ...spec.locate(origin?.pointer ?? '/x-kuma'),
      });
    }
  }
  return kept;
}

/** Kuma's own order (Exact before regex, longer value first) so jwt_authn's first match agrees with routing. */
function compareKumaOrder(
  a: { match: PathMatch; method: string; params: RequestMatch[] },
  b: { match: PathMatch; method: string; params: RequestMatch[] },
): number {
  const rank = (match: PathMatch) => (match.type === 'Exact' ? 0 : 1);
  return (
    rank(a.match) - rank(b.match) ||
    b.match.value.length - a.match.value.length ||
    count(b.params, 'header') - count(a.params, 'header') ||
    count(b.params, 'query') - count(a.params, 'query') ||
    compareText(a.match.value, b.match.value) ||
    compareText(a.method, b.method)
  );
}

const kindOrder = [
  'MeshHTTPRoute',
  'MeshTimeout',
  'MeshRetry',
  'MeshRateLimit',
  'MeshCircuitBreaker',
  'MeshHealthCheck',
  'MeshTrafficPermission',
  'MeshProxyPatch',
  'MeshAccessLog',
  'MeshTrace',
  'MeshOpenTelemetryBackend',
];

export function compareResources(a: KumaResource, b: KumaResource): number {
  return kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || compareText(a.name, b.name);
}

export function collectBackends(operations: RenderedOperation[]): Backend[] {
  const backends = new Map<string, Backend>();
  for (const operation of operations) {
    for (const ref of operation.ruleDefault.backendRefs as unknown as Backend[]) {
      backends.set(`${ref.namespace ?? ''}/${ref.name}`, {
        name: ref.name,
        port: ref.port,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
      });
    }
  }
  return [...backends.keys()].sort().map((key) => backends.get(key)!);
}

export function buildLabels(api: string, zoneOrigin: boolean): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'kuma-api-forge',
    'kuma-api-forge.dev/api': buildName(api),
    ...(zoneOrigin ? { 'kuma.io/origin': 'zone' } : {}),
  };
}

function firstMatch(operation: RenderedOperation) {
  return { match: operation.matches[0]!.match, method: operation.method, params: operation.params };
}

function count(params: RequestMatch[], location: RequestMatch['in']): number {
  return params.filter((param) => param.in === location).length;
}

/**
 * A rule match's `headers` and `queryParams` for the parameters an operation's requests carry: Exact, or for a
 * parameter that only has to be present, `Present` (headers) or the regex `.*` (queries: Kuma has no presence).
 */
function buildParamMatches(params: RequestMatch[]): Record<string, unknown> {
  const headers = params
    .filter((param) => param.in === 'header')
    .map(({ name, value }) =>
      value === undefined ? { type: 'Present', name } : { type: 'Exact', name, value },
    );
  const queryParams = params
    .filter((param) => param.in === 'query')
    .map(({ name, value }) =>
      value === undefined ? { type: 'RegularExpression', name, value: '.*' } : { type: 'Exact', name, value },
    );
  return {
    ...(headers.length > 0 ? { headers } : {}),
    ...(queryParams.length > 0 ? { queryParams } : {}),
  };
}
