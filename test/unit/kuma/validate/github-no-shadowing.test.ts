/**
 * GitHub's REST description (1,200+ operations, many overlapping templates such as `/repos/{owner}/{repo}/…`)
 * rendered as one API: Kuma must accept the output and route every operation to its own rule.
 */
import { expect, it } from 'vitest';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { proveNoShadowing } from '../../../../shared/core/kuma/validate/route-simulator.js';
import { loadGitHubDescription, renderGitHubDescription } from '../../../helpers/github-description.js';
import { addOverlapWitnesses, listTemplates, mapOperations, sortOperations } from './helpers.js';

// CPU-bound (render, validation, witnesses, the proof over 1,100+ operations): a longer timeout for a loaded machine.
it('renders GitHub’s REST description to valid resources with no shadowed operation', async () => {
  const spec = await loadGitHubDescription();
  const api = { name: 'github', spec: 'api.github.com.json', hostnames: ['api.github.com'] };
  const result = await renderGitHubDescription(api);
  expect(result.findings.filter((f) => f.id === 'kuma-invalid-resource')).toEqual([]);
  // All of it renders (moved here from render-api.test.ts, which rendered it once more for these two checks).
  expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
  expect(
    result.resources
      .filter((r) => r.kind === 'MeshHTTPRoute')
      .flatMap((r) => (r.spec.to as { rules: unknown[] }[]).flatMap((to) => to.rules)).length,
  ).toBeGreaterThan(1000);
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
}, 120_000);
