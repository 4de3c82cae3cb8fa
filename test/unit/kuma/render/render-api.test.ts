import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import {
  joinManifests,
  serializeResources,
} from '../../../../shared/core/kuma/render/serialize-resources.js';
import type { ApiConfig } from '../../../../shared/core/kuma/render/types.js';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { proveNoShadowing } from '../../../../shared/core/kuma/validate/route-simulator.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';
import { loadFixture, readTree, repoRoot } from './helpers.js';

interface Fixture {
  dir: string;
  /** A repo with a config, or a bare spec rendered with flag-like defaults. */
  api: ApiConfig;
  defaults?: Record<string, unknown>;
}

function configApi(dir: string): { api: ApiConfig; defaults?: Record<string, unknown> } {
  const config = parse(readFileSync(path.join(repoRoot, dir, '.kuma-api-forge.yaml'), 'utf8'));
  return { api: config.apis[0], ...(config.defaults ? { defaults: config.defaults } : {}) };
}

const fixtures: Record<string, Fixture> = {
  'user-profile': { dir: 'fixtures/specs/user-profile', ...configApi('fixtures/specs/user-profile') },
  orders: { dir: 'fixtures/kuma/orders', ...configApi('fixtures/kuma/orders') },
  petstore: { dir: 'fixtures/specs/petstore', api: { name: 'petstore', spec: 'petstore.yaml' } },
  'petstore-swagger2': {
    dir: 'fixtures/specs/petstore',
    api: { name: 'petstore', spec: 'petstore-swagger2.yaml' },
  },
  'petstore-openapi31': {
    dir: 'fixtures/specs/petstore',
    api: { name: 'petstore', spec: 'petstore-openapi31.yaml' },
  },
};

async function renderFixture(name: string, format: 'k8s' | 'universal' = 'k8s') {
  const fixture = fixtures[name]!;
  const spec = await loadFixture(fixture.dir, fixture.api.spec);
  return renderApi({
    spec,
    api: fixture.api,
    format,
    ...(fixture.defaults ? { defaults: fixture.defaults } : {}),
  });
}

function render(resources: KumaResource[], format: 'k8s' | 'universal' = 'k8s') {
  return joinManifests(
    serializeResources(resources, format, { repo: 'acme/shop', spec: 'openapi.yaml', commit: '0123abc' }),
  );
}

describe('renderApi on the fixtures', () => {
  for (const name of Object.keys(fixtures)) {
    it(`${name}: renders resources Kuma 2.14 accepts, as snapshot YAML`, async () => {
      const { resources, findings } = await renderFixture(name);
      expect(findings.filter((finding) => finding.severity === 'error')).toEqual([]);
      expect(resources.length).toBeGreaterThan(0);
      expect(validateKumaResources(resources)).toEqual([]);
      await expect(render(resources)).toMatchFileSnapshot(`__snapshots__/${name}.k8s.yaml`);
      // Rendered for Universal: Kuma names workloads differently there (MeshTrafficPermission tags).
      const universal = await renderFixture(name, 'universal');
      expect(validateKumaResources(universal.resources)).toEqual([]);
      await expect(render(universal.resources, 'universal')).toMatchFileSnapshot(
        `__snapshots__/${name}.universal.yaml`,
      );
    });
  }

  it('routes a request of every operation to that operation under Kuma ordering (no shadowing)', async () => {
    for (const name of Object.keys(fixtures)) {
      const { resources, operations } = await renderFixture(name);
      expect(operations.length, name).toBeGreaterThan(0);
      expect(proveNoShadowing(resources, operations), name).toEqual([]);
    }
  });
});

describe('renderApi behaviour', () => {
  it('puts operations with the same per-route policies in one route and gives the others their own', async () => {
    const { resources } = await renderFixture('orders');
    const rateLimit = resources.find((r) => r.kind === 'MeshRateLimit')!;
    expect(rateLimit.spec.targetRef).toEqual({ kind: 'MeshHTTPRoute', name: 'orders-create-order' });
    const route = resources.find((r) => r.kind === 'MeshHTTPRoute' && r.name === 'orders-create-order')!;
    expect(JSON.stringify(route.spec)).toContain('"method":"POST"');
    // POST is only retried when the request never reached the backend (see mesh-semantics.test.ts).
    const retry = resources.find(
      (r) => r.kind === 'MeshRetry' && (r.spec.targetRef as { name: string }).name === 'orders-create-order',
    )!;
    expect(JSON.stringify(retry.spec.to)).toContain('"retryOn":["ConnectFailure","RefusedStream"]');
  });

  it('does not expose disabled operations', async () => {
    const { resources } = await renderFixture('orders');
    expect(render(resources)).not.toContain('/internal/reindex');
  });

  it('splits traffic between versions by weight, dropping zero weights', async () => {
    const { resources } = await renderFixture('orders');
    const text = JSON.stringify(resources.filter((r) => r.kind === 'MeshHTTPRoute'));
    expect(text).toContain(
      '{"kind":"MeshService","name":"orders-canary","namespace":"shop","port":8080,"weight":10}',
    );
    expect(text).toContain(
      '{"kind":"MeshService","name":"orders-v1","namespace":"shop","port":8080,"weight":90}',
    );
  });

  it('warns on the scheme line when a security scheme cannot be enforced', async () => {
    const { findings } = await renderFixture('orders');
    expect(findings).toContainEqual(
      expect.objectContaining({
        id: 'kuma-auth-unenforceable',
        severity: 'warning',
        file: 'openapi/orders.yaml',
        line: 122,
        // An apiKey scheme: the finding names the target that can enforce it.
        message: expect.stringContaining(
          'target gateway-api enforces it (Envoy Gateway SecurityPolicy apiKeyAuth)',
        ),
      }),
    );
  });

  it('reports two operations that claim the same method and path, on the second one', async () => {
    const spec = await loadSpecFromFiles(
      {
        'api.yaml': [
          'openapi: 3.0.3',
          'info: {title: t, version: "1"}',
          'paths:',
          '  /users/{id}:',
          '    get: {responses: {"200": {description: ok}}}',
          '  /users/{name}:',
          '    get: {responses: {"200": {description: ok}}}',
        ].join('\n'),
      },
      'api.yaml',
    );
    const { findings, resources } = renderApi({ spec, api: { name: 'users', spec: 'api.yaml' } });
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'kuma-route-collision',
        severity: 'error',
        file: 'api.yaml',
        line: 7,
        operation: 'GET /users/{name}',
      }),
    ]);
    expect(JSON.stringify(resources).match(/"method":"GET"/g)).toHaveLength(1);
  });

  it('refuses to rewrite templated paths (Kuma only rewrites prefixes of PathPrefix matches)', async () => {
    const spec = await loadSpecFromFiles(
      {
        'api.yaml':
          'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths:\n  /a: {get: {responses: {"200": {description: ok}}}}\n  /a/{id}: {get: {responses: {"200": {description: ok}}}}\n',
      },
      'api.yaml',
    );
    const { findings, resources } = renderApi({
      spec,
      api: { name: 'a', spec: 'api.yaml', basePath: '/pub', rewrite: '/' },
    });
    expect(findings.map((f) => [f.id, f.line])).toEqual([['kuma-rewrite-templated-path', 5]]);
    expect(JSON.stringify(resources)).toContain('"replaceFullPath":"/a"');
  });

  it('gives the same bytes for the same input, whatever the key order of the spec', async () => {
    const files = readTree(path.join(repoRoot, 'fixtures/kuma/orders'));
    const entry = 'openapi/orders.yaml';
    const shuffled = JSON.stringify(reverseKeys(parse(files[entry]!)));
    const api = fixtures.orders!.api;
    const once = render(renderApi({ spec: await loadSpecFromFiles(files, entry), api }).resources);
    const again = render(renderApi({ spec: await loadSpecFromFiles(files, entry), api }).resources);
    const reordered = render(
      renderApi({ spec: await loadSpecFromFiles({ 'o.json': shuffled }, 'o.json'), api }).resources,
    );
    expect(again).toBe(once);
    expect(reordered).toBe(once);
    expect(once).not.toMatch(/&[a-z]|\*[a-z]|\d{4}-\d\d-\d\dT/); // no anchors/aliases, no timestamps
  });
});

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, child]) => [key, reverseKeys(child)]),
    );
  }
  return value;
}
