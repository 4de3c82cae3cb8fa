/**
 * D10 (4): the Envoy configuration inside our MeshProxyPatches is validated, not only the patch's operations:
 * what Kuma cannot decode, what Envoy refuses when it loads the filter, and patches of several APIs that collide
 * on one gateway.
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import type { ApiConfig } from '../../../../shared/core/kuma/render/types.js';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { envoyDurationFields } from '../../../../shared/core/kuma/validate/proxy-patch-payload.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';

const ok = { responses: { 200: { description: 'ok' } } };

async function renderJwt(
  api: Partial<ApiConfig> & { name: string },
  jwksUri = 'https://idp.example.com/jwks',
) {
  const spec = {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    components: {
      securitySchemes: { a: { type: 'http', scheme: 'bearer' }, b: { type: 'http', scheme: 'bearer' } },
    },
    'x-kuma': {
      auth: {
        a: { issuer: 'https://idp.example.com', jwksUri },
        b: { issuer: 'https://other.example.com', jwksUri: 'http://[::1]:8080/keys' },
      },
    },
    security: [{ a: [], b: [] }, { a: [] }, {}],
    paths: { '/orders/{id}': { get: ok, put: ok }, '/orders': { get: ok } },
  };
  const loaded = await loadSpecFromFiles({ 'api.yaml': stringify(spec) }, 'api.yaml');
  const { resources, findings } = renderApi({ spec: loaded, api: { spec: 'api.yaml', ...api } });
  expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  return resources;
}

type Modification = Record<string, { value?: string }>;
// biome-ignore lint/suspicious/noExplicitAny: the tests edit arbitrary depths of decoded Envoy payloads
type Payload = Record<string, any>;

/** A copy of the resources whose MeshProxyPatch modifications of `kind` have their Envoy value edited. */
function editPayload(
  resources: KumaResource[],
  kind: 'httpFilter' | 'cluster',
  edit: (value: Payload, index: number) => void,
): KumaResource[] {
  return resources.map((resource) => {
    if (resource.kind !== 'MeshProxyPatch') return resource;
    const copy = structuredClone(resource);
    const modifications = (copy.spec.default as { appendModifications: Modification[] }).appendModifications;
    let index = 0;
    for (const modification of modifications) {
      const body = modification[kind];
      if (!body?.value) continue;
      const value = parse(body.value);
      edit(value, index++);
      body.value = stringify(value);
    }
    return copy;
  });
}

const problemsOf = (resources: KumaResource[]) =>
  validateKumaResources(resources).map(({ rule, path: at, resource }) => ({ rule, path: at, resource }));

describe('the payloads we render pass', () => {
  it.each([
    ['one API with hostnames', [{ name: 'shop', hostnames: ['*.shop.example.com'] }]],
    ['two APIs on one gateway', [{ name: 'shop' }, { name: 'billing', hostnames: ['billing.example.com'] }]],
    ['two APIs on two gateways', [{ name: 'shop' }, { name: 'billing', gateway: 'partners' }]],
  ])('%s', async (_, apis) => {
    const resources = (await Promise.all(apis.map((api) => renderJwt(api)))).flat();
    expect(resources.filter((r) => r.kind === 'MeshProxyPatch')).toHaveLength(apis.length);
    expect(validateKumaResources(resources)).toEqual([]);
  });
});

describe('patches that collide on one gateway', () => {
  it('two APIs adding filters of one name (as every API did before D10) are reported on the later one', async () => {
    const resources = [...(await renderJwt({ name: 'shop' })), ...(await renderJwt({ name: 'billing' }))];
    const sameName = editPayload(resources, 'httpFilter', (filter) => {
      filter.name = 'envoy.filters.http.jwt_authn';
    });
    expect(problemsOf(sameName)).toEqual([
      {
        rule: 'proxy-patch-shared',
        resource: 'MeshProxyPatch/billing-jwt',
        path: expect.stringMatching(/^spec\.default\.appendModifications\[\d+\]\.httpFilter\.value\.name$/),
      },
    ]);
  });

  it('the same names on different gateways or meshes do not collide', async () => {
    const resources = [
      ...(await renderJwt({ name: 'shop' })),
      ...(await renderJwt({ name: 'billing', gateway: 'partners' })),
    ];
    const sameName = editPayload(resources, 'httpFilter', (filter) => {
      filter.name = 'envoy.filters.http.jwt_authn';
    });
    expect(problemsOf(sameName)).toEqual([]);
    const otherMesh = editPayload(
      [...(await renderJwt({ name: 'shop' })), ...(await renderJwt({ name: 'billing' }))],
      'httpFilter',
      (filter) => {
        filter.name = 'envoy.filters.http.jwt_authn';
      },
    ).map((r) => (r.name === 'billing-jwt' ? { ...r, mesh: 'other' } : r));
    expect(problemsOf(otherMesh)).toEqual([]);
  });

  it('two different clusters of one name are reported; the same cluster twice is not', async () => {
    // Each API's first JWKS cluster renamed to one name (the filters' references are left dangling: only the
    // collisions are looked at here).
    const rename = (resources: KumaResource[]) =>
      editPayload(resources, 'cluster', (cluster, index) => {
        if (index === 0) cluster.name = 'jwks';
      });
    const shared = (resources: KumaResource[]) =>
      problemsOf(resources).filter((p) => p.rule === 'proxy-patch-shared');
    const shop = rename(await renderJwt({ name: 'shop' }));
    const billing = rename(await renderJwt({ name: 'billing' }, 'https://login.example.org/keys'));
    expect(shared([...shop, ...billing])).toEqual([
      {
        rule: 'proxy-patch-shared',
        resource: 'MeshProxyPatch/billing-jwt',
        path: expect.stringMatching(/\.cluster\.value\.name$/),
      },
    ]);
    // Two patches adding the very same cluster: only their filters (same name, same API twice) collide.
    const copy = shop.map((r) => ({ ...r, name: `${r.name}-copy` }));
    expect(shared([...shop, ...copy]).map((p) => p.path)).toEqual([
      expect.stringMatching(/\.httpFilter\.value\.name$/),
    ]);
  });
});

describe('what Kuma cannot decode or Envoy refuses to load is reported on its field', () => {
  const filterCases: [string, (filter: Payload) => void, string, RegExp][] = [
    [
      // Envoy's verifier: "Required provider ['x'] is not configured."
      'a requirement naming no configured provider',
      (f) => {
        f.typedConfig.rules[0].requires = { providerName: 'nobody' };
      },
      'envoy-jwt-authn',
      /\.rules\[0\]\.requires\.providerName$/,
    ],
    [
      'a provider missing deep in requires_any/requires_all',
      (f) => {
        f.typedConfig.rules[1].requires = {
          requiresAny: {
            requirements: [
              { providerName: 'a' },
              { requiresAll: { requirements: [{ providerName: 'a' }, { providerName: 'c' }] } },
            ],
          },
        };
      },
      'envoy-jwt-authn',
      /\.requiresAny\.requirements\[1\]\.requiresAll\.requirements\[1\]\.providerName$/,
    ],
    [
      'requires_any with one requirement (PGV min_items 2)',
      (f) => {
        f.typedConfig.rules[0].requires = { requiresAny: { requirements: [{ providerName: 'a' }] } };
      },
      'envoy-jwt-authn',
      /\.requiresAny\.requirements$/,
    ],
    [
      'a path regex with a lookahead RE2 does not have',
      (f) => {
        const rule = f.typedConfig.rules.find((r: { match: Record<string, unknown> }) => r.match.safeRegex);
        rule.match.safeRegex.regex = '/orders/(?=[0-9]+)';
      },
      'regex-re2',
      /\.match\.safeRegex\.regex$/,
    ],
    [
      'a header regex with a backreference',
      (f) => {
        f.typedConfig.rules[0].match.headers.push({
          name: ':authority',
          stringMatch: { safeRegex: { regex: '(a)\\1' } },
        });
      },
      'regex-re2',
      /\.match\.headers\[1\]\.stringMatch\.safeRegex\.regex$/,
    ],
    [
      'keys fetched through a cluster no patch adds',
      (f) => {
        f.typedConfig.providers.a.remoteJwks.httpUri.cluster = 'idp';
      },
      'envoy-jwt-authn',
      /\.providers\.a\.remoteJwks\.httpUri\.cluster$/,
    ],
    [
      'a Go duration',
      (f) => {
        f.typedConfig.providers.a.remoteJwks.cacheDuration = '10m';
      },
      'proxy-patch-value',
      /\.providers\.a\.remoteJwks\.cacheDuration$/,
    ],
    [
      'a duration in milliseconds, snake_case key',
      (f) => {
        f.typedConfig.providers.b.remoteJwks.retryPolicy.retryBackOff.base_interval = '500ms';
      },
      'proxy-patch-value',
      /\.retryBackOff\.base_interval$/,
    ],
    [
      'an empty filter name',
      (f) => {
        f.name = '';
      },
      'proxy-patch-value',
      /\.httpFilter\.value\.name$/,
    ],
    [
      'a typed config without @type',
      (f) => {
        delete f.typedConfig['@type'];
      },
      'proxy-patch-value',
      /\.httpFilter\.value\.typedConfig$/,
    ],
  ];

  it.each(filterCases)('%s', async (_, edit, rule, at) => {
    const resources = editPayload(await renderJwt({ name: 'shop' }), 'httpFilter', edit);
    const problems = problemsOf(resources);
    expect(problems).toEqual([
      { rule, resource: 'MeshProxyPatch/shop-jwt', path: expect.stringMatching(at) },
    ]);
  });

  it.each([
    [
      'connectTimeout: 1m',
      (c: Payload) => {
        c.connectTimeout = '1m';
      },
      /\.cluster\.value\.connectTimeout$/,
    ],
    [
      'an empty cluster name',
      (c: Payload) => {
        c.name = '';
      },
      /\.cluster\.value\.name$/,
    ],
    [
      'a transport socket typed config without @type',
      (c: Payload) => {
        if (c.transportSocket) delete c.transportSocket.typedConfig['@type'];
        else c.transportSocket = { name: 'tls', typedConfig: { sni: 'x' } };
      },
      /\.cluster\.value\.transportSocket\.typedConfig$/,
    ],
  ])('a cluster with %s', async (_, edit, at) => {
    const resources = editPayload(await renderJwt({ name: 'shop' }), 'cluster', (cluster, index) => {
      if (index === 0) edit(cluster);
    });
    const problems = problemsOf(resources).filter((p) => p.rule === 'proxy-patch-value');
    expect(problems).toEqual([
      { rule: 'proxy-patch-value', resource: 'MeshProxyPatch/shop-jwt', path: expect.stringMatching(at) },
    ]);
  });

  it.each([
    ['text that is not a mapping', 'just a string'],
    ['invalid YAML', 'name: [unclosed'],
    ['a list', '- name: a'],
  ])('a value that is %s', async (_, text) => {
    const resources = (await renderJwt({ name: 'shop' })).map((r) => {
      if (r.kind !== 'MeshProxyPatch') return r;
      const copy = structuredClone(r);
      const modifications = (copy.spec.default as { appendModifications: Modification[] })
        .appendModifications;
      modifications.find((m) => m.httpFilter)!.httpFilter!.value = text;
      return copy;
    });
    expect(problemsOf(resources)).toEqual([
      {
        rule: 'proxy-patch-value',
        resource: 'MeshProxyPatch/shop-jwt',
        path: expect.stringMatching(/\.httpFilter\.value$/),
      },
    ]);
  });

  it('a problem in the payload rejects that patch, and only it (the renderer drops what is rejected)', async () => {
    const resources = editPayload(await renderJwt({ name: 'shop' }), 'httpFilter', (f) => {
      f.typedConfig.rules[0].requires = { providerName: 'nobody' };
    });
    expect(validateKumaResources(resources).map((p) => p.resource)).toEqual(['MeshProxyPatch/shop-jwt']);
  });
});

describe('the Duration field list is Envoy’s', () => {
  it('equals the Duration fields the vendored protos declare', () => {
    const root = path.resolve(import.meta.dirname, '../../../envoy-protos');
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const file = path.join(dir, entry);
        if (statSync(file).isDirectory()) walk(file);
        else if (entry.endsWith('.proto'))
          for (const [, name] of readFileSync(file, 'utf8').matchAll(
            /google\.protobuf\.Duration\s+(\w+)\s*=/g,
          ))
            names.add(name!);
      }
    };
    // Envoy's and xDS's messages, not protoc-gen-validate's rule options (validate/) or our wrapper.
    for (const dir of ['envoy', 'xds', 'udpa']) walk(path.join(root, dir));
    expect([...envoyDurationFields].sort()).toEqual([...names].sort());
  });
});
