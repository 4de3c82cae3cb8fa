/**
 * Exact tenancy at the scale of GitHub's REST description (1,100+ routes, most sharing `/repos/{owner}/{repo}/`):
 * checked against another tenant with the same routes (every claim collides) and one under another base path
 * (none does). Timings are printed for the record (`KAF_TIMINGS=1`), not asserted.
 */
import { RE2JS } from 're2js';
import { expect, it } from 'vitest';
import { checkTenancy, type OtherTenant } from '../../../shared/core/deploy/check-tenancy.js';
import { readManifestResources, readRouteClaims } from '../../../shared/core/deploy/route-claims.js';
import { renderApi } from '../../../shared/core/kuma/render/render-api.js';
import { serializeResources } from '../../../shared/core/kuma/render/serialize-resources.js';
import type { RepoRef } from '../../../shared/core/repo-ref.js';
import type { LoadedSpec } from '../../../shared/core/spec/types.js';
import { loadGitHubDescription } from '../../helpers/github-description.js';

function renderGitHub(spec: LoadedSpec, basePath: string) {
  const api = { name: 'github', spec: 'api.github.com.json', hostnames: ['api.github.com'], basePath };
  const result = renderApi({ spec, api });
  return serializeResources(result.resources, 'k8s', { spec: 'api.github.com.json' });
}

function asTenant(repo: RepoRef, files: ReturnType<typeof renderGitHub>): OtherTenant {
  const routes = readRouteClaims(readManifestResources(files)).map(({ namespaces: _, ...route }) => route);
  return { repo, resources: [], routes };
}

const grant = {
  gateways: ['gateway'],
  hostnames: ['api.github.com'],
  basePaths: ['/gh'],
  namespaces: ['default'],
};

it('decides every claim of GitHub against 1,100 routes of another tenant exactly', {
  timeout: 120_000,
}, async () => {
  // The 13 MB description is loaded once and rendered under both base paths (rendering leaves it unchanged).
  const github = await loadGitHubDescription();
  const ours = renderGitHub(github, '/gh');
  const claims = readRouteClaims(readManifestResources(ours));
  expect(claims.length).toBeGreaterThan(1000);
  const rendered = {
    repo: { owner: 'acme', repo: 'github' },
    apis: [{ name: 'github', files: ours }],
    configFile: 'c.yaml',
  };

  let started = performance.now();
  const same = checkTenancy(rendered, grant, [asTenant({ owner: 'globex', repo: 'github' }, ours)]);
  const collideMs = performance.now() - started;
  const collisions = same.filter((f) => f.id === 'tenancy-route-collision');
  // Every rule collides with (at least) its copy; the witness is a request both really take.
  expect(same.filter((f) => f.id !== 'tenancy-route-collision')).toEqual([]);
  expect(collisions.length).toBe(new Set(claims.map((c) => `${c.route}#${c.ruleIndex}`)).size);
  for (const finding of collisions.slice(0, 50)) {
    const witness = /the request path "([^"]+)"$/.exec(finding.message)?.[1];
    const ourRegex = /: \S+ (\S+) \((?:RegularExpression|Exact)\)/.exec(finding.message)?.[1];
    expect(witness).toBeDefined();
    if (ourRegex?.startsWith('^')) expect(RE2JS.compile(ourRegex).matches(witness!)).toBe(true);
  }

  const elsewhere = asTenant({ owner: 'globex', repo: 'github' }, renderGitHub(github, '/other'));
  started = performance.now();
  expect(checkTenancy(rendered, grant, [elsewhere])).toEqual([]);
  const disjointMs = performance.now() - started;
  if (process.env.KAF_TIMINGS) console.log({ claims: claims.length, collideMs, disjointMs });
});
