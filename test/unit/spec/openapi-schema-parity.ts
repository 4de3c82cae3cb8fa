/**
 * The precompiled OpenAPI schema validators (shared/core/spec/generated/) against swagger-parser's own JSON-Schema
 * step, which compiles the same schemas with Ajv at run time (a fresh Ajv per call: the slow side): both
 * outcomes of a document, the fixture specs, and the ways to break them. Shared by the unit test (every fixture,
 * every breakage on one spec of each version) and the stress tier (every breakage on every fixture).
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import swaggerParserSchema from '@apidevtools/swagger-parser/lib/validators/schema.js';
import { parse } from 'yaml';
import { validateOpenApiSchema } from '../../../shared/core/spec/openapi-schema.js';

export type Api = Record<string, unknown>;

/** swagger-parser's verdict on `api`: ok, or its error's name, message and Ajv details. */
export function theirs(api: Api) {
  try {
    swaggerParserSchema(api);
    return { ok: true };
  } catch (error) {
    const e = error as SyntaxError & { details?: unknown };
    return { ok: false, name: e.name, message: e.message, details: e.details };
  }
}

/** The precompiled validators' verdict on `api`, in the same shape. */
export async function ours(api: Api) {
  try {
    await validateOpenApiSchema(api);
    return { ok: true };
  } catch (error) {
    const e = error as SyntaxError & { details?: unknown };
    return { ok: false, name: e.name, message: e.message, details: e.details };
  }
}

/** Every spec document under fixtures/ (YAML or JSON with a `swagger` or `openapi` key), sorted by path. */
export function fixtureSpecs(): [string, Api][] {
  const root = path.resolve('fixtures');
  const specs: [string, Api][] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(ya?ml|json)$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, 'utf8'));
    } catch {
      continue; // a deliberately broken fixture: the loader's business, not the schema's
    }
    if (doc && typeof doc === 'object' && ('openapi' in doc || 'swagger' in doc))
      specs.push([path.relative(root, file), doc as Api]);
  }
  return specs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `2.0`, `3.0` or `3.1`. */
export const versionOf = (api: Api) => String(api.swagger ?? api.openapi).slice(0, 3);

/** Variants that break the schema in different ways, so error paths and messages are compared too. */
export const breakages: [string, (api: Api) => void][] = [
  ['no info', (api) => delete api.info],
  ['paths is a list', (api) => (api.paths = [])],
  ['unknown top-level key', (api) => (api.surprise = true)],
  [
    'operation with a bad parameter and a response without description',
    (api) =>
      (api.paths = {
        '/x/{id}': {
          get: {
            parameters: [{ name: 'id', in: 'nowhere' }, { in: 'query' }],
            responses: { '200': {}, nope: { description: 'x' } },
          },
        },
      }),
  ],
  [
    'components of the wrong types',
    (api) => (api.components = { schemas: { A: 7, B: { type: 7 } }, responses: { R: {} } }),
  ],
];

/** Every breakage of each of `specs`, as test cases: [name, spec, breakage]. */
export function brokenCases(specs: [string, Api][]) {
  return specs.flatMap(([name, api]) =>
    breakages.map(([what, breakIt]) => [`${name}, ${what}`, api, breakIt] as const),
  );
}

/** The first fixture spec of each version: the unit tier breaks these, the stress tier all the others. */
export function onePerVersion(specs: [string, Api][]): [string, Api][] {
  const seen = new Set<string>();
  return specs.filter(([, api]) => !seen.has(versionOf(api)) && seen.add(versionOf(api)));
}
