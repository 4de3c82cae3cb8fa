/**
 * The Gateway API route simulator orders a listener's routes as Envoy Gateway v1.9.0 does, checked against Envoy
 * Gateway's own translator goldens (test/envoy-gateway-corpus: every case of internal/gatewayapi/testdata whose
 * xDS IR puts two or more HTTPRoute routes on one listener).
 *
 * Per IR listener of each golden: the simulator's table for that listener (its hostname and its Gateway's other
 * hostnames on the port, from the case's Gateways), built from the HTTPRoutes the golden has on it in the case's
 * file order, must name exactly the golden's routes in exactly the golden's order (`httproute/<ns>/<name>/rule/
 * <r>/match/<m>[/cors-preflight]/<host>`). Envoy Gateway's test harness translates the HTTPRoutes in file order
 * without sorting them by creation time, which is what the simulator's "input order" stands for. Which routes
 * attach to a listener (parentRefs, allowedRoutes, acceptance) is not the simulator's concern, so it is taken from
 * the golden.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ManifestResource } from '../../shared/core/gateway-api/edge.js';
import {
  type GatewayApiListener,
  gatewayApiRouteTable,
} from '../../shared/core/gateway-api/route-simulator.js';

interface CorpusListener {
  name: string;
  preserveRouteOrder?: boolean;
  routes: string[];
}

interface CorpusCase {
  name: string;
  gateways: {
    namespace?: string;
    name: string;
    listeners: { name: string; port: number; hostname?: string }[];
  }[];
  httpRoutes: { metadata: { namespace?: string; name: string }; spec: Record<string, unknown> }[];
  listeners: CorpusListener[];
}

const corpus = parse(readFileSync(path.resolve('test/envoy-gateway-corpus/cases.yaml'), 'utf8')) as {
  tag: string;
  cases: CorpusCase[];
};

/** Listeners the simulator does not model, with the reason. */
function notModelled(testCase: CorpusCase, listener: CorpusListener): string | undefined {
  if (listener.preserveRouteOrder) return 'EnvoyProxy preserveRouteOrder: true turns the sort off';
  return knownDifferences[testCase.name];
}

const knownDifferences: Record<string, string> = {
  'httproute-filter-match-matrix':
    "cookie matches from Envoy Gateway's HTTPRouteFilter (an extensionRef filter) multiply a rule's matches " +
    '(route.go buildRouteMatchCombinations); our HTTPRoutes never reference one, and the corpus does not carry it.',
};

/**
 * The HTTPRoute as Envoy Gateway's harness translated it. The harness skips the API server's CRD defaulting, so
 * a rule without `matches` reached the translator with none (one route without a path match, `match/-1`): the
 * simulator defaults an absent `matches` as the API server does, and models `matches: []` as the harness saw it.
 */
function toResource(route: CorpusCase['httpRoutes'][number]): ManifestResource {
  const rules = (route.spec.rules as Record<string, unknown>[]).map((rule) => ({ matches: [], ...rule }));
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    name: route.metadata.name,
    namespace: route.metadata.namespace ?? '',
    spec: { ...route.spec, rules },
  };
}

/** The listener of an IR listener name `<gateway ns>/<gateway>/<listener>`, with its port's other hostnames. */
function listenerOf(testCase: CorpusCase, irName: string): GatewayApiListener {
  const [namespace, gatewayName, listenerName] = irName.split('/');
  const gateway = testCase.gateways.find((g) => (g.namespace ?? '') === namespace && g.name === gatewayName);
  const listener = gateway?.listeners.find((l) => l.name === listenerName);
  if (!gateway || !listener) return {};
  const otherHostnames = gateway.listeners
    .filter((l) => l !== listener && l.port === listener.port && l.hostname)
    .map((l) => l.hostname as string);
  return { ...(listener.hostname ? { hostname: listener.hostname } : {}), otherHostnames };
}

const irName = (entry: ReturnType<typeof gatewayApiRouteTable>[number]) =>
  `httproute/${entry.namespace}/${entry.route}/rule/${entry.ruleIndex}/match/${entry.matchIndex}${
    entry.preflight ? '/cors-preflight' : ''
  }/${entry.hostname.replaceAll('.', '_')}`;

/** Problems with the simulator's order for one IR listener; empty when it agrees with the golden. */
function compareListener(testCase: CorpusCase, listener: CorpusListener): string[] {
  const attached = new Set(listener.routes.map((name) => name.split('/').slice(1, 3).join('/')));
  const routes = testCase.httpRoutes
    .map(toResource)
    .filter((route) => attached.has(`${route.namespace}/${route.name}`));
  const ours = gatewayApiRouteTable(routes, listenerOf(testCase, listener.name)).map(irName);
  if (JSON.stringify(ours) === JSON.stringify(listener.routes)) return [];
  const golden = new Set(listener.routes);
  const mine = new Set(ours);
  const missing = listener.routes.filter((name) => !mine.has(name));
  const extra = ours.filter((name) => !golden.has(name));
  if (missing.length > 0 || extra.length > 0)
    return [`routes differ: missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}`];
  return [
    `order differs:\n  golden ${listener.routes.join('\n         ')}\n  ours   ${ours.join('\n         ')}`,
  ];
}

describe(`Envoy Gateway's translator goldens (${corpus.tag})`, () => {
  it('has route-order cases, few of them left out', () => {
    expect(corpus.cases.length).toBeGreaterThan(100);
    const left = corpus.cases.flatMap((c) => c.listeners.filter((l) => notModelled(c, l)));
    expect(left.length).toBeLessThanOrEqual(3);
  });

  it('orders every listener of every golden as Envoy Gateway did', () => {
    const results = corpus.cases.flatMap((testCase) =>
      testCase.listeners
        .filter((listener) => listener.routes.length >= 2 && !notModelled(testCase, listener))
        .map((listener) => ({
          at: `${testCase.name} ${listener.name}`,
          problems: compareListener(testCase, listener),
        })),
    );
    const failed = results.filter((result) => result.problems.length > 0);
    console.log(
      `Envoy Gateway ${corpus.tag} route order: ${results.length - failed.length}/${results.length} listeners agree`,
    );
    expect(failed.map((result) => `${result.at}: ${result.problems.join('; ')}`)).toEqual([]);
  });
});
