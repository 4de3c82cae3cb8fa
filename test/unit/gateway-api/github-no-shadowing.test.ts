/**
 * GitHub's REST description (1,100+ operations, many overlapping templates) under Envoy Gateway's route order.
 *
 * The HTTPRoutes are built without the Gateway API routing (render-gateway-api.ts), from the builtin target's
 * render (helpers.ts), in the worst order for Envoy Gateway: least specific first (shortest path value first),
 * sixteen to an HTTPRoute (the CRD's maximum), so the less specific rules are in the earlier rules and the older
 * HTTPRoutes. The proof must still find every operation reaching its own rule, which shows that the
 * same padding makes Envoy Gateway's order agree with OpenAPI's, whatever the grouping into HTTPRoutes.
 * The second test runs the same proof, with the same overlap witnesses, on the real gateway-api render.
 */
import { expect, it } from 'vitest';
import type { ManifestResource } from '../../../shared/core/gateway-api/edge.js';
import { proveGatewayApiNoShadowing } from '../../../shared/core/gateway-api/route-simulator.js';
import { loadGitHubDescription, renderGitHubDescription } from '../../helpers/github-description.js';
import { addOverlapWitnesses, listTemplates, mapOperations } from '../kuma/validate/helpers.js';
import { groupIntoHttpRoutes, type KumaRule, listKumaRules, moveOperations } from './helpers.js';

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
