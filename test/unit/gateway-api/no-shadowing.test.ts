/**
 * Every fixture spec and GitHub's REST description rendered for the gateway-api target: the HTTPRoutes keep
 * within the CRD's limits, validate (validateGatewayApiResources), place every operation on a rule that has its
 * method, and Envoy Gateway's order (route-simulator.ts) sends a request for each operation to its own rule.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ManifestResource } from '../../../shared/core/gateway-api/edge.js';
import { maxMatchesPerRoute, maxRulesPerRoute } from '../../../shared/core/gateway-api/render-gateway-api.js';
import { proveGatewayApiNoShadowing } from '../../../shared/core/gateway-api/route-simulator.js';
import { validateGatewayApiResources } from '../../../shared/core/gateway-api/validate/index.js';
import { type RenderResult, renderApi } from '../../../shared/core/kuma/render/render-api.js';
import type { ApiConfig } from '../../../shared/core/kuma/render/types.js';
import type { LoadedSpec } from '../../../shared/core/spec/types.js';
import { loadGitHubDescription } from '../../helpers/github-description.js';
import { loadFixture, repoRoot } from '../kuma/render/helpers.js';

const parentRef = { name: 'eg', namespace: 'envoy-gateway-system' };

function renderForGatewayApi(spec: LoadedSpec, api: Omit<ApiConfig, 'target' | 'parentRef'>) {
  return renderApi({
    spec,
    api: { ...api, target: 'gateway-api', parentRef, service: { namespace: 'apps', ...api.service } },
  });
}

/** What must hold of every gateway-api render, whatever the spec. */
function expectSound(result: RenderResult) {
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

/** The fixture's own config entry for the spec (its basePath, versions…), without the builtin gateway's keys. */
function configFor(dir: string, entry: string): ApiConfig {
  const file = path.join(repoRoot, dir, '.kuma-api-forge.yaml');
  const apis: ApiConfig[] = existsSync(file) ? parse(readFileSync(file, 'utf8')).apis : [];
  const {
    gateway: _gateway,
    gatewayService: _service,
    target: _target,
    parentRef: _parent,
    ...api
  } = apis.find((candidate) => candidate.spec === entry) ?? { name: 'fixture', spec: entry };
  return { hostnames: ['api.example.com'], ...api };
}

describe('gateway-api renders of the fixtures', () => {
  it.each([
    ['fixtures/specs/petstore', 'petstore.yaml'],
    ['fixtures/specs/petstore', 'petstore-swagger2.yaml'],
    ['fixtures/specs/petstore', 'petstore-openapi31.yaml'],
    ['fixtures/kuma/orders', 'openapi/orders.yaml'],
    ['fixtures/kuma/showcase', 'openapi/catalog.yaml'],
    ['fixtures/kuma/showcase', 'openapi/checkout.yaml'],
    ['fixtures/gateway-api', 'openapi/petstore.yaml'],
  ])('%s/%s', async (dir, entry) => {
    const spec = await loadFixture(dir, entry);
    const result = renderForGatewayApi(spec, configFor(dir, entry));
    expect(result.operations.length).toBeGreaterThan(0);
    expectSound(result);
  });
});

describe('the proof fails on a deliberately shadowing input', () => {
  /** The petstore fixture's render, its HTTPRoutes, and the operations as the proof expects them. */
  async function petstore() {
    const dir = 'fixtures/gateway-api';
    const result = renderForGatewayApi(
      await loadFixture(dir, 'openapi/petstore.yaml'),
      configFor(dir, 'openapi/petstore.yaml'),
    );
    const routes = result.manifests.filter((m) => m.kind === 'HTTPRoute');
    const expected = result.operations.map(({ operation: _o, pointer: _p, namespace, ...rest }) => ({
      ...rest,
      namespace: namespace!,
    }));
    expect(proveGatewayApiNoShadowing(routes, expected)).toEqual([]);
    return { routes, expected, victim: expected.find((op) => op.ruleIndex > 0) ?? expected[0]! };
  }

  it('a copy of an operation’s rule placed before it takes its requests', async () => {
    const { routes, expected, victim } = await petstore();
    const tampered = routes.map((route) => {
      if (route.name !== victim.route) return route;
      const rules = route.spec.rules as unknown[];
      return { ...route, spec: { ...route.spec, rules: [rules[victim.ruleIndex], ...rules] } };
    });
    // Every rule of that route moved one down; the copy at index 0 now wins the victim's requests.
    const moved = expected.map((op) =>
      op.route === victim.route ? { ...op, ruleIndex: op.ruleIndex + 1 } : op,
    );
    const problems = proveGatewayApiNoShadowing(tampered, moved);
    expect(problems.some((m) => m.startsWith(`${victim.method} ${victim.pathTemplate}:`))).toBe(true);
  });

  it('another HTTPRoute with the same match makes the winner depend on creation time: ambiguous', async () => {
    const { routes, expected, victim } = await petstore();
    const original = routes.find((route) => route.name === victim.route)!;
    const rival = {
      ...original,
      name: `${original.name}-rival`,
      spec: { ...original.spec, rules: [(original.spec.rules as unknown[])[victim.ruleIndex]] },
    };
    const problems = proveGatewayApiNoShadowing([rival, ...routes], expected);
    expect(problems.find((m) => m.startsWith(`${victim.method} ${victim.pathTemplate}:`))).toBeDefined();
  });

  it('a rule that loses its method no longer serves the operation', async () => {
    const { routes, expected, victim } = await petstore();
    const tampered = routes.map((route) => {
      if (route.name !== victim.route) return route;
      const rules = (route.spec.rules as { matches: Record<string, unknown>[] }[]).map((rule, index) =>
        index === victim.ruleIndex
          ? { ...rule, matches: rule.matches.map((match) => ({ ...match, method: 'HEAD' })) }
          : rule,
      );
      return { ...route, spec: { ...route.spec, rules } };
    });
    expect(proveGatewayApiNoShadowing(tampered, expected).length).toBeGreaterThan(0);
  });
});

it('renders GitHub’s REST description within the CRD limits, every operation placed and reached', async () => {
  const spec = await loadGitHubDescription();
  const result = renderForGatewayApi(spec, {
    name: 'github',
    spec: 'api.github.com.json',
    hostnames: ['api.github.com'],
  });
  expect(result.operations.length).toBeGreaterThan(1000);
  expectSound(result);
});
