/**
 * Independent check of the rendered output against Kuma's own CRDs, read straight from the team's copy
 * (../shared/kuma-crds, the Kuma 2.14.3 CRDs): every Kubernetes manifest rendered from every fixture must
 * validate against its CRD's `openAPIV3Schema` as published, without the product's own validator in the loop.
 * (The product validates with a copy of these schemas; this test also catches that copy drifting.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { createLocalDirSource } from '../../../shared/adapters/local-dir-source.js';
import { renderRepo, renderSpec } from '../../../shared/use-cases/render-repo.js';

const crdDir = path.resolve('..', 'shared', 'kuma-crds');
const haveCrds = existsSync(crdDir);

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
    if (!existsSync(path.join(repo, '.kuma-api-forge.yaml'))) continue;
    add(repo, (await renderRepo(createLocalDirSource(path.resolve(repo)))).files);
  }
  const petstore = path.resolve('fixtures/specs/petstore');
  for (const spec of ['petstore.yaml', 'petstore-swagger2.yaml', 'petstore-openapi31.yaml']) {
    add(spec, (await renderSpec(createLocalDirSource(petstore), spec)).files);
  }
  return manifests;
}

describe.skipIf(!haveCrds)('rendered manifests against the published Kuma CRDs (../shared/kuma-crds)', () => {
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
