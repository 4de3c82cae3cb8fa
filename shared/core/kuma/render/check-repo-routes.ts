/**
 * The APIs of one repo share gateways and the `kuma-system` namespace: each is rendered alone, so what one API
 * claims is checked against the others here. Errors: the same gateway + hostname + method + path claimed twice,
 * an operation another API's route shadows (Kuma's order, proven by the route simulator), and two resources
 * with the same kind and name. Pure.
 * @module
 */
import type { Finding, SourcePosition } from '../../findings.js';
import type { KumaResource } from '../resource.js';
import { findShadowedOperations } from '../validate/route-simulator.js';
import type { OperationRoute } from './render-api.js';

export interface RepoApiRoutes {
  name: string;
  gateway: string;
  /** Empty: every hostname of the gateway. */
  hostnames: readonly string[];
  resources: readonly KumaResource[];
  operations: readonly OperationRoute[];
  locateOperation(pointer: string): SourcePosition;
  /** Where the API is declared (its config entry). */
  locateApi(): SourcePosition;
}

export function checkRepoRoutes(apis: readonly RepoApiRoutes[]): Finding[] {
  return [...findNameCollisions(apis), ...findRouteConflicts(apis)];
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
function findRouteConflicts(apis: readonly RepoApiRoutes[]): Finding[] {
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
    if (sharing.length < 2) continue;
    const owner = new Map<OperationRoute, RepoApiRoutes>();
    for (const api of sharing) for (const operation of api.operations) owner.set(operation, api);
    const problems = findShadowedOperations(
      sharing.flatMap((api) => api.resources),
      sharing.flatMap((api) => api.operations),
    );
    for (const { operation, message } of problems) {
      if (collided.has(operation)) continue;
      findings.push({
        kind: 'routing',
        id: 'kuma-api-shadowed',
        severity: 'error',
        message: `${message} (API "${owner.get(operation)!.name}" shares gateway "${owner.get(operation)!.gateway}" with other APIs of this repo)`,
        operation: operation.operation,
        ...owner.get(operation)!.locateOperation(operation.pointer),
      });
    }
  }
  return findings;
}

/** `route#rule#match` → `Exact /a` or `RegularExpression ^…$`, with its query matches (`?name=value`). */
function readRuleMatches(resources: readonly KumaResource[]): Map<string, string> {
  type Pair = { name: string; value: string };
  type Match = { path?: { type: string; value: string }; queryParams?: Pair[]; headers?: Pair[] };
  const matches = new Map<string, string>();
  for (const route of resources.filter((resource) => resource.kind === 'MeshHTTPRoute')) {
    const rules = (route.spec.to as { rules: { matches: Match[] }[] }[]).flatMap((to) => to.rules);
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
