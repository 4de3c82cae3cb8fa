/**
 * The builtin target pads templated regexes (plan-regex-order.ts) so that Kuma's length ranking picks the most
 * specific operation. Envoy Gateway ranks regexes by length too (sort.go:57-65), after Exact and before
 * PathPrefix, and breaks equal lengths by headers, query matches and then creation and rule order. So the same
 * padded regexes must route every request to the operation OpenAPI's "concrete beats templated" names, however
 * the routing groups the rules into HTTPRoutes and in whatever order they were created. Each case renders a
 * spec with the builtin renderer, turns its rules into HTTPRoutes (helpers.ts) in several orders and groupings,
 * and asks Envoy Gateway's order which template serves each request; the expected template is OpenAPI's.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  proveGatewayApiNoShadowing,
  routeGatewayApiRequest,
} from '../../../shared/core/gateway-api/route-simulator.js';
import { renderApi } from '../../../shared/core/kuma/render/render-api.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';
import { groupIntoHttpRoutes, listKumaRules, moveOperations, type PlacedRule } from './helpers.js';

const ok = { 200: { description: 'ok' } };

async function render(paths: Record<string, unknown>) {
  const document = { openapi: '3.0.3', info: { title: 't', version: '1' }, paths };
  const spec = await loadSpecFromFiles({ 'api.yaml': stringify(document) }, 'api.yaml');
  return renderApi({ spec, api: { name: 'api', spec: 'api.yaml' } });
}

/** Simple GET operations, path parameters plain strings unless given. */
function gets(templates: string[], parameters: Record<string, Record<string, unknown>> = {}) {
  return Object.fromEntries(
    templates.map((template) => {
      const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      const declared = names.map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: parameters[name] ?? { type: 'string' },
      }));
      return [template, { get: { parameters: declared, responses: ok } }];
    }),
  );
}

/** Deterministic shuffles (a linear congruential generator), so a failure names a reproducible order. */
function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let index = copy.length - 1; index > 0; index -= 1) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

/** Orders and groupings to try: as rendered, reversed, shuffled; one HTTPRoute, one per rule, two per route. */
function arrangements(rules: PlacedRule[]) {
  const orders = [rules, [...rules].reverse(), shuffled(rules, 7), shuffled(rules, 42)];
  return orders.flatMap((order) =>
    [rules.length, 1, 2].map((perRoute) => groupIntoHttpRoutes(order, perRoute)),
  );
}

async function expectServed(
  paths: Record<string, unknown>,
  requests: Record<string, string>,
  query: Record<string, string> = {},
) {
  const result = await render(paths);
  expect(result.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  for (const { routes, moved } of arrangements(listKumaRules(result.resources))) {
    const operations = moveOperations(result.operations, moved);
    expect(proveGatewayApiNoShadowing(routes, operations)).toEqual([]);
    for (const [path, template] of Object.entries(requests)) {
      const target = routeGatewayApiRequest(routes, {
        method: 'GET',
        path: query[path] ? `${path}?${query[path]}` : path,
        hostname: 'api.example.com',
      });
      const servedBy = operations.find(
        (operation) => operation.route === target?.route && operation.ruleIndex === target?.ruleIndex,
      );
      // The operation's label: its path as in the spec, with a fragment (`pathTemplate` has none).
      const label = (servedBy as { operation?: string } | undefined)?.operation?.replace(/^GET /, '');
      expect({ path, template: label }).toEqual({ path, template });
    }
  }
}

describe("the builtin target's regex padding under Envoy Gateway's order", () => {
  it('sends a literal last segment to its own operation though its regex is shorter (GitHub /gists)', async () => {
    await expectServed(gets(['/gists/{gist_id}/{sha}', '/gists/{gist_id}/star', '/gists/{gist_id}/forks']), {
      '/gists/1/star': '/gists/{gist_id}/star',
      '/gists/1/forks': '/gists/{gist_id}/forks',
      '/gists/1/abc123': '/gists/{gist_id}/{sha}',
    });
  });

  it('prefers the literal at the first segment where two templates differ, in chains', async () => {
    await expectServed(
      gets(['/{a}/{b}/{c}', '/x/{b}/{c}', '/x/y/{c}', '/{a}/y/z', '/x/{b}/z', '/a/{x}/c', '/a/b/{y}']),
      {
        '/x/y/z': '/x/y/{c}',
        '/x/q/z': '/x/{b}/z',
        '/q/y/z': '/{a}/y/z',
        '/x/q/q': '/x/{b}/{c}',
        '/q/q/q': '/{a}/{b}/{c}',
        '/a/b/c': '/a/b/{y}',
        '/a/q/c': '/a/{x}/c',
      },
    );
  });

  it('puts a literal path before every template, a partly literal segment before a narrowed one before a bare one', async () => {
    await expectServed(
      gets(
        [
          '/pets/{name}',
          '/pets/{id}',
          '/pets/{kind}',
          '/pets/{file}.json',
          '/pets/mine',
          '/pets/{petId}/toys',
          '/pets/mine/toys',
        ],
        {
          id: { type: 'integer' },
          kind: { type: 'string', enum: ['cat', 'dog'] },
        },
      ),
      {
        '/pets/mine': '/pets/mine',
        '/pets/cat': '/pets/{kind}',
        '/pets/12': '/pets/{id}',
        '/pets/rex.json': '/pets/{file}.json',
        '/pets/rex': '/pets/{name}',
        '/pets/mine/toys': '/pets/mine/toys',
        '/pets/rex/toys': '/pets/{petId}/toys',
      },
    );
  });

  it('sends a request with the query action of a fragment to that operation, others to the plain template', async () => {
    const action = (value: string) => ({
      name: 'Action',
      in: 'query',
      required: true,
      schema: { type: 'string', enum: [value] },
    });
    const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
    await expectServed(
      {
        '/queues/{id}': { get: { parameters: [id], responses: ok } },
        '/queues/{id}#Action=Purge': {
          get: { operationId: 'purge', parameters: [id, action('Purge')], responses: ok },
        },
        '/queues/{id}#Action=List': {
          get: { operationId: 'list', parameters: [id, action('List')], responses: ok },
        },
      },
      {
        '/queues/q1': '/queues/{id}',
        '/queues/q2': '/queues/{id}#Action=Purge',
        '/queues/q3': '/queues/{id}#Action=List',
      },
      { '/queues/q2': 'Action=Purge', '/queues/q3': 'Action=List' },
    );
  });
});
