/**
 * `x-kuma.cors` on target gateway-api: a Gateway API `CORS` filter on the rule of each CORS-enabled operation
 * (never SecurityPolicy `cors`), so that Envoy Gateway adds the preflight route and a browser's OPTIONS reaches a
 * rule (route simulator). Defaults from the spec, the bad inputs as findings on their lines. Everything through
 * the real target: the HTTPRoutes pass the vendored CRDs and controller rules, or they would be dropped.
 */
import { describe, expect, it } from 'vitest';
import type { ManifestResource } from '../../../shared/core/gateway-api/edge.js';
import { routeGatewayApiRequest } from '../../../shared/core/gateway-api/route-simulator.js';
import { validateGatewayApiResources } from '../../../shared/core/gateway-api/validate/index.js';
import { renderApi } from '../../../shared/core/kuma/render/render-api.js';
import type { ApiConfig } from '../../../shared/core/kuma/render/types.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';

const api: ApiConfig = {
  name: 'pets',
  spec: 'api.yaml',
  target: 'gateway-api',
  parentRef: { name: 'eg', namespace: 'envoy-gateway-system' },
  hostnames: ['pets.example.com'],
  service: { name: 'pets', namespace: 'pets', port: 8080 },
};

async function render(lines: string[], extra: Partial<ApiConfig> = {}) {
  const spec = await loadSpecFromFiles({ 'api.yaml': `${lines.join('\n')}\n` }, 'api.yaml');
  const result = await renderApi({ spec, api: { ...api, ...extra } });
  expect(validateGatewayApiResources(result.manifests)).toEqual([]);
  return result;
}

type Rule = { matches: { method: string; path: { value: string } }[]; filters?: Record<string, unknown>[] };
const routes = (manifests: ManifestResource[]) => manifests.filter((m) => m.kind === 'HTTPRoute');
/** The `cors` of the CORS filter on the rule serving `method path`; undefined without one. */
function corsOf(manifests: ManifestResource[], method: string, path: string) {
  for (const route of routes(manifests)) {
    for (const rule of route.spec.rules as Rule[]) {
      if (!rule.matches.some((m) => m.method === method && m.path.value === path)) continue;
      const filters = (rule.filters ?? []).filter((filter) => filter.type === 'CORS');
      expect(filters.length).toBeLessThanOrEqual(1);
      return filters[0]?.cors;
    }
  }
  throw new Error(`no rule for ${method} ${path}`);
}

/** A browser's preflight for `method path` from `origin`. */
const preflight = (method: string, path: string, origin = 'https://app.example.com') => ({
  method: 'OPTIONS',
  path,
  hostname: 'pets.example.com',
  headers: { origin, 'access-control-request-method': method },
});

const petsSpec = (rootCors?: string, root: string[] = []) => [
  'openapi: 3.0.3',
  'info: {title: pets, version: "1"}',
  'servers: [{url: /api}]',
  ...root,
  ...(rootCors ? ['x-kuma:', `  cors: ${rootCors}`] : []),
  'paths:',
  '  /pets:',
  '    parameters: [{name: X-Request-Id, in: header, schema: {type: string}}]',
  '    get: {parameters: [{$ref: "#/components/parameters/Tenant"}], responses: {"200": {description: ok}}}',
  '    post: {requestBody: {content: {application/json: {schema: {type: object}}}}, responses: {"200": {description: ok}}}',
  '  /pets/{id}:',
  '    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]',
  '    delete: {responses: {"204": {description: gone}}}',
  'components:',
  '  parameters:',
  '    Tenant: {name: x-tenant, in: header, schema: {type: string}}',
];

describe('x-kuma.cors → a CORS filter on each rule', () => {
  it('defaults methods and headers to the path’s operations (body, header parameters, credential header)', async () => {
    const lines = petsSpec(
      '{origins: ["https://app.example.com", "https://*.example.com"], credentials: true, maxAge: 1.5s}',
      ['security: [{key: []}]'],
    ).concat(['  securitySchemes:', '    key: {type: apiKey, in: header, name: X-Api-Key}']);
    const { manifests, findings } = await render(lines, {
      apiKeys: { key: { secretRefs: [{ name: 'pets-keys' }] } },
    });
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    const expected = {
      allowOrigins: ['https://app.example.com', 'https://*.example.com'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['Content-Type', 'X-Api-Key', 'X-Request-Id', 'x-tenant'],
      maxAge: 2,
      allowCredentials: true,
    };
    expect(corsOf(manifests, 'GET', '/api/pets')).toEqual(expected);
    expect(corsOf(manifests, 'POST', '/api/pets')).toEqual(expected);
    // The SecurityPolicy keeps the API key, and no cors: the filter is what makes the preflight route.
    for (const policy of manifests.filter((m) => m.kind === 'SecurityPolicy')) {
      expect(policy.spec.cors).toBeUndefined();
      expect(policy.spec.apiKeyAuth).toBeDefined();
    }
  });

  it('a preflight for every CORS-enabled operation reaches a rule; without cors it reaches none', async () => {
    const withCors = await render(petsSpec('{origins: ["https://app.example.com"]}'));
    const without = await render(petsSpec());
    const requests = [
      ['GET', '/api/pets'],
      ['POST', '/api/pets'],
      ['DELETE', '/api/pets/42'],
    ] as const;
    for (const [method, path] of requests) {
      const target = routeGatewayApiRequest(routes(withCors.manifests), preflight(method, path));
      expect(target, `${method} ${path}`).toBeDefined();
      const rule = (routes(withCors.manifests).find((r) => r.name === target!.route)!.spec.rules as Rule[])[
        target!.ruleIndex
      ]!;
      expect(rule.filters?.some((filter) => filter.type === 'CORS')).toBe(true);
      expect(routeGatewayApiRequest(routes(without.manifests), preflight(method, path))).toBeUndefined();
    }
    // An OPTIONS that is not a preflight (no origin) is still no operation of the spec.
    expect(
      routeGatewayApiRequest(routes(withCors.manifests), {
        method: 'OPTIONS',
        path: '/api/pets',
        hostname: 'pets.example.com',
      }),
    ).toBeUndefined();
  });

  it('cors on one operation only: its preflight reaches its rule, the others’ reach none', async () => {
    const lines = petsSpec().map((line) =>
      line.startsWith('    delete:')
        ? '    delete: {x-kuma: {cors: {origins: ["*"]}}, responses: {"204": {description: gone}}}'
        : line,
    );
    const { manifests } = await render(lines);
    expect(corsOf(manifests, 'GET', '/api/pets')).toBeUndefined();
    const preflightDelete = routeGatewayApiRequest(routes(manifests), preflight('DELETE', '/api/pets/7'));
    expect(preflightDelete).toBeDefined();
    expect(routeGatewayApiRequest(routes(manifests), preflight('GET', '/api/pets'))).toBeUndefined();
  });

  it('explicit methods, headers and exposeHeaders replace the defaults', async () => {
    const { manifests } = await render(
      petsSpec('{origins: ["*"], methods: [GET], headers: [X-Custom], exposeHeaders: [X-Total]}'),
    );
    expect(corsOf(manifests, 'POST', '/api/pets')).toEqual({
      allowOrigins: ['*'],
      allowMethods: ['GET'],
      allowHeaders: ['X-Custom'],
      exposeHeaders: ['X-Total'],
    });
  });
});

/** In the spec, the x-kuma lint refuses a bad cors block on its line (x-kuma-invalid) and the render ignores it. */
const invalid = (findings: { id: string }[]) => findings.filter((f) => f.id === 'x-kuma-invalid');

describe('x-kuma.cors: bad input is a finding on its line, and that CORS is not rendered', () => {
  it.each([
    ['"*"', '*'],
    ['"https://*"', 'https://*'],
    ['"http://*:8080"', 'http://*:8080'],
  ])('attack: origin %s with credentials', async (quoted, origin) => {
    const { manifests, findings } = await render(
      petsSpec(`{origins: ["https://app.example.com", ${quoted}], credentials: true}`),
    );
    expect(invalid(findings)).toEqual([
      expect.objectContaining({
        severity: 'error',
        pointer: '/x-kuma/cors/origins/1',
        line: 5,
        message: expect.stringContaining(
          `"${origin}" allows every origin, which cannot be combined with credentials: true`,
        ),
      }),
    ]);
    expect(corsOf(manifests, 'GET', '/api/pets')).toBeUndefined();
    // The routes themselves are still served.
    expect(routes(manifests).length).toBeGreaterThan(0);
  });

  it.each([
    ['https://app.example.com/', 'is not an origin'],
    ['app.example.com', 'is not an origin'],
    ['ftp://files.example.com', 'is not an origin'],
    ['null', 'is not an origin'],
  ])('attack: malformed origin %s', async (origin, message) => {
    const { findings } = await render(petsSpec(`{origins: ["${origin}"]}`));
    expect(invalid(findings)).toEqual([
      expect.objectContaining({
        pointer: '/x-kuma/cors/origins/0',
        message: expect.stringContaining(message),
      }),
    ]);
  });

  it('attack: "*" among other origins or methods (Gateway API refuses it) is an error, not a dropped route', async () => {
    const { manifests, findings } = await render(
      petsSpec('{origins: ["https://a.example.com", "*"], methods: [GET, "*"]}'),
    );
    expect(invalid(findings).map((f) => (f as { pointer?: string }).pointer)).toEqual([
      '/x-kuma/cors/origins/1',
      '/x-kuma/cors/methods/1',
    ]);
    expect(findings.filter((f) => f.id === 'gateway-api-invalid-resource')).toEqual([]);
    expect(routes(manifests).length).toBeGreaterThan(0);
  });

  it('from the config defaults: one finding, on the first operation it applies to', async () => {
    const { findings } = await render(petsSpec(), {
      defaults: { cors: { origins: ['*'], credentials: true } },
    });
    const invalid = findings.filter((f) => f.id === 'gateway-api-cors-invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.message).toContain('(from the config defaults)');
  });
});
