/**
 * What a gateway proxy's Envoy config looks like after Kuma 2.14.3 applies our MeshProxyPatches, for tests.
 * Mirrors kumahq/kuma v2.14.3 `pkg/plugins/policies/meshproxypatch/plugin/v1alpha1/`: the `appendModifications`
 * of every patch selecting the gateway are concatenated (`Append*` lists append on merge,
 * `pkg/plugins/policies/core/rules/merge/merge.go`) and applied in order; `cluster` `Add` puts the cluster in a
 * by-name set (a later one with the same name replaces the earlier); `httpFilter` `AddBefore` inserts before the
 * first filter with the matched name, in every listener whose origin meets `match.origin`
 * (`http_filter_mod.go`). A gateway proxy's listeners: the gateway's own (origin `gateway`) and the Prometheus
 * metrics one (origin `prometheus`), both with an HTTP connection manager ending in the router.
 * @module
 */
import { RE2JS } from 're2js';
import { parse } from 'yaml';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';

export interface HttpFilter {
  name: string;
  typedConfig?: Record<string, unknown> & { '@type'?: string };
}

export interface SimulatedProxy {
  listeners: { name: string; origin: string; httpFilters: HttpFilter[] }[];
  clusters: Map<string, Record<string, unknown>>;
}

type Modification = Record<
  string,
  { operation: string; value?: string; match?: { name?: string; origin?: string } }
>;

const router: HttpFilter = { name: 'envoy.filters.http.router' };

export function applyProxyPatches(resources: KumaResource[], gateway = 'gateway'): SimulatedProxy {
  const proxy: SimulatedProxy = {
    listeners: [
      { name: `${gateway}:HTTP:8080`, origin: 'gateway', httpFilters: [{ ...router }] },
      { name: 'kuma:metrics:prometheus', origin: 'prometheus', httpFilters: [{ ...router }] },
    ],
    clusters: new Map(),
  };
  const patches = resources
    .filter((r) => r.kind === 'MeshProxyPatch')
    .filter((r) => {
      const ref = r.spec.targetRef as { kind: string; name?: string };
      return ref.kind === 'Mesh' || (ref.kind === 'MeshGateway' && ref.name === gateway);
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const modifications = patches.flatMap(
    (p) => (p.spec.default as { appendModifications: Modification[] }).appendModifications,
  );
  for (const modification of modifications) {
    if (modification.cluster) {
      const cluster = parse(modification.cluster.value!) as Record<string, unknown>;
      proxy.clusters.set(cluster.name as string, cluster);
    }
    const mod = modification.httpFilter;
    if (mod) {
      if (mod.operation !== 'AddBefore') throw new Error(`not simulated: ${mod.operation}`);
      for (const listener of proxy.listeners) {
        if (mod.match?.origin !== undefined && mod.match.origin !== listener.origin) continue;
        const index = listener.httpFilters.findIndex((f) => f.name === mod.match?.name);
        if (index !== -1) listener.httpFilters.splice(index, 0, parse(mod.value!) as HttpFilter);
      }
    }
  }
  return proxy;
}

export interface Request {
  method: string;
  path: string;
  authority: string;
}

type StringMatch = { exact?: string; safeRegex?: { regex: string } };
interface JwtRule {
  match: {
    path?: string;
    safeRegex?: { regex: string };
    headers?: { name: string; stringMatch: StringMatch; invertMatch?: boolean }[];
  };
  requires?: unknown;
}

const fullMatch = (regex: string, value: string) => RE2JS.compile(regex).matches(value);

/**
 * What each jwt_authn filter of a chain requires of a request, in chain order: a filter applies the first of its
 * rules whose path and headers match; no matching rule, or a rule without `requires`, requires nothing (omitted).
 */
export function jwtRequirements(filters: HttpFilter[], request: Request): unknown[] {
  const header = (name: string) =>
    name === ':method' ? request.method : name === ':authority' ? request.authority : undefined;
  const found: unknown[] = [];
  for (const filter of filters) {
    if (!String(filter.typedConfig?.['@type']).endsWith('.jwt_authn.v3.JwtAuthentication')) continue;
    for (const { match, requires } of filter.typedConfig!.rules as JwtRule[]) {
      if (match.path !== undefined && match.path !== request.path) continue;
      if (match.safeRegex && !fullMatch(match.safeRegex.regex, request.path)) continue;
      const headersMatch = (match.headers ?? []).every((h) => {
        const value = header(h.name);
        const matched =
          value !== undefined &&
          (h.stringMatch.exact !== undefined
            ? h.stringMatch.exact === value
            : fullMatch(h.stringMatch.safeRegex!.regex, value));
        return h.invertMatch ? !matched : matched;
      });
      if (!headersMatch) continue;
      if (requires !== undefined) found.push(requires);
      break;
    }
  }
  return found;
}
