/**
 * Stress, not part of the everyday suite (`npm run test:stress`; CI runs it once, on Node 20): proofs on GitHub's
 * REST description (`@octokit/openapi`, 13 MB, 1,100+ operations, many overlapping templates), the largest real
 * spec. Loading and rendering it is seconds of CPU per test file, so they share one file: one parse, and one render
 * per API config (test/helpers/github-description.ts). The same properties are proven on the fixtures by the unit
 * tests (route-simulator, plan-regex-order, regex-padding, no-shadowing, check-tenancy).
 */
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { checkTenancy, type OtherTenant } from '../../shared/core/deploy/check-tenancy.js';
import { readManifestResources, readRouteClaims } from '../../shared/core/deploy/route-claims.js';
import type { ManifestResource } from '../../shared/core/gateway-api/edge.js';
import { proveGatewayApiNoShadowing } from '../../shared/core/gateway-api/route-simulator.js';
import { renderApi } from '../../shared/core/kuma/render/render-api.js';
import { serializeResources } from '../../shared/core/kuma/render/serialize-resources.js';
import { validateKumaResources } from '../../shared/core/kuma/validate/index.js';
import { proveNoShadowing } from '../../shared/core/kuma/validate/route-simulator.js';
import type { RepoRef } from '../../shared/core/repo-ref.js';
import type { LoadedSpec } from '../../shared/core/spec/types.js';
import { loadGitHubDescription, renderGitHubDescription } from '../helpers/github-description.js';
import { expectSound, renderForGatewayApi } from '../unit/gateway-api/expect-sound.js';
import {
  groupIntoHttpRoutes,
  type KumaRule,
  listKumaRules,
  moveOperations,
} from '../unit/gateway-api/helpers.js';
import {
  addOverlapWitnesses,
  listTemplates,
  mapOperations,
  sortOperations,
} from '../unit/kuma/validate/helpers.js';

describe('Kuma (builtin target)', () => {
  /**
   * GitHub's REST description (1,200+ operations, many overlapping templates such as `/repos/{owner}/{repo}/…`)
   * rendered as one API: Kuma must accept the output and route every operation to its own rule.
   */
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
});

describe('gateway-api target', () => {
  /**
   * GitHub's REST description (1,100+ operations, many overlapping templates) under Envoy Gateway's route order.
   *
   * The HTTPRoutes are built without the Gateway API routing (render-gateway-api.ts), from the builtin target's
   * render (test/unit/gateway-api/helpers.ts), in the worst order for Envoy Gateway: least specific first
   * (shortest path value first), sixteen to an HTTPRoute (the CRD's maximum), so the less specific rules are in
   * the earlier rules and the older HTTPRoutes. The proof must still find every operation reaching its own rule,
   * which shows that the same padding makes Envoy Gateway's order agree with OpenAPI's, whatever the grouping
   * into HTTPRoutes. The second test runs the same proof, with the same overlap witnesses, on the real
   * gateway-api render; the third checks the render within the CRD's limits (as no-shadowing.test.ts does for
   * the fixtures).
   */
  type Json = Record<string, unknown>;

  /** Where the group opened at `start` closes (escapes and classes skipped), and whether it alternates inside. */
  function closeOf(text: string, start: number): { end: number; alternates: boolean } {
    let depth = 0;
    let alternates = false;
    for (let index = start; index < text.length; index += 1) {
      const char = text[index];
      if (char === '\\') index += 1;
      else if (char === '[')
        while (index < text.length && text[index] !== ']') index += text[index] === '\\' ? 2 : 1;
      else if (char === '(') depth += 1;
      else if (char === ')' && --depth === 0) return { end: index, alternates };
      else if (char === '|' && depth === 1) alternates = true;
    }
    return { end: -1, alternates };
  }

  /** A path regex without the `(?:…)` wraps around whole segments: what it was before plan-regex-order.ts. */
  function unpad(regex: string): string {
    const segments = regex
      .slice(1, -1)
      .split('/')
      .map((segment) => {
        let current = segment;
        for (;;) {
          if (!current.startsWith('(?:')) return current;
          const { end, alternates } = closeOf(current, 0);
          if (end !== current.length - 1 || alternates) return current;
          current = current.slice(3, -1);
        }
      });
    return `^${segments.join('/')}$`;
  }

  const pathLength = (rule: KumaRule) =>
    Math.min(...rule.matches.map((match) => String((match.path as Json).value).length));

  // CPU-bound (render, witnesses, two proofs over 1,100+ operations): a longer timeout for a loaded machine.
  it('routes every operation of GitHub’s REST description to its own rule under Envoy Gateway’s order', async () => {
    const spec = await loadGitHubDescription();
    const api = { name: 'github', spec: 'api.github.com.json', hostnames: ['api.github.com'] };
    const result = await renderGitHubDescription(api);
    const { mapped, unmatchedRules } = mapOperations(
      result.resources,
      listTemplates(api, spec.bundle as Record<string, unknown>),
    );
    expect(unmatchedRules).toEqual([]);
    expect(mapped.length).toBeGreaterThan(1000);
    // Least specific first (shortest path value), sixteen to an HTTPRoute (the CRD's maximum).
    const rules = listKumaRules(result.resources).sort((a, b) => pathLength(a.rule) - pathLength(b.rule));
    const { routes, moved } = groupIntoHttpRoutes(rules, 16, 'api.github.com');
    expect(routes.length).toBeGreaterThan(60);
    const operations = moveOperations(addOverlapWitnesses(result.resources, mapped), moved);
    // The witnesses include the requests that shadow without padding (see the Kuma test of the same description).
    expect(operations.flatMap((operation) => operation.paths ?? [])).toEqual(
      expect.arrayContaining(['/gists/x1/star', '/gists/x1/forks', '/user/codespaces/secrets/machines']),
    );
    expect(proveGatewayApiNoShadowing(routes, operations)).toEqual([]);
    // Control: the same routes with the padding taken off shadow operations, so the proof above is not vacuous.
    const unpadded = unpadRoutes(routes);
    const shadowed = proveGatewayApiNoShadowing(unpadded, operations).map((m) => m.slice(0, m.indexOf(':')));
    expect([...new Set(shadowed)].sort()).toEqual([
      'GET /gists/{gist_id}/forks',
      'GET /gists/{gist_id}/star',
      'GET /user/codespaces/secrets/{secret_name}',
    ]);
  }, 120_000);

  /** Unpads the RegularExpression path matches of HTTPRoutes (the control: without padding, operations shadow). */
  function unpadRoutes(routes: ManifestResource[]): ManifestResource[] {
    return routes.map((route) => ({
      ...route,
      spec: {
        ...route.spec,
        rules: (route.spec.rules as KumaRule[]).map((rule) => ({
          ...rule,
          matches: rule.matches.map((match) => {
            const path = match.path as { type: string; value: string };
            return path.type === 'RegularExpression'
              ? { ...match, path: { ...path, value: unpad(path.value) } }
              : match;
          }),
        })),
      },
    }));
  }

  it('renders GitHub’s REST description to HTTPRoutes with no shadowed operation (the real gateway-api target)', async () => {
    const spec = await loadGitHubDescription();
    const api = { name: 'github', spec: 'api.github.com.json', hostnames: ['api.github.com'] };
    // The overlap witnesses (a request a literal segment and a parameter both take) come from the builtin render:
    // they depend on the templates only, so they are the same requests for either target.
    const builtin = await renderGitHubDescription(api);
    const { mapped } = mapOperations(
      builtin.resources,
      listTemplates(api, spec.bundle as Record<string, unknown>),
    );
    const witnesses = new Map(
      addOverlapWitnesses(builtin.resources, mapped).map((o) => [`${o.method} ${o.pathTemplate}`, o.paths]),
    );
    const result = await renderGitHubDescription({
      ...api,
      target: 'gateway-api',
      parentRef: { name: 'eg', namespace: 'envoy-gateway-system' },
    });
    const routes = result.manifests.filter((m) => m.kind === 'HTTPRoute');
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.operations.length).toBeGreaterThan(1000);
    const operations = result.operations.map(({ operation: _o, pointer: _p, namespace, ...placed }) => {
      const paths = witnesses.get(`${placed.method} ${placed.pathTemplate}`);
      return { ...placed, namespace: namespace!, ...(paths ? { paths } : {}) };
    });
    expect(operations.flatMap((operation) => operation.paths ?? [])).toEqual(
      expect.arrayContaining(['/gists/x1/star', '/gists/x1/forks', '/user/codespaces/secrets/machines']),
    );
    expect(proveGatewayApiNoShadowing(routes, operations)).toEqual([]);
    // Control: the same HTTPRoutes without the padding shadow some of the operations the padding exists for (which
    // ones depends on where the routing put them), so the proof above is not vacuous.
    const shadowed = proveGatewayApiNoShadowing(unpadRoutes(routes), operations).map((m) =>
      m.slice(0, m.indexOf(':')),
    );
    expect(shadowed.length).toBeGreaterThan(0);
    for (const label of shadowed) {
      expect([
        'GET /gists/{gist_id}/forks',
        'GET /gists/{gist_id}/star',
        'GET /user/codespaces/secrets/{secret_name}',
      ]).toContain(label);
    }
  }, 180_000);

  it('renders GitHub’s REST description within the CRD limits, every operation placed and reached', async () => {
    const spec = await loadGitHubDescription();
    const result = renderForGatewayApi(spec, {
      name: 'github',
      spec: 'api.github.com.json',
      hostnames: ['api.github.com'],
    });
    expect(result.operations.length).toBeGreaterThan(1000);
    expectSound(result);
  });
});

describe('tenancy', () => {
  /**
   * Exact tenancy at the scale of GitHub's REST description (1,100+ routes, most sharing `/repos/{owner}/{repo}/`):
   * checked against another tenant with the same routes (every claim collides) and one under another base path
   * (none does). Timings are printed for the record (`KAF_TIMINGS=1`), not asserted.
   */
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
});
