/**
 * What must hold of every gateway-api render, whatever the spec (no-shadowing.test.ts on the fixtures, the stress
 * tier on GitHub's REST description).
 * @module
 */
import { expect } from 'vitest';
import type { ManifestResource } from '../../../shared/core/gateway-api/edge.js';
import { maxMatchesPerRoute, maxRulesPerRoute } from '../../../shared/core/gateway-api/render-gateway-api.js';
import { proveGatewayApiNoShadowing } from '../../../shared/core/gateway-api/route-simulator.js';
import { validateGatewayApiResources } from '../../../shared/core/gateway-api/validate/index.js';
import { type RenderResult, renderApi } from '../../../shared/core/kuma/render/render-api.js';
import type { ApiConfig } from '../../../shared/core/kuma/render/types.js';
import type { LoadedSpec } from '../../../shared/core/spec/types.js';

export const parentRef = { name: 'eg', namespace: 'envoy-gateway-system' };

export function renderForGatewayApi(spec: LoadedSpec, api: Omit<ApiConfig, 'target' | 'parentRef'>) {
  return renderApi({
    spec,
    api: { ...api, target: 'gateway-api', parentRef, service: { namespace: 'apps', ...api.service } },
  });
}

/** What must hold of every gateway-api render, whatever the spec. */
export function expectSound(result: RenderResult) {
  expect(result.findings.filter((f) => f.id === 'gateway-api-invalid-resource')).toEqual([]);
  expect(validateGatewayApiResources(result.manifests)).toEqual([]);
  const routes = result.manifests.filter((m) => m.kind === 'HTTPRoute');
  expect(new Set(routes.map((r) => r.name)).size).toBe(routes.length);
  type Rule = { matches: { method: string }[] };
  const rules = (route: ManifestResource) => route.spec.rules as Rule[];
  for (const route of routes) {
    expect(rules(route).length).toBeLessThanOrEqual(maxRulesPerRoute);
    expect(rules(route).reduce((sum, rule) => sum + rule.matches.length, 0)).toBeLessThanOrEqual(
      maxMatchesPerRoute,
    );
  }
  for (const placed of result.operations) {
    const route = routes.find((r) => r.name === placed.route);
    expect(route?.namespace).toBe(placed.namespace);
    expect(rules(route!)[placed.ruleIndex]?.matches[placed.matchIndex ?? 0]?.method).toBe(placed.method);
  }
  const expected = result.operations.map(({ operation: _o, pointer: _p, namespace, ...rest }) => ({
    ...rest,
    namespace: namespace!,
  }));
  expect(proveGatewayApiNoShadowing(routes, expected)).toEqual([]);
}
