// The Kuma CRD and x-kuma validators compiled ahead of time (scripts/generate-kuma-validators.ts, committed under
// shared/core/kuma/{validate,render}/generated/) must behave exactly like the same schemas compiled at run time:
// same verdict and the same Ajv errors, on Kuma's own validator and webhook corpus, on every manifest rendered
// from the fixtures and every x-kuma block of the fixture specs, and on broken variants of each. The run-time
// side also runs the `x-kubernetes-list-type` keyword as it was before (an Ajv `validate` function), so the
// `code` keyword that replaced it is shown to report the same errors.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type SchemaValidateFunction, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import xKumaSchema from '../../../schemas/x-kuma.schema.json' with { type: 'json' };
import { generateKumaValidators, xKumaAjvOptions } from '../../../scripts/generate-kuma-validators.js';
import { createLocalDirSource } from '../../../shared/adapters/local-dir-source.js';
import schemas from '../../../shared/core/kuma/crds/schemas.json' with { type: 'json' };
import * as precompiledXKuma from '../../../shared/core/kuma/render/generated/x-kuma.js';
import { collectXKumaBlocks } from '../../../shared/core/kuma/render/x-kuma-blocks.js';
import { createCrdAjv, tightenSchema } from '../../../shared/core/kuma/validate/crd-ajv.js';
import { crdFormats } from '../../../shared/core/kuma/validate/crd-formats.js';
import * as precompiledCrds from '../../../shared/core/kuma/validate/generated/kuma-crds.js';
import { renderRepo, renderSpec } from '../../../shared/use-cases/render-repo.js';

type Json = Record<string, unknown>;
const published = schemas as unknown as Record<string, { schema: Json }>;
const crdValidators: Record<string, ValidateFunction> = precompiledCrds;
const xKumaValidators: Record<string, ValidateFunction> = precompiledXKuma;

/** The Ajv the CRDs were compiled with before the precompile: `x-kubernetes-list-type` as a `validate` function. */
function legacyCrdAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, code: { optimize: true } });
  for (const keyword of [
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-int-or-string',
    'x-kubernetes-list-map-keys',
  ])
    ajv.addKeyword({ keyword });
  const listType: SchemaValidateFunction = (type: string, items: unknown[], parent?: Json) => {
    if (type !== 'map' && type !== 'set') return true;
    const keys = (parent?.['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
    const seen = new Set<string>();
    for (const [index, item] of items.entries()) {
      const id = JSON.stringify(type === 'map' ? keys.map((key) => (item as Json | null)?.[key]) : item);
      if (seen.has(id)) {
        const what = type === 'map' ? `the same ${keys.join(', ')} as an earlier one` : 'a duplicate';
        listType.errors = [{ keyword: 'x-kubernetes-list-type', message: `item ${index} has ${what}` }];
        return false;
      }
      seen.add(id);
    }
    return true;
  };
  ajv.addKeyword({ keyword: 'x-kubernetes-list-type', type: 'array', errors: true, validate: listType });
  for (const [name, format] of Object.entries(crdFormats)) ajv.addFormat(name, format);
  return ajv;
}

function outcome(validate: ValidateFunction, data: unknown) {
  const copy = structuredClone(data);
  return { valid: validate(copy), errors: validate.errors ?? null, data: copy };
}

/** What a user can see of an error (crd-schema.ts reads no more): where, which keyword, what it says. */
const visible = (errors: ErrorObject[] | null) =>
  (errors ?? []).map(({ instancePath, schemaPath, keyword, message }) => ({
    instancePath,
    schemaPath,
    keyword,
    message,
  }));

/** The value and broken variants of it: each array with its first item repeated, each leaf of the wrong type. */
function variants(value: unknown): unknown[] {
  const out: unknown[] = [value];
  const edit = (at: (string | number)[], change: (old: unknown) => unknown) => {
    const copy = structuredClone(value) as Json;
    let parent: Json = copy;
    for (const key of at.slice(0, -1)) parent = parent[key] as Json;
    const last = at[at.length - 1] as string;
    parent[last] = change(parent[last]);
    out.push(copy);
  };
  const walk = (node: unknown, at: (string | number)[]) => {
    if (Array.isArray(node)) {
      if (node.length > 0 && at.length > 0)
        edit(at, (old) => [...(old as unknown[]), structuredClone(node[0])]);
      for (const [index, item] of node.entries()) walk(item, [...at, index]);
    } else if (node !== null && typeof node === 'object') {
      if (at.length > 0) edit(at, (old) => ({ ...(old as Json), surplusField: true }));
      for (const [key, item] of Object.entries(node)) walk(item, [...at, key]);
    } else if (at.length > 0) {
      edit(at, (old) => (typeof old === 'string' ? 2 ** 31 : typeof old === 'number' ? 'text' : null));
    }
  };
  walk(value, []);
  return out;
}

/** [kind, spec] of every Kuma resource in the validator and webhook corpus. */
function corpusSpecs(): [string, unknown][] {
  const specs: [string, unknown][] = [];
  const validatorDir = path.resolve('test/kuma-corpus/validator');
  for (const file of readdirSync(validatorDir).filter((f) => f.endsWith('.yaml'))) {
    const corpus = parse(readFileSync(path.join(validatorDir, file), 'utf8'));
    for (const { input } of corpus.cases) {
      const { type: _type, mesh: _mesh, name: _name, ...spec } = (parse(input) ?? {}) as Json;
      specs.push([corpus.kind, spec]);
    }
  }
  const webhookDir = path.resolve('test/kuma-corpus/webhook');
  for (const file of readdirSync(webhookDir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(path.join(webhookDir, file), 'utf8'))) {
      const resource = doc.toJS() as Json | null;
      if (resource && typeof resource.kind === 'string' && resource.spec)
        specs.push([resource.kind, resource.spec]);
    }
  }
  return specs;
}

async function renderedSpecs(): Promise<[string, unknown][]> {
  const specs: [string, unknown][] = [];
  const add = (files: { content: string }[]) => {
    for (const file of files) {
      for (const doc of parseAllDocuments(file.content)) {
        const resource = doc.toJS() as Json | null;
        if (resource && typeof resource.kind === 'string' && resource.spec)
          specs.push([resource.kind, resource.spec]);
      }
    }
  };
  for (const repo of ['fixtures/specs/user-profile', 'fixtures/kuma/orders', 'fixtures/kuma/showcase']) {
    add((await renderRepo(createLocalDirSource(path.resolve(repo)))).files);
  }
  const petstore = path.resolve('fixtures/specs/petstore');
  for (const spec of ['petstore.yaml', 'petstore-swagger2.yaml', 'petstore-openapi31.yaml']) {
    add((await renderSpec(createLocalDirSource(petstore), spec)).files);
  }
  return specs;
}

/** Each kind's schema compiled at run time, now and as before; compiled once for both corpora. */
const current = createCrdAjv(false, true);
const legacy = legacyCrdAjv();
const runtime = new Map<string, [ValidateFunction, ValidateFunction]>();

function compareCrds(specs: [string, unknown][]) {
  let compared = 0;
  let rejected = 0;
  let listTypeErrors = 0;
  for (const [kind, spec] of specs) {
    const schema = published[kind]?.schema;
    if (!schema) continue;
    if (!runtime.has(kind)) {
      const tight = tightenSchema(schema) as Json;
      runtime.set(kind, [current.compile(tight), legacy.compile(structuredClone(tight))]);
    }
    const [compiled, before] = runtime.get(kind)!;
    for (const data of variants(spec)) {
      const ours = outcome(crdValidators[kind]!, data);
      expect(ours, `${kind} ${JSON.stringify(data)}`).toEqual(outcome(compiled, data));
      const old = outcome(before, data);
      expect({ valid: ours.valid, errors: visible(ours.errors) }).toEqual({
        valid: old.valid,
        errors: visible(old.errors),
      });
      compared++;
      if (!ours.valid) rejected++;
      listTypeErrors += visible(ours.errors).filter((e) => e.keyword === 'x-kubernetes-list-type').length;
    }
  }
  return { compared, rejected, listTypeErrors };
}

describe('precompiled Kuma validators', () => {
  it('every Kuma CRD schema is precompiled, and nothing else', () => {
    expect(Object.keys(precompiledCrds).sort()).toEqual(Object.keys(published).sort());
  });

  it('agree with run-time compiled ones on the Kuma validator and webhook corpus and broken variants', () => {
    const specs = corpusSpecs();
    expect(specs.length).toBeGreaterThan(100);
    const { compared, rejected, listTypeErrors } = compareCrds(specs);
    expect(rejected).toBeGreaterThan(100);
    expect(compared - rejected).toBeGreaterThan(100);
    expect(listTypeErrors).toBeGreaterThan(0);
  });

  it('agree with run-time compiled ones on every rendered fixture manifest and broken variants', async () => {
    const specs = await renderedSpecs();
    expect(new Set(specs.map(([kind]) => kind)).size).toBeGreaterThan(5);
    const { compared, rejected, listTypeErrors } = compareCrds(specs);
    expect(rejected).toBeGreaterThan(100);
    expect(compared - rejected).toBeGreaterThan(10);
    expect(listTypeErrors).toBeGreaterThan(0);
  }, 120_000);

  it('x-kuma: agree with the schema compiled at run time on every block of the fixture specs and broken variants', () => {
    const ajv = new Ajv(xKumaAjvOptions);
    ajv.addSchema(xKumaSchema);
    const root = path.resolve('fixtures');
    let blocks = 0;
    let rejected = 0;
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ya?ml|json)$/.test(entry.name)) continue;
      let doc: unknown;
      try {
        doc = parse(readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
      } catch {
        continue;
      }
      if (!doc || typeof doc !== 'object' || !('openapi' in doc || 'swagger' in doc)) continue;
      for (const block of collectXKumaBlocks(doc as never)) {
        const runtime = ajv.getSchema(`${xKumaSchema.$id}#/definitions/${block.level}`)!;
        for (const data of variants(block.value)) {
          const ours = outcome(xKumaValidators[block.level]!, data);
          expect(ours, `${entry.name} ${block.pointer}`).toEqual(outcome(runtime, data));
          if (!ours.valid) rejected++;
        }
        blocks++;
      }
    }
    expect(blocks).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(100);
  });

  it('the generated code is current (else: npx tsx scripts/generate-kuma-validators.ts)', () => {
    for (const [file, text] of Object.entries(generateKumaValidators())) {
      expect(readFileSync(file, 'utf8'), file).toBe(text);
    }
  });
});
