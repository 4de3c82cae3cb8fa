/**
 * The parts of one MeshHTTPRoute rule: backends (with version weights) and filters.
 * @module
 */
import { escapePointer } from '../../spec/json-pointer.js';
import type { HeaderChanges, ServiceVersion } from './types.js';

export interface Backend {
  name: string;
  namespace?: string;
  port: number;
}

export interface ServiceConfig {
  name: string;
  namespace?: string;
  port: number;
  versions: ServiceVersion[];
}

export type BackendsResult = { backendRefs: Record<string, unknown>[] } | { problem: string };

/**
 * `weights` from x-kuma (version → weight) win over the config's {@link defaultSplit}. Without config versions,
 * version `v` of service `s` is the MeshService `s-v`. Zero weights are dropped (blue/green switch).
 */
export function buildBackendRefs(
  service: ServiceConfig,
  weights: Record<string, number> | undefined,
): BackendsResult {
  const declared = new Map(service.versions.map((version) => [version.name, version]));
  let split: [string, number][];
  if (weights) {
    const unknown = Object.keys(weights).filter((name) => service.versions.length > 0 && !declared.has(name));
    if (unknown.length > 0) {
      return {
        problem: `unknown service version ${unknown.map((n) => `"${n}"`).join(', ')}; the repo config declares ${[...declared.keys()].map((n) => `"${n}"`).join(', ')}`,
      };
    }
    split = Object.entries(weights);
  } else {
    const fallback = defaultSplit(service.versions);
    if ('problem' in fallback) return fallback;
    split = fallback.split;
  }
  if (split.length === 0) return { backendRefs: [backendRef({ name: service.name, ...pick(service) })] };
  const live = split.filter(([, weight]) => weight > 0).sort(([a], [b]) => a.localeCompare(b));
  if (live.length === 0)
    return { problem: 'every service version has weight 0, so no request could be served' };
  return {
    backendRefs: live.map(([version, weight]) =>
      backendRef(
        { name: declared.get(version)?.service ?? `${service.name}-${version}`, ...pick(service) },
        weight,
      ),
    ),
  };
}

/** Weight of the version that takes all traffic: 100, read as a percentage. */
const wholeTraffic = 100;

/**
 * The split of an operation `x-kuma.weights` says nothing about. Traffic is never spread evenly by accident:
 * either every version has a `weight` (that split), or none has and one version is the default (all traffic;
 * the only version is the default). Anything else is ambiguous: a problem, with the JSON pointer below
 * `service.versions` where it is.
 */
export function defaultSplit(
  versions: readonly ServiceVersion[],
): { split: [string, number][] } | { problem: string; pointer: string } {
  const quoted = (list: readonly ServiceVersion[]) => list.map((version) => `"${version.name}"`).join(', ');
  const indexOf = (version: ServiceVersion) => versions.indexOf(version);
  const defaults = versions.filter((version) => version.default === true);
  const weighted = versions.filter((version) => version.weight !== undefined);
  if (defaults.length > 1) {
    return {
      problem: `versions ${quoted(defaults)} are all marked default: only one version takes the traffic x-kuma.weights does not split`,
      pointer: `/${indexOf(defaults[1]!)}/default`,
    };
  }
  if (defaults.length === 1 && weighted.length > 0) {
    return {
      problem: `version "${defaults[0]!.name}" is marked default but ${quoted(weighted)} ${weighted.length > 1 ? 'have weights' : 'has a weight'}: use either weights (a split) or one default version (all traffic), not both`,
      pointer: `/${indexOf(defaults[0]!)}/default`,
    };
  }
  if (weighted.length > 0 && weighted.length < versions.length) {
    const missing = versions.find((version) => version.weight === undefined)!;
    return {
      problem: `version "${missing.name}" has no weight while ${quoted(weighted)} ${weighted.length > 1 ? 'have' : 'has'} one: give every version a weight, or none and mark one default: true`,
      pointer: `/${indexOf(missing)}`,
    };
  }
  if (weighted.length > 0) return { split: versions.map((version) => [version.name, version.weight!]) };
  const chosen = defaults[0] ?? (versions.length === 1 ? versions[0] : undefined);
  if (chosen) return { split: [[chosen.name, wholeTraffic]] };
  if (versions.length === 0) return { split: [] };
  return {
    problem: `versions ${quoted(versions)} have no weights and none is marked default: which one takes the traffic that x-kuma.weights does not split? Mark it default: true (or give every version a weight)`,
    pointer: '',
  };
}

function pick(service: ServiceConfig): Omit<Backend, 'name'> {
  return { port: service.port, ...(service.namespace ? { namespace: service.namespace } : {}) };
}

function backendRef(backend: Backend, weight?: number): Record<string, unknown> {
  return {
    kind: 'MeshService',
    name: backend.name,
    ...(backend.namespace ? { namespace: backend.namespace } : {}),
    port: backend.port,
    ...(weight === undefined ? {} : { weight }),
  };
}

/**
 * x-kuma header changes → the `set`/`add`/`remove` of a header modifier filter; names lower-case, sorted. Envoy
 * reads the values as formatter strings (`%NAME%` interpolates, a lone `%` rejects the route configuration), so
 * `%` is escaped as `%%`: the value arrives as written.
 */
export function buildHeaderModifier(changes: HeaderChanges): Record<string, unknown> {
  const list = (headers: Record<string, string>) =>
    Object.entries(headers)
      .map(([name, value]) => ({ name: name.toLowerCase(), value: value.replaceAll('%', '%%') }))
      .sort((a, b) => a.name.localeCompare(b.name));
  return {
    ...(changes.set ? { set: list(changes.set) } : {}),
    ...(changes.add ? { add: list(changes.add) } : {}),
    ...(changes.remove ? { remove: changes.remove.map((name) => name.toLowerCase()).sort() } : {}),
  };
}

/**
 * The changes Envoy's header parser refuses (`HeaderUtility::isModifiableHeader`/`isRemovableHeader`): adding,
 * setting or removing a `:` pseudo-header or `host`, any case. One of them makes Envoy reject the listener's whole
 * route configuration, every API on the gateway with it. The one exception is `set host` on requests: Kuma's
 * gateway turns it into a host rewrite before Envoy sees it (route_table_generator.go). Each as the JSON pointer
 * below the x-kuma key.
 */
export function refusedHeaderChanges(
  changes: HeaderChanges | undefined,
  direction: 'request' | 'response',
): { name: string; pointer: string }[] {
  const refused = (name: string) => name.startsWith(':') || name.toLowerCase() === 'host';
  const named = (operation: 'set' | 'add') =>
    Object.keys(changes?.[operation] ?? {})
      .filter(
        (name) => refused(name) && !(direction === 'request' && operation === 'set' && !name.startsWith(':')),
      )
      .map((name) => ({ name, pointer: `/${operation}/${escapePointer(name)}` }));
  const removed = (changes?.remove ?? [])
    .map((name, index) => ({ name, pointer: `/remove/${index}` }))
    .filter(({ name }) => refused(name));
  return [...named('set'), ...named('add'), ...removed];
}

/** Deprecated operations with `x-sunset` announce it in the `Sunset` response header (RFC 8594). */
export function addSunsetHeader(
  changes: HeaderChanges | undefined,
  sunset: unknown,
): HeaderChanges | undefined {
  if (typeof sunset !== 'string') return changes;
  const date = new Date(sunset);
  if (Number.isNaN(date.getTime())) return changes;
  const already = Object.keys({ ...changes?.set, ...changes?.add }).some(
    (name) => name.toLowerCase() === 'sunset',
  );
  if (already) return changes;
  return { ...changes, set: { ...changes?.set, sunset: date.toUTCString() } };
}
