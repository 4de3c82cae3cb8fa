/**
 * fixtures/kuma/showcase: every x-kuma key, on one shared gateway with two APIs (a wildcard host, two JWT
 * issuers, weighted versions, long timeouts, retries on GET and POST…). Its README explains each rendered
 * resource; the snapshots below are what it explains. The key coverage is measured against the x-kuma JSON
 * Schema, so a key added to the schema fails here until the showcase uses it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createLocalDirSource } from '../../../../shared/adapters/local-dir-source.js';
import { joinManifests } from '../../../../shared/core/kuma/render/serialize-resources.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { proveNoShadowing } from '../../../../shared/core/kuma/validate/route-simulator.js';
import { renderRepo } from '../../../../shared/use-cases/render-repo.js';
import { repoRoot } from './helpers.js';

const dir = path.join(repoRoot, 'fixtures/kuma/showcase');
const render = (format: 'k8s' | 'universal') =>
  renderRepo(createLocalDirSource(dir), { format, repo: 'acme/shop', commit: '0123abc' });

type Schema = Record<string, unknown>;
const xKumaSchema = JSON.parse(readFileSync(path.join(repoRoot, 'schemas/x-kuma.schema.json'), 'utf8'));

function resolveSchema(node: Schema): Schema {
  const ref = node.$ref as string | undefined;
  const target = ref ? resolveSchema(xKumaSchema.definitions[ref.replace('#/definitions/', '')]) : {};
  const parts = ((node.allOf as Schema[] | undefined) ?? []).map(resolveSchema);
  const properties = Object.assign(
    {},
    ...[target, ...parts].map((part) => part.properties ?? {}),
    node.properties ?? {},
  );
  const additional = [node, target, ...parts]
    .map((part) => part.additionalProperties)
    .find((value) => typeof value === 'object');
  return { ...(Object.keys(properties).length > 0 ? { properties } : {}), additional };
}

/** Every key path the schema allows (`retries.backOff.base`; a map's keys are `*`, like `auth.*.issuer`). */
function schemaPaths(node: Schema, prefix = ''): string[] {
  const { properties, additional } = resolveSchema(node);
  const paths: string[] = [];
  for (const [key, child] of Object.entries((properties ?? {}) as Record<string, Schema>))
    paths.push(`${prefix}${key}`, ...schemaPaths(child, `${prefix}${key}.`));
  if (additional && resolveSchema(additional as Schema).properties)
    paths.push(...schemaPaths(additional as Schema, `${prefix}*.`));
  return paths;
}

/** The key paths a block uses, read with the same schema. */
function usedPaths(value: unknown, node: Schema, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const { properties, additional } = resolveSchema(node);
  const paths: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const known = (properties as Record<string, Schema> | undefined)?.[key];
    if (known) paths.push(`${prefix}${key}`, ...usedPaths(child, known, `${prefix}${key}.`));
    else if (additional && resolveSchema(additional as Schema).properties)
      paths.push(...usedPaths(child, additional as Schema, `${prefix}*.`));
  }
  return paths;
}

/** Every x-kuma block of the fixture: the config's defaults and every level of both specs. */
function fixtureBlocks(): unknown[] {
  const config = parse(readFileSync(path.join(dir, '.kuma-api-forge.yaml'), 'utf8'));
  const blocks: unknown[] = [
    config.defaults,
    ...config.apis.map((api: { defaults?: unknown }) => api.defaults),
  ];
  for (const api of config.apis as { spec: string }[]) {
    const spec = parse(readFileSync(path.join(dir, api.spec), 'utf8'));
    blocks.push(spec['x-kuma']);
    for (const item of Object.values(spec.paths) as Record<string, { 'x-kuma'?: unknown }>[]) {
      for (const value of Object.values(item)) blocks.push((value as { 'x-kuma'?: unknown })['x-kuma']);
    }
  }
  return blocks.filter((block) => block !== undefined);
}

describe('the showcase repo: two APIs on one gateway, every x-kuma key', () => {
  it('uses every key of the x-kuma schema (but the alternatives one block cannot hold together)', () => {
    const used = new Set(fixtureBlocks().flatMap((block) => usedPaths(block, xKumaSchema)));
    const missing = schemaPaths(xKumaSchema).filter((key) => !used.has(key));
    // accessLog takes one sink (file or tcp), trace one backend (zipkin or openTelemetry); a second API setting
    // another sink on the same gateway would replace the first one, so the showcase shows one of each. cors and
    // faultInjection are for target gateway-api only (cors gets preflight 404 on a builtin gateway, and a fault
    // cannot be scoped to one route there): on this kuma-gateway showcase they would only be warnings, and the
    // showcase checks clean (test/unit/gateway-api/*.test.ts show them).
    expect(missing.sort()).toEqual([
      'accessLog.tcp',
      'cors',
      'cors.credentials',
      'cors.exposeHeaders',
      'cors.headers',
      'cors.maxAge',
      'cors.methods',
      'cors.origins',
      'faultInjection',
      'faultInjection.abort',
      'faultInjection.abort.percentage',
      'faultInjection.abort.status',
      'faultInjection.delay',
      'faultInjection.delay.duration',
      'faultInjection.delay.percentage',
      'trace.openTelemetry',
    ]);
  });

  it('renders both APIs on the shared gateway with no error, every resource valid for Kuma', async () => {
    const result = await render('k8s');
    expect(result.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(result.apis.map((api) => [api.name, api.api.gateway])).toEqual([
      ['catalog', 'edge'],
      ['checkout', 'edge'],
    ]);
    const resources = result.apis.flatMap((api) => api.resources);
    expect(validateKumaResources(resources)).toEqual([]);
    expect(new Set(resources.map((resource) => resource.kind))).toEqual(
      new Set([
        'MeshHTTPRoute',
        'MeshTimeout',
        'MeshRetry',
        'MeshRateLimit',
        'MeshCircuitBreaker',
        'MeshHealthCheck',
        'MeshAccessLog',
        'MeshTrace',
        'MeshProxyPatch',
        'MeshTrafficPermission',
      ]),
    );
  });

  it('routes every operation of both APIs to its own rule on the shared gateway, and not the disabled one', async () => {
    const result = await render('k8s');
    const operations = result.apis.flatMap((api) => api.operations);
    expect(
      proveNoShadowing(
        result.apis.flatMap((api) => api.resources),
        operations,
      ),
    ).toEqual([]);
    const exposed = operations.map((operation) => operation.operation);
    expect(exposed).toContain('GET /internal'); // `disabled: false` under a disabled path item
    expect(exposed).not.toContain('POST /internal');
    expect(exposed).toHaveLength(14);
  });

  for (const format of ['k8s', 'universal'] as const) {
    it(`renders as the snapshot (${format})`, async () => {
      const result = await render(format);
      await expect(joinManifests(result.files)).toMatchFileSnapshot(`__snapshots__/showcase.${format}.yaml`);
    });
  }
});
