/**
 * Independent check of the rendered output against Kuma's own CRDs, read straight from the published files
 * (test/kuma-crds: the Kuma 2.14.3 CRDs, copied verbatim; provenance in its SOURCE.md): every Kubernetes manifest
 * rendered from every fixture must validate against its CRD's `openAPIV3Schema` as published, without the
 * product's own validator in the loop. (The product validates with a copy of these schemas; this test also
 * catches that copy drifting.) `KUMA_CRDS_DIR` points it at another copy, e.g. a newer Kuma's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { createLocalDirSource } from '../../../shared/adapters/local-dir-source.js';
import { renderRepo, renderSpec } from '../../../shared/use-cases/render-repo.js';

const crdDir = path.resolve(process.env.KUMA_CRDS_DIR ?? 'test/kuma-crds');

function loadCrdSchemas(): Map<string, object> {
  const schemas = new Map<string, object>();
  for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(readFileSync(path.join(crdDir, file), 'utf8'));
    const version = crd.spec.versions.find((v: { served: boolean }) => v.served);
    if (version?.schema?.openAPIV3Schema) schemas.set(crd.spec.names.kind, version.schema.openAPIV3Schema);
  }
  return schemas;
}

async function renderAllFixtures(): Promise<{ source: string; manifest: Record<string, unknown> }[]> {
  const manifests: { source: string; manifest: Record<string, unknown> }[] = [];
  const add = (source: string, files: { path: string; content: string }[]) => {
    for (const file of files) {
      for (const doc of parseAllDocuments(file.content)) {
        manifests.push({ source: `${source}:${file.path}`, manifest: doc.toJS() });
      }
    }
  };
  for (const repo of ['fixtures/specs/user-profile', 'fixtures/kuma/orders', 'fixtures/kuma/showcase']) {
    add(repo, (await renderRepo(createLocalDirSource(path.resolve(repo)))).files);
  }
  const petstore = path.resolve('fixtures/specs/petstore');
  for (const spec of ['petstore.yaml', 'petstore-swagger2.yaml', 'petstore-openapi31.yaml']) {
    add(spec, (await renderSpec(createLocalDirSource(petstore), spec)).files);
  }
  return manifests;
}

describe('rendered manifests against the published Kuma CRDs (test/kuma-crds)', () => {
  it('every manifest of every fixture validates against its CRD schema', async () => {
    const schemas = loadCrdSchemas();
    // Structural-schema extensions are annotations for the API server; Ajv only needs to tolerate them.
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const keyword of [
      'x-kubernetes-preserve-unknown-fields',
      'x-kubernetes-int-or-string',
      'x-kubernetes-validations',
    ]) {
      ajv.addKeyword(keyword);
    }
    ajv.addFormat('int32', {
      type: 'number',
      validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
    });
    ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
    const manifests = await renderAllFixtures();
    const kinds = new Set(manifests.map((m) => String(m.manifest.kind)));
    expect(manifests.length).toBeGreaterThan(20);
    expect([...kinds]).toEqual(
      expect.arrayContaining(['MeshHTTPRoute', 'MeshTimeout', 'MeshTrafficPermission']),
    );

    const problems = manifests.flatMap(({ source, manifest }) => {
      const schema = schemas.get(String(manifest.kind));
      if (!schema) return [`${source}: no CRD for kind ${String(manifest.kind)}`];
      const validate = ajv.compile(schema);
      return validate(manifest) ? [] : [`${source}: ${ajv.errorsText(validate.errors)}`];
    });
    expect(problems).toEqual([]);

    // The check has teeth: a route with a path match type Kuma does not know is rejected by the same schema.
    const route = manifests.find((m) => m.manifest.kind === 'MeshHTTPRoute')!.manifest;
    const broken = JSON.parse(
      JSON.stringify(route)
        .replace('"type":"Exact"', '"type":"Prefix"')
        .replace('"type":"RegularExpression"', '"type":"Prefix"'),
    );
    expect(ajv.compile(schemas.get('MeshHTTPRoute')!)(broken)).toBe(false);
  });
});

describe('the copy of the CRD schemas the product ships (shared/core/kuma/crds)', () => {
  /** Documentation keywords, which NOTICE.md says are the only thing removed (property names stay). */
  const docKeywords = new Set(['description', 'example', 'title', '$schema']);
  const withoutDocs = (schema: unknown, inProperties = false): unknown => {
    if (Array.isArray(schema)) return schema.map((item) => withoutDocs(item));
    if (schema === null || typeof schema !== 'object') return schema;
    return Object.fromEntries(
      Object.entries(schema)
        .filter(([key]) => inProperties || !docKeywords.has(key))
        .map(([key, value]) => [key, withoutDocs(value, !inProperties && key === 'properties')]),
    );
  };

  it('is the `spec` schema of each CRD it names, documentation removed, nothing else changed', () => {
    const shipped = JSON.parse(
      readFileSync(path.resolve('shared/core/kuma/crds/schemas.json'), 'utf8'),
    ) as Record<string, { source: string; scope: string; schema: unknown }>;
    // Every kind imported from a CRD is compared: one whose CRD the reference lacks fails (readFileSync throws).
    const fromCrds = Object.entries(shipped).filter(([, entry]) => entry.source.endsWith('.yaml'));
    expect(fromCrds.map(([kind]) => kind)).toEqual(
      expect.arrayContaining(['MeshHTTPRoute', 'MeshTimeout', 'MeshOpenTelemetryBackend']),
    );
    for (const [kind, entry] of fromCrds) {
      const crd = parse(readFileSync(path.join(crdDir, entry.source), 'utf8'));
      const version = crd.spec.versions.find((v: { storage: boolean }) => v.storage);
      expect({ kind: crd.spec.names.kind, scope: crd.spec.scope }).toEqual({ kind, scope: entry.scope });
      expect(entry.schema, kind).toEqual(withoutDocs(version.schema.openAPIV3Schema.properties.spec));
    }
  });
});
