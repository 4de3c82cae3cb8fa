// The precompiled OpenAPI schema validators (shared/core/spec/generated/, scripts/generate-openapi-validators.mjs)
// must behave exactly like swagger-parser's own JSON-Schema step, which compiles the same schemas with Ajv at run
// time: same verdict, same message, same Ajv errors, on every fixture spec and on broken variants of them (every
// breakage on one spec of each version here; on every other fixture spec in the stress tier,
// test/stress/openapi-schema-variants.test.ts: swagger-parser's side compiles its schema afresh on each call).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script, untyped
import { generateValidators, outDir } from '../../../scripts/generate-openapi-validators.mjs';
import {
  brokenCases,
  fixtureSpecs,
  onePerVersion,
  ours,
  theirs,
  versionOf,
} from './openapi-schema-parity.js';

const specs = fixtureSpecs();

describe('precompiled OpenAPI schema validation', () => {
  it('finds the fixture specs of every version', () => {
    expect(new Set(specs.map(([, api]) => versionOf(api)))).toEqual(new Set(['2.0', '3.0', '3.1']));
    expect(
      onePerVersion(specs)
        .map(([, api]) => versionOf(api))
        .sort(),
    ).toEqual(['2.0', '3.0', '3.1']);
  });

  it.each(specs)('%s: same result as swagger-parser', async (_, api) => {
    expect(await ours(structuredClone(api))).toEqual(theirs(structuredClone(api)));
  });

  it.each(brokenCases(onePerVersion(specs)))('%s: same errors as swagger-parser', async (_, api, breakIt) => {
    const broken = structuredClone(api);
    breakIt(broken);
    const expected = theirs(structuredClone(broken));
    expect(expected.ok).toBe(false);
    expect(await ours(broken)).toEqual(expected);
  });

  it('is the code scripts/generate-openapi-validators.mjs generates now (regenerate after upgrades)', () => {
    for (const [name, text] of Object.entries(generateValidators() as Record<string, string>))
      expect(readFileSync(path.join(outDir, name), 'utf8'), name).toBe(text);
  });
});
