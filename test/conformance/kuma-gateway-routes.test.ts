/**
 * The route simulator orders a gateway's routes as Kuma 2.14.3 does, checked against Kuma's own gateway goldens
 * (test/kuma-corpus/gateway: the route inputs of pkg/plugins/runtime/gateway/gateway_route_generator_test.go and
 * the Envoy route tables Kuma generated from them).
 *
 * Kuma's tests write the routes as MeshGatewayRoutes; MeshGatewayRoute and MeshHTTPRoute have different front
 * ends (`makeRouteMatch` in gateway_route_generator.go and in meshhttproute's gateway_routes.go) that both produce
 * `route.Entry` matches, then share the rest: `HandlePrefixMatchesAndPopulatePolicies` (prefix → prefix `/p/` +
 * exact `/p`) and `route.Sorter`. The test rewrites each MeshGatewayRoute match as the MeshHTTPRoute match the
 * other front end turns into the same `route.Entry` (EXACT → Exact, PREFIX → PathPrefix, REGEX →
 * RegularExpression, same for headers and query parameters; method unchanged).
 *
 * Per virtual host of each golden: the simulator's table for that host, restricted to the rules the golden's
 * host carries (which listener a route attaches to is not the simulator's concern), must hold exactly the
 * golden's routes, and the golden's order must never put a route before one the simulator ranks strictly higher.
 * Routes the simulator ranks equal may come in any order: Kuma sorts with Go's unstable `sort.Sort` after
 * building the list from map iteration.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KumaResource } from '../../shared/core/kuma/resource.js';
import {
  type GatewayRouteEntry,
  gatewayRouteTable,
} from '../../shared/core/kuma/validate/route-simulator.js';

// biome-ignore lint/suspicious/noExplicitAny: Kuma's YAML test data, read loosely
type Json = Record<string, any>;

const corpusDir = path.resolve('test/kuma-corpus/gateway');
const corpus = parse(readFileSync(path.join(corpusDir, 'cases.yaml'), 'utf8')) as {
  cases: { name: string; line: number; golden: string; routes: string[] }[];
};

const pathTypes: Record<string, string> = {
  EXACT: 'Exact',
  PREFIX: 'PathPrefix',
  REGEX: 'RegularExpression',
};
const valueTypes: Record<string, string> = {
  EXACT: 'Exact',
  REGEX: 'RegularExpression',
  PRESENT: 'Present',
  ABSENT: 'Absent',
};

function toMeshHttpMatch(match: Json): Json {
  const converted: Json = {};
  if (match.path) converted.path = { type: pathTypes[match.path.match ?? 'EXACT'], value: match.path.value };
  if (match.method) converted.method = match.method;
  if (match.headers) {
    converted.headers = match.headers.map((h: Json) => ({
      ...h,
      match: undefined,
      type: valueTypes[h.match],
    }));
  }
  if (match.query_parameters) {
    converted.queryParams = match.query_parameters.map((q: Json) => ({
      name: q.name,
      value: q.value,
      type: valueTypes[q.match],
    }));
  }
  return converted;
}

/** Only prefix rewrites change the route table (an extra exact `/` for the root prefix); other filters do not. */
function toMeshHttpFilter(filter: Json): Json[] {
  const prefix = { type: 'ReplacePrefixMatch', replacePrefixMatch: '' };
  if (filter.rewrite?.replacePrefixMatch !== undefined) {
    prefix.replacePrefixMatch = filter.rewrite.replacePrefixMatch;
    return [{ type: 'URLRewrite', urlRewrite: { path: prefix } }];
  }
  if (filter.redirect?.path?.replacePrefixMatch !== undefined) {
    prefix.replacePrefixMatch = filter.redirect.path.replacePrefixMatch;
    return [{ type: 'RequestRedirect', requestRedirect: { path: prefix } }];
  }
  return [];
}

function toMeshHttpRoute(doc: Json): KumaResource {
  const http = doc.conf.http;
  return {
    kind: 'MeshHTTPRoute',
    name: doc.name,
    mesh: doc.mesh,
    spec: {
      targetRef: { kind: 'MeshGateway', name: 'edge-gateway' },
      to: [
        {
          targetRef: { kind: 'Mesh' },
          hostnames: http.hostnames ?? [],
          rules: (http.rules ?? []).map((rule: Json) => ({
            matches: (rule.matches ?? []).map(toMeshHttpMatch),
            default: { filters: (rule.filters ?? []).flatMap(toMeshHttpFilter) },
          })),
        },
      ],
    },
  };
}

/** A route's match as a comparable text: path type and value, method, header and query parameter names. */
const signature = (type: string, value: string, method: string, headers: string[], query: string[]) =>
  `${type} ${value} ${method || '*'} headers[${[...headers].sort()}] query[${[...query].sort()}]`;

const ourSignature = (entry: GatewayRouteEntry) =>
  signature(entry.path.type, entry.path.value, entry.method ?? '', entry.headers, entry.queryParams);

function goldenSignature(match: Json): string {
  const type =
    match.path !== undefined ? 'Exact' : match.prefix !== undefined ? 'PathPrefix' : 'RegularExpression';
  const value = match.path ?? match.prefix ?? match.safeRegex?.regex;
  const headers = (match.headers ?? []) as Json[];
  const method = headers.find((h) => h.name === ':method')?.stringMatch?.exact ?? '';
  return signature(
    type,
    value,
    method,
    headers.filter((h) => h.name !== ':method').map((h) => h.name),
    ((match.queryParameters ?? []) as Json[]).map((q) => q.name),
  );
}

interface VirtualHost {
  config: string;
  domain: string;
  routes: string[];
}

/** The route configurations of a golden: a gateway snapshot (`Routes.Resources`) or a list of resources. */
function routeConfigurations(snapshot: Json): [string, Json][] {
  if (snapshot.Routes) return Object.entries<Json>(snapshot.Routes.Resources ?? {});
  return (snapshot.resources as Json[]).map((item) => [item.name, item.resource]);
}

function goldenVirtualHosts(golden: string): VirtualHost[] {
  const snapshot = parse(readFileSync(path.join(corpusDir, golden), 'utf8'));
  const hosts: VirtualHost[] = [];
  for (const [config, resource] of routeConfigurations(snapshot)) {
    for (const host of resource.virtualHosts ?? []) {
      // A host without routes of its own answers 404 with a direct response: no rule to compare.
      const routes = (host.routes as Json[]).filter((route) => !route.directResponse);
      hosts.push({
        config,
        domain: host.domains[0],
        routes: routes.map((route) => goldenSignature(route.match)),
      });
    }
  }
  return hosts;
}

/** Problems with the simulator's order for one virtual host; empty when it agrees with the golden. */
function compareHost(resources: KumaResource[], host: VirtualHost): string[] {
  // The wildcard host serves the hosts no other virtual host claims: routes limited to hostnames are not on it.
  const table = gatewayRouteTable(resources, host.domain);
  const inGolden = new Set(host.routes);
  const rules = new Set(
    table.filter((entry) => inGolden.has(ourSignature(entry))).map((e) => `${e.route}#${e.ruleIndex}`),
  );
  const ours = table.filter((entry) => rules.has(`${entry.route}#${entry.ruleIndex}`));
  const problems: string[] = [];
  const sorted = (list: string[]) => [...list].sort();
  if (sorted(ours.map(ourSignature)).join('\n') !== sorted(host.routes).join('\n')) {
    problems.push(
      `routes differ: golden ${JSON.stringify(host.routes)}, ours ${JSON.stringify(ours.map(ourSignature))}`,
    );
  }
  const rank = new Map(ours.map((entry) => [ourSignature(entry), entry.rank]));
  for (let i = 0; i < host.routes.length; i++) {
    for (let j = i + 1; j < host.routes.length; j++) {
      const [earlier, later] = [host.routes[i] as string, host.routes[j] as string];
      if ((rank.get(later) ?? Infinity) < (rank.get(earlier) ?? -Infinity)) {
        problems.push(`golden puts ${earlier} before ${later}; we rank it lower`);
      }
    }
  }
  return problems;
}

/** Virtual hosts where the MeshGatewayRoute front end and MeshHTTPRoute differ, with the reason. */
const frontEndDifferences: Record<string, string> = {
  'http/02-gateway-route.yaml extra.example.com':
    "Which routes a host gets: the MeshGatewayRoute front end gives this host only the route naming it; MeshHTTPRoute's " +
    '(sortRulesToHosts in meshhttproute gateway_routes.go) also puts the rules of routes without hostnames on every ' +
    'host, so both Exact / rules compete here, as the simulator has it. The order is not in question.',
  'http/11-gateway-route.yaml echo.example.com':
    'A match with two REGEX query parameters: the MeshGatewayRoute front end enforces both; the MeshHTTPRoute one ' +
    '(meshhttproute gateway_routes.go makeRouteMatch: `match.RegexQuery = append(match.ExactQuery, …)`) keeps only ' +
    'the last, as the simulator has it.',
};

describe("Kuma's gateway route goldens (v2.14.3)", () => {
  it('has route cases with goldens', () => {
    expect(corpus.cases.length).toBeGreaterThan(20);
  });

  it('orders every virtual host of every golden as Kuma does', () => {
    const problems: Record<string, string[]> = {};
    let hosts = 0;
    let routes = 0;
    for (const c of corpus.cases) {
      const resources = c.routes.map((text) => toMeshHttpRoute(parse(text, { uniqueKeys: false })));
      for (const host of goldenVirtualHosts(c.golden)) {
        hosts += 1;
        routes += host.routes.length;
        const found = compareHost(resources, host);
        if (found.length > 0) problems[`${c.golden} ${host.domain}`] = found;
      }
    }
    console.log(`gateway goldens: ${corpus.cases.length} cases, ${hosts} virtual hosts, ${routes} routes`);
    const unexplained = Object.entries(problems).filter(([key]) => !(key in frontEndDifferences));
    expect(unexplained).toEqual([]);
    expect(Object.keys(problems)).toEqual(Object.keys(frontEndDifferences));
    expect(routes).toBeGreaterThan(50);
  });
});

/**
 * MeshHTTPRoute's own front end: plugin_test.go's entry "gateway" (v2.14.3, lines 2714-2797) gives four rules,
 * transcribed here from its Go builders, to listeners on `*`, `go.dev` and `*.dev`. Kuma puts on each host the rules
 * whose hostnames cover it plus those without hostnames; the wildcard host gets only the latter.
 */
describe("Kuma's MeshHTTPRoute gateway golden (v2.14.3)", () => {
  const rule = (name: string, prefix: string, hostnames: string[]): KumaResource => ({
    kind: 'MeshHTTPRoute',
    name,
    mesh: 'default',
    spec: {
      targetRef: { kind: 'MeshGateway', name: 'sample-gateway' },
      to: [
        {
          targetRef: { kind: 'Mesh' },
          hostnames,
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: prefix } }], default: {} }],
        },
      ],
    },
  });
  const resources = [
    rule('wild', '/wild', []),
    rule('go-dev', '/go-dev', ['go.dev']),
    rule('wild-dev', '/wild-dev', ['*.dev']),
    rule('other-dev', '/other-dev', ['other.dev']),
  ];

  it('puts the same rules on each virtual host, in the same order', () => {
    const hosts = goldenVirtualHosts('meshhttproute/gateway.routes.golden.yaml');
    expect(hosts.length).toBeGreaterThanOrEqual(8);
    const problems = hosts.flatMap((host) => {
      const at = `${host.config} ${host.domain}`;
      // Every rule the simulator puts on the host, not only those the golden shows.
      const ours = gatewayRouteTable(resources, host.domain).map(ourSignature);
      const same = [...ours].sort().join('\n') === [...host.routes].sort().join('\n');
      return [
        ...(same ? [] : [`${at}: golden ${host.routes}, ours ${ours}`]),
        ...compareHost(resources, host).map((problem) => `${at}: ${problem}`),
      ];
    });
    expect(problems).toEqual([]);
  });
});
