/**
 * validateGatewayApiResources: what the API server (schema + CEL, on the defaulted object) and Envoy Gateway's
 * translator would refuse, for the shapes the Gateway API target emits. Each class is attacked several ways; the
 * expected rule texts are the CRDs' own messages (shared/core/gateway-api/crds/schemas.json).
 */
import { describe, expect, it, vi } from 'vitest';
import type { ManifestResource } from '../../../shared/core/gateway-api/edge.js';
import {
  type GatewayApiProblem,
  validateGatewayApiResources,
} from '../../../shared/core/gateway-api/validate/index.js';

const gatewayGroup = 'gateway.networking.k8s.io';

function route(rules: unknown[], extra: Record<string, unknown> = {}): ManifestResource {
  return {
    apiVersion: `${gatewayGroup}/v1`,
    kind: 'HTTPRoute',
    name: 'orders',
    namespace: 'shop',
    spec: {
      parentRefs: [{ name: 'edge', namespace: 'infra' }],
      hostnames: ['api.example.com'],
      rules,
      ...extra,
    },
  };
}

function rule(matches: unknown[], extra: Record<string, unknown> = {}) {
  return { matches, backendRefs: [{ name: 'orders', port: 8080 }], ...extra };
}

const exact = (value: string, method = 'GET') => ({ path: { type: 'Exact', value }, method });

function policy(kind: string, spec: Record<string, unknown>): ManifestResource {
  return { apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind, name: 'orders', namespace: 'shop', spec };
}

const toRoute = { targetRefs: [{ group: gatewayGroup, kind: 'HTTPRoute', name: 'orders' }] };
const check = (...resources: ManifestResource[]) => validateGatewayApiResources(resources);
const at = (problems: GatewayApiProblem[]) => problems.map((p) => `${p.path} | ${p.rule}`);

describe('a valid route and its policies', () => {
  it('accepts what the target renders: exact and regex matches, weights, header filters, timeouts, policies', () => {
    const problems = check(
      route([
        rule(
          [
            exact('/orders/list'),
            { path: { type: 'RegularExpression', value: '/orders/[^/]+' }, method: 'GET' },
          ],
          {
            backendRefs: [
              { name: 'orders-v1', port: 8080, weight: 90 },
              { name: 'orders-v2', port: 8080, weight: 10 },
            ],
            filters: [
              {
                type: 'RequestHeaderModifier',
                requestHeaderModifier: { set: [{ name: 'X-Api', value: 'orders v1' }] },
              },
              {
                type: 'URLRewrite',
                urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/list' } },
              },
            ],
            timeouts: { request: '10s', backendRequest: '5s' },
          },
        ),
      ]),
      {
        apiVersion: `${gatewayGroup}/v1beta1`,
        kind: 'ReferenceGrant',
        name: 'orders',
        namespace: 'backends',
        spec: {
          from: [{ group: gatewayGroup, kind: 'HTTPRoute', namespace: 'shop' }],
          to: [{ group: '', kind: 'Service' }],
        },
      },
      policy('SecurityPolicy', {
        ...toRoute,
        jwt: {
          providers: [
            {
              name: 'idp',
              issuer: 'https://idp.example.com',
              remoteJWKS: { uri: 'https://idp.example.com/jwks' },
            },
          ],
        },
        apiKeyAuth: { credentialRefs: [{ name: 'orders-keys' }], extractFrom: [{ headers: ['x-api-key'] }] },
      }),
      policy('BackendTrafficPolicy', {
        ...toRoute,
        rateLimit: { local: { rules: [{ limit: { requests: 100, unit: 'Minute' } }] } },
        retry: { numRetries: 2, perRetry: { backOff: { baseInterval: '100ms', maxInterval: '1s' } } },
      }),
    );
    expect(problems).toEqual([]);
  });
});

describe('HTTPRoute path matches (CRD rules on spec.rules[].matches[].path)', () => {
  it.each([
    ['orders', "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']"],
    ['/orders//list', "must not contain '//' when type one of ['Exact', 'PathPrefix']"],
    ['/orders/%2Flist', "must not contain '%2F' when type one of ['Exact', 'PathPrefix']"],
    ['/orders/..', "must not end with '/..' when type one of ['Exact', 'PathPrefix']"],
    ['/orders#x', "must not contain '#' when type one of ['Exact', 'PathPrefix']"],
  ])('refuses the literal path %s', (value, message) => {
    const problems = check(route([rule([exact(value)])]));
    expect(problems).toContainEqual({
      resource: 'HTTPRoute/orders',
      rule: message,
      path: 'spec.rules[0].matches[0].path',
      message,
    });
  });

  it('refuses characters outside a path, but lets a RegularExpression use them', () => {
    const spaced = check(route([rule([exact('/orders list')])]));
    expect(at(spaced).some((line) => line.includes('must only contain valid characters'))).toBe(true);
    expect(check(route([rule([{ path: { type: 'RegularExpression', value: '/orders( list)?' } }])]))).toEqual(
      [],
    );
  });

  it('checks the defaulted path: a match without a type is a PathPrefix, so its value must start with /', () => {
    const problems = check(route([rule([{ path: { value: 'orders' } }])]));
    expect(at(problems)).toContain(
      "spec.rules[0].matches[0].path | value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
    );
  });
});

describe("RegularExpression matches must compile in RE2 (Envoy Gateway's regex.Validate)", () => {
  it.each([
    ['an unclosed group', '/orders/(', 'spec.rules[0].matches[0].path.value'],
    ['a look-ahead JavaScript accepts', '/orders/(?=x)', 'spec.rules[0].matches[0].path.value'],
    ['a back-reference', '/(a)\\1', 'spec.rules[0].matches[0].path.value'],
  ])('refuses %s in a path', (_what, value, path) => {
    const problems = check(route([rule([{ path: { type: 'RegularExpression', value } }])]));
    expect(problems.filter((p) => p.rule === 'envoy-gateway:regex').map((p) => p.path)).toEqual([path]);
  });

  it('refuses one in a header and a query match too', () => {
    const problems = check(
      route([
        rule([
          {
            path: { type: 'PathPrefix', value: '/orders' },
            headers: [{ type: 'RegularExpression', name: 'x-tenant', value: '[a-' }],
            queryParams: [{ type: 'RegularExpression', name: 'q', value: '*' }],
          },
        ]),
      ]),
    );
    expect(problems.filter((p) => p.rule === 'envoy-gateway:regex').map((p) => p.path)).toEqual([
      'spec.rules[0].matches[0].headers[0].value',
      'spec.rules[0].matches[0].queryParams[0].value',
    ]);
  });
});

describe('URLRewrite and RequestRedirect rules', () => {
  const rewritePrefix = {
    type: 'URLRewrite',
    urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } },
  };
  const message =
    'When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified';

  it('refuses ReplacePrefixMatch on an Exact match, on two matches, and on a RegularExpression match', () => {
    for (const matches of [
      [exact('/orders')],
      [{ path: { type: 'PathPrefix', value: '/a' } }, { path: { type: 'PathPrefix', value: '/b' } }],
      [{ path: { type: 'RegularExpression', value: '/o.*' } }],
    ]) {
      expect(at(check(route([rule(matches, { filters: [rewritePrefix] })])))).toContain(
        `spec.rules[0] | ${message}`,
      );
    }
    expect(
      check(
        route([rule([{ path: { type: 'PathPrefix', value: '/orders' } }], { filters: [rewritePrefix] })]),
      ),
    ).toEqual([]);
  });

  it('refuses a type without its value, a value without its type, and two URLRewrite filters', () => {
    const missing = check(
      route([
        rule([exact('/o')], {
          filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath' } } }],
        }),
      ]),
    );
    expect(at(missing)).toContain(
      "spec.rules[0].filters[0].urlRewrite.path | replaceFullPath must be specified when type is set to 'ReplaceFullPath'",
    );
    const mixed = check(
      route([
        rule([exact('/o')], {
          filters: [
            {
              type: 'URLRewrite',
              urlRewrite: {
                path: { type: 'ReplaceFullPath', replacePrefixMatch: '/x', replaceFullPath: '/y' },
              },
            },
          ],
        }),
      ]),
    );
    expect(at(mixed)).toContain(
      "spec.rules[0].filters[0].urlRewrite.path | type must be 'ReplacePrefixMatch' when replacePrefixMatch is set",
    );
    const twice = check(
      route([
        rule([exact('/o')], {
          filters: [
            { type: 'URLRewrite', urlRewrite: { hostname: 'a.example.com' } },
            { type: 'URLRewrite', urlRewrite: { hostname: 'b.example.com' } },
          ],
        }),
      ]),
    );
    expect(at(twice)).toContain('spec.rules[0].filters | URLRewrite filter cannot be repeated');
  });

  it('refuses a redirect beside backends, and a filter body that does not match its type', () => {
    const redirect = check(
      route([
        rule([exact('/o')], { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] }),
      ]),
    );
    expect(at(redirect)).toContain(
      'spec.rules[0] | RequestRedirect filter must not be used together with backendRefs',
    );
    const body = check(
      route([
        rule([exact('/o')], {
          filters: [{ type: 'RequestHeaderModifier', urlRewrite: { hostname: 'x.example.com' } }],
        }),
      ]),
    );
    expect(at(body)).toEqual(
      expect.arrayContaining([
        'spec.rules[0].filters[0] | filter.urlRewrite must be nil if the filter.type is not URLRewrite',
        'spec.rules[0].filters[0] | filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type',
      ]),
    );
  });
});

describe('header names and values', () => {
  const modifier = (set: unknown[]) =>
    route([
      rule([exact('/o')], { filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set } }] }),
    ]);

  it('refuses Host, a name with a colon, and one with a space', () => {
    expect(at(check(modifier([{ name: 'Host', value: 'x' }])))).toContain(
      'spec.rules[0].filters[0].requestHeaderModifier.set[0].name | envoy-gateway:header-name',
    );
    expect(at(check(modifier([{ name: 'x:y', value: 'x' }])))).toEqual(
      expect.arrayContaining(['spec.rules[0].filters[0].requestHeaderModifier.set[0].name | schema']),
    );
    expect(at(check(modifier([{ name: 'x y', value: 'x' }])))).toContain(
      'spec.rules[0].filters[0].requestHeaderModifier.set[0].name | schema',
    );
  });

  it('refuses a value with a line break or a non-ASCII character, and an empty one', () => {
    for (const value of ['a\r\nX-Injected: 1', 'café', '']) {
      const problems = check(modifier([{ name: 'x-api', value }]));
      expect(
        problems.map((p) => p.path),
        JSON.stringify(value),
      ).toContain('spec.rules[0].filters[0].requestHeaderModifier.set[0].value');
    }
  });

  it('refuses the same header set twice, exactly (schema) or in another case (Envoy Gateway drops it)', () => {
    expect(
      at(
        check(
          modifier([
            { name: 'x-a', value: '1' },
            { name: 'x-a', value: '2' },
          ]),
        ),
      ),
    ).toContain('spec.rules[0].filters[0].requestHeaderModifier.set | schema');
    expect(
      at(
        check(
          modifier([
            { name: 'x-a', value: '1' },
            { name: 'X-A', value: '2' },
          ]),
        ),
      ),
    ).toContain(
      'spec.rules[0].filters[0].requestHeaderModifier.set[1].name | envoy-gateway:duplicate-header',
    );
  });
});

describe('counts', () => {
  const prefix = (i: number) => ({ path: { type: 'PathPrefix', value: `/p${i}` } });

  it('refuses 17 rules, 65 matches in one rule, and 129 matches across rules', () => {
    const many = (n: number, each: number) =>
      Array.from({ length: n }, (_, r) => rule(Array.from({ length: each }, (_, m) => prefix(r * 100 + m))));
    expect(at(check(route(many(17, 1))))).toContain('spec.rules | schema');
    expect(at(check(route(many(1, 65))))).toContain('spec.rules[0].matches | schema');
    expect(at(check(route(many(9, 15))))).toContain(
      'spec.rules | While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128',
    );
    expect(check(route(many(8, 16)))).toEqual([]);
  });

  it('refuses two references to one parent without distinct section names', () => {
    const problems = check(
      route([rule([exact('/o')])], {
        parentRefs: [
          { name: 'edge', namespace: 'infra' },
          { name: 'edge', namespace: 'infra' },
        ],
      }),
    );
    expect(at(problems)).toContain(
      'spec.parentRefs | sectionName must be unique when parentRefs includes 2 or more references to the same parent',
    );
  });

  it('refuses a backend timeout longer than the request timeout, and a Service backend without a port', () => {
    expect(
      at(check(route([rule([exact('/o')], { timeouts: { request: '1s', backendRequest: '2s' } })]))),
    ).toContain('spec.rules[0].timeouts | backendRequest timeout cannot be longer than request timeout');
    expect(at(check(route([rule([exact('/o')], { backendRefs: [{ name: 'orders' }] })])))).toContain(
      'spec.rules[0].backendRefs[0] | Must have port for Service reference',
    );
  });
});

describe('policy targets (SecurityPolicy and BackendTrafficPolicy CEL rules)', () => {
  it.each(['SecurityPolicy', 'BackendTrafficPolicy'])(
    '%s: refuses no target, both forms, a foreign group',
    (kind) => {
      expect(at(check(policy(kind, {})))).toContain('spec | either targetRef or targetRefs must be used');
      const both = { targetRef: { group: gatewayGroup, kind: 'HTTPRoute', name: 'a' }, ...toRoute };
      expect(at(check(policy(kind, both)))).toContain('spec | either targetRef or targetRefs must be used');
      const foreign = { targetRefs: [{ group: 'apps', kind: 'HTTPRoute', name: 'a' }] };
      expect(at(check(policy(kind, foreign)))).toContain(
        'spec | this policy can only have a targetRefs[*].group of gateway.networking.k8s.io',
      );
    },
  );

  it('refuses a Service as the target of either policy, and a merge type on a Gateway target', () => {
    const service = { targetRefs: [{ group: gatewayGroup, kind: 'Service', name: 'a' }] };
    expect(check(policy('SecurityPolicy', service)).map((p) => p.path)).toContain('spec');
    expect(check(policy('BackendTrafficPolicy', service)).map((p) => p.path)).toContain('spec');
    const merge = {
      targetRefs: [{ group: gatewayGroup, kind: 'Gateway', name: 'edge' }],
      mergeType: 'StrategicMerge',
    };
    expect(at(check(policy('BackendTrafficPolicy', merge)))).toContain(
      'spec | mergeType can only be used with xRoute targets',
    );
  });
});

describe('SecurityPolicy content', () => {
  it('refuses a JWT provider with both JWKS forms, a duplicate provider name, and a JWKS URI that is no URI', () => {
    const both = {
      name: 'a',
      remoteJWKS: { uri: 'https://x/jwks' },
      localJWKS: { type: 'Inline', inline: '{}' },
    };
    expect(at(check(policy('SecurityPolicy', { ...toRoute, jwt: { providers: [both] } })))).toContain(
      'spec.jwt.providers[0] | remoteJWKS and localJWKS cannot both be specified.',
    );
    const twice = [
      { name: 'a', remoteJWKS: { uri: 'https://x/jwks' } },
      { name: 'a', remoteJWKS: { uri: 'https://y/jwks' } },
    ];
    expect(at(check(policy('SecurityPolicy', { ...toRoute, jwt: { providers: twice } })))).toContain(
      'spec.jwt.providers[1].name | envoy-gateway:jwt-provider',
    );
    const bad = [{ name: 'a', issuer: 'https://x', remoteJWKS: { uri: 'jwks' } }];
    expect(
      check(policy('SecurityPolicy', { ...toRoute, jwt: { providers: bad } })).map((p) => p.path),
    ).toContain('spec.jwt.providers[0].remoteJWKS.uri');
  });

  it('applies defaults inside the parts the schemas share (a JWKS backend without a port is a Service one)', () => {
    const backendRefs = { uri: 'https://idp.example.com/jwks', backendRefs: [{ name: 'idp' }] };
    const problems = check(
      policy('SecurityPolicy', { ...toRoute, jwt: { providers: [{ name: 'a', remoteJWKS: backendRefs }] } }),
    );
    expect(at(problems)).toContain(
      'spec.jwt.providers[0].remoteJWKS.backendRefs[0] | Must have port for Service reference',
    );
    const withPort = { ...backendRefs, backendRefs: [{ name: 'idp', port: 443 }] };
    expect(
      check(
        policy('SecurityPolicy', { ...toRoute, jwt: { providers: [{ name: 'a', remoteJWKS: withPort }] } }),
      ),
    ).toEqual([]);
  });

  it('refuses an API key source that names headers and params at once, or none', () => {
    for (const source of [{ headers: ['x-key'], params: ['key'] }, {}]) {
      const spec = { ...toRoute, apiKeyAuth: { credentialRefs: [{ name: 'keys' }], extractFrom: [source] } };
      expect(at(check(policy('SecurityPolicy', spec)))).toContain(
        'spec.apiKeyAuth.extractFrom[0] | exactly one of headers, params, or cookies must be specified',
      );
    }
  });
});

describe('BackendTrafficPolicy rate limits and retries', () => {
  const local = (rules: unknown[]) =>
    policy('BackendTrafficPolicy', { ...toRoute, rateLimit: { local: { rules } } });
  const limit = (unit: string, clientSelectors?: unknown[]) => ({
    limit: { requests: 10, unit },
    ...(clientSelectors ? { clientSelectors } : {}),
  });

  it('refuses two default rules, a unit that is not a multiple of the default, and an invalid selector regex', () => {
    expect(at(check(local([limit('Minute'), limit('Hour')])))).toContain(
      'spec.rateLimit.local.rules | envoy-gateway:rate-limit',
    );
    const user = [{ headers: [{ name: 'x-user', type: 'Distinct' }] }];
    expect(at(check(local([limit('Minute'), limit('Second', user)])))).toContain(
      'spec.rateLimit.local.rules[1].limit.unit | envoy-gateway:rate-limit',
    );
    const regex = [{ headers: [{ name: 'x-user', type: 'RegularExpression', value: '(' }] }];
    expect(at(check(local([limit('Minute', regex)])))).toContain(
      'spec.rateLimit.local.rules[0].clientSelectors[0].headers[0].value | envoy-gateway:regex',
    );
  });

  it('refuses a zero back-off, a maximum below the base, and a response cost on a local limit', () => {
    const backOff = (b: string, m: string) =>
      policy('BackendTrafficPolicy', {
        ...toRoute,
        retry: { perRetry: { backOff: { baseInterval: b, maxInterval: m } } },
      });
    expect(at(check(backOff('0s', '1s')))).toContain(
      'spec.retry.perRetry.backOff.baseInterval | envoy-gateway:retry',
    );
    expect(at(check(backOff('2s', '1s')))).toContain(
      'spec.retry.perRetry.backOff.maxInterval | envoy-gateway:retry',
    );
    const cost = [
      { limit: { requests: 1, unit: 'Second' }, cost: { response: { from: 'Number', number: 1 } } },
    ];
    expect(at(check(local(cost)))).toContain(
      'spec.rateLimit.local.rules | response cost is not supported for Local Rate Limits',
    );
  });
});

describe('metadata, kinds and unknown fields', () => {
  it('refuses an upper-case name, a missing namespace, a bad label, and an unknown field', () => {
    const base = route([rule([exact('/o')])]);
    expect(at(check({ ...base, name: 'Orders' }))).toContain('metadata.name | metadata');
    expect(at(check({ ...base, namespace: '' }))).toContain('metadata.namespace | metadata');
    expect(at(check({ ...base, labels: { 'app/x/y': 'v' } }))).toContain(
      'metadata.labels.app/x/y | metadata',
    );
    expect(at(check(route([rule([exact('/o')], { retries: 3 })])))).toContain(
      'spec.rules[0].retries | schema',
    );
  });

  it('refuses an unserved version and an unknown kind, naming what is served', () => {
    const wrong = check({ ...route([]), apiVersion: `${gatewayGroup}/v1alpha2` });
    expect(wrong).toEqual([
      expect.objectContaining({
        path: 'apiVersion',
        rule: 'kind',
        message: expect.stringContaining(`${gatewayGroup}/v1`),
      }),
    ]);
    expect(at(check({ ...route([]), kind: 'TCPRoute' }))).toEqual(['kind | kind']);
    expect(at(check({ ...route([]), kind: 'constructor' }))).toEqual(['kind | kind']);
  });

  it('never throws on hostile shapes: nulls, arrays for objects, strings for lists', () => {
    for (const spec of [
      null,
      [],
      'x',
      { rules: 'x' },
      { rules: [null] },
      { rules: [{ matches: [{ path: 1 }] }] },
    ]) {
      const resource = { ...route([]), spec: spec as Record<string, unknown> };
      expect(() => check(resource)).not.toThrow();
    }
  });
});

describe('compiling', () => {
  it('compiles nothing until a resource of a kind is checked, then each schema once per process', async () => {
    vi.resetModules();
    const { Ajv } = await import('ajv');
    const compile = vi.spyOn(Ajv.prototype, 'compile');
    const fresh = await import('../../../shared/core/gateway-api/validate/index.js');
    fresh.validateGatewayApiResources([]);
    expect(compile).not.toHaveBeenCalled();
    fresh.validateGatewayApiResources([route([rule([exact('/o')])])]);
    expect(compile).toHaveBeenCalledTimes(1);
    fresh.validateGatewayApiResources([route([rule([exact('/p')])]), route([rule([exact('/q')])])]);
    expect(compile).toHaveBeenCalledTimes(1);
    compile.mockRestore();
  });
});
