/**
 * GitHub's REST description (1,200+ operations, many overlapping templates such as `/repos/{owner}/{repo}/…`)
 * rendered as one API: Kuma must accept the output and route every operation to its own rule.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { proveNoShadowing } from '../../../../shared/core/kuma/validate/route-simulator.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';
import { addOverlapWitnesses, listTemplates, mapOperations, sortOperations } from './helpers.js';

const descriptionPath = createRequire(import.meta.url).resolve(
  '@octokit/openapi/generated/api.github.com.json',
);

it('renders GitHub’s REST description to valid resources with no shadowed operation', async () => {
  const spec = await loadSpecFromFiles(
    { 'api.github.com.json': readFileSync(descriptionPath, 'utf8') },
    'api.github.com.json',
    {
      maxFileBytes: 64 * 1024 * 1024,
      maxTotalBytes: 64 * 1024 * 1024,
    },
  );
  const api = { name: 'github', spec: 'api.github.com.json', hostnames: ['api.github.com'] };
  const result = renderApi({ spec, api });
  expect(result.findings.filter((f) => f.id === 'kuma-invalid-resource')).toEqual([]);
  expect(validateKumaResources(result.resources)).toEqual([]);
  const templates = listTemplates(api, spec.bundle as Record<string, unknown>);
  const { mapped, unmatchedRules } = mapOperations(result.resources, templates);
  expect(unmatchedRules).toEqual([]);
  expect(mapped.length).toBeGreaterThan(1000);
  // The renderer's own operation → rule mapping agrees with the one derived from the rules' shapes.
  expect(sortOperations(result.operations.map(({ operation, pointer, ...rest }) => rest))).toEqual(
    sortOperations(mapped),
  );
  // Kuma ranks regexes by pattern length: without order-aware padding `^/gists/[^/]+/[^/]+$` would outrank
  // `^/gists/[^/]+/star$` and tie with `…/forks$`, and `/user/codespaces/{name}/machines` would tie with
  // `/user/codespaces/secrets/{name}` on `/user/codespaces/secrets/machines`.
  const witnessed = addOverlapWitnesses(result.resources, mapped);
  expect(witnessed.flatMap((operation) => operation.paths ?? [])).toEqual(
    expect.arrayContaining(['/gists/x1/star', '/gists/x1/forks', '/user/codespaces/secrets/machines']),
  );
  expect(proveNoShadowing(result.resources, witnessed)).toEqual([]);
});
