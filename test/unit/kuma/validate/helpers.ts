/**
 * Which operation each rendered rule belongs to, derived without the route simulator: a rule belongs to the
 * operation with the same method whose path template (base path included) has the shape of an example of the
 * rule's path (Exact: equal to it).
 */
import { RE2JS } from 're2js';
import type { ApiConfig } from '../../../../shared/core/kuma/render/types.js';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';
import { buildRegexExample } from '../../../../shared/core/kuma/validate/regex-example.js';
import type { ExpectedOperation } from '../../../../shared/core/kuma/validate/route-simulator.js';

export const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every operation of the bundle as METHOD + full path template at the gateway. */
export function listTemplates(api: ApiConfig, bundle: Record<string, unknown>) {
  const base = basePathOf(api, bundle);
  const paths = (bundle.paths as Record<string, Record<string, unknown>> | undefined) ?? {};
  return Object.entries(paths).flatMap(([template, item]) =>
    methods.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), template: base + template })),
  );
}

function basePathOf(api: ApiConfig, bundle: Record<string, unknown>): string {
  const server = (
    bundle.servers as { url?: string; variables?: Record<string, { default?: string }> }[]
  )?.[0];
  const url = server?.url?.replace(/\{([^}]*)\}/g, (_, name) => server.variables?.[name]?.default ?? '');
  const fromServer = url?.replace(/^[a-z]+:\/\/[^/]*/i, '') ?? (bundle.basePath as string | undefined);
  const base = api.basePath ?? fromServer ?? '';
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.startsWith('/') || trimmed === '' ? trimmed : `/${trimmed}`;
}

/** Whether a concrete path has the shape of the template: same literal segments, any value for parameters. */
function hasShape(template: string, concrete: string): boolean {
  const expected = template.split('/');
  const actual = concrete.split('/');
  if (expected.length !== actual.length) return false;
  return expected.every((segment, index) => {
    const value = actual[index] as string;
    if (!segment.includes('{')) return segment === value;
    const pattern = segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]*\\?\}/g, '[^/]+');
    return new RegExp(`^${pattern.replace(/\{[^}]*\}/g, '[^/]+')}$`).test(value);
  });
}

export function mapOperations(resources: KumaResource[], templates: { method: string; template: string }[]) {
  const mapped: ExpectedOperation[] = [];
  const unmatchedRules: string[] = [];
  for (const route of resources.filter((r) => r.kind === 'MeshHTTPRoute')) {
    const rules = (
      route.spec.to as { rules: { matches: { method: string; path: { type: string; value: string } }[] }[] }[]
    ).flatMap((to) => to.rules);
    rules.forEach((rule, ruleIndex) => {
      const match = rule.matches[0]!;
      const sample = match.path.type === 'Exact' ? match.path.value : buildRegexExample(match.path.value);
      let owners = templates.filter(
        (t) =>
          t.method === match.method &&
          sample !== undefined &&
          (match.path.type === 'Exact'
            ? t.template === sample
            : t.template.includes('{') && hasShape(t.template, sample)),
      );
      // Literals win over parameters in OpenAPI: among templates of that shape, the one with the most literal text.
      const literals = (t: { template: string }) => t.template.replace(/\{[^}]*\}/g, '').length;
      const most = Math.max(...owners.map(literals));
      owners = owners.filter((t) => literals(t) === most);
      if (owners.length !== 1)
        unmatchedRules.push(`${route.name} rule ${ruleIndex} ${match.method} ${match.path.value}`);
      else
        mapped.push({
          method: match.method,
          pathTemplate: owners[0]!.template,
          route: route.name,
          ruleIndex: ruleIndex,
        });
    });
  }
  return { mapped, unmatchedRules };
}

/**
 * Requests where two operations of the same method overlap (same segment count; equal literals, or a literal
 * facing a parameter that accepts it): the path takes the literal wherever either template has one. OpenAPI's
 * "concrete beats templated", read left to right, says which operation serves it: the one with a literal at the
 * first segment where only one of them has a literal. That path is added to that operation's `paths`.
 */
export function addOverlapWitnesses(resources: KumaResource[], mapped: ExpectedOperation[]) {
  const regexOf = new Map<string, string>();
  for (const route of resources.filter((r) => r.kind === 'MeshHTTPRoute')) {
    const rules = (route.spec.to as { rules: { matches: { path: { value: string } }[] }[] }[]).flatMap(
      (to) => to.rules,
    );
    for (const [index, rule] of rules.entries())
      regexOf.set(`${route.name}#${index}`, rule.matches[0]!.path.value);
  }
  const accepts = (operation: ExpectedOperation, path: string) =>
    RE2JS.compile(regexOf.get(`${operation.route}#${operation.ruleIndex}`)!).matches(path);
  const templated = mapped.filter((operation) => operation.pathTemplate.includes('{'));
  const withPaths = new Map(mapped.map((operation) => [operation, [] as string[]]));
  for (const [index, a] of templated.entries()) {
    for (const b of templated.slice(index + 1)) {
      const left = a.pathTemplate.split('/');
      const right = b.pathTemplate.split('/');
      if (a.method !== b.method || left.length !== right.length) continue;
      let winner: ExpectedOperation | undefined;
      const segments: string[] = [];
      for (const [i, l] of left.entries()) {
        const r = right[i]!;
        const lLiteral = !l.includes('{');
        const rLiteral = !r.includes('{');
        if (lLiteral && rLiteral && l !== r) break;
        if (lLiteral !== rLiteral) winner ??= lLiteral ? a : b;
        segments.push(lLiteral ? l : rLiteral ? r : 'x1');
      }
      const path = segments.join('/');
      if (!winner || segments.length !== left.length || !accepts(a, path) || !accepts(b, path)) continue;
      withPaths.get(winner)!.push(path);
    }
  }
  return mapped.map((operation) => {
    const paths = withPaths.get(operation)!;
    return paths.length > 0 ? { ...operation, paths } : operation;
  });
}

export function sortOperations<T extends ExpectedOperation>(operations: T[]): T[] {
  const key = (o: ExpectedOperation) => `${o.route}#${String(o.ruleIndex).padStart(6, '0')}`;
  return [...operations].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
