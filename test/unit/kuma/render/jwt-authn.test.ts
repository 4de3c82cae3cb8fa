/**
 * D10: the jwt_authn MeshProxyPatch of several APIs on one gateway, as Kuma merges and applies it; where the
 * filter goes; and security requirements the gateway can only partly check.
 * @module
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import type { ApiConfig, JwtProvider } from '../../../../shared/core/kuma/render/types.js';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { runCli } from '../../../helpers/cli.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';
import { applyProxyPatches, type HttpFilter, jwtRequirements } from './proxy-patch-sim.js';

const ok = { responses: { 200: { description: 'ok' } } };

/** A spec whose operations all need one of `providers` (OR), each a bearer scheme configured in x-kuma.auth. */
function jwtSpec(providers: Record<string, JwtProvider>, paths: Record<string, string[]>) {
  return {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    components: {
      securitySchemes: Object.fromEntries(
        Object.keys(providers).map((name) => [name, { type: 'http', scheme: 'bearer' }]),
      ),
    },
    'x-kuma': { auth: providers },
    security: Object.keys(providers).map((name) => ({ [name]: [] })),
    paths: Object.fromEntries(
      Object.entries(paths).map(([p, methods]) => [p, Object.fromEntries(methods.map((m) => [m, ok]))]),
    ),
  };
}

async function render(spec: unknown, api: Partial<ApiConfig> & { name: string }) {
  const loaded = await loadSpecFromFiles({ 'api.yaml': stringify(spec) }, 'api.yaml');
  return renderApi({ spec: loaded, api: { spec: 'api.yaml', ...api } });
}

const gatewayListener = (resources: KumaResource[]) => applyProxyPatches(resources).listeners[0]!;
const jwtFilters = (filters: HttpFilter[]) =>
  filters.filter((f) => f.typedConfig?.['@type']?.toString().endsWith('.jwt_authn.v3.JwtAuthentication'));

interface Provider {
  remoteJwks: { httpUri: { uri: string; cluster: string } };
}

/**
 * For every provider of every jwt_authn filter on the gateway: where Envoy fetches its keys from, as the merged
 * cluster set says (the cluster its `httpUri.cluster` names), next to what its `uri` says.
 */
function jwksFetches(resources: KumaResource[]) {
  const proxy = applyProxyPatches(resources);
  return jwtFilters(proxy.listeners[0]!.httpFilters).flatMap((filter) =>
    Object.entries(filter.typedConfig!.providers as Record<string, Provider>).map(([name, provider]) => {
      const { uri, cluster: clusterName } = provider.remoteJwks.httpUri;
      const cluster = proxy.clusters.get(clusterName) as
        | {
            loadAssignment: {
              endpoints: { lbEndpoints: { endpoint: { address: { socketAddress: unknown } } }[] }[];
            };
            transportSocket?: unknown;
          }
        | undefined;
      const url = new URL(uri);
      return {
        filter: filter.name,
        provider: name,
        wanted: {
          address: url.hostname,
          portValue: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
          tls: url.protocol === 'https:',
        },
        got: cluster && {
          ...(cluster.loadAssignment.endpoints[0]!.lbEndpoints[0]!.endpoint.address.socketAddress as object),
          tls: cluster.transportSocket !== undefined,
        },
      };
    }),
  );
}

describe('D10: several APIs with JWTs on one gateway', () => {
  const shop = jwtSpec(
    { bearer: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' } },
    {
      '/orders': ['get', 'post'],
    },
  );
  const billing = jwtSpec(
    { bearer: { issuer: 'https://login.example.org', jwksUri: 'https://login.example.org/keys' } },
    { '/invoices': ['get'] },
  );

  it('each API adds its own, distinctly named filter to the gateway’s connection manager', async () => {
    const a = await render(shop, { name: 'shop', hostnames: ['shop.example.com'] });
    const b = await render(billing, { name: 'billing', hostnames: ['billing.example.com'] });
    const filters = gatewayListener([...a.resources, ...b.resources]).httpFilters;
    expect(jwtFilters(filters)).toHaveLength(2);
    const names = filters.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.at(-1)).toBe('envoy.filters.http.router');
    // Each API's own requests still meet exactly its own requirement.
    expect(
      jwtRequirements(filters, { method: 'GET', path: '/orders', authority: 'shop.example.com' }),
    ).toEqual([{ providerName: 'bearer' }]);
    expect(
      jwtRequirements(filters, { method: 'GET', path: '/invoices', authority: 'billing.example.com' }),
    ).toEqual([{ providerName: 'bearer' }]);
  });

  it('three APIs, two of them without hostnames: still one name per filter', async () => {
    const resources = [
      ...(await render(shop, { name: 'shop' })).resources,
      ...(await render(billing, { name: 'billing' })).resources,
      ...(await render(shop, { name: 'shop-v2', hostnames: ['v2.example.com'] })).resources,
    ];
    const names = gatewayListener(resources).httpFilters.map((f) => f.name);
    expect(names).toHaveLength(4);
    expect(new Set(names).size).toBe(4);
  });

  it('every provider’s keys are fetched from its own jwksUri, with TLS exactly when it is https', async () => {
    const a = await render(
      jwtSpec(
        {
          staff: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' },
          // Same host and port as `staff`'s, but plain HTTP: a cluster named after host and port is shared.
          legacy: { issuer: 'http://idp.example.com', jwksUri: 'http://idp.example.com:443/jwks' },
          // Names that become the same slug.
          Partner: { issuer: 'https://p1.example.net', jwksUri: 'https://p1.example.net/k' },
          partner: { issuer: 'https://p2.example.net', jwksUri: 'https://p2.example.net/k' },
        },
        { '/orders': ['get'] },
      ),
      { name: 'shop' },
    );
    // A second API on the same gateway trusting the same IdP.
    const b = await render(billing, { name: 'billing' });
    const fetches = jwksFetches([...a.resources, ...b.resources]);
    expect(fetches).toHaveLength(5);
    for (const fetch of fetches) expect(fetch.got, `${fetch.filter} ${fetch.provider}`).toEqual(fetch.wanted);
  });

  it('the filter and cluster names of an API stay when operations and providers are added', async () => {
    const before = await render(shop, { name: 'shop' });
    const grown = jwtSpec(
      {
        alpha: { issuer: 'https://a.example.com', jwksUri: 'https://a.example.com/jwks' },
        bearer: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' },
      },
      { '/orders': ['get', 'post', 'delete'], '/carts': ['get'] },
    );
    const after = await render(grown, { name: 'shop' });
    const bearerOf = (resources: KumaResource[]) => {
      const [filter] = jwtFilters(gatewayListener(resources).httpFilters);
      const provider = (filter!.typedConfig!.providers as Record<string, Provider>).bearer!;
      return { filter: filter!.name, cluster: provider.remoteJwks.httpUri.cluster };
    };
    expect(bearerOf(after.resources)).toEqual(bearerOf(before.resources));
  });
});

describe('D10: the filter goes only into the gateway’s own listeners', () => {
  it.each([
    ['with hostnames', { hostnames: ['shop.example.com'] }],
    ['without hostnames', {}],
  ])('%s: the Prometheus listener of the gateway proxy gets no jwt_authn', async (_, api) => {
    const spec = jwtSpec(
      { bearer: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' } },
      { '/metrics': ['get'], '/orders': ['get'] },
    );
    const { resources } = await render(spec, { name: 'shop', ...api });
    const [gateway, prometheus] = applyProxyPatches(resources).listeners;
    expect(jwtFilters(gateway!.httpFilters)).toHaveLength(1);
    expect(prometheus!.httpFilters.map((f) => f.name)).toEqual(['envoy.filters.http.router']);
    // The scrape of /metrics on the metrics listener needs no token.
    expect(
      jwtRequirements(prometheus!.httpFilters, {
        method: 'GET',
        path: '/metrics',
        authority: '10.0.0.1:5670',
      }),
    ).toEqual([]);
  });

  it('the patch stays valid for Kuma with the origin match', async () => {
    const spec = jwtSpec(
      { bearer: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' } },
      { '/orders': ['get'] },
    );
    const { resources } = await render(spec, { name: 'shop' });
    expect(validateKumaResources(resources)).toEqual([]);
  });
});

/** A spec with an apiKey scheme, two bearer schemes (`staff` configured, `partner` not) and `security` text. */
function andSpec(rootSecurity: string[], operationSecurity: string[]) {
  return [
    'openapi: 3.0.3', // 1
    'info: {title: t, version: "1"}',
    'components:',
    '  securitySchemes:',
    '    key: {type: apiKey, in: header, name: X-Key}', // 5
    '    staff: {type: http, scheme: bearer}',
    '    partner: {type: http, scheme: bearer}',
    'x-kuma:',
    '  auth:',
    '    staff: {issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/jwks"}', // 10
    ...(rootSecurity.length > 0 ? ['security:', ...rootSecurity.map((s) => `  - ${s}`)] : []),
    'paths:',
    '  /orders:',
    '    get:',
    ...(operationSecurity.length > 0
      ? ['      security:', ...operationSecurity.map((s) => `        - ${s}`)]
      : []),
    '      responses: {"200": {description: ok}}',
    '    post:',
    '      responses: {"200": {description: ok}}',
  ].join('\n');
}

async function renderText(text: string) {
  const spec = await loadSpecFromFiles({ 'api.yaml': text }, 'api.yaml');
  return renderApi({ spec, api: { name: 'shop', spec: 'api.yaml' } });
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('D10: a requirement the gateway can only partly check is an error on its line', () => {
  it.each([
    ['a JWT and an API key', '{staff: [], key: []}'],
    ['a JWT and a JWT scheme without x-kuma.auth', '{staff: [], partner: []}'],
    ['an API key and a JWT, keys in the other order', '{key: [], staff: []}'],
  ])('on the operation: %s', async (_, requirement) => {
    const text = andSpec([], [requirement]);
    const { findings, resources } = await renderText(text);
    expect(findings).toContainEqual(
      expect.objectContaining({
        id: 'kuma-auth-partial',
        severity: 'error',
        file: 'api.yaml',
        line: lineOf(text, requirement),
        operation: 'GET /orders',
      }),
    );
    expect(findings.filter((f) => f.id === 'kuma-auth-partial')).toHaveLength(1);
    // What the gateway can check is still required, not dropped with the rest.
    const filters = gatewayListener(resources).httpFilters;
    expect(jwtRequirements(filters, { method: 'GET', path: '/orders', authority: 'x' })).toEqual([
      { providerName: 'staff' },
    ]);
  });

  it('inherited from the root: on the root requirement, once per operation', async () => {
    const text = andSpec(['{staff: []}', '{staff: [], key: []}'], []);
    const { findings } = await renderText(text);
    const partial = findings.filter((f) => f.id === 'kuma-auth-partial');
    expect(partial.map((f) => [f.operation, f.line, f.severity])).toEqual([
      ['GET /orders', lineOf(text, '{staff: [], key: []}'), 'error'],
      ['POST /orders', lineOf(text, '{staff: [], key: []}'), 'error'],
    ]);
  });

  it('alternatives are not an AND: a lone API key alternative stays a warning and requires no JWT', async () => {
    const text = andSpec([], ['{staff: []}', '{key: []}']);
    const { findings, resources } = await renderText(text);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(findings).toContainEqual(
      expect.objectContaining({ id: 'kuma-auth-unenforceable', severity: 'warning' }),
    );
    const proxy = applyProxyPatches(resources);
    expect(
      jwtRequirements(proxy.listeners[0]!.httpFilters, { method: 'GET', path: '/orders', authority: 'x' }),
    ).toEqual([]);
  });

  it('through the CLI: exit 1, the finding on the requirement’s line, no manifests', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'jwt-authn-'));
    const text = andSpec([], ['{staff: [], key: []}']);
    writeFileSync(path.join(dir, 'api.yaml'), text);
    const run = await runCli(['render', 'api.yaml'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^api\\.yaml:${lineOf(text, '{staff: [], key: []}')}:\\d+: error: .*"key".*\\[kuma-auth-partial\\]$`,
        'm',
      ),
    );
    expect(run.stdout).toBe('');
  });
});
