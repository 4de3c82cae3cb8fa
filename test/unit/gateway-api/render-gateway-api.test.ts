/**
 * The gateway-api target's routing: what the HTTPRoutes say for each operation (matches, backends with weights,
 * filters, timeouts), where they live, how operations are grouped and named, and the ReferenceGrant. Assertions
 * read the manifests, never the code that made them.
 */
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { ManifestResource } from '../../../shared/core/gateway-api/edge.js';
import { formatGatewayDuration } from '../../../shared/core/gateway-api/render-gateway-api.js';
import { renderApi } from '../../../shared/core/kuma/render/render-api.js';
import { serializeResources } from '../../../shared/core/kuma/render/serialize-resources.js';
import type { ApiConfig } from '../../../shared/core/kuma/render/types.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';

const ok = { 200: { description: 'ok' } };
const id = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'integer' } });

function document(paths: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    openapi: '3.0.3',
    info: { title: 'pets', version: '1.0.0' },
    servers: [{ url: '/api' }],
    paths,
    ...extra,
  };
}

const baseApi: ApiConfig = {
  name: 'pets',
  spec: 'api.yaml',
  target: 'gateway-api',
  parentRef: { name: 'eg', namespace: 'envoy-gateway-system' },
  hostnames: ['b.example.com', 'a.example.com'],
  service: { name: 'pets', namespace: 'pets', port: 8080 },
};

async function render(doc: Record<string, unknown>, api: Partial<ApiConfig> = {}, format?: 'universal') {
  const spec = await loadSpecFromFiles({ 'api.yaml': stringify(doc) }, 'api.yaml');
  return renderApi({ spec, api: { ...baseApi, ...api }, ...(format ? { format } : {}) });
}

type Rule = {
  matches: {
    path: { type: string; value: string };
    method: string;
    headers?: unknown[];
    queryParams?: unknown[];
  }[];
  filters?: { type: string; [key: string]: unknown }[];
  backendRefs: { name: string; namespace?: string; port: number; weight?: number }[];
  timeouts?: { request: string };
};

const routes = (manifests: ManifestResource[]) => manifests.filter((m) => m.kind === 'HTTPRoute');
const rulesOf = (route: ManifestResource) => route.spec.rules as Rule[];
/** The rule (and its route) that serves `method path`, found by its match as written in the manifest. */
function ruleFor(manifests: ManifestResource[], method: string, value: string) {
  for (const route of routes(manifests)) {
    for (const rule of rulesOf(route)) {
      if (rule.matches.some((m) => m.method === method && m.path.value === value)) return { route, rule };
    }
  }
  return undefined;
}

describe('gateway-api target: one HTTPRoute rule per operation', () => {
  it('attaches to the parent Gateway with sorted hostnames, Exact and RegularExpression paths and the method', async () => {
    const result = await render(
      document({
        '/pets': {
          get: { operationId: 'listPets', responses: ok },
          post: { operationId: 'addPet', responses: ok },
        },
        '/pets/{id}': { get: { operationId: 'getPet', parameters: [id('id')], responses: ok } },
      }),
    );
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const all = routes(result.manifests);
    expect(all.length).toBeGreaterThan(0);
    for (const route of all) {
      expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
      expect(route.namespace).toBe('pets');
      expect(route.spec.parentRefs).toEqual([{ name: 'eg', namespace: 'envoy-gateway-system' }]);
      expect(route.spec.hostnames).toEqual(['a.example.com', 'b.example.com']);
    }
    expect(ruleFor(result.manifests, 'GET', '/api/pets')?.rule.matches[0]?.path.type).toBe('Exact');
    const placed = result.operations.find((op) => op.operation === 'GET /pets/{id}')!;
    const templated = rulesOf(all.find((r) => r.name === placed.route)!)[placed.ruleIndex]!.matches[0]!;
    expect(templated.path.type).toBe('RegularExpression');
    expect(new RegExp(templated.path.value).test('/api/pets/42')).toBe(true);
    expect(new RegExp(templated.path.value).test('/api/pets/42/x')).toBe(false);
    expect(ruleFor(result.manifests, 'POST', '/api/pets')).toBeDefined();
    // The placement the proof reads agrees with the manifests.
    for (const placed of result.operations) {
      const route = all.find((r) => r.name === placed.route)!;
      const rule = rulesOf(route)[placed.ruleIndex]!;
      expect(rule.matches[placed.matchIndex ?? 0]!.method).toBe(placed.method);
      expect(placed.namespace).toBe('pets');
    }
  });

  it('sends traffic to Services with weights per version, the x-kuma split winning over the config', async () => {
    const result = await render(
      document({
        '/a': { get: { operationId: 'a', responses: ok, 'x-kuma': { weights: { stable: 80, canary: 20 } } } },
        '/b': { get: { operationId: 'b', responses: ok, 'x-kuma': { weights: { stable: 100, canary: 0 } } } },
        '/c': { get: { operationId: 'c', responses: ok } },
      }),
      {
        service: {
          name: 'pets',
          namespace: 'pets',
          port: 8080,
          versions: [
            { name: 'stable', default: true },
            { name: 'canary', service: 'pets-next' },
          ],
        },
      },
    );
    expect(ruleFor(result.manifests, 'GET', '/api/a')?.rule.backendRefs).toEqual([
      { name: 'pets-next', port: 8080, weight: 20 },
      { name: 'pets-stable', port: 8080, weight: 80 },
    ]);
    // Weight 0 is a blue/green switch: the version gets no backendRef at all.
    expect(ruleFor(result.manifests, 'GET', '/api/b')?.rule.backendRefs).toEqual([
      { name: 'pets-stable', port: 8080, weight: 100 },
    ]);
    expect(ruleFor(result.manifests, 'GET', '/api/c')?.rule.backendRefs).toEqual([
      { name: 'pets-stable', port: 8080, weight: 100 },
    ]);
  });

  it('rewrites literal paths with ReplaceFullPath and refuses to expose a templated path it cannot rewrite', async () => {
    const result = await render(
      document({
        '/pets': { get: { operationId: 'listPets', responses: ok } },
        '/pets/{id}': { get: { operationId: 'getPet', parameters: [id('id')], responses: ok } },
      }),
      { rewrite: '/internal' },
    );
    expect(ruleFor(result.manifests, 'GET', '/api/pets')?.rule.filters).toEqual([
      {
        type: 'URLRewrite',
        urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/internal/pets' } },
      },
    ]);
    expect(ruleFor(result.manifests, 'GET', '^/api/pets/[0-9]+$')).toBeUndefined();
    expect(result.findings.map((f) => [f.id, f.operation])).toContainEqual([
      'kuma-rewrite-templated-path',
      'GET /pets/{id}',
    ]);
  });

  it('changes request and response headers with the header modifier filters, % kept literal', async () => {
    const result = await render(
      document({
        '/pets': {
          get: {
            operationId: 'listPets',
            responses: ok,
            'x-kuma': {
              requestHeaders: { set: { 'X-Tenant': '100%' }, remove: ['X-Debug'] },
              responseHeaders: { add: { 'Cache-Control': 'no-store' } },
            },
          },
        },
      }),
    );
    expect(ruleFor(result.manifests, 'GET', '/api/pets')?.rule.filters).toEqual([
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: { set: [{ name: 'x-tenant', value: '100%%' }], remove: ['x-debug'] },
      },
      {
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: { add: [{ name: 'cache-control', value: 'no-store' }] },
      },
    ]);
  });

  it('matches the #name=value fragment as an Exact query match, and a bare one as present (regex .*)', async () => {
    const action = (value: string) => ({
      name: 'Action',
      in: 'query',
      required: true,
      schema: { type: 'string', enum: [value] },
    });
    const result = await render(
      document({
        '/#Action=List': { get: { operationId: 'list', parameters: [action('List')], responses: ok } },
        '/#Action=Put': { get: { operationId: 'put', parameters: [action('Put')], responses: ok } },
      }),
    );
    const rules = routes(result.manifests).flatMap(rulesOf);
    expect(rules.flatMap((rule) => rule.matches.map((m) => m.queryParams))).toEqual(
      expect.arrayContaining([
        [{ type: 'Exact', name: 'Action', value: 'List' }],
        [{ type: 'Exact', name: 'Action', value: 'Put' }],
      ]),
    );
  });

  it('sets timeouts.request from x-kuma timeout in Gateway API duration form, and nothing without one', async () => {
    const result = await render(
      document({
        '/slow': { get: { operationId: 'slow', responses: ok, 'x-kuma': { timeout: '1.5s' } } },
        '/long': { get: { operationId: 'long', responses: ok, 'x-kuma': { timeout: '90m' } } },
        '/plain': { get: { operationId: 'plain', responses: ok } },
      }),
    );
    expect(ruleFor(result.manifests, 'GET', '/api/slow')?.rule.timeouts).toEqual({ request: '1s500ms' });
    expect(ruleFor(result.manifests, 'GET', '/api/long')?.rule.timeouts).toEqual({ request: '1h30m' });
    // No timeout: Envoy Gateway sets no route timeout, so Envoy's default (15s) applies.
    expect(ruleFor(result.manifests, 'GET', '/api/plain')?.rule.timeouts).toBeUndefined();
    const durationPattern = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/; // the HTTPRoute CRD's pattern
    for (const ms of [0, 1, 999, 1000, 61_000, 3_600_000, 90_061_001, 0.4]) {
      expect(formatGatewayDuration(ms)).toMatch(durationPattern);
    }
    expect(formatGatewayDuration(100_000 * 3_600_000)).toBeUndefined();
  });
});

describe('gateway-api target: where the routes live, and the ReferenceGrant', () => {
  const doc = document({ '/pets': { get: { operationId: 'listPets', responses: ok } } });
  const versions = [{ name: 'stable', default: true }, { name: 'canary' }];

  it('puts the routes in the service namespace by default: no ReferenceGrant, no namespace on backendRefs', async () => {
    const result = await render(doc);
    expect(result.manifests.filter((m) => m.kind === 'ReferenceGrant')).toEqual([]);
    expect(ruleFor(result.manifests, 'GET', '/api/pets')?.rule.backendRefs).toEqual([
      { name: 'pets', port: 8080 },
    ]);
  });

  it('grants exactly the routes of routeNamespace access to exactly the API Services, in the backend namespace', async () => {
    const split = document({
      '/pets': {
        get: { operationId: 'listPets', responses: ok, 'x-kuma': { weights: { stable: 9, canary: 1 } } },
      },
    });
    const result = await render(split, {
      routeNamespace: 'pets-edge',
      service: { name: 'pets', namespace: 'pets', port: 8080, versions },
    });
    const route = routes(result.manifests)[0]!;
    expect(route.namespace).toBe('pets-edge');
    expect(rulesOf(route)[0]!.backendRefs.every((ref) => ref.namespace === 'pets')).toBe(true);
    expect(result.manifests.filter((m) => m.kind === 'ReferenceGrant')).toEqual([
      expect.objectContaining({
        apiVersion: 'gateway.networking.k8s.io/v1beta1',
        namespace: 'pets',
        spec: {
          from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'pets-edge' }],
          to: [
            { group: '', kind: 'Service', name: 'pets-canary' },
            { group: '', kind: 'Service', name: 'pets-stable' },
          ],
        },
      }),
    ]);
    // A version no route sends traffic to is not granted.
    const unsplit = await render(doc, {
      routeNamespace: 'pets-edge',
      service: { name: 'pets', namespace: 'pets', port: 8080, versions },
    });
    const grant = unsplit.manifests.find((m) => m.kind === 'ReferenceGrant');
    expect(grant?.spec.to).toEqual([{ group: '', kind: 'Service', name: 'pets-stable' }]);
  });

  it('defaults the parent namespace to the routes namespace, and keeps sectionName', async () => {
    const result = await render(doc, { parentRef: { name: 'eg', sectionName: 'https' } });
    expect(routes(result.manifests)[0]!.spec.parentRefs).toEqual([
      { name: 'eg', namespace: 'pets', sectionName: 'https' },
    ]);
  });

  it('writes each object to <kind>-<name>.yaml with its own apiVersion and no Kuma mesh label', async () => {
    const result = await render(doc, { routeNamespace: 'pets-edge' });
    const files = serializeResources([...result.resources, ...result.manifests], 'k8s', { spec: 'api.yaml' });
    expect(files.map((f) => f.path).sort()).toEqual([
      'backendtrafficpolicy-pets.yaml',
      'httproute-pets.yaml',
      'meshretry-pets-gateway-retry.yaml',
      'meshtimeout-pets-gateway-timeout.yaml',
      'meshtrafficpermission-pets-pets-from-gateway.yaml',
      'referencegrant-pets.yaml',
    ]);
    const apiVersions: Record<string, RegExp> = {
      httproute: /^apiVersion: gateway\.networking\.k8s\.io\/v1$/m,
      referencegrant: /^apiVersion: gateway\.networking\.k8s\.io\/v1beta1$/m,
      backendtrafficpolicy: /^apiVersion: gateway\.envoyproxy\.io\/v1alpha1$/m,
    };
    for (const file of files) {
      const kind = file.path.split('-')[0]!;
      if (kind in apiVersions) {
        // Gateway API and Envoy Gateway objects: their own group, no Kuma mesh label.
        expect(file.content).toMatch(apiVersions[kind]!);
        expect(file.content).not.toContain('kuma.io/mesh');
        expect(file.content).toContain('namespace: pets');
      } else {
        // The mesh leg is Kuma's: in the mesh, the permission in the backends' namespace, the rest where the
        // gateway's proxies run.
        expect(file.content).toMatch(/^apiVersion: kuma\.io\/v1alpha1$/m);
        expect(file.content).toContain('kuma.io/mesh: default');
        expect(file.content).toContain(
          kind === 'meshtrafficpermission' ? 'namespace: pets\n' : 'namespace: envoy-gateway-system',
        );
      }
    }
  });
});

describe('gateway-api target: grouping into HTTPRoutes', () => {
  /** `count` operations `GET /r<i>`, with literal paths, named after their index. */
  const many = (count: number, from = 0) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `/r${String(from + i).padStart(3, '0')}`,
        { get: { operationId: `r${from + i}`, responses: ok } },
      ]),
    );

  it('splits a group past 16 rules into <name>, <name>-2, … each within the CRD limits', async () => {
    const result = await render(document(many(40)));
    const all = routes(result.manifests);
    expect(all.map((r) => r.name).sort()).toEqual(['pets', 'pets-2', 'pets-3']);
    for (const route of all) expect(rulesOf(route).length).toBeLessThanOrEqual(16);
    expect(all.flatMap(rulesOf)).toHaveLength(40);
    expect(result.operations).toHaveLength(40);
  });

  it('keeps at most 128 matches per HTTPRoute when each operation is served under several base paths', async () => {
    const servers = Array.from({ length: 10 }, (_, i) => ({ url: `/v${i}` }));
    const result = await render(document(many(16), { servers }));
    for (const route of routes(result.manifests)) {
      expect(rulesOf(route).reduce((sum, rule) => sum + rule.matches.length, 0)).toBeLessThanOrEqual(128);
    }
    expect(routes(result.manifests).flatMap(rulesOf)).toHaveLength(16);
    expect(routes(result.manifests).length).toBe(2);
  });

  it('gives operations with their own security requirement their own route, named after the schemes', async () => {
    const result = await render(
      document(
        {
          '/pets': { get: { operationId: 'listPets', responses: ok } },
          '/login': { get: { operationId: 'login', security: [], responses: ok } },
          '/admin': { get: { operationId: 'admin', security: [{ adminKey: [] }], responses: ok } },
        },
        {
          security: [{ bearer: [] }],
          components: {
            securitySchemes: {
              bearer: { type: 'http', scheme: 'bearer' },
              adminKey: { type: 'apiKey', in: 'header', name: 'X-Admin' },
            },
          },
        },
      ),
    );
    const byOperation = Object.fromEntries(result.operations.map((op) => [op.operation, op.route]));
    expect(byOperation).toEqual({
      'GET /pets': 'pets',
      'GET /login': 'pets-public',
      'GET /admin': 'pets-admin-key',
    });
  });

  it('names a security split after the schemes alone, whatever root-only keys the API sets', async () => {
    const result = await render(
      document(
        {
          '/pets': { get: { operationId: 'listPets', responses: ok } },
          '/login': { get: { operationId: 'login', security: [], responses: ok } },
        },
        {
          security: [{ bearer: [] }],
          components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
          'x-kuma': {
            auth: {
              bearer: { issuer: 'https://idp.example.com/', jwksUri: 'https://idp.example.com/jwks.json' },
            },
            circuitBreaker: { maxConnections: 100 },
          },
        },
      ),
    );
    expect(
      routes(result.manifests)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['pets', 'pets-public']);
  });

  it('renames no existing route when operations are added, re-secured or split off', async () => {
    const before = await render(document(many(20)));
    const after = await render(
      document({
        ...many(20),
        ...many(3, 20),
        '/open': { get: { operationId: 'open', security: [], responses: ok } },
      }),
    );
    const names = (r: typeof before) => routes(r.manifests).map((route) => route.name);
    for (const name of names(before)) expect(names(after)).toContain(name);
    const placed = (r: typeof before, label: string) =>
      r.operations.find((op) => op.operation === label)?.route;
    // The first chunk keeps its operations: they come first in label order.
    for (let i = 0; i < 16; i++) {
      const label = `GET /r${String(i).padStart(3, '0')}`;
      expect(placed(after, label)).toBe(placed(before, label));
    }
  });

  it('uses a pinned x-kuma.route name, like the builtin target', async () => {
    const result = await render(
      document({
        '/pets': { get: { operationId: 'listPets', responses: ok, 'x-kuma': { route: 'catalog' } } },
        '/pets/{id}': {
          get: {
            operationId: 'getPet',
            parameters: [id('id')],
            responses: ok,
            'x-kuma': { route: 'catalog' },
          },
        },
      }),
    );
    expect(routes(result.manifests).map((r) => r.name)).toEqual(['pets-catalog']);
  });

  it('renders the same bytes for the same input, whatever the key order of the spec', async () => {
    const paths = { ...many(18), '/login': { post: { operationId: 'login', security: [], responses: ok } } };
    const reversed = Object.fromEntries(Object.entries(paths).reverse());
    const bytes = async (doc: Record<string, unknown>) => {
      const result = await render(doc);
      return serializeResources([...result.resources, ...result.manifests], 'k8s', { spec: 'api.yaml' });
    };
    expect(await bytes(document(reversed))).toEqual(await bytes(document(paths)));
  });
});

describe('gateway-api target: what it refuses', () => {
  const doc = document({ '/pets': { get: { operationId: 'listPets', responses: ok } } });

  it('renders nothing without a parentRef, with a config-target error', async () => {
    const { parentRef: _none, ...api } = baseApi;
    const spec = await loadSpecFromFiles({ 'api.yaml': stringify(doc) }, 'api.yaml');
    const result = renderApi({ spec, api });
    expect(result.manifests).toEqual([]);
    expect(result.findings.map((f) => [f.id, f.severity])).toEqual([['config-target', 'error']]);
  });

  it('renders nothing for --format universal, with a config-target error', async () => {
    const result = await render(doc, {}, 'universal');
    expect(result.manifests).toEqual([]);
    expect(result.findings.map((f) => f.id)).toEqual(['config-target']);
  });

  it('warns that accessLog and trace are the Gateway owner’s, naming the target that renders them', async () => {
    const result = await render(
      document(
        { '/pets': { get: { operationId: 'listPets', responses: ok } } },
        {
          'x-kuma': {
            accessLog: { file: '/dev/stdout' },
            trace: { zipkin: 'http://zipkin:9411/api/v2/spans' },
          },
        },
      ),
    );
    // Once per key (the routing reports it; the traffic plug-in does not repeat it), naming the target that can.
    expect(result.findings.filter((f) => f.id === 'x-kuma-target-unsupported')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        pointer: '/x-kuma/accessLog',
        message: expect.stringMatching(
          /EnvoyProxy \(spec\.telemetry\.accessLog\).*target kuma-gateway renders it \(MeshAccessLog\)/,
        ),
      }),
      expect.objectContaining({ severity: 'warning', pointer: '/x-kuma/trace' }),
    ]);
    expect(routes(result.manifests)).toHaveLength(1);
  });

  it('words the templated-rewrite refusal for Gateway API', async () => {
    const result = await render(
      document({ '/pets/{id}': { get: { operationId: 'getPet', parameters: [id('id')], responses: ok } } }),
      { rewrite: '/internal' },
    );
    const finding = result.findings.find((f) => f.id === 'kuma-rewrite-templated-path');
    expect(finding?.message).toContain(
      'Gateway API (ReplacePrefixMatch) rewrites a prefix only on PathPrefix matches',
    );
  });

  it('writes values YAML 1.1 would read as another type so that every parser reads the same string', async () => {
    const result = await render(
      document({
        '/pets': {
          get: {
            operationId: 'listPets',
            responses: ok,
            'x-kuma': { requestHeaders: { set: { 'x-flag': 'on', 'x-octal': '0o17', 'x-null': '~' } } },
          },
        },
      }),
    );
    const file = serializeResources(result.manifests, 'k8s', { spec: 'api.yaml' }).find((f) =>
      f.path.startsWith('httproute-'),
    );
    for (const version of ['1.1', '1.2'] as const) {
      const parsed = parse(file!.content, { version });
      expect(parsed.spec.rules[0].filters[0].requestHeaderModifier.set).toEqual([
        { name: 'x-flag', value: 'on' },
        { name: 'x-null', value: '~' },
        { name: 'x-octal', value: '0o17' },
      ]);
    }
  });

  it('warns about a timeout too long for a Gateway API duration and leaves it to the default', async () => {
    const result = await render(
      document({
        '/pets': { get: { operationId: 'listPets', responses: ok, 'x-kuma': { timeout: '100000h' } } },
      }),
    );
    expect(ruleFor(result.manifests, 'GET', '/api/pets')?.rule.timeouts).toBeUndefined();
    const finding = result.findings.find((f) => f.id === 'gateway-api-timeout');
    expect(finding).toMatchObject({
      severity: 'warning',
      operation: 'GET /pets',
      pointer: '/paths/~1pets/get/x-kuma/timeout',
    });
  });
});
