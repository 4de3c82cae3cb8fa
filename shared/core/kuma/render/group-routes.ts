/**
 * Which MeshHTTPRoute serves each operation, and the route's name. Per-route policies (timeout, retries, rate
 * limit) target a whole route, so one route holds operations with equal settings. A route is named after where
 * its settings are written — the API, a path item, an operation, or a name pinned with `x-kuma.route` — never
 * after its other members: adding, removing, renaming or re-tuning one operation renames no other route and no
 * other policy (a rename is a delete + create in GitOps, so a gap in traffic). Pure.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Finding, SourcePosition } from '../../findings.js';
import type { RouteSettings } from './build-policies.js';
import { buildName, buildSlug } from './names.js';
import { isObject } from './resolve-ref.js';
import type { XKumaRoute } from './types.js';

/** The x-kuma keys that decide a route's policies, hence its grouping. */
const routeSettingKeys = ['timeout', 'idleTimeout', 'retries', 'rateLimit'] as const satisfies readonly (
  | keyof RouteSettings
  | keyof XKumaRoute
)[];

/** Where an operation's route settings are written: what its route is named after. */
export type RouteSource =
  /** The root x-kuma or the repo config (or no settings at all): the route named after the API. */
  | { kind: 'api' }
  /** `x-kuma.route` on the operation or its path item: `<api>-<name>`. */
  | { kind: 'pinned'; name: string; pointer: string }
  /** The path item's x-kuma: `<api>-<path>`. */
  | { kind: 'path'; path: string; pointer: string }
  /** The operation's own x-kuma: `<api>-<operationId>`. */
  | { kind: 'operation'; pointer: string };

export interface GroupMember {
  /** `METHOD /path`. */
  label: string;
  /** Bundle pointer of the operation. */
  pointer: string;
  /** Slug of the operationId (else of method + path). */
  slug: string;
  /** The operation's effective x-kuma settings, as written. */
  settings: XKumaRoute;
  /** Its route settings as rendered (retries limited for POST/PATCH). */
  routeSettings: RouteSettings;
  /** POST/PATCH whose retries were limited to requests that never reached the service (see `retriesFor`). */
  limitedRetries: boolean;
  source: RouteSource;
}

export interface RouteGroup<T extends GroupMember> {
  name: string;
  operations: T[];
  /** Where the name comes from, for findings about it. */
  origin: { pointer: string; operation?: string };
}

/** The source of an operation's route settings: the most specific x-kuma level that sets one of them. */
export function findRouteSource(
  settings: XKumaRoute,
  origins: Partial<Record<keyof XKumaRoute, string>>,
  operation: { pointer: string; pathItemPointer: string; path: string },
): RouteSource {
  if (settings.route !== undefined) {
    return { kind: 'pinned', name: settings.route, pointer: origins.route ?? operation.pointer };
  }
  const from = routeSettingKeys.flatMap((key) => origins[key] ?? []);
  if (from.some((pointer) => pointer.startsWith(`${operation.pointer}/x-kuma/`))) {
    return { kind: 'operation', pointer: operation.pointer };
  }
  const pathBlock = `${operation.pathItemPointer}/x-kuma`;
  if (from.some((pointer) => pointer.startsWith(`${pathBlock}/`))) {
    return { kind: 'path', path: operation.path, pointer: pathBlock };
  }
  return { kind: 'api' };
}

/**
 * Operations that pin one route name with different settings cannot share a route (its policies apply to all
 * of them): an error on each one's `x-kuma.route`, and none of them is exposed. Compared as written, so POST
 * and PATCH, whose retries only differ by our limit, do not conflict (they get `-non-idempotent`).
 */
export function dropPinConflicts<T extends GroupMember>(
  operations: readonly T[],
  findings: Finding[],
  locate: (pointer: string) => SourcePosition,
): T[] {
  const pins = new Map<string, T[]>();
  for (const operation of operations) {
    if (operation.source.kind !== 'pinned') continue;
    const members = pins.get(operation.source.name);
    if (members) members.push(operation);
    else pins.set(operation.source.name, [operation]);
  }
  const dropped = new Set<T>();
  for (const members of pins.values()) {
    for (const [member, other] of findConflicts(members)) {
      findings.push(conflictFinding(member, other, locate));
      dropped.add(member);
    }
  }
  return operations.filter((operation) => !dropped.has(operation));
}

/**
 * One group per source; a source's POST/PATCH with limited retries get `<name>-non-idempotent` (their retry
 * policy differs, and the suffix depends on the operation alone). Two groups whose names would be equal: the
 * API's, then a pinned, then a path item's, then an operation's keeps it (the smaller key within a kind), the
 * others get a hash of their source (a warning: that name is only stable while the clash lasts). Groups are
 * sorted by name; operations keep their order. Expects {@link dropPinConflicts} to have run.
 */
export function groupRoutes<T extends GroupMember>(
  api: string,
  operations: readonly T[],
  locate: (pointer: string) => SourcePosition,
): { groups: RouteGroup<T>[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const drafts = [...bucket(operations)].map(([key, members]) => {
    const { rank, parts } = identify(members[0]!);
    return { key, rank, parts, name: buildName(api, ...parts), members };
  });
  const byName = new Map<string, typeof drafts>();
  for (const draft of drafts) byName.set(draft.name, [...(byName.get(draft.name) ?? []), draft]);
  for (const clashing of byName.values()) {
    if (clashing.length < 2) continue;
    clashing.sort((a, b) => a.rank - b.rank || compareText(a.key, b.key));
    const [keeper, ...others] = clashing;
    for (const draft of others) {
      const taken = draft.name;
      draft.name = buildName(
        api,
        ...draft.parts,
        createHash('sha256').update(draft.key).digest('hex').slice(0, 8),
      );
      const origin = originOf(draft.members[0]!);
      findings.push({
        kind: 'routing',
        id: 'kuma-route-name-clash',
        severity: 'warning',
        message: `the route of ${describe(draft.members[0]!)} would be named "${taken}", like the route of ${describe(keeper!.members[0]!)}; it is named "${draft.name}" instead, a name that changes when the other goes away: pin one with x-kuma.route`,
        ...(origin.operation ? { operation: origin.operation } : {}),
        ...locate(origin.pointer),
      });
    }
  }
  const groups = drafts
    .map((draft) => ({ name: draft.name, operations: draft.members, origin: originOf(draft.members[0]!) }))
    .sort((a, b) => compareText(a.name, b.name));
  return { groups, findings };
}

function bucket<T extends GroupMember>(operations: readonly T[]): Map<string, T[]> {
  const buckets = new Map<string, T[]>();
  for (const operation of operations) {
    const key = identify(operation).key;
    const members = buckets.get(key);
    if (members) members.push(operation);
    else buckets.set(key, [operation]);
  }
  return buckets;
}

const rankOf: Record<RouteSource['kind'], number> = { api: 0, pinned: 1, path: 2, operation: 3 };

/** The group key (unique per group) and the name parts after the API's name. */
function identify(member: GroupMember): { key: string; rank: number; parts: string[] } {
  const { source } = member;
  const rank = rankOf[source.kind];
  if (source.kind === 'operation') return { key: `operation ${member.label}`, rank, parts: [member.slug] };
  const [key, parts] =
    source.kind === 'api'
      ? ['api', []]
      : source.kind === 'pinned'
        ? [`route ${source.name}`, [source.name]]
        : [`path ${source.path}`, [buildSlug(source.path) || 'root']];
  return member.limitedRetries
    ? { key: `${key} non-idempotent`, rank, parts: [...parts, 'non-idempotent'] }
    : { key, rank, parts };
}

function originOf(member: GroupMember): { pointer: string; operation?: string } {
  const { source } = member;
  if (source.kind === 'api') return { pointer: '/x-kuma' };
  if (source.kind === 'path') return { pointer: source.pointer };
  return { pointer: source.pointer, operation: member.label };
}

function describe(member: GroupMember): string {
  const { source } = member;
  const variant = member.limitedRetries ? "'s POST/PATCH operations" : '';
  if (source.kind === 'api')
    return member.limitedRetries ? "the API's POST/PATCH operations" : "the API's operations";
  if (source.kind === 'pinned') return `x-kuma.route "${source.name}"${variant}`;
  if (source.kind === 'path') return `path ${source.path}${variant}`;
  return member.label;
}

/** Members whose route settings as written differ from another member's, each with the first such member. */
function findConflicts<T extends GroupMember>(members: readonly T[]): [T, T][] {
  const texts = members.map((member) => stableStringify(routeSettingKeys.map((key) => member.settings[key])));
  if (new Set(texts).size < 2) return [];
  return members.map((member, index) => [member, members[texts.findIndex((text) => text !== texts[index])]!]);
}

function conflictFinding(
  member: GroupMember,
  other: GroupMember,
  locate: (pointer: string) => SourcePosition,
): Finding {
  const name = member.source.kind === 'pinned' ? member.source.name : '';
  const keys = routeSettingKeys.filter(
    (key) => stableStringify(member.settings[key]) !== stableStringify(other.settings[key]),
  );
  return {
    kind: 'routing',
    id: 'x-kuma-route-conflict',
    severity: 'error',
    message: `${member.label} and ${other.label} both pin x-kuma.route "${name}" but differ in ${keys.join(', ')}: Kuma applies a route's timeout, retries and rate limit to every operation on it; give them equal settings or different route names (not exposed)`,
    operation: member.label,
    ...locate(originOf(member).pointer),
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JSON with object keys sorted, so equal settings written in any key order compare equal. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
