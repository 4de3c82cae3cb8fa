// The precompiled OpenAPI schema validators (shared/core/spec/generated/, scripts/generate-openapi-validators.mjs)
// must behave exactly like swagger-parser's own JSON-Schema step, which compiles the same schemas with Ajv at run
// time: same verdict, same message, same Ajv errors, on every fixture spec and on broken variants of them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import swaggerParserSchema from '@apidevtools/swagger-parser/lib/validators/schema.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error: a build script, untyped
import { generateValidators, outDir } from '../../../scripts/generate-openapi-validators.mjs';
import { validateOpenApiSchema } from '../../../shared/core/spec/openapi-schema.js';

type Api = Record<string, unknown>;

function outcome(run: () => unknown) {
  try {
    run();
    return { ok: true };
  } catch (error) {
    const e = error as SyntaxError & { details?: unknown };
    return { ok: false, name: e.name, message: e.message, details: e.details };
  }
}

async function ours(api: Api) {
  try {
    await validateOpenApiSchema(api);
    return { ok: true };
  } catch (error) {
    const e = error as SyntaxError & { details?: unknown };
    return { ok: false, name: e.name, message: e.message, details: e.details };
  }
}

/** Every spec document under fixtures/ (YAML or JSON with a `swagger` or `openapi` key). */
function fixtureSpecs(): [string, Api][] {
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
  return specs;
}

/** Variants that break the schema in different ways, so error paths and messages are compared too. */
const breakages: [string, (api: Api) => void][] = [
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

const specs = fixtureSpecs();

describe('precompiled OpenAPI schema validation', () => {
  it('finds the fixture specs of every version', () => {
    const versions = new Set(specs.map(([, api]) => String(api.swagger ?? api.openapi).slice(0, 3)));
    expect(versions).toEqual(new Set(['2.0', '3.0', '3.1']));
  });

  it.each(specs)('%s: same result as swagger-parser', async (_, api) => {
    expect(await ours(structuredClone(api))).toEqual(
      outcome(() => swaggerParserSchema(structuredClone(api))),
    );
  });

  it.each(
    specs.flatMap(([name, api]) =>
      breakages.map(([what, breakIt]) => [`${name}, ${what}`, api, breakIt] as const),
    ),
  )('%s: same errors as swagger-parser', async (_, api, breakIt) => {
    const broken = structuredClone(api);
    breakIt(broken);
    const expected = outcome(() => swaggerParserSchema(structuredClone(broken)));
    expect(expected.ok).toBe(false);
    expect(await ours(broken)).toEqual(expected);
  });

  it('is the code scripts/generate-openapi-validators.mjs generates now (regenerate after upgrades)', () => {
    for (const [name, text] of Object.entries(generateValidators() as Record<string, string>))
      expect(readFileSync(path.join(outDir, name), 'utf8'), name).toBe(text);
  });
});
