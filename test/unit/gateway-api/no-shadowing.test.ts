/**
 * Every fixture spec rendered for the gateway-api target: the HTTPRoutes keep within the CRD's limits, validate
 * (validateGatewayApiResources), place every operation on a rule that has its method, and Envoy Gateway's order
 * (route-simulator.ts) sends a request for each operation to its own rule. GitHub's REST description, the same
 * way, is in the stress tier (test/stress/github-description.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { proveGatewayApiNoShadowing } from '../../../shared/core/gateway-api/route-simulator.js';
import type { ApiConfig } from '../../../shared/core/kuma/render/types.js';
import { loadFixture, repoRoot } from '../kuma/render/helpers.js';
import { expectSound, renderForGatewayApi } from './expect-sound.js';

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
