/**
 * Stress, not part of the everyday suite (`npm run test:stress`; CI runs it once, on Node 20): the precompiled
 * OpenAPI schema validators report the same errors as swagger-parser's own schema step on every breakage of
 * every fixture spec (test/unit/spec/openapi-schema.test.ts breaks one spec of each version). swagger-parser
 * compiles its schema with a fresh Ajv on each call: over a hundred compiles.
 */
import { describe, expect, it } from 'vitest';
import {
  brokenCases,
  fixtureSpecs,
  onePerVersion,
  ours,
  theirs,
} from '../unit/spec/openapi-schema-parity.js';

const specs = fixtureSpecs();
const inUnitTier = new Set(onePerVersion(specs).map(([name]) => name));
const others = specs.filter(([name]) => !inUnitTier.has(name));

describe('precompiled OpenAPI schema validation, every fixture broken', () => {
  it('breaks the fixture specs the unit tier does not', () => {
    expect(others.length).toBeGreaterThan(10);
  });

  it.each(brokenCases(others))('%s: same errors as swagger-parser', async (_, api, breakIt) => {
    const broken = structuredClone(api);
    breakIt(broken);
    const expected = theirs(structuredClone(broken));
    expect(expected.ok).toBe(false);
    expect(await ours(broken)).toEqual(expected);
  });
});
