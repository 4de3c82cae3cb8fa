/**
 * The APIs of one repo share gateways and the `kuma-system` namespace: each is rendered alone, so what one API
 * claims is checked against the others here. Errors: the same gateway + hostname + method + path claimed twice,
 * an operation another API's route shadows (Kuma's order, proven by the route simulator), two resources
 * with the same kind and name, and what Kuma would silently share between two APIs on one gateway
 * (shared-policy-keys.ts): one per-route policy for equal matches, one access log or trace. Pure.
 *
 * gateway-api APIs are checked the same way per parent Gateway (`namespace/name`), and Envoy Gateway's order
 * (gateway-api/route-simulator.ts) is proven for every parent, even with one API on it. The same hostname and
 * path on both targets within one repo is allowed: that is how an API moves from the builtin gateway to the
 * delegated one (both rendered side by side, DNS decides); across tenants it is a collision (check-tenancy.ts).
 * @module
 */
import type { Finding, SourcePosition } from '../../findings.js';
import type { ManifestResource } from '../../gateway-api/edge.js';
import {
  type ExpectedGatewayApiOperation,
  proveGatewayApiNoShadowing,
} from '../../gateway-api/route-simulator.js';
import { isManifestResource, type KumaResource, type RenderedResource } from '../resource.js';
import { findShadowedOperations } from '../validate/route-simulator.js';
import type { OperationRoute } from './render-api.js';
import {
  describeGatewayConflict,
  describeSharedRule,
  findGatewayConflicts,
  findSharedRuleKeys,
  type PolicyKeys,
  readPolicyKeys,
} from './shared-policy-keys.js';

export interface RepoApiRoutes {
  name: string;
  gateway: string;
  /** Empty: every hostname of the gateway. */
  hostnames: readonly string[];
  resources: readonly RenderedResource[];
  operations: readonly OperationRoute[];
  locateOperation(pointer: string): SourcePosition;
  /** Where the API is declared (its config entry). */
  locateApi(): SourcePosition;
  /** Where the x-kuma root key behind a gateway-wide policy kind is set (default: the API's entry). */
  locateGatewayPolicy?(kind: string): SourcePosition;
}

export function checkRepoRoutes(apis: readonly RepoApiRoutes[]): Finding[] {
  const { findings, collided } = findRouteConflicts(apis);
  return [...findNameCollisions(apis), ...findings, ...findSharedPolicies(apis, collided)];
}

/**
 * `kuma-policy-shared` on both operations whose rules Kuma keys alike while their per-route policies differ, and
 * `kuma-gateway-policy-conflict` on both APIs' settings of an access log or trace that would replace each other.
 * Operations already reported as a collision are left out (one finding per cause).
 */
function findSharedPolicies(apis: readonly RepoApiRoutes[], collided: Set<OperationRoute>): Finding[] {
  const keys = new Map<RepoApiRoutes, PolicyKeys>(
    apis.map((api) => [api, readPolicyKeys(api.name, api.resources)]),
  );
  const findings: Finding[] = [];
  for (const api of apis) {
    const mine = keys.get(api)!;
    const others = apis.filter((other) => other !== api);
    const theirs = others.flatMap((other) => keys.get(other)!.rules);
    const operations = new Map(api.operations.map((op) => [`${op.route}#${op.ruleIndex}`, op]));
    for (const shared of findSharedRuleKeys(mine.rules, theirs)) {
      const operation = operations.get(`${shared.mine.route}#${shared.mine.ruleIndex}`);
      const otherApi = others.find((other) => other.name === shared.theirs.api)!;
      const otherOperation = otherApi.operations.find(
        (op) => op.route === shared.theirs.route && op.ruleIndex === shared.theirs.ruleIndex,
      );
      if (!operation || collided.has(operation) || (otherOperation && collided.has(otherOperation))) continue;
      findings.push({
        kind: 'routing',
        id: 'kuma-policy-shared',
        severity: 'error',
        message: `${operation.operation} of API "${api.name}" and ${otherOperation?.operation ?? shared.theirs.label} of API "${otherApi.name}" ${describeSharedRule(shared)}`,
        operation: operation.operation,
        ...api.locateOperation(operation.pointer),
      });
    }
    for (const conflict of findGatewayConflicts(
      mine.gateway,
      others.flatMap((o) => keys.get(o)!.gateway),
    )) {
      findings.push({
        kind: 'routing',
        id: 'kuma-gateway-policy-conflict',
        severity: 'error',
        message: `API "${api.name}" ${describeGatewayConflict(conflict.mine, `API "${conflict.theirs.api}"`)}`,
        ...(api.locateGatewayPolicy?.(conflict.mine.kind) ?? api.locateApi()),
      });
    }
  }
  return findings;
}

function findNameCollisions(apis: readonly RepoApiRoutes[]): Finding[] {
  const owners = new Map<string, string>();
  const findings: Finding[] = [];
  for (const api of apis) {
    for (const resource of api.resources) {
      const key = `${resource.kind}/${resource.namespace ?? ''}/${resource.name}`;
      const owner = owners.get(key);
      if (owner === undefined) owners.set(key, api.name);
      else if (owner !== api.name) {
        findings.push({
          kind: 'routing',
          id: 'kuma-resource-name-collision',
          severity: 'error',
          message: `API "${api.name}" renders ${resource.kind} "${resource.name}", which API "${owner}" renders too (one would overwrite the other); rename one of the APIs`,
          ...api.locateApi(),
        });
      }
    }
  }
  return findings;
}

interface Claim {
  api: RepoApiRoutes;
  operation: OperationRoute;
  path: string;
}

/** Collisions (same method and match) on the second API, then shadowing among APIs that share a gateway. */
function findRouteConflicts(apis: readonly RepoApiRoutes[]): {
  findings: Finding[];
  collided: Set<OperationRoute>;
} {
  const findings: Finding[] = [];
  const claims = new Map<string, Claim[]>();
  const collided = new Set<OperationRoute>();
  for (const api of apis) {
    const matches = readRuleMatches(api.resources);
    for (const operation of api.operations) {
      const path =
        matches.get(`${operation.route}#${operation.ruleIndex}#${operation.matchIndex ?? 0}`) ??
        operation.pathTemplate;
      const key = `${api.gateway} ${operation.method} ${path}`;
      const earlier = (claims.get(key) ?? []).find(
        (claim) => claim.api !== api && hostnamesOverlap(claim.api.hostnames, api.hostnames),
      );
      if (earlier) {
        collided.add(operation).add(earlier.operation);
        findings.push({
          kind: 'routing',
          id: 'kuma-api-collision',
          severity: 'error',
          message: `${operation.operation} of API "${api.name}" claims the same gateway "${api.gateway}", hostname and path as ${earlier.operation.operation} of API "${earlier.api.name}"`,
          operation: operation.operation,
          ...api.locateOperation(operation.pointer),
        });
      }
      claims.set(key, [...(claims.get(key) ?? []), { api, operation, path }]);
    }
  }
  const byGateway = new Map<string, RepoApiRoutes[]>();
  for (const api of apis) byGateway.set(api.gateway, [...(byGateway.get(api.gateway) ?? []), api]);
  for (const sharing of byGateway.values()) {
    const owner = new Map<OperationRoute, RepoApiRoutes>();
    for (const api of sharing) for (const operation of api.operations) owner.set(operation, api);
    const parent = isParentGateway(sharing[0]!.gateway);
    if (!parent && sharing.length < 2) continue;
    const problems = parent
      ? findShadowedGatewayApiOperations(
          sharing.flatMap((api) => api.resources.filter((r) => r.kind === 'HTTPRoute')) as ManifestResource[],
          sharing.flatMap((api) => api.operations),
        )
      : findShadowedOperations(
          sharing.flatMap((api) => api.resources.filter((r): r is KumaResource => !isManifestResource(r))),
          sharing.flatMap((api) => api.operations),
        );
    for (const { operation, message } of problems) {
      if (collided.has(operation)) continue;
      const api = owner.get(operation)!;
      const others = sharing.length > 1;
      findings.push({
        kind: 'routing',
        id: parent ? 'gateway-api-shadowed' : 'kuma-api-shadowed',
        severity: 'error',
        message: others
          ? `${message} (API "${api.name}" shares gateway "${api.gateway}" with other APIs of this repo)`
          : message,
        operation: operation.operation,
        ...api.locateOperation(operation.pointer),
      });
    }
  }
  return { findings, collided };
}

/**
 * Every gateway-api operation that a request for it would not reach, as Envoy Gateway orders the HTTPRoutes
 * (route-simulator.ts). The proof answers per set, so a failing set is asked again per operation.
 */
function findShadowedGatewayApiOperations(
  routes: ManifestResource[],
  operations: readonly OperationRoute[],
): { operation: OperationRoute; message: string }[] {
  const expected = (operation: OperationRoute): ExpectedGatewayApiOperation => ({
    method: operation.method,
    pathTemplate: operation.pathTemplate,
    route: operation.route,
    namespace: operation.namespace ?? '',
    ruleIndex: operation.ruleIndex,
    ...(operation.matchIndex === undefined ? {} : { matchIndex: operation.matchIndex }),
  });
  if (proveGatewayApiNoShadowing(routes, operations.map(expected)).length === 0) return [];
  return operations.flatMap((operation) =>
    proveGatewayApiNoShadowing(routes, [expected(operation)]).map((message) => ({ operation, message })),
  );
}

/** A gateway-api API's routes are on a parent Gateway, `namespace/name` (core/config/resolve-api.ts `routeGateway`). */
function isParentGateway(gateway: string): boolean {
  return gateway.includes('/');
}

/**
 * `route#rule#match` → `Exact /a` or `RegularExpression ^…$`, with its query matches (`?name=value`), for
 * MeshHTTPRoutes (`to[].rules`) and HTTPRoutes (`rules`) alike.
 */
function readRuleMatches(resources: readonly RenderedResource[]): Map<string, string> {
  type Pair = { name: string; value: string };
  type Match = { path?: { type: string; value: string }; queryParams?: Pair[]; headers?: Pair[] };
  type Rule = { matches: Match[] };
  const matches = new Map<string, string>();
  for (const route of resources.filter((r) => r.kind === 'MeshHTTPRoute' || r.kind === 'HTTPRoute')) {
    const rules =
      route.kind === 'HTTPRoute'
        ? (route.spec.rules as Rule[])
        : (route.spec.to as { rules: Rule[] }[]).flatMap((to) => to.rules);
    for (const [index, rule] of rules.entries()) {
      for (const [at, { path, queryParams, headers }] of rule.matches.entries()) {
        const query = [
          ...(headers ?? []).map((h) => ({ ...h, name: `header:${h.name}` })),
          ...(queryParams ?? []),
        ]
          .map(({ name, value }) => `${name}=${value}`)
          .join('&');
        if (path)
          matches.set(
            `${route.name}#${index}#${at}`,
            `${path.type} ${path.value}${query ? ` ?${query}` : ''}`,
          );
      }
    }
  }
  return matches;
}

/** Kuma hostnames: none = all, `*.example.com` = any subdomain. */
export function hostnamesOverlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((left) => b.some((right) => hostnameCovers(left, right) || hostnameCovers(right, left)));
}

function hostnameCovers(pattern: string, hostname: string): boolean {
  if (pattern === '*' || pattern === hostname) return true;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(1);
  return hostname.endsWith(suffix) && hostname.length > suffix.length;
}
