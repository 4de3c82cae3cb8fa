import { describe, expect, it } from 'vitest';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { proveNoShadowing, routeRequest } from '../../../../shared/core/kuma/validate/route-simulator.js';

type Match = { path?: { type: string; value: string }; method?: string; queryParams?: unknown[] };

/** A gateway MeshHTTPRoute with one rule per match list. */
function route(name: string, rules: Match[][], hostnames: string[] = ['api.example.com']): KumaResource {
  return {
    kind: 'MeshHTTPRoute',
    name,
    namespace: 'kuma-system',
    mesh: 'default',
    spec: {
      targetRef: { kind: 'MeshGateway', name: 'api-gateway' },
      to: [
        {
          targetRef: { kind: 'Mesh' },
          hostnames,
          rules: rules.map((matches) => ({
            matches,
            default: { backendRefs: [{ kind: 'MeshService', name: 'users', namespace: 'apps', port: 8080 }] },
          })),
        },
      ],
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

describe('routeRequest (Kuma builtin gateway ordering)', () => {
  it('sends /users/me to an Exact rule even though a regex rule also matches', () => {
    const routes = [route('by-id', [[regex('^/users/[^/]+$')]]), route('me', [[exact('/users/me')]])];
    expect(routeRequest(routes, { method: 'GET', path: '/users/me' })).toEqual({ route: 'me', ruleIndex: 0 });
    expect(routeRequest(routes, { method: 'GET', path: '/users/42' })).toEqual({
      route: 'by-id',
      ruleIndex: 0,
    });
  });

  it('puts a PathPrefix before any regex, however specific the regex', () => {
    const routes = [route('api', [[prefix('/users')], [regex('^/users/[0-9]+/orders$')]])];
    expect(routeRequest(routes, { method: 'GET', path: '/users/1/orders' })).toEqual({
      route: 'api',
      ruleIndex: 0,
    });
  });

  it('matches PathPrefix per path segment, and the bare prefix itself', () => {
    const routes = [route('api', [[prefix('/users')]])];
    expect(routeRequest(routes, { method: 'GET', path: '/users' })).toEqual({ route: 'api', ruleIndex: 0 });
    expect(routeRequest(routes, { method: 'GET', path: '/users/1' })).toEqual({ route: 'api', ruleIndex: 0 });
    expect(routeRequest(routes, { method: 'GET', path: '/usersettings' })).toBeUndefined();
  });

  it('prefers the longer regex pattern text, and a method match among equal paths', () => {
    const routes = [
      route('short', [[regex('^/a/[^/]+$')]]),
      route('long', [[regex('^/a/(?:[0-9]+)$')]]),
      route('any-method', [[{ path: { type: 'Exact', value: '/b' } }]]),
      route('get', [[exact('/b')]]),
    ];
    expect(routeRequest(routes, { method: 'GET', path: '/a/7' })).toEqual({ route: 'long', ruleIndex: 0 });
    expect(routeRequest(routes, { method: 'GET', path: '/b' })).toEqual({ route: 'get', ruleIndex: 0 });
    expect(routeRequest(routes, { method: 'POST', path: '/b' })).toEqual({
      route: 'any-method',
      ruleIndex: 0,
    });
  });

  it('ignores the query string for paths and checks query matches', () => {
    const routes = [
      route('search', [[{ ...exact('/items'), queryParams: [{ type: 'Exact', name: 'q', value: 'x' }] }]]),
      route('list', [[exact('/items')]]),
    ];
    expect(routeRequest(routes, { method: 'GET', path: '/items?q=x' })).toEqual({
      route: 'search',
      ruleIndex: 0,
    });
    expect(routeRequest(routes, { method: 'GET', path: '/items?q=y' })).toEqual({
      route: 'list',
      ruleIndex: 0,
    });
  });

  it('only considers routes whose hostnames cover the request host', () => {
    const routes = [
      route('a', [[exact('/x')]], ['a.example.com']),
      route('wild', [[exact('/x')]], ['*.example.com']),
    ];
    expect(routeRequest(routes, { method: 'GET', path: '/x', hostname: 'b.example.com' })).toEqual({
      route: 'wild',
      ruleIndex: 0,
    });
    expect(routeRequest(routes, { method: 'GET', path: '/x', hostname: 'other.org' })).toBeUndefined();
  });
});

describe('proveNoShadowing', () => {
  const users = route('users', [
    [exact('/users/me')],
    [regex('^/users/(?:[0-9]+)$')],
    [regex('^/users/(?:[0-9]+)$', 'DELETE')],
    [regex('^/users/(?:active|blocked)/count$')],
  ]);
  const operations = [
    { method: 'GET', pathTemplate: '/users/me', route: 'users', ruleIndex: 0 },
    { method: 'GET', pathTemplate: '/users/{id}', route: 'users', ruleIndex: 1 },
    { method: 'DELETE', pathTemplate: '/users/{id}', route: 'users', ruleIndex: 2 },
    { method: 'GET', pathTemplate: '/users/{state}/count', route: 'users', ruleIndex: 3 },
  ];

  it('proves operations with literal, integer and enum segments reach their own rule', () => {
    expect(validateKumaResources([users])).toEqual([]);
    expect(proveNoShadowing([users], operations)).toEqual([]);
  });

  it('detects a PathPrefix that shadows regex rules', () => {
    const catchAll = route('legacy', [[prefix('/users')]]);
    expect(proveNoShadowing([users, catchAll], operations)).toEqual([
      'GET /users/{id}: GET api.example.com/users/1 is routed to legacy rule 0 (PathPrefix /users/) instead of users rule 1',
      'DELETE /users/{id}: DELETE api.example.com/users/1 is routed to legacy rule 0 (PathPrefix /users/) instead of users rule 2',
      'GET /users/{state}/count: GET api.example.com/users/active/count is routed to legacy rule 0 (PathPrefix /users/) instead of users rule 3',
    ]);
  });

  it('does not let a route on another hostname or gateway interfere', () => {
    const elsewhere = route('other-host', [[prefix('/users')]], ['admin.example.com']);
    const otherGateway = { ...route('other-gw', [[prefix('/users')]]) };
    otherGateway.spec = { ...otherGateway.spec, targetRef: { kind: 'MeshGateway', name: 'internal' } };
    expect(proveNoShadowing([users, elsewhere, otherGateway], operations)).toEqual([]);
  });

  it('reports two equally long regexes that both match as an arbitrary order', () => {
    const twin = route('twin', [[regex('^/users/(?:[0-9]*)$')]]);
    expect(proveNoShadowing([users, twin], operations.slice(1, 2))).toEqual([
      'GET /users/{id}: GET api.example.com/users/1 matches users rule 1 (GET RegularExpression ^/users/(?:[0-9]+)$) and twin rule 0 (GET RegularExpression ^/users/(?:[0-9]*)$), which Kuma orders arbitrarily (equal rank)',
    ]);
  });

  it('reports a rule whose regex does not fit the template, and a missing rule', () => {
    const messages = proveNoShadowing(
      [users],
      [
        { method: 'GET', pathTemplate: '/accounts/{id}', route: 'users', ruleIndex: 1 },
        { method: 'GET', pathTemplate: '/users/{id}', route: 'users', ruleIndex: 9 },
      ],
    );
    expect(messages).toEqual([
      "GET /accounts/{id}: the rule's regex ^/users/(?:[0-9]+)$ does not agree with the template's literal segments",
      'GET /users/{id}: expected users rule 9, which does not exist',
    ]);
  });
});
