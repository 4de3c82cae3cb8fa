/**
 * Which MeshHTTPRoute rule a builtin gateway (Kuma 2.14.3) sends a request to, and a proof that every
 * operation reaches its own rule.
 *
 * The order is Kuma's, ported from the source at tag v2.14.3:
 * - each match of a rule becomes one Envoy route (`meshhttproute/plugin/v1alpha1/gateway_routes.go
 *   generateEnvoyRouteEntries`); a match without a path is PathPrefix `/`;
 * - a PathPrefix `/p` becomes a prefix `/p/` plus an Exact `/p`, the latter only when no Exact `/p` exists
 *   already, and for the root `/` only when the rule rewrites or redirects by prefix
 *   (`runtime/gateway/gateway_route_generator.go HandlePrefixMatchesAndPopulatePolicies`);
 * - the routes are sorted by `isMoreSpecific` (`runtime/gateway/route/sorter.go`) and Envoy takes the first that
 *   matches: Exact before PathPrefix before RegularExpression, whatever their specificity; within a type the
 *   longer value first (for regexes the longer *pattern text*); then a method match before none, more header
 *   matches, more query matches; finally the path text. Two regexes of equal length compare equal, even with
 *   different methods, and Go's `sort.Sort` is not stable: their relative order is undefined, so when both
 *   match one request the outcome is ambiguous (reported by the proof).
 * - query parameter matches are those Kuma really sends Envoy: only the last RegularExpression one of a match
 *   holds (`kumaQueryMatchers`).
 * Envoy matches Exact and prefix paths case-sensitively and a regex against the whole path without the query.
 * Routes compete when they attach to the same gateway and their `hostnames` cover the request's host.
 * @module
 */
import {
  buildConcretePath,
  buildSampleHeaders,
  buildSampleQuery,
  compileRe2 as compileRegex,
  splitQuery,
} from '../../routing/sample-request.js';
import type { KumaResource } from '../resource.js';
import { asArray, asObject, asString, type Json } from './problem.js';

export interface RouteRequest {
  method: string;
  /** Path as the gateway receives it; a `?query` part is matched against query matches. */
  path: string;
  hostname?: string;
  /** Request headers by lower-case name (none by default). */
  headers?: Readonly<Record<string, string>>;
}

export interface RouteTarget {
  /** Name of the MeshHTTPRoute. */
  route: string;
  /** Index of the rule within the route, counting across `to` items in order. */
  ruleIndex: number;
}

interface Entry extends RouteTarget {
  exact: string;
  prefix: string;
  regex: string;
  method: string;
  match: Json;
  headerCount: number;
  /** The query parameter matchers Envoy gets (see `kumaQueryMatchers`). */
  query: QueryMatcher[];
  /** The rule rewrites or redirects by prefix (`ReplacePrefixMatch`). */
  rewritesPrefix: boolean;
}

/** Kuma's `match.Hostnames`: `*` matches all, `*.example.com` any subdomain, otherwise equal. */
function hostnameMatches(pattern: string, hostname: string): boolean {
  if (pattern === '*' || pattern === hostname) return true;
  return (
    pattern.startsWith('*.') && hostname.endsWith(pattern.slice(1)) && hostname.length > pattern.length - 1
  );
}

function gatewayOf(route: KumaResource): string {
  const ref = asObject(route.spec.targetRef);
  return `${asString(ref?.kind) ?? 'Mesh'}/${asString(ref?.name) ?? ''}`;
}

/** The rules of a route, flattened across `to` items, with the hostnames of their `to` item. */
function rulesOf(route: KumaResource): { rule: Json; hostnames: string[]; index: number }[] {
  const rules: { rule: Json; hostnames: string[]; index: number }[] = [];
  for (const to of asArray(route.spec.to)) {
    const hostnames = asArray(asObject(to)?.hostnames).map(String);
    for (const rule of asArray(asObject(to)?.rules))
      rules.push({ rule: asObject(rule) ?? {}, hostnames, index: rules.length });
  }
  return rules;
}

interface QueryMatcher {
  name: string;
  value: string;
  regex: boolean;
}

/**
 * The query parameter matchers Envoy gets from a MeshHTTPRoute match on a gateway. Kuma 2.14.3 builds the regex
 * list as `append(match.ExactQuery, pair)` (meshhttproute `gateway_routes.go` makeRouteMatch): each
 * RegularExpression parameter replaces the regex list with the Exact parameters so far plus itself. So only the
 * last RegularExpression parameter of a match is enforced, and the Exact ones before it count twice (once more
 * as a regex of their value).
 */
function kumaQueryMatchers(match: Json): QueryMatcher[] {
  const exact: QueryMatcher[] = [];
  let regex: QueryMatcher[] = [];
  for (const item of asArray(match.queryParams)) {
    const param = asObject(item) ?? {};
    const pair = { name: asString(param.name) ?? '', value: asString(param.value) ?? '' };
    if (param.type === 'Exact') exact.push({ ...pair, regex: false });
    if (param.type === 'RegularExpression') {
      regex = [...exact.map((e) => ({ ...e, regex: true })), { ...pair, regex: true }];
    }
  }
  return [...exact, ...regex];
}

/** The gateway's route table for one host, in Envoy's order. */
function buildTable(routes: KumaResource[], hostname: string | undefined): Entry[] {
  const plain: Entry[] = [];
  const prefixes: Entry[] = [];
  for (const route of routes) {
    if (route.kind !== 'MeshHTTPRoute') continue;
    for (const { rule, hostnames, index } of rulesOf(route)) {
      const rewritesPrefix = asArray(asObject(rule.default)?.filters).some((item) => {
        const filter = asObject(item) ?? {};
        const rewrite = asObject(filter.urlRewrite) ?? asObject(filter.requestRedirect);
        return asObject(rewrite?.path)?.type === 'ReplacePrefixMatch';
      });
      if (
        hostname !== undefined &&
        hostnames.length > 0 &&
        !hostnames.some((h) => hostnameMatches(h, hostname))
      ) {
        continue;
      }
      for (const item of asArray(rule.matches)) {
        const match = asObject(item) ?? {};
        const path = asObject(match.path);
        const type = path ? asString(path.type) : 'PathPrefix';
        const value = path ? (asString(path.value) ?? '') : '/';
        const entry: Entry = {
          route: route.name,
          ruleIndex: index,
          exact: type === 'Exact' ? value : '',
          prefix: type === 'PathPrefix' ? value : '',
          regex: type === 'RegularExpression' ? value : '',
          method: asString(match.method) ?? '',
          match,
          headerCount: asArray(match.headers).length,
          query: kumaQueryMatchers(match),
          rewritesPrefix,
        };
        (entry.prefix ? prefixes : plain).push(entry);
      }
    }
  }
  const exactPaths = new Set(plain.filter((e) => e.exact).map((e) => e.exact));
  const table = [...plain];
  for (const entry of prefixes) {
    const exactPath = entry.prefix.replace(/\/+$/, '');
    table.push({ ...entry, prefix: `${exactPath}/` });
    // The root prefix `/` already matches `/`; Kuma adds an exact `/` only to carry a prefix rewrite.
    if (!exactPaths.has(exactPath) && (exactPath !== '' || entry.rewritesPrefix))
      table.push({ ...entry, prefix: '', exact: exactPath || '/' });
  }
  return table.sort(compareEntries);
}

/** Port of Kuma's `isMoreSpecific(lhs, rhs)` (route/sorter.go). */
function isMoreSpecific(lhs: Entry, rhs: Entry): boolean {
  if (lhs.exact) {
    if (!rhs.exact) return true;
    if (lhs.exact.length !== rhs.exact.length) return lhs.exact.length > rhs.exact.length;
  } else if (rhs.exact) return false;
  if (lhs.prefix) {
    if (!rhs.prefix) return true;
    if (lhs.prefix.length !== rhs.prefix.length) return lhs.prefix.length > rhs.prefix.length;
  } else if (rhs.prefix) return false;
  if (lhs.regex) {
    if (!rhs.regex) return true;
    return lhs.regex.length > rhs.regex.length;
  }
  if (rhs.regex) return false;
  if (lhs.method && !rhs.method) return true;
  if (!lhs.method && rhs.method) return false;
  if (lhs.headerCount !== rhs.headerCount) return lhs.headerCount > rhs.headerCount;
  if (lhs.query.length !== rhs.query.length) return lhs.query.length > rhs.query.length;
  return lhs.exact + lhs.prefix + lhs.regex < rhs.exact + rhs.prefix + rhs.regex;
}

function compareEntries(a: Entry, b: Entry): number {
  if (isMoreSpecific(a, b)) return -1;
  return isMoreSpecific(b, a) ? 1 : 0;
}

function entryMatches(
  entry: Entry,
  method: string,
  path: string,
  query: Map<string, string>,
  headers: Readonly<Record<string, string>>,
): boolean {
  if (entry.method && entry.method !== method) return false;
  if (entry.exact && entry.exact !== path) return false;
  if (entry.prefix && !path.startsWith(entry.prefix)) return false;
  if (entry.regex && !compileRegex(entry.regex)?.matches(path)) return false;
  for (const item of asArray(entry.match.headers)) {
    const header = asObject(item) ?? {};
    const name = (asString(header.name) ?? '').toLowerCase();
    const actual = Object.hasOwn(headers, name) ? headers[name] : undefined;
    const value = asString(header.value) ?? '';
    const type = header.type ?? 'Exact';
    if (type === 'Absent' ? actual !== undefined : actual === undefined) return false;
    if (type === 'Exact' && actual !== value) return false;
    if (type === 'Prefix' && !actual?.startsWith(value)) return false;
    if (type === 'RegularExpression' && !compileRegex(value)?.matches(actual ?? '')) return false;
  }
  for (const param of entry.query) {
    const actual = query.get(param.name);
    if (actual === undefined) return false;
    if (param.regex ? !compileRegex(param.value)?.matches(actual) : actual !== param.value) return false;
  }
  return true;
}

interface Resolution {
  winner?: Entry;
  /** Other rules that match too and that Kuma's ordering does not tell apart from the winner. */
  ties: Entry[];
}

function resolve(table: Entry[], request: RouteRequest): Resolution {
  const { path, query } = splitQuery(request.path);
  const method = request.method.toUpperCase();
  const headers = request.headers ?? {};
  const index = table.findIndex((entry) => entryMatches(entry, method, path, query, headers));
  const winner = table[index];
  if (!winner) return { ties: [] };
  const ties: Entry[] = [];
  for (
    let next = index + 1;
    next < table.length && compareEntries(winner, table[next] as Entry) === 0;
    next += 1
  ) {
    const other = table[next] as Entry;
    const sameRule = other.route === winner.route && other.ruleIndex === winner.ruleIndex;
    if (!sameRule && entryMatches(other, method, path, query, headers)) ties.push(other);
  }
  return { winner, ties };
}

/** The route and rule a builtin gateway sends the request to, or undefined when none matches (404). */
export function routeRequest(routes: KumaResource[], request: RouteRequest): RouteTarget | undefined {
  const winner = resolve(buildTable(routes, request.hostname), request).winner;
  return winner ? { route: winner.route, ruleIndex: winner.ruleIndex } : undefined;
}

/** An operation and the rule expected to serve it. */
export interface ExpectedOperation extends RouteTarget {
  method: string;
  /** Path template as the gateway receives it (base path included), e.g. `/v1/users/{id}`. */
  pathTemplate: string;
  /** More concrete paths that must reach this rule, e.g. a parameter taking another operation's literal. */
  paths?: string[];
  /** Which of the rule's matches the template is for (one per base path); default the first with the method. */
  matchIndex?: number;
}

const describeEntry = (entry: Entry) => {
  const path = entry.exact
    ? `Exact ${entry.exact}`
    : entry.prefix
      ? `PathPrefix ${entry.prefix}`
      : `RegularExpression ${entry.regex}`;
  return `${entry.route} rule ${entry.ruleIndex} (${entry.method ? `${entry.method} ` : ''}${path})`;
};

/**
 * For every operation, builds a concrete request from its path template (plus its extra `paths`) and checks
 * that Kuma routes each to the expected rule, on every hostname of the expected route, and that no other rule
 * ties with it. Returns one message per operation and path that fails (empty = no shadowing).
 */
export function proveNoShadowing(routes: KumaResource[], operations: ExpectedOperation[]): string[] {
  return findShadowedOperations(routes, operations).map((problem) => problem.message);
}

export interface ShadowedOperation<T extends ExpectedOperation> {
  operation: T;
  message: string;
}

/** `proveNoShadowing`, with the operation each message is about. */
export function findShadowedOperations<T extends ExpectedOperation>(
  routes: KumaResource[],
  operations: readonly T[],
): ShadowedOperation<T>[] {
  const problems: ShadowedOperation<T>[] = [];
  const report = (operation: T, message: string) => problems.push({ operation, message });
  const byName = new Map(routes.filter((r) => r.kind === 'MeshHTTPRoute').map((r) => [r.name, r]));
  const tables = new Map<string, Entry[]>();
  const tableFor = (gateway: string, hostname: string | undefined) => {
    const key = `${gateway}\0${hostname ?? ''}`;
    let table = tables.get(key);
    if (!table) {
      const competing = [...byName.values()].filter((route) => gatewayOf(route) === gateway);
      table = buildTable(competing, hostname);
      tables.set(key, table);
    }
    return table;
  };
  for (const operation of operations) {
    const label = `${operation.method.toUpperCase()} ${operation.pathTemplate}`;
    const expected = `${operation.route} rule ${operation.ruleIndex}`;
    const route = byName.get(operation.route);
    const rule = route && rulesOf(route).find((r) => r.index === operation.ruleIndex);
    if (!route || !rule) {
      report(operation, `${label}: expected ${expected}, which does not exist`);
      continue;
    }
    const method = operation.method.toUpperCase();
    const ownMatch = asArray(rule.rule.matches)
      .map((m) => asObject(m) ?? {})
      .find(
        (m, index) =>
          (!m.method || m.method === method) &&
          (operation.matchIndex === undefined || index === operation.matchIndex),
      );
    if (!ownMatch) {
      report(operation, `${label}: ${expected} has no match for method ${method}`);
      continue;
    }
    const ownPath = asObject(ownMatch.path);
    const built = buildConcretePath(operation.pathTemplate, {
      type: ownPath ? (asString(ownPath.type) ?? '') : 'PathPrefix',
      value: ownPath ? (asString(ownPath.value) ?? '') : '/',
    });
    if (typeof built !== 'string') {
      report(operation, `${label}: ${built.problem}`);
      continue;
    }
    const hostnames = rule.hostnames.length > 0 ? rule.hostnames : [undefined];
    const isExpected = (entry: Entry) =>
      entry.route === operation.route && entry.ruleIndex === operation.ruleIndex;
    /** The first problem of this path on any hostname of the rule. */
    const checkPath = (path: string): string | undefined => {
      for (const pattern of hostnames) {
        const hostname = pattern?.replace(/^\*/, 'any');
        const request = { method, path, headers, ...(hostname === undefined ? {} : { hostname }) };
        const { winner, ties } = resolve(tableFor(gatewayOf(route), hostname), request);
        const on = `${method} ${hostname ?? ''}${path}`;
        if (!winner) return `${label}: no rule matches ${on} (the gateway answers 404)`;
        if (ties.length > 0 && [winner, ...ties].some(isExpected)) {
          const all = [winner, ...ties].map(describeEntry).join(' and ');
          return `${label}: ${on} matches ${all}, which Kuma orders arbitrarily (equal rank)`;
        }
        if (!isExpected(winner))
          return `${label}: ${on} is routed to ${describeEntry(winner)} instead of ${expected}`;
      }
      return undefined;
    };
    // The request carries what the rule's query and header matches require (a `#name=value` fragment).
    const named = (list: unknown) =>
      asArray(list).map((item) => {
        const match = asObject(item) ?? {};
        return { ...match, name: asString(match.name) ?? '' };
      });
    const headers = buildSampleHeaders(named(ownMatch.headers));
    const query = buildSampleQuery(named(ownMatch.queryParams));
    for (const path of [built, ...(operation.paths ?? [])]) {
      const problem = checkPath(query ? `${path}?${query}` : path);
      if (problem) report(operation, problem);
    }
  }
  return problems;
}

/** One Envoy route of a gateway's table, as Kuma orders them (see `gatewayRouteTable`). */
export interface GatewayRouteEntry extends RouteTarget {
  path: { type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string };
  method?: string;
  headers: string[];
  queryParams: string[];
  /** Position of the entry's rank: entries Kuma's sorter cannot tell apart share it (their order is arbitrary). */
  rank: number;
}

/**
 * The Envoy routes the gateway's virtual host for `hostname` (undefined: the wildcard host) gets from these
 * MeshHTTPRoutes, in Kuma's order: the table the simulator resolves requests against, exposed so that it can be
 * checked against the route order of Kuma's own gateway goldens.
 */
export function gatewayRouteTable(routes: KumaResource[], hostname?: string): GatewayRouteEntry[] {
  let rank = 0;
  return buildTable(routes, hostname).map((entry, index, table) => {
    if (index > 0 && compareEntries(table[index - 1] as Entry, entry) !== 0) rank = index;
    const type = entry.exact ? 'Exact' : entry.prefix ? 'PathPrefix' : 'RegularExpression';
    const names = (list: unknown) => asArray(list).map((item) => asString(asObject(item)?.name) ?? '');
    return {
      route: entry.route,
      ruleIndex: entry.ruleIndex,
      path: { type, value: entry.exact || entry.prefix || entry.regex },
      ...(entry.method ? { method: entry.method } : {}),
      headers: names(entry.match.headers),
      queryParams: entry.query.map((param) => param.name),
      rank,
    };
  });
}
