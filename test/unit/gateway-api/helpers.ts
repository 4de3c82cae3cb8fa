/**
 * HTTPRoutes built from the builtin target's render, without the Gateway API routing: each rule of the
 * MeshHTTPRoutes (regexes padded by plan-regex-order.ts for Kuma's length ranking) becomes one HTTPRoute rule with
 * the same matches; a `Present` header match becomes RegularExpression `.*` (Gateway API has no presence match).
 * The caller orders the rules and says how many go in one HTTPRoute, to try Envoy Gateway's order against every
 * grouping the routing could choose.
 */
import type { ManifestResource } from '../../../shared/core/gateway-api/edge.js';
import type { ExpectedGatewayApiOperation } from '../../../shared/core/gateway-api/route-simulator.js';
import type { KumaResource } from '../../../shared/core/kuma/resource.js';
import type { ExpectedOperation } from '../../../shared/core/kuma/validate/route-simulator.js';

type Json = Record<string, unknown>;
export interface KumaRule {
  matches: Json[];
}
export interface PlacedRule {
  /** `<MeshHTTPRoute name>#<rule index>`. */
  key: string;
  rule: KumaRule;
}

export function listKumaRules(resources: KumaResource[]): PlacedRule[] {
  return resources
    .filter((resource) => resource.kind === 'MeshHTTPRoute')
    .flatMap((resource) =>
      (resource.spec.to as { rules: KumaRule[] }[])
        .flatMap((to) => to.rules)
        .map((rule, ruleIndex) => ({ key: `${resource.name}#${ruleIndex}`, rule })),
    );
}

function toHttpRouteMatch(match: Json): Json {
  const headers = (match.headers as Json[] | undefined)?.map((header) =>
    header.type === 'Present'
      ? { name: header.name, type: 'RegularExpression', value: '.*' }
      : { name: header.name, type: header.type ?? 'Exact', value: header.value },
  );
  return { ...match, ...(headers ? { headers } : {}) };
}

/** The rules, in this order, `perRoute` to an HTTPRoute (listed in creation order); and where each rule went. */
export function groupIntoHttpRoutes(rules: PlacedRule[], perRoute: number, hostname = 'api.example.com') {
  const moved = new Map<string, { route: string; ruleIndex: number }>();
  const routes: ManifestResource[] = [];
  for (let start = 0; start < rules.length; start += perRoute) {
    const name = `route-${String(routes.length).padStart(3, '0')}`;
    const chunk = rules.slice(start, start + perRoute);
    for (const [ruleIndex, { key }] of chunk.entries()) moved.set(key, { route: name, ruleIndex });
    routes.push({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      name,
      namespace: 'apps',
      spec: {
        parentRefs: [{ name: 'edge', namespace: 'gateways' }],
        hostnames: [hostname],
        rules: chunk.map(({ rule }) => ({
          matches: rule.matches.map(toHttpRouteMatch),
          backendRefs: [{ name: 'api', port: 8080 }],
        })),
      },
    });
  }
  return { routes, moved };
}

/** The builtin target's expected operations, moved to the HTTPRoute rules their rules went to. */
export function moveOperations(
  operations: ExpectedOperation[],
  moved: Map<string, { route: string; ruleIndex: number }>,
): ExpectedGatewayApiOperation[] {
  return operations.map(({ route, ruleIndex, matchIndex, ...operation }) => ({
    ...operation,
    ...moved.get(`${route}#${ruleIndex}`)!,
    namespace: 'apps',
    ...(matchIndex === undefined ? {} : { matchIndex }),
  }));
}
