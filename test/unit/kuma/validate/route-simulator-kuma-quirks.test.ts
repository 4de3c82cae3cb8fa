/**
 * The route simulator reproduces what Kuma 2.14.3 really sends Envoy, including its quirks (source lines in
 * route-simulator.ts): query parameter matchers as meshhttproute's gateway front end builds them, and the extra
 * exact `/` of a root prefix that rewrites.
 */
import { describe, expect, it } from 'vitest';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';
import { gatewayRouteTable, routeRequest } from '../../../../shared/core/kuma/validate/route-simulator.js';

function route(name: string, rules: { matches: unknown[]; filters?: unknown[] }[]): KumaResource {
  return {
    kind: 'MeshHTTPRoute',
    name,
    mesh: 'default',
    spec: {
      targetRef: { kind: 'MeshGateway', name: 'edge' },
      to: [
        {
          targetRef: { kind: 'Mesh' },
          rules: rules.map(({ matches, filters }) => ({ matches, default: { filters: filters ?? [] } })),
        },
      ],
    },
  };
}

const query = (type: string, name: string, value: string) => ({ type, name, value });
const path = { type: 'Exact', value: '/search' };

describe('query parameter matches as Kuma builds them', () => {
  it('enforces only the last RegularExpression parameter of a match', () => {
    const routes = [
      route('search', [
        {
          matches: [
            {
              path,
              queryParams: [
                query('RegularExpression', 'q', '[a-z]+'),
                query('RegularExpression', 'page', '[0-9]+'),
              ],
            },
          ],
        },
      ]),
    ];
    // No `q` at all, yet the rule matches: Envoy never gets the `q` matcher.
    expect(routeRequest(routes, { method: 'GET', path: '/search?page=2' })).toEqual({
      route: 'search',
      ruleIndex: 0,
    });
    expect(routeRequest(routes, { method: 'GET', path: '/search?q=abc' })).toBeUndefined();
    expect(gatewayRouteTable(routes)[0]?.queryParams).toEqual(['page']);
  });

  it('repeats Exact parameters before a regex one as regexes of their value, which counts in the rank', () => {
    const both = route('both', [
      {
        matches: [{ path, queryParams: [query('Exact', 'a', '1'), query('RegularExpression', 'b', '.*')] }],
      },
    ]);
    const three = route('three', [
      {
        matches: [
          {
            path,
            queryParams: [query('Exact', 'x', '1'), query('Exact', 'y', '1'), query('Exact', 'z', '1')],
          },
        ],
      },
    ]);
    // `both` has 3 matchers (a, a as a regex, b): it ties with three Exact parameters instead of ranking below.
    const table = gatewayRouteTable([three, both]);
    expect(table.map((entry) => entry.queryParams)).toEqual([
      ['x', 'y', 'z'],
      ['a', 'a', 'b'],
    ]);
    expect(table[0]?.rank).toBe(table[1]?.rank);
  });

  it('keeps every Exact parameter when there is no regex one', () => {
    const routes = [
      route('exact', [
        { matches: [{ path, queryParams: [query('Exact', 'a', '1'), query('Exact', 'b', '2')] }] },
      ]),
    ];
    expect(routeRequest(routes, { method: 'GET', path: '/search?a=1' })).toBeUndefined();
    expect(routeRequest(routes, { method: 'GET', path: '/search?a=1&b=2' })).toEqual({
      route: 'exact',
      ruleIndex: 0,
    });
  });
});

describe('the root prefix', () => {
  const root = { path: { type: 'PathPrefix', value: '/' } };
  it('gets no exact / of its own without a rewrite', () => {
    const table = gatewayRouteTable([route('root', [{ matches: [root] }])]);
    expect(table.map((entry) => `${entry.path.type} ${entry.path.value}`)).toEqual(['PathPrefix /']);
  });

  it('gets an exact / when it rewrites or redirects by prefix', () => {
    for (const filter of [
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/a' } } },
      {
        type: 'RequestRedirect',
        requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/a' } },
      },
    ]) {
      const table = gatewayRouteTable([route('root', [{ matches: [root], filters: [filter] }])]);
      expect(table.map((entry) => `${entry.path.type} ${entry.path.value}`)).toEqual([
        'Exact /',
        'PathPrefix /',
      ]);
    }
  });
});
