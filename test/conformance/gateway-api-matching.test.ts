/**
 * The Gateway API conformance suite's request-matching tests (test/gateway-api-corpus: path match order, path,
 * method, header and query matching, matching across two HTTPRoutes), which Envoy Gateway v1.9.0 passes as a
 * conformant implementation of Gateway API v1.6.1: for each expected response, the rule the route simulator
 * sends the request to must name the expected backend, and a request the test expects a 404 for must match no
 * rule. The suite applies each test's HTTPRoutes from one file; the simulator takes them in file order.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ManifestResource } from '../../shared/core/gateway-api/edge.js';
import { routeGatewayApiRequest } from '../../shared/core/gateway-api/route-simulator.js';

interface Expectation {
  request: { host?: string; method?: string; path: string; headers?: Record<string, string> };
  backend?: string;
  status?: number;
}

const corpus = parse(readFileSync(path.resolve('test/gateway-api-corpus/matching.yaml'), 'utf8')) as {
  tag: string;
  cases: {
    test: string;
    httpRoutes: { metadata: { name: string; namespace?: string }; spec: Record<string, unknown> }[];
    expectations: Expectation[];
  }[];
};

describe(`Gateway API ${corpus.tag} conformance: request matching`, () => {
  it('has the six matching tests', () => {
    expect(corpus.cases.map((c) => c.test)).toHaveLength(6);
    expect(corpus.cases.flatMap((c) => c.expectations).length).toBeGreaterThan(50);
  });

  for (const testCase of corpus.cases) {
    it(`${testCase.test}: every request reaches a rule of the expected backend`, () => {
      const routes: ManifestResource[] = testCase.httpRoutes.map((route) => ({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        name: route.metadata.name,
        namespace: route.metadata.namespace ?? 'gateway-conformance-infra',
        spec: route.spec,
      }));
      const backendOf = (name: string, ruleIndex: number) => {
        const route = routes.find((r) => r.name === name)!;
        const rule = (route.spec.rules as { backendRefs?: { name: string }[] }[])[ruleIndex]!;
        return [...new Set((rule.backendRefs ?? []).map((ref) => ref.name))].join(',');
      };
      const results = testCase.expectations.map(({ request, backend, status }) => {
        const target = routeGatewayApiRequest(routes, {
          method: request.method ?? 'GET',
          path: request.path,
          ...(request.host ? { hostname: request.host } : {}),
          headers: Object.fromEntries(
            Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
          ),
        });
        const got = target ? backendOf(target.route, target.ruleIndex) : 404;
        return { request, expected: backend ?? status, got };
      });
      expect(results.filter((r) => r.got !== r.expected)).toEqual([]);
    });
  }
});
