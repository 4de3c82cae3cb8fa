/**
 * Every Envoy payload we render into a MeshProxyPatch round-trips Envoy's own v3 protos (vendored in
 * test/envoy-protos, decoded by buf as Kuma decodes them) with no field lost: the `@type` of each Any resolves,
 * every value has the type the proto declares, and no key is one Envoy does not know (Kuma would drop it
 * silently, and with it what the user asked for).
 * @module
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import type { ApiConfig } from '../../../../shared/core/kuma/render/types.js';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';
import {
  collectPayloads,
  flipDefaults,
  normalise,
  type Payloads,
  roundTrip,
} from '../../../helpers/envoy-protos.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';
import { loadFixture, readTree, repoRoot } from './helpers.js';

const ok = { responses: { 200: { description: 'ok' } } };

async function render(spec: Record<string, unknown>, api: Partial<ApiConfig> & { name: string }) {
  const loaded = await loadSpecFromFiles({ 'api.yaml': stringify(spec) }, 'api.yaml');
  const { resources, findings } = renderApi({ spec: loaded, api: { spec: 'api.yaml', ...api } });
  expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  return resources;
}

function securedSpec(
  schemes: Record<string, unknown>,
  auth: Record<string, unknown>,
  security: unknown[],
  paths: Record<string, string[]> = { '/orders': ['get', 'post'], '/orders/{id}': ['get', 'delete'] },
) {
  return {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    components: { securitySchemes: schemes },
    'x-kuma': { auth },
    security,
    paths: Object.fromEntries(
      Object.entries(paths).map(([p, methods]) => [p, Object.fromEntries(methods.map((m) => [m, ok]))]),
    ),
  };
}

const bearer = { type: 'http', scheme: 'bearer' };

/** The specs whose payloads are checked: each JWT feature the renderer has, at least once. */
const cases: Record<string, () => Promise<KumaResource[]>> = {
  'the orders fixture': async () => {
    const dir = `${repoRoot}/fixtures/kuma/orders`;
    const config = parse(readTree(dir)['.kuma-api-forge.yaml']!);
    const spec = await loadFixture('fixtures/kuma/orders', config.apis[0].spec);
    return renderApi({ spec, api: config.apis[0], ...(config.defaults ? { defaults: config.defaults } : {}) })
      .resources;
  },
  'several providers, audiences, forward off, OR of alternatives': () =>
    render(
      securedSpec(
        { staff: bearer, partners: { type: 'openIdConnect', openIdConnectUrl: 'https://p.example.org/.wk' } },
        {
          staff: {
            issuer: 'https://idp.example.com',
            jwksUri: 'https://idp.example.com/jwks',
            audiences: ['shop', 'shop-admin'],
          },
          partners: {
            issuer: 'https://auth.partner.example.org',
            jwksUri: 'https://Auth.Partner.example.org:8443/keys.json',
            forward: false,
          },
        },
        [{ staff: [] }, { partners: [] }],
      ),
      { name: 'shop', hostnames: ['api.example.com'] },
    ),
  'AND of two providers, and an optional token': () =>
    render(
      securedSpec(
        { a: bearer, b: { type: 'oauth2', flows: {} } },
        {
          a: { issuer: 'https://a.example.com', jwksUri: 'https://a.example.com/jwks' },
          b: { issuer: 'https://b.example.com', jwksUri: 'http://b.example.com:8080/jwks' },
        },
        [{ a: [], b: [] }, {}],
      ),
      { name: 'shop' },
    ),
  'wildcard and exact hostnames, templated paths': () =>
    render(
      securedSpec(
        { bearer },
        { bearer: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' } },
        [{ bearer: [] }],
        { '/users/{id}/orders/{orderId}': ['get', 'put'], '/users': ['get'] },
      ),
      { name: 'shop', hostnames: ['*.shop.example.com', 'api.example.com', '*'] },
    ),
  'IP-literal JWKS hosts (IPv4 with a port, IPv6)': () =>
    render(
      securedSpec(
        { v4: bearer, v6: bearer },
        {
          v4: { issuer: 'https://idp', jwksUri: 'https://10.0.0.5:8443/jwks' },
          v6: { issuer: 'https://idp6', jwksUri: 'https://[2001:DB8:0:0::1]/jwks' },
        },
        [{ v4: [] }, { v6: [] }],
      ),
      { name: 'shop' },
    ),
  'two APIs on one gateway': async () => [
    ...(await render(
      securedSpec(
        { bearer },
        { bearer: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' } },
        [{ bearer: [] }],
      ),
      { name: 'shop', hostnames: ['shop.example.com'] },
    )),
    ...(await render(
      securedSpec(
        { bearer },
        { bearer: { issuer: 'https://login.example.org', jwksUri: 'https://login.example.org/keys' } },
        [{ bearer: [] }],
        { '/invoices': ['get'] },
      ),
      { name: 'billing', hostnames: ['billing.example.com'] },
    )),
  ],
};

/** One entry per payload: its label, what went in (as protojson would keep it), what came back. */
function pairs(labels: Payloads, input: Payloads, output: Payloads) {
  return (['clusters', 'httpFilters'] as const).flatMap((key) =>
    input[key].map((payload, index) => ({
      label: String(labels[key][index]),
      input: normalise(payload),
      output: normalise(output[key][index]),
    })),
  );
}

describe('Envoy payloads in MeshProxyPatches round-trip Envoy’s v3 protos', () => {
  const batch: { labels: Payloads; payloads: Payloads }[] = [];
  let plain: ReturnType<typeof pairs>;
  let flipped: ReturnType<typeof pairs>;

  beforeAll(async () => {
    for (const [name, build] of Object.entries(cases)) {
      const { payloads, labels } = collectPayloads(await build());
      const prefix = (list: unknown[]) => list.map((label) => `${name}: ${label}`);
      batch.push({
        payloads,
        labels: { clusters: prefix(labels.clusters), httpFilters: prefix(labels.httpFilters) } as never,
      });
    }
    const all: Payloads = {
      clusters: batch.flatMap((b) => b.payloads.clusters),
      httpFilters: batch.flatMap((b) => b.payloads.httpFilters),
    };
    const labels = {
      clusters: batch.flatMap((b) => b.labels.clusters),
      httpFilters: batch.flatMap((b) => b.labels.httpFilters),
    } as Payloads;
    const flip = {
      clusters: all.clusters.map(flipDefaults),
      httpFilters: all.httpFilters.map(flipDefaults),
    } as Payloads;
    // One buf call: the payloads, then the same payloads with their defaults flipped.
    const out = await roundTrip({
      clusters: [...all.clusters, ...flip.clusters],
      httpFilters: [...all.httpFilters, ...flip.httpFilters],
    });
    const half = (list: Record<string, unknown>[], n: number) => [list.slice(0, n), list.slice(n)] as const;
    const [clustersOut, clustersFlipped] = half(out.clusters, all.clusters.length);
    const [filtersOut, filtersFlipped] = half(out.httpFilters, all.httpFilters.length);
    plain = pairs(labels, all, { clusters: [...clustersOut], httpFilters: [...filtersOut] });
    flipped = pairs(labels, flip, { clusters: [...clustersFlipped], httpFilters: [...filtersFlipped] });
  }, 60_000);

  it('covers every case, each with a jwt_authn filter and its JWKS clusters', () => {
    for (const name of Object.keys(cases)) {
      const mine = plain.filter((p) => p.label.startsWith(`${name}: `));
      expect(mine.filter((p) => p.label.endsWith('.httpFilter')).length, name).toBeGreaterThan(0);
      expect(mine.filter((p) => p.label.endsWith('.cluster')).length, name).toBeGreaterThan(0);
    }
    expect(plain.length).toBeGreaterThanOrEqual(15);
  });

  it('no payload loses a field (decoded and re-encoded, each equals what we wrote)', () => {
    for (const { label, input, output } of plain) expect(output, label).toEqual(input);
  });

  it('no field set to its default is unknown to Envoy either (the same payloads with defaults flipped)', () => {
    for (const { label, input, output } of flipped) expect(output, label).toEqual(input);
  });

  it('every typed_config resolved to the Envoy message its @type names', () => {
    const types = plain.flatMap(({ output }) =>
      (JSON.stringify(output).match(/"@type":"[^"]+"/g) ?? []).map((t) => t.slice(9, -1)),
    );
    expect(new Set(types)).toEqual(
      new Set([
        'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
        'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      ]),
    );
  });
});

describe('the round trip catches what Kuma would silently drop or refuse', () => {
  const filter = () => ({
    name: 'envoy.filters.http.jwt_authn.shop',
    typedConfig: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
      providers: {
        p: {
          issuer: 'https://idp.example.com',
          forward: false,
          remoteJwks: { httpUri: { uri: 'https://idp.example.com/jwks', cluster: 'c', timeout: '5s' } },
        },
      },
      rules: [{ match: { prefix: '/' }, requires: { providerName: 'p' } }],
    },
  });
  const cluster = () => ({
    name: 'c',
    type: 'STRICT_DNS',
    connectTimeout: '5s',
    transportSocket: {
      name: 'envoy.transport_sockets.tls',
      typedConfig: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
        sni: 'idp.example.com',
      },
    },
  });

  it('a misspelt field, a misplaced one, one misspelt at its default, a misspelt enum: each shows as a difference', async () => {
    const misspelt = filter();
    const provider = misspelt.typedConfig.providers.p as Record<string, unknown>;
    provider.issuerr = provider.issuer;
    delete provider.issuer;
    const atDefault = filter();
    const other = atDefault.typedConfig.providers.p as Record<string, unknown>;
    other.fowrard = other.forward;
    delete other.forward;
    const misplaced = cluster();
    const tls = misplaced.transportSocket.typedConfig as Record<string, unknown>;
    tls.commonTlsContext = { sni: tls.sni };
    delete tls.sni;
    // protojson ignoring unknown fields ignores unknown enum names too: Kuma would build a STATIC cluster.
    const enumTypo = { ...cluster(), type: 'STRICT_DNSS' };
    const input: Payloads = {
      clusters: [misplaced, enumTypo, cluster()],
      httpFilters: [misspelt, flipDefaults(atDefault) as never, filter()],
    };
    const output = await roundTrip(input);
    for (const index of [0, 1]) {
      expect(normalise(output.httpFilters[index])).not.toEqual(normalise(input.httpFilters[index]));
      expect(normalise(output.clusters[index])).not.toEqual(normalise(input.clusters[index]));
    }
    // The unchanged payloads in the same batch do round-trip: the differences are the mistakes, not the harness.
    expect(normalise(output.httpFilters[2])).toEqual(normalise(filter()));
    expect(normalise(output.clusters[2])).toEqual(normalise(cluster()));
  });

  it.each([
    [
      'a Go duration where Envoy wants seconds',
      { clusters: [{ ...cluster(), connectTimeout: '1m' }], httpFilters: [] },
      /Duration/,
    ],
    [
      'an @type no Envoy proto defines',
      {
        clusters: [],
        httpFilters: [
          {
            ...filter(),
            typedConfig: {
              ...filter().typedConfig,
              '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuth',
            },
          },
        ],
      },
      /unable to resolve/,
    ],
  ])('%s is refused', async (_, payloads, message) => {
    await expect(roundTrip(payloads as Payloads)).rejects.toThrow(message);
  });
});
