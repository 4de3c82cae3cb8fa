/**
 * Every fixture under fixtures/ is rendered; the output must be accepted by Kuma (CRD schema + webhook rules)
 * and every operation must reach its own rule under Kuma's route ordering.
 * The operation → rule mapping is derived without the simulator (helpers.ts mapOperations).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import type { ApiConfig } from '../../../../shared/core/kuma/render/types.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { proveNoShadowing } from '../../../../shared/core/kuma/validate/route-simulator.js';
import { loadFixture, repoRoot } from '../render/helpers.js';
import { addOverlapWitnesses, listTemplates, mapOperations, sortOperations } from './helpers.js';

interface FixtureApi {
  dir: string;
  api: ApiConfig;
  defaults?: Record<string, unknown>;
}

function discoverFixtures(): FixtureApi[] {
  const found: FixtureApi[] = [];
  const walk = (relative: string) => {
    const absolute = path.join(repoRoot, relative);
    const entries = readdirSync(absolute).sort();
    if (entries.includes('.kuma-api-forge.yaml')) {
      const config = parse(readFileSync(path.join(absolute, '.kuma-api-forge.yaml'), 'utf8'));
      for (const api of config.apis ?? []) {
        found.push({ dir: relative, api, ...(config.defaults ? { defaults: config.defaults } : {}) });
      }
      return;
    }
    for (const entry of entries) {
      const child = path.join(relative, entry);
      if (statSync(path.join(repoRoot, child)).isDirectory()) walk(child);
      else if (/\.(ya?ml|json)$/.test(entry)) {
        const document = safeParse(readFileSync(path.join(repoRoot, child), 'utf8'));
        if (document && (document.openapi || document.swagger)) {
          found.push({ dir: relative, api: { name: entry.replace(/\..*$/, '').toLowerCase(), spec: entry } });
        }
      }
    }
  };
  walk('fixtures');
  return found;
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    return parse(text, { maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

const fixtures = discoverFixtures();

describe('every fixture renders to resources Kuma accepts, with no shadowed operation', () => {
  it('finds the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
  });

  it.each(fixtures.map((f) => [`${f.dir} ${f.api.name}`, f] as const))('%s', async (_name, fixture) => {
    const spec = await loadFixture(fixture.dir, fixture.api.spec);
    const result = renderApi({
      spec,
      api: fixture.api,
      ...(fixture.defaults ? { defaults: fixture.defaults } : {}),
    });
    expect(result.findings.filter((f) => f.id === 'kuma-invalid-resource')).toEqual([]);
    expect(validateKumaResources(result.resources)).toEqual([]);
    if (!spec.bundle) return; // an invalid spec renders nothing
    const templates = listTemplates(fixture.api, spec.bundle as Record<string, unknown>);
    const { mapped, unmatchedRules } = mapOperations(result.resources, templates);
    expect(unmatchedRules).toEqual([]);
    expect(sortOperations(result.operations.map(({ operation, pointer, ...rest }) => rest))).toEqual(
      sortOperations(mapped),
    );
    expect(proveNoShadowing(result.resources, addOverlapWitnesses(result.resources, mapped))).toEqual([]);
  });
});
