/**
 * Validation, oasdiff and the renderer see the SAME document: for every fixture spec and revision, and for specs
 * that try to hide an operation in a prototype (`__proto__`, `constructor`, `prototype` keys), the operations
 * the renderer routes are exactly the operations validation and oasdiff were given (minus those `x-kuma`
 * disables). A difference would let a PR deploy a route no check has seen.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalDirSource } from '../../../shared/adapters/local-dir-source.js';
import { createMemoryFileSource } from '../../../shared/adapters/memory-file-source.js';
import { findBreakingChanges } from '../../../shared/core/breaking/find-breaking-changes.js';
import { renderApi } from '../../../shared/core/kuma/render/render-api.js';
import { loadSpec } from '../../../shared/core/spec/load-spec.js';
import { listOperations } from '../../../shared/core/spec/operations.js';
import type { LoadedSpec } from '../../../shared/core/spec/types.js';
import type { BreakingDiff } from '../../../shared/ports/breaking-diff.js';

/** Every YAML/JSON file under fixtures/specs that declares `openapi:`/`swagger:`, as [root dir, entry]. */
function fixtureSpecs(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (
        /\.(ya?ml|json)$/.test(name) &&
        /^(openapi|swagger)\s*:|"(openapi|swagger)"\s*:/m.test(readFileSync(file, 'utf8'))
      )
        out.push([path.dirname(file), name]);
    }
  };
  walk(path.resolve('fixtures/specs'));
  return out;
}

const header = (version = 'openapi: 3.0.3') =>
  `${version}\ninfo: {title: Attack, version: 1.0.0}\nservers: [{url: 'https://api.example.com/v1'}]\n`;
const op = (id: string) => `{operationId: ${id}, responses: {'200': {description: ok}}}`;

/** Specs that try to hide an operation (or its x-kuma) behind a prototype. */
const attacks: Record<string, Record<string, string>> = {
  'a __proto__ path item in a $ref-ed file': {
    'openapi.yaml': `${header()}paths:\n  /pets: {get: ${op('listPets')}}\n  /hidden: {$ref: './item.yaml'}\n`,
    'item.yaml': `__proto__:\n  delete: ${op('hiddenDelete')}\n`,
  },
  'a __proto__ in a $ref-ed operation': {
    'openapi.yaml': `${header()}paths:\n  /pets:\n    get: {$ref: './op.yaml'}\n`,
    'op.yaml': `operationId: listPets\nresponses: {'200': {description: ok}}\n__proto__: {x-kuma: {disabled: true}}\n`,
  },
  'a __proto__ in x-kuma': {
    'openapi.yaml': `${header()}paths:\n  /pets:\n    x-kuma: {$ref: './kuma.yaml'}\n    get: ${op('listPets')}\n`,
    'kuma.yaml': `__proto__: {disabled: true}\n`,
  },
  'a __proto__ path item in JSON': {
    'openapi.yaml': `${header()}paths:\n  /pets: {get: ${op('listPets')}}\n  /hidden: {$ref: './item.json'}\n`,
    'item.json': `{"__proto__": {"post": ${JSON.stringify({ operationId: 'hidden', responses: { 200: { description: 'ok' } } })}}}`,
  },
  'a __proto__ path item in Swagger 2.0': {
    'openapi.yaml': `swagger: '2.0'\ninfo: {title: Attack, version: 1.0.0}\nbasePath: /v1\npaths:\n  /pets: {get: ${op('listPets')}}\n  /hidden: {$ref: './item.yaml'}\n`,
    'item.yaml': `__proto__:\n  put: ${op('hiddenPut')}\n`,
  },
  'constructor and prototype keys': {
    'openapi.yaml': `${header()}paths:\n  /constructor: {$ref: './item.yaml#/constructor'}\n  /prototype: {$ref: './item.yaml#/prototype'}\n  /toString: {$ref: '#/toString'}\n`,
    'item.yaml': `constructor:\n  get: ${op('ctor')}\nprototype:\n  get: ${op('proto')}\n`,
  },
};

/** What oasdiff is handed, as the JSON it reads (undefined when the breaking check does not run). */
async function oasdiffInput(spec: LoadedSpec): Promise<unknown> {
  let input: unknown;
  const recorder: BreakingDiff = {
    async breaking(_base, head) {
      input = JSON.parse(JSON.stringify(head));
      return [];
    },
  };
  await findBreakingChanges(spec, spec, recorder);
  return input;
}

const labels = (document: unknown) =>
  listOperations(document as Record<string, unknown>)
    .map((o) => o.label)
    .sort();

/** Operations whose effective `x-kuma.disabled` (root, path item, operation; own members only) is true. */
function disabledIn(document: unknown): Set<string> {
  const own = (value: unknown, key: string): unknown =>
    value !== null && typeof value === 'object' && Object.hasOwn(value, key)
      ? (value as Record<string, unknown>)[key]
      : undefined;
  const root = own(own(document, 'x-kuma'), 'disabled');
  const disabled = new Set<string>();
  for (const o of listOperations(document as Record<string, unknown>)) {
    const levels = [
      root,
      own(own(o.pathItem, 'x-kuma'), 'disabled'),
      own(own(o.operation, 'x-kuma'), 'disabled'),
    ];
    if (levels.filter((v) => v !== undefined).at(-1) === true) disabled.add(o.label);
  }
  return disabled;
}

async function expectOneDocument(spec: LoadedSpec) {
  const bundle = spec.bundle;
  expect(bundle).toBeDefined();
  const seen = labels(bundle);
  // Validation gets the bundle (3.x) or a structured clone of it (2.0).
  expect(labels(structuredClone(bundle))).toEqual(seen);
  // oasdiff reads the JSON the runner writes (a 2.0 spec converted to 3.0 first).
  const input = await oasdiffInput(spec);
  if (input !== undefined) expect(labels(input)).toEqual(seen);
  const render = renderApi({
    spec,
    api: { name: 'attack', spec: spec.entry, hostnames: ['api.example.com'] },
  });
  const routed = render.operations.map((o) => o.operation).sort();
  const disabled = disabledIn(JSON.parse(JSON.stringify(bundle)));
  expect(routed).toEqual(seen.filter((label) => !disabled.has(label)));
  return { seen, routed };
}

describe('validation, oasdiff and the renderer see the same operations', () => {
  it.each(
    fixtureSpecs().map(([dir, entry]) => [
      path.relative('fixtures/specs', path.join(dir, entry)),
      dir,
      entry,
    ]),
  )('fixture %s', async (_, dir, entry) => {
    const spec = await loadSpec(createLocalDirSource(dir as string), entry as string);
    if (!spec.bundle) return; // does not load: nothing is validated, diffed or rendered
    await expectOneDocument(spec);
  });

  it.each(Object.entries(attacks))('%s', async (_, files) => {
    const spec = await loadSpec(createMemoryFileSource(files), 'openapi.yaml');
    const { routed } = await expectOneDocument(spec);
    expect(routed.join(' ')).not.toMatch(/hidden|DELETE \/hidden|POST \/hidden|PUT \/hidden/i);
  });
});
