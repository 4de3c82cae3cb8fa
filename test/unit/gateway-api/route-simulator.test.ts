/**
 * Envoy Gateway's route order (shared/core/gateway-api/route-simulator.ts) on the classic shadowing cases, and
 * the no-shadowing proof's messages. Expected winners follow the ordering rules of Envoy Gateway v1.9.0
 * (internal/gatewayapi/sort.go), stated in each test; the corpus test checks the same order against Envoy
 * Gateway's own translator goldens.
 */
import { describe, expect, it } from 'vitest';
import type { ManifestResource } from '../../../shared/core/gateway-api/edge.js';
import {
  computeGatewayApiHosts,
  type ExpectedGatewayApiOperation,
  gatewayApiRouteTable,
  proveGatewayApiNoShadowing,
  routeGatewayApiRequest,
} from '../../../shared/core/gateway-api/route-simulator.js';

type Match = {
  path?: { type?: string; value?: string };
  method?: string;
  headers?: { name: string; value: string; type?: string }[];
  queryParams?: { name: string; value: string; type?: string }[];
};

interface RouteOptions {
  hostnames?: string[];
  namespace?: string;
  parentRefs?: Record<string, unknown>[];
  filters?: Record<string, unknown>[];
}

/** An HTTPRoute with one rule per match list. */
function route(name: string, rules: Match[][], options: RouteOptions = {}): ManifestResource {
  const hostnames = options.hostnames ?? ['api.example.com'];
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    name,
    namespace: options.namespace ?? 'apps',
    spec: {
      parentRefs: options.parentRefs ?? [{ name: 'edge', namespace: 'gateways' }],
      ...(hostnames.length > 0 ? { hostnames } : {}),
      rules: rules.map((matches) => ({
        matches,
        ...(options.filters ? { filters: options.filters } : {}),
        backendRefs: [{ name: 'users', port: 8080 }],
      })),
    },
  };
}

const exact = (value: string, method = 'GET'): Match => ({ path: { type: 'Exact', value }, method });
const prefix = (value: string, method?: string): Match => ({
  path: { type: 'PathPrefix', value },
  ...(method ? { method } : {}),
});
const regex = (value: string, method = 'GET'): Match => ({
  path: { type: 'RegularExpression', value },
  method,
});
const get = (path: string, more: { hostname?: string; headers?: Record<string, string> } = {}) => ({
  method: 'GET',
  path,
  hostname: 'api.example.com',
  ...more,
});
const target = (route: string, ruleIndex = 0, matchIndex = 0) => ({
  namespace: 'apps',
  route,
  ruleIndex,
  matchIndex,
});
const operation = (
  method: string,
  pathTemplate: string,
  route: string,
  ruleIndex = 0,
  more: Partial<ExpectedGatewayApiOperation> = {},
): ExpectedGatewayApiOperation => ({ method, pathTemplate, route, namespace: 'apps', ruleIndex, ...more });

describe('routeGatewayApiRequest (Envoy Gateway v1.9.0 ordering)', () => {
  it('sends /pets/mine to the Exact rule whichever comes first, and other ids to the regex', () => {
    for (const routes of [
      [route('by-id', [[regex('^/pets/[^/]+$')]]), route('mine', [[exact('/pets/mine')]])],
      [route('mine', [[exact('/pets/mine')]]), route('by-id', [[regex('^/pets/[^/]+$')]])],
    ]) {
      expect(routeGatewayApiRequest(routes, get('/pets/mine'))).toEqual(target('mine'));
      expect(routeGatewayApiRequest(routes, get('/pets/42'))).toEqual(target('by-id'));
    }
  });

  it('ranks a regex above a PathPrefix however long the prefix (Kuma does the opposite)', () => {
    const routes = [route('api', [[prefix('/users/1/orders/archive')], [regex('^/users/.*$')]])];
    expect(routeGatewayApiRequest(routes, get('/users/1/orders/archive'))).toEqual(target('api', 1));
  });

  it('ranks an Exact above a longer regex', () => {
    const routes = [route('api', [[regex('^/users/(?:[0-9]+|me|you|them)$')], [exact('/users/me')]])];
    expect(routeGatewayApiRequest(routes, get('/users/me'))).toEqual(target('api', 1));
  });

  it('prefers the longer regex text, whatever the order of rules or routes', () => {
    const short = regex('^/a/[^/]+/c$');
    const long = regex('^/a/b/(?:[^/]+)$');
    for (const routes of [
      [route('r', [[short], [long]])],
      [route('r', [[long], [short]])],
      [route('x', [[short]]), route('y', [[long]])],
      [route('y', [[long]]), route('x', [[short]])],
    ]) {
      const longIndex =
        routes.length === 1
          ? (routes[0]!.spec.rules as { matches: Match[] }[]).findIndex((r) => r.matches[0] === long)
          : 0;
      const longRoute = routes.length === 1 ? 'r' : 'y';
      expect(routeGatewayApiRequest(routes, get('/a/b/c'))).toEqual(target(longRoute, longIndex));
    }
  });

  it('counts regex length in bytes, as Go does', () => {
    // Both 16 UTF-16 code units; the accented one is 17 bytes, so it ranks first though listed second.
    const plain = '^/caf(?:e|x)/.+$';
    const accented = '^/caf(?:é|e)/.+$';
    expect(plain.length).toBe(accented.length);
    const routes = [route('r', [[regex(plain)], [regex(accented)]])];
    expect(routeGatewayApiRequest(routes, get('/cafe/1'))).toEqual(target('r', 1));
  });

  it('treats the method as a header: at equal path, a method match beats none, and more headers beat it', () => {
    const anyMethod: Match = { path: { type: 'RegularExpression', value: '^/v/[^/]+$' } };
    const withHeader: Match = { ...anyMethod, headers: [{ name: 'X-Tenant', value: 'a' }] };
    const routes = [route('r', [[anyMethod], [regex('^/v/[^/]+$')], [{ ...withHeader, method: 'GET' }]])];
    expect(routeGatewayApiRequest(routes, get('/v/1'))).toEqual(target('r', 1));
    expect(routeGatewayApiRequest(routes, { ...get('/v/1'), method: 'POST' })).toEqual(target('r', 0));
    expect(routeGatewayApiRequest(routes, get('/v/1', { headers: { 'x-tenant': 'a' } }))).toEqual(
      target('r', 2),
    );
    // Header names are case-insensitive; a regex header match needs the whole value.
    const regexHeader = route('h', [
      [{ ...anyMethod, headers: [{ name: 'X-Id', type: 'RegularExpression', value: '[0-9]+' }] }],
    ]);
    expect(routeGatewayApiRequest([regexHeader], get('/v/1', { headers: { 'x-id': '12' } }))).toEqual(
      target('h'),
    );
    expect(
      routeGatewayApiRequest([regexHeader], get('/v/1', { headers: { 'x-id': '12a' } })),
    ).toBeUndefined();
  });

  it('ranks Exact header matches above regex ones, then more query matches, then Exact query matches', () => {
    const path = { type: 'Exact', value: '/' };
    const routes = [
      route('r', [
        [{ path, headers: [{ name: 'x-a', type: 'RegularExpression', value: '.*' }] }],
        [{ path, headers: [{ name: 'x-a', value: '1' }] }],
        [{ path, queryParams: [{ name: 'Action', type: 'RegularExpression', value: '.*' }] }],
        [{ path, queryParams: [{ name: 'Action', value: 'List' }] }],
        [
          {
            path,
            queryParams: [
              { name: 'Action', value: 'List' },
              { name: 'Version', value: '2' },
            ],
          },
        ],
      ]),
    ];
    expect(routeGatewayApiRequest(routes, get('/', { headers: { 'x-a': '1' } }))).toEqual(target('r', 1));
    expect(routeGatewayApiRequest(routes, get('/', { headers: { 'x-a': '2' } }))).toEqual(target('r', 0));
    // Headers outrank query parameters: a header match wins over any number of query matches.
    expect(
      routeGatewayApiRequest(routes, get('/?Action=List&Version=2', { headers: { 'x-a': '1' } })),
    ).toEqual(target('r', 1));
    expect(routeGatewayApiRequest(routes, get('/?Action=List&Version=2'))).toEqual(target('r', 4));
    expect(routeGatewayApiRequest(routes, get('/?Action=List'))).toEqual(target('r', 3));
    expect(routeGatewayApiRequest(routes, get('/?Action=Other'))).toEqual(target('r', 2));
    // Envoy reads the first value of a repeated parameter.
    expect(routeGatewayApiRequest(routes, get('/?Action=Other&Action=List'))).toEqual(target('r', 2));
    expect(routeGatewayApiRequest(routes, get('/'))).toBeUndefined();
  });

  it('matches regexes whose literal start is optional or alternated (the literal-prefix shortcut)', () => {
    const cases: [string, string][] = [
      ['^/ab?c$', '/ac'],
      ['^/ab*c$', '/ac'],
      ['^/ab{0,1}c$', '/ac'],
      ['^/a[(]|/b$', '/b'],
      ['^/a[]|]|/b$', '/b'],
      ['/x/[0-9]+', '/x/12'],
      ['^(?i)/users$', '/USERS'],
    ];
    for (const [pattern, path] of cases) {
      expect({
        pattern,
        target: routeGatewayApiRequest([route('r', [[regex(pattern)]])], get(path)),
      }).toEqual({
        pattern,
        target: target('r'),
      });
    }
    expect(routeGatewayApiRequest([route('r', [[regex('^/ab?c$')]])], get('/bc'))).toBeUndefined();
  });

  it('keeps equal routes in processing order: rule order within an HTTPRoute, input order across them', () => {
    const a = regex('^/a/[^/]+/c$');
    const b = regex('^/a/b/[^/]+$');
    expect(routeGatewayApiRequest([route('r', [[a], [b]])], get('/a/b/c'))).toEqual(target('r', 0));
    expect(routeGatewayApiRequest([route('r', [[b], [a]])], get('/a/b/c'))).toEqual(target('r', 0));
    expect(routeGatewayApiRequest([route('y', [[b]]), route('x', [[a]])], get('/a/b/c'))).toEqual(
      target('y'),
    );
  });

  it('matches a PathPrefix segment-wise, with or without its trailing slash, and `/` everything', () => {
    for (const value of ['/users', '/users/']) {
      const routes = [route('api', [[prefix(value)]])];
      expect(routeGatewayApiRequest(routes, get('/users'))).toEqual(target('api'));
      expect(routeGatewayApiRequest(routes, get('/users/1'))).toEqual(target('api'));
      expect(routeGatewayApiRequest(routes, get('/usersX'))).toBeUndefined();
    }
    // A match without a path is PathPrefix `/` (the CRD default), as is a rule without matches.
    const defaults = [
      route('d', [[{ method: 'GET' }]]),
      { ...route('e', []), spec: { ...route('e', []).spec, rules: [{}] } },
    ];
    expect(routeGatewayApiRequest(defaults, get('/anything'))).toEqual(target('d'));
    expect(routeGatewayApiRequest(defaults, { ...get('/anything'), method: 'PUT' })).toEqual(target('e'));
  });

  it('drops a rule whose regex is not RE2 (Envoy Gateway does not accept it), so the next rule serves', () => {
    const routes = [route('r', [[regex('^/x/(?<=a)[^/]+$')], [regex('^/x/.+$')]])];
    expect(routeGatewayApiRequest(routes, get('/x/a'))).toEqual(target('r', 1));
    const badHeader = route('h', [
      [{ ...regex('^/x/[^/]+$'), headers: [{ name: 'a', type: 'RegularExpression', value: '(' }] }],
    ]);
    expect(routeGatewayApiRequest([badHeader], get('/x/a', { headers: { a: '(' } }))).toBeUndefined();
  });

  it('adds the CORS preflight route of a rule with a CORS filter, ahead of an OPTIONS rule', () => {
    const cors = route('cors', [[regex('^/items/[^/]+$', 'PUT')]], { filters: [{ type: 'CORS', cors: {} }] });
    const options = route('opts', [[regex('^/items/[^/]+$', 'OPTIONS')]]);
    const preflight = { origin: 'https://app.example', 'access-control-request-method': 'PUT' };
    expect(
      routeGatewayApiRequest([options, cors], {
        ...get('/items/1', { headers: preflight }),
        method: 'OPTIONS',
      }),
    ).toEqual(target('cors'));
    expect(routeGatewayApiRequest([options, cors], { ...get('/items/1'), method: 'OPTIONS' })).toEqual(
      target('opts'),
    );
    expect(gatewayApiRouteTable([cors]).map((e) => [e.preflight, e.headers])).toEqual([
      [true, [':method', 'origin', 'access-control-request-method']],
      [false, [':method']],
    ]);
  });
});

/**
 * The cases of Envoy Gateway's own sort test (internal/gatewayapi/sort_test.go:91-201 at v1.9.0,
 * TestXdsIRRoutesSort) that HTTPRoutes can express, one rule per IR route in the test's input order; the expected
 * order is the test's `expectedOrder`. (Its "prefix" header matches have no HTTPRoute form: RegularExpression
 * header matches stand in, both being "not Exact". Cookie matches are not in HTTPRoutes.)
 */
describe("Envoy Gateway's sort_test.go cases", () => {
  const order = (rules: [string, Match][]) => {
    const table = gatewayApiRouteTable([
      route(
        'r',
        rules.map(([, match]) => [match]),
        { hostnames: [] },
      ),
    ]);
    return table.map((entry) => rules[entry.ruleIndex]![0]);
  };
  const h = (name: string, value: string, type = 'Exact') => ({ name, value, type });

  it('exact before regex before prefix', () => {
    expect(
      order([
        ['prefix', prefix('/foo')],
        ['exact', { path: { type: 'Exact', value: '/foo' } }],
        ['regex', { path: { type: 'RegularExpression', value: '/foo' } }],
      ]),
    ).toEqual(['exact', 'regex', 'prefix']);
  });

  it('longer path wins within same type; root prefix treated as zero length', () => {
    expect(
      order([
        ['short', prefix('/a')],
        ['long', prefix('/api/v1')],
      ]),
    ).toEqual(['long', 'short']);
    expect(
      order([
        ['root', prefix('/')],
        ['api', prefix('/api')],
      ]),
    ).toEqual(['api', 'root']);
  });

  it('more headers wins when path equal; more exact header matches wins when header count equal', () => {
    expect(
      order([
        ['one-header', { ...prefix('/api'), headers: [h('h1', 'v1')] }],
        ['two-headers', { ...prefix('/api'), headers: [h('h1', 'v1'), h('h2', 'v2')] }],
      ]),
    ).toEqual(['two-headers', 'one-header']);
    expect(
      order([
        [
          'regex-headers',
          {
            ...prefix('/api'),
            headers: [h('h1', 'v1', 'RegularExpression'), h('h2', 'v2', 'RegularExpression')],
          },
        ],
        ['exact-headers', { ...prefix('/api'), headers: [h('h1', 'v1'), h('h2', 'v2')] }],
      ]),
    ).toEqual(['exact-headers', 'regex-headers']);
  });

  it('more query param matches wins', () => {
    expect(
      order([
        ['no-query', prefix('/api')],
        ['with-query', { ...prefix('/api'), queryParams: [h('q1', 'v1')] }],
      ]),
    ).toEqual(['with-query', 'no-query']);
  });
});

describe('hostnames: one virtual host each, picked exact, then longest wildcard, then *', () => {
  const specific = route('specific', [[regex('^/x/[^/]+$')]], { hostnames: ['api.example.com'] });
  const wildcard = route('wild', [[exact('/x/1')]], { hostnames: ['*.example.com'] });
  const deeper = route('deeper', [[exact('/x/1')]], { hostnames: ['*.eu.example.com'] });
  const any = route('any', [[exact('/x/1')]], { hostnames: [] });
  const routes = [specific, wildcard, deeper, any];

  it('never lets a route of another virtual host win, however specific', () => {
    expect(routeGatewayApiRequest(routes, get('/x/1', { hostname: 'api.example.com' }))).toEqual(
      target('specific'),
    );
    expect(routeGatewayApiRequest(routes, get('/x/1', { hostname: 'API.example.com:8443' }))).toEqual(
      target('specific'),
    );
    expect(routeGatewayApiRequest(routes, get('/x/1', { hostname: 'web.example.com' }))).toEqual(
      target('wild'),
    );
    expect(routeGatewayApiRequest(routes, get('/x/1', { hostname: 'a.b.example.com' }))).toEqual(
      target('wild'),
    );
    expect(routeGatewayApiRequest(routes, get('/x/1', { hostname: 'a.eu.example.com' }))).toEqual(
      target('deeper'),
    );
    expect(routeGatewayApiRequest(routes, get('/x/1', { hostname: 'example.com' }))).toEqual(target('any'));
    expect(routeGatewayApiRequest(routes, { method: 'GET', path: '/x/1' })).toEqual(target('any'));
    // The specific host has no route for /y: Envoy does not fall back to another virtual host.
    expect(routeGatewayApiRequest(routes, get('/x/a/b', { hostname: 'api.example.com' }))).toBeUndefined();
  });

  it('intersects route and listener hostnames as computeHosts does', () => {
    expect(computeGatewayApiHosts([], {})).toEqual(['*']);
    expect(computeGatewayApiHosts([], { hostname: 'api.example.com' })).toEqual(['api.example.com']);
    expect(computeGatewayApiHosts(['*.example.com'], { hostname: 'api.example.com' })).toEqual([
      'api.example.com',
    ]);
    expect(computeGatewayApiHosts(['a.example.com', 'b.other.org'], { hostname: '*.example.com' })).toEqual([
      'a.example.com',
    ]);
    expect(computeGatewayApiHosts(['*.com'], { hostname: '*.example.com' })).toEqual(['*.example.com']);
    expect(computeGatewayApiHosts(['*.example.com'], { hostname: '*.example.com' })).toEqual([
      '*.example.com',
    ]);
    expect(computeGatewayApiHosts(['example.com'], { hostname: '*.example.com' })).toEqual([]);
    expect(
      computeGatewayApiHosts(['a.example.com', 'b.example.com'], { otherHostnames: ['b.example.com'] }),
    ).toEqual(['a.example.com']);
  });
});

describe('proveGatewayApiNoShadowing', () => {
  it('proves literal, integer and enum segments reach their own rule, in any route order', () => {
    const routes = [
      route('pets', [
        [regex('^/pets/(?:[0-9]+)$')],
        [regex('^/pets/(?:cat|dog)/toys$')],
        [exact('/pets/mine')],
      ]),
      route('stores', [[regex('^/stores/[^/]+$', 'DELETE')], [regex('^/stores/[^/]+$')]]),
    ];
    const operations = [
      operation('GET', '/pets/{id}', 'pets', 0),
      operation('GET', '/pets/{kind}/toys', 'pets', 1),
      operation('GET', '/pets/mine', 'pets', 2),
      operation('DELETE', '/stores/{id}', 'stores', 0),
      operation('GET', '/stores/{id}', 'stores', 1),
    ];
    expect(proveGatewayApiNoShadowing(routes, operations)).toEqual([]);
    expect(proveGatewayApiNoShadowing([...routes].reverse(), operations)).toEqual([]);
  });

  it('says which rule wins when a longer regex shadows a more specific template', () => {
    const routes = [route('api', [[regex('^/a/[^/]+/(?:c)$')], [regex('^/a/b/[^/]+$')]])];
    expect(
      proveGatewayApiNoShadowing(routes, [operation('GET', '/a/b/{y}', 'api', 1, { paths: ['/a/b/c'] })]),
    ).toEqual([
      'GET /a/b/{y}: GET api.example.com/a/b/c is routed to apps/api rule 0 (GET RegularExpression ^/a/[^/]+/(?:c)$) instead of apps/api rule 1',
    ]);
  });

  it('reports equal-rank rules of two HTTPRoutes that both match: creation order decides', () => {
    const routes = [route('x', [[regex('^/a/[^/]+/c$')]]), route('y', [[regex('^/a/b/[^/]+$')]])];
    const [message] = proveGatewayApiNoShadowing(routes, [
      operation('GET', '/a/b/{y}', 'y', 0, { paths: ['/a/b/c'] }),
    ]);
    expect(message).toContain('GET api.example.com/a/b/c matches apps/x rule 0');
    expect(message).toContain('and apps/y rule 0');
    expect(message).toContain('ranks equal: the oldest HTTPRoute wins');
    // Within one HTTPRoute the rule order is certain: the earlier rule wins, reported as plain shadowing.
    const single = [route('r', [[regex('^/a/[^/]+/c$')], [regex('^/a/b/[^/]+$')]])];
    expect(
      proveGatewayApiNoShadowing(single, [operation('GET', '/a/b/{y}', 'r', 1, { paths: ['/a/b/c'] })]),
    ).toEqual([
      'GET /a/b/{y}: GET api.example.com/a/b/c is routed to apps/r rule 0 (GET RegularExpression ^/a/[^/]+/c$) instead of apps/r rule 1',
    ]);
  });

  it('does not report equal-rank rules that cannot match the same request', () => {
    const routes = [
      route('x', [
        [
          {
            path: { type: 'Exact', value: '/' },
            method: 'POST',
            queryParams: [{ name: 'Action', value: 'A' }],
          },
        ],
      ]),
      route('y', [
        [
          {
            path: { type: 'Exact', value: '/' },
            method: 'POST',
            queryParams: [{ name: 'Action', value: 'B' }],
          },
        ],
      ]),
      route('z', [
        [
          {
            path: { type: 'Exact', value: '/' },
            method: 'POST',
            headers: [{ name: 'X-Amz-Target', value: 'Get' }],
          },
        ],
      ]),
    ];
    expect(
      proveGatewayApiNoShadowing(routes, [
        operation('POST', '/#Action=A', 'x'),
        operation('POST', '/#Action=B', 'y'),
        operation('POST', '/#X-Amz-Target=Get', 'z'),
      ]),
    ).toEqual([]);
  });

  it('proves two APIs on one hostname, and finds the one whose base path a wider regex swallows', () => {
    const pets = route('pets-api', [[regex('^/v1/pets/[^/]+$')]]);
    const users = route('users-api', [[regex('^/v1/users/[^/]+$')]]);
    const greedy = route('greedy-api', [[regex('^/v1/.+$')]]);
    const operations = [
      operation('GET', '/v1/pets/{id}', 'pets-api'),
      operation('GET', '/v1/users/{id}', 'users-api'),
    ];
    expect(proveGatewayApiNoShadowing([pets, users], operations)).toEqual([]);
    // `^/v1/.+$` is shorter, so it ranks below both; longer, it would win.
    expect(proveGatewayApiNoShadowing([greedy, pets, users], operations)).toEqual([]);
    const greedier = route('greedy-api', [[regex('^/v1/(?:(?:(?:(?:(?:.+)))))$')]]);
    expect(proveGatewayApiNoShadowing([greedier, pets, users], operations)).toEqual([
      'GET /v1/pets/{id}: GET api.example.com/v1/pets/a is routed to apps/greedy-api rule 0 (GET RegularExpression ^/v1/(?:(?:(?:(?:(?:.+)))))$) instead of apps/pets-api rule 0',
      'GET /v1/users/{id}: GET api.example.com/v1/users/a is routed to apps/greedy-api rule 0 (GET RegularExpression ^/v1/(?:(?:(?:(?:(?:.+)))))$) instead of apps/users-api rule 0',
    ]);
  });

  it('checks a wildcard-host route on a host only it serves, and a route on another Gateway does not compete', () => {
    const wild = route('wild', [[regex('^/x/[^/]+$')]], { hostnames: ['*.example.com'] });
    const exactHost = route('exact', [[regex('^/x/(?:[^/]+)$')]], { hostnames: ['any.example.com'] });
    const elsewhere = route('other-gw', [[regex('^/x/(?:(?:(?:[^/]+)))$')]], {
      hostnames: ['*.example.com'],
      parentRefs: [{ name: 'internal', namespace: 'gateways' }],
    });
    expect(
      proveGatewayApiNoShadowing([wild, exactHost, elsewhere], [operation('GET', '/x/{id}', 'wild')]),
    ).toEqual([]);
  });

  it('checks every listener a route attaches to: a rule on a named section competes there', () => {
    const general = route('general', [[regex('^/x/[^/]+$')]]);
    const https = route('https-only', [[regex('^/x/(?:[^/]+)$')]], {
      parentRefs: [{ name: 'edge', namespace: 'gateways', sectionName: 'https' }],
    });
    const [message, ...rest] = proveGatewayApiNoShadowing(
      [general, https],
      [operation('GET', '/x/{id}', 'general')],
    );
    expect(rest).toEqual([]);
    expect(message).toContain('is routed to apps/https-only rule 0');
  });

  it('reports a missing rule, a method the rule does not match, a regex that does not fit, and a 404', () => {
    const routes = [
      route('api', [[regex('^/v/[0-9]+$')], [regex('^/w/[^/]+$', 'POST')]], {
        hostnames: ['api.example.com'],
      }),
    ];
    expect(
      proveGatewayApiNoShadowing(routes, [
        operation('GET', '/v/{id}', 'api', 7),
        operation('GET', '/v/{id}', 'nope'),
        operation('GET', '/w/{id}', 'api', 1),
        operation('GET', '/v/{id}/extra', 'api', 0),
        operation('GET', '/v/{id}', 'api', 0, { paths: ['/v/abc'] }),
      ]),
    ).toEqual([
      'GET /v/{id}: expected apps/api rule 7, which does not exist',
      'GET /v/{id}: expected apps/nope rule 0, which does not exist',
      'GET /w/{id}: apps/api rule 1 has no match for method GET',
      "GET /v/{id}/extra: the rule's regex ^/v/[0-9]+$ does not have the template's segments (example /v/1)",
      'GET /v/{id}: no rule matches GET api.example.com/v/abc (Envoy Gateway answers 404)',
    ]);
  });

  it('checks the match of each base path: an operation under the second base path of its rule', () => {
    const routes = [
      route('api', [[regex('^/v1/items/[^/]+$'), regex('^/v2/items/[^/]+$')]]),
      route('other', [[regex('^/v2/items/(?:[^/]+)$')]]),
    ];
    expect(
      proveGatewayApiNoShadowing(routes, [operation('GET', '/v1/items/{id}', 'api', 0, { matchIndex: 0 })]),
    ).toEqual([]);
    expect(
      proveGatewayApiNoShadowing(routes, [operation('GET', '/v2/items/{id}', 'api', 0, { matchIndex: 1 })]),
    ).toEqual([
      'GET /v2/items/{id}: GET api.example.com/v2/items/a is routed to apps/other rule 0 (GET RegularExpression ^/v2/items/(?:[^/]+)$) instead of apps/api rule 0',
    ]);
  });

  it('survives HTTPRoutes of the wrong shape: no crash, the operation reported', () => {
    const broken = (spec: Record<string, unknown>): ManifestResource => ({ ...route('api', []), spec });
    for (const spec of [
      { rules: 'all' },
      { rules: [null, 7, { matches: 'x' }] },
      { rules: [{ matches: [{ path: { type: 'Nope', value: 5 }, headers: [null], queryParams: {} }] }] },
      { hostnames: 'api.example.com', parentRefs: [null], rules: [{ matches: [null] }] },
    ]) {
      expect(() => routeGatewayApiRequest([broken(spec)], get('/x'))).not.toThrow();
      const messages = proveGatewayApiNoShadowing([broken(spec)], [operation('GET', '/x/{id}', 'api', 2)]);
      expect(messages).toHaveLength(1);
    }
    // Resources that are not Gateway API HTTPRoutes are ignored.
    const notRoutes: ManifestResource[] = [
      { ...route('a', [[prefix('/')]]), kind: 'GRPCRoute' },
      { ...route('b', [[prefix('/')]]), apiVersion: 'kuma.io/v1alpha1' },
    ];
    expect(routeGatewayApiRequest(notRoutes, get('/x'))).toBeUndefined();
  });

  it('reports an operation whose rule Envoy Gateway rejects for an invalid regex', () => {
    const routes = [route('api', [[regex('^/v/(?<=x)$')]])];
    expect(proveGatewayApiNoShadowing(routes, [operation('GET', '/v/{id}', 'api')])).toEqual([
      'GET /v/{id}: Envoy Gateway does not accept apps/api rule 0: one of its regexes is not valid RE2',
    ]);
  });
});
