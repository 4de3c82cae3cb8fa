/**
 * Which HTTPRoute rule Envoy Gateway sends a request to, and the proof that every operation reaches its own
 * rule. Pure.
 *
 * The order is Envoy Gateway's, ported from envoyproxy/gateway at tag v1.9.0 (commit 39763b1c07ec), files under
 * `internal/`:
 * - each match of a rule becomes one IR route, in rule then match order; a rule with `matches: []` one route
 *   without a path match (`gatewayapi/route.go:258-291` processHTTPRouteRules, `route.go:1216-1225` and
 *   `1230-1304` processHTTPRouteRule). The match's path becomes Exact, Prefix or SafeRegex (route.go:1238-1256);
 *   the header matches, then the `method` as a header `:method` Exact, become header matches (route.go:1257-1273,
 *   1292-1297); query matches stay query matches (route.go:1274-1290). A rule with an invalid regex (path, header
 *   or query; route.go:1249, 1265, 1282) is not accepted and gets no route (route.go:284-291).
 * - a rule with a `CORS` filter gets, per match with a method other than OPTIONS, one more route: same path and
 *   query matches, its headers without `:method` plus `:method` Exact OPTIONS, `origin` and
 *   `access-control-request-method` regex `.*` (route.go:1306-1353).
 * - the routes of an HTTPRoute get one copy per hostname of `computeHosts` (the route's hostnames intersected
 *   with the listener's, `*` when neither has any; `gatewayapi/helpers.go:296-380`), appended to the listener's
 *   list in the order the HTTPRoutes are processed (route.go:1888-1974).
 * - that list is sorted with `sort.Stable(sort.Reverse(XdsIRRoutes))` (`gatewayapi/sort.go:129-138`), most
 *   specific first, by `Less` (sort.go:19-124): the path match type, Exact > RegularExpression > PathPrefix
 *   (sort.go:20-53); then the length of the path value in bytes, longer first, a PathPrefix `/` and no path
 *   counting 0 (sort.go:57-65, 140-158); then the number of header matches (`:method` included), then of Exact
 *   ones (sort.go:68-86); cookie matches, which HTTPRoutes do not have (sort.go:89-107); then the number of query
 *   matches, then of Exact ones (sort.go:110-123). Unlike Kuma, a regex is not ranked below a prefix, and equal
 *   lengths fall through to the header and query counts rather than ending the comparison.
 * - the sort is stable, so equal routes keep the processing order: HTTPRoutes by creation timestamp, then
 *   namespace, then name (`gatewayapi/resource/resource.go:253-263`, applied by the Kubernetes provider), then
 *   rule, then match. Our HTTPRoutes are applied by a GitOps agent: a route's creation time (whole seconds) is
 *   when the deploy that first contained it was applied, which a render cannot know. So the simulator orders
 *   equal routes of different HTTPRoutes in input order (as Envoy Gateway's own translator tests do: they
 *   translate without sorting), and the proof treats that order as unknown: a request that equal routes of two
 *   HTTPRoutes both match is reported as ambiguous.
 * - Envoy gets one virtual host per hostname, its routes in the sorted order
 *   (`xds/translator/translator.go:584-653`), and picks the virtual host by the request's host: exact, then the
 *   longest `*.suffix`, then `*`. Within it the first route that matches wins: Exact and regex (RE2, whole path,
 *   without the query) case-sensitive; a PathPrefix `/p` or `/p/` is Envoy's `path_separated_prefix` `/p` (`/p`
 *   itself or `/p/…`; `xds/translator/route.go:250-288`); header and query values Exact or RE2 full match, a
 *   query parameter by its first value.
 * Not modelled: cookie matches from Envoy Gateway's HTTPRouteFilter (extensionRef), the `PreserveRouteOrder`
 * option of EnvoyProxy (which turns the sort off; we assume the default), and GRPCRoutes sharing the listener.
 * One caveat: a route without a path match (`matches: []`) skips the type comparison against every other route
 * (sort.go:22), so `Less` is no strict weak order once such a route sits between an Exact and a PathPrefix one;
 * Go's `sort.Stable` and JavaScript's stable sort may then disagree. The 8 such listeners of Envoy Gateway's
 * goldens agree; our renders never emit `matches: []`.
 * @module
 */
import { asArray, asObject, asString, type Json } from '../kuma/validate/problem.js';
import {
  buildConcretePath,
  buildSampleHeaders,
  buildSampleQuery,
  compileRe2,
  fullyMatches,
  splitQuery,
} from '../routing/sample-request.js';
import type { ManifestResource } from './edge.js';

/** A request at the gateway. */
export interface GatewayApiRequest {
  method: string;
  /** Path as the gateway receives it; a `?query` part is matched against query matches. */
  path: string;
  /** The request's host (a port is ignored); undefined: a host no virtual host names, served by `*`. */
  hostname?: string;
  /** Request headers by lower-case name (none by default). */
  headers?: Readonly<Record<string, string>>;
}

/** A rule of an HTTPRoute and the match within it. */
export interface GatewayApiRouteTarget {
  namespace: string;
  /** HTTPRoute name. */
  route: string;
  ruleIndex: number;
  /** Index of the match within the rule; -1 for a rule with `matches: []`. */
  matchIndex: number;
}

/**
 * The Gateway listener the routes attach to: its hostname, and the hostnames of the Gateway's other listeners
 * on the same port (a route hostname one of those names exactly goes to that listener only). Default: a
 * listener without hostname, as a parent Gateway named without `sectionName` usually has.
 */
export interface GatewayApiListener {
  hostname?: string;
  otherHostnames?: readonly string[];
}

type PathType = 'Exact' | 'PathPrefix' | 'RegularExpression';

interface StringMatch {
  name: string;
  exact?: string;
  regex?: string;
}

interface Entry extends GatewayApiRouteTarget {
  /** The virtual host (Envoy domain) the route is on. */
  hostname: string;
  /** Undefined for a rule with `matches: []`. */
  path?: { type: PathType; value: string };
  /** Header matches, `:method` included (last), as Envoy Gateway builds them. */
  headers: StringMatch[];
  query: StringMatch[];
  /** The CORS preflight route Envoy Gateway adds for a match of a rule with a CORS filter. */
  preflight: boolean;
}

const defaultMatches: Json[] = [{ path: { type: 'PathPrefix', value: '/' } }];

function isHttpRoute(resource: ManifestResource): boolean {
  return resource.kind === 'HTTPRoute' && resource.apiVersion.startsWith('gateway.networking.k8s.io/');
}

/** The rules of an HTTPRoute as the API server stores them (CRD defaults: matches, path, match types). */
function rulesOf(route: ManifestResource): Json[] {
  return asArray(route.spec.rules).map((rule) => asObject(rule) ?? {});
}

function matchesOf(rule: Json): Json[] {
  return (rule.matches === undefined ? defaultMatches : asArray(rule.matches)).map(
    (item) => asObject(item) ?? {},
  );
}

function pathOf(match: Json): { type: PathType; value: string } {
  const path = asObject(match.path) ?? {};
  const type = asString(path.type) ?? 'PathPrefix';
  return {
    type: type === 'Exact' || type === 'RegularExpression' ? type : 'PathPrefix',
    value: asString(path.value) ?? '/',
  };
}

function stringMatches(list: unknown): StringMatch[] {
  return asArray(list).map((item) => {
    const match = asObject(item) ?? {};
    const name = asString(match.name) ?? '';
    const value = asString(match.value) ?? '';
    return match.type === 'RegularExpression' ? { name, regex: value } : { name, exact: value };
  });
}

/** Envoy Gateway accepts a rule only when every regex of every match compiles (RE2 syntax). */
function ruleRegexesValid(matches: Json[]): boolean {
  return matches.every((match) => {
    const path = pathOf(match);
    const regexes = [
      ...(path.type === 'RegularExpression' ? [path.value] : []),
      ...[...stringMatches(match.headers), ...stringMatches(match.queryParams)].flatMap((m) =>
        m.regex === undefined ? [] : [m.regex],
      ),
    ];
    return regexes.every((regex) => compileRe2(regex) !== null);
  });
}

/** The IR routes of one rule, before hostnames (port of processHTTPRouteRule, route.go:1152-1356). */
function ruleEntries(rule: Json): Omit<Entry, 'namespace' | 'route' | 'ruleIndex' | 'hostname'>[] {
  if (Array.isArray(rule.matches) && rule.matches.length === 0)
    return [{ matchIndex: -1, headers: [], query: [], preflight: false }];
  const matches = matchesOf(rule);
  if (!ruleRegexesValid(matches)) return [];
  const cors = asArray(rule.filters).some((filter) => asObject(filter)?.type === 'CORS');
  return matches.flatMap((match, matchIndex) => {
    const method = asString(match.method);
    const headers = stringMatches(match.headers);
    const entry = {
      matchIndex,
      path: pathOf(match),
      headers: method === undefined ? headers : [...headers, { name: ':method', exact: method }],
      query: stringMatches(match.queryParams),
      preflight: false,
    };
    if (!cors || method === undefined || method === 'OPTIONS') return [entry];
    const preflight = {
      ...entry,
      headers: [
        ...headers,
        { name: ':method', exact: 'OPTIONS' },
        { name: 'origin', regex: '.*' },
        { name: 'access-control-request-method', regex: '.*' },
      ],
      preflight: true,
    };
    return [entry, preflight];
  });
}

/** `*.example.com` covers `a.example.com` and `*.a.example.com`, never `example.com` (helpers.go:383-416). */
function wildcardCovers(wildcard: string, hostname: string): boolean {
  const suffix = wildcard.slice(1);
  if (!hostname.startsWith('*')) return hostname.endsWith(suffix) && hostname.length > suffix.length;
  const rest = hostname.slice(1);
  if (!rest.endsWith(suffix)) return false;
  const remaining = rest.slice(0, rest.length - suffix.length);
  return remaining.length > 0 && remaining.startsWith('.');
}

/** Port of `computeHosts` (helpers.go:296-380): the virtual hosts an HTTPRoute's routes go to. */
export function computeGatewayApiHosts(routeHostnames: readonly string[], listener: GatewayApiListener = {}) {
  const listenerHostname = listener.hostname ?? '';
  if (routeHostnames.length === 0) return [listenerHostname || '*'];
  const hosts = new Set<string>();
  for (const hostname of routeHostnames) {
    if (listenerHostname === '' || listenerHostname === hostname) hosts.add(hostname);
    else if (listenerHostname.startsWith('*') && hostname.startsWith('*')) {
      if (wildcardCovers(hostname, listenerHostname)) hosts.add(listenerHostname);
      if (wildcardCovers(listenerHostname, hostname)) hosts.add(hostname);
    } else if (listenerHostname.startsWith('*')) {
      if (wildcardCovers(listenerHostname, hostname)) hosts.add(hostname);
    } else if (hostname.startsWith('*') && wildcardCovers(hostname, listenerHostname)) {
      hosts.add(listenerHostname);
    }
  }
  for (const other of listener.otherHostnames ?? []) hosts.delete(other);
  return [...hosts].sort();
}

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/** `pathMatchCount` (sort.go:140-158): Go's `len`, bytes; a PathPrefix `/` and no path match count 0. */
function pathCount(entry: Entry): number {
  if (!entry.path || (entry.path.type === 'PathPrefix' && entry.path.value === '/')) return 0;
  return byteLength(entry.path.value);
}

const typeRank: Record<PathType, number> = { Exact: 3, RegularExpression: 2, PathPrefix: 1 };
const exactCount = (matches: StringMatch[]) => matches.filter((m) => m.exact !== undefined).length;

/** Port of `XdsIRRoutes.Less(i, j)` (sort.go:19-124): `i` is less specific than `j`. */
function isLessSpecific(i: Entry, j: Entry): boolean {
  // sort.go:22-53 compares types only when both have a path match; every pair of different types decides.
  if (i.path && j.path && i.path.type !== j.path.type) return typeRank[i.path.type] < typeRank[j.path.type];
  const keys = (e: Entry) => [
    pathCount(e),
    e.headers.length,
    exactCount(e.headers),
    e.query.length,
    exactCount(e.query),
  ];
  const [left, right] = [keys(i), keys(j)];
  for (let index = 0; index < left.length; index += 1)
    if (left[index] !== right[index]) return (left[index] as number) < (right[index] as number);
  return false;
}

/** `sort.Reverse`: most specific first; 0 when Envoy Gateway's sort keeps the processing order. */
function compareEntries(a: Entry, b: Entry): number {
  if (isLessSpecific(b, a)) return -1;
  return isLessSpecific(a, b) ? 1 : 0;
}

/** The listener's IR routes in Envoy Gateway's order; `routes` in processing order (see the module note). */
function buildTable(routes: readonly ManifestResource[], listener: GatewayApiListener): Entry[] {
  const table: Entry[] = [];
  for (const route of routes) {
    if (!isHttpRoute(route)) continue;
    const hostnames = asArray(route.spec.hostnames).map(String);
    const hosts = computeGatewayApiHosts(hostnames, listener);
    const perRule = rulesOf(route).map((rule, ruleIndex) =>
      ruleEntries(rule).map((entry) => ({
        ...entry,
        namespace: route.namespace,
        route: route.name,
        ruleIndex,
      })),
    );
    for (const hostname of hosts)
      for (const entries of perRule) for (const e of entries) table.push({ ...e, hostname });
  }
  return table.sort(compareEntries);
}

/** Envoy's virtual host choice (exact, longest `*.suffix`, `*`) among the table's hostnames. */
const tableDomains = new WeakMap<readonly Entry[], Set<string>>();
function selectVirtualHost(table: readonly Entry[], hostname: string | undefined): string | undefined {
  let domains = tableDomains.get(table);
  if (!domains) {
    domains = new Set(table.map((entry) => entry.hostname));
    tableDomains.set(table, domains);
  }
  const host = hostname?.toLowerCase().replace(/:\d+$/, '');
  if (host !== undefined) {
    if (domains.has(host)) return host;
    let best: string | undefined;
    for (const domain of domains) {
      if (!domain.startsWith('*') || domain === '*') continue;
      const suffix = domain.slice(1);
      if (host.endsWith(suffix) && host.length > suffix.length && (!best || domain.length > best.length))
        best = domain;
    }
    if (best) return best;
  }
  return domains.has('*') ? '*' : undefined;
}

const prefixes = new Map<string, string>();
/**
 * Text every string a regex fully matches starts with: the literal characters at its start (after `^`), minus
 * the last when a quantifier follows it; empty when the regex alternates at the top level. A cheap test before
 * running RE2, which Envoy anchors at both ends anyway.
 */
function literalPrefix(regex: string): string {
  let prefix = prefixes.get(regex);
  if (prefix !== undefined) return prefix;
  const run = alternatesAtTop(regex) ? '' : (/^\^?([^\\.+*?()|[\]{}^$]*)/.exec(regex)?.[1] ?? '');
  const after = regex.charAt((regex.startsWith('^') ? 1 : 0) + run.length);
  prefix = after === '?' || after === '*' || after === '{' ? run.slice(0, -1) : run;
  if (prefixes.size > 10_000) prefixes.clear();
  prefixes.set(regex, prefix);
  return prefix;
}

/** Whether the regex has a `|` outside every group and class (escapes and `[…]` skipped). */
function alternatesAtTop(regex: string): boolean {
  let depth = 0;
  for (let index = 0; index < regex.length; index += 1) {
    const char = regex[index];
    if (char === '\\') index += 1;
    else if (char === '[') {
      index += 1;
      if (regex[index] === '^') index += 1;
      if (regex[index] === ']') index += 1; // a leading `]` is literal
      while (index < regex.length && regex[index] !== ']') index += regex[index] === '\\' ? 2 : 1;
    } else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '|' && depth <= 0) return true;
  }
  return false;
}

function stringMatchHolds(match: StringMatch, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  return match.regex === undefined ? actual === match.exact : fullyMatches(match.regex, actual);
}

function entryMatches(
  entry: Entry,
  request: {
    method: string;
    path: string;
    query: Map<string, string>;
    headers: Readonly<Record<string, string>>;
  },
): boolean {
  // Headers first: the `:method` check is the cheapest way to rule a route out.
  for (const header of entry.headers) {
    const name = header.name.toLowerCase();
    const actual =
      name === ':method'
        ? request.method
        : Object.hasOwn(request.headers, name)
          ? request.headers[name]
          : undefined;
    if (!stringMatchHolds(header, actual)) return false;
  }
  const { path } = request;
  if (entry.path) {
    const { type, value } = entry.path;
    if (type === 'Exact' && path !== value) return false;
    if (type === 'RegularExpression' && !(path.startsWith(literalPrefix(value)) && fullyMatches(value, path)))
      return false;
    if (type === 'PathPrefix' && value !== '/') {
      const prefix = value.endsWith('/') ? value.slice(0, -1) : value;
      if (path !== prefix && !path.startsWith(`${prefix}/`)) return false;
    }
  }
  return entry.query.every((param) => stringMatchHolds(param, request.query.get(param.name)));
}

interface Resolution {
  /** The first matching route in the table's (input) order; undefined: Envoy answers 404. */
  winner?: Entry;
  /**
   * The routes that can win once creation time orders the HTTPRoutes: per HTTPRoute, its first matching route
   * of the winner's rank. One element: the winner is certain.
   */
  candidates: Entry[];
}

/**
 * The routes of one virtual host a request with this method can match, in table order: a route whose `:method`
 * match names another method never matches, so leaving it out changes no outcome. Cached per table: the proof
 * resolves thousands of requests against one table.
 */
const lanes = new WeakMap<readonly Entry[], Map<string, Entry[]>>();
function laneOf(table: readonly Entry[], vhost: string, method: string): Entry[] {
  let byKey = lanes.get(table);
  if (!byKey) {
    byKey = new Map();
    lanes.set(table, byKey);
  }
  const key = `${vhost}\0${method}`;
  let lane = byKey.get(key);
  if (!lane) {
    lane = table.filter((entry) => {
      const required = entry.headers.find((header) => header.name === ':method');
      return entry.hostname === vhost && (required?.exact === undefined || required.exact === method);
    });
    byKey.set(key, lane);
  }
  return lane;
}

function resolve(table: readonly Entry[], request: GatewayApiRequest): Resolution {
  const vhost = selectVirtualHost(table, request.hostname);
  if (vhost === undefined) return { candidates: [] };
  const { path, query } = splitQuery(request.path);
  const parsed = { method: request.method.toUpperCase(), path, query, headers: request.headers ?? {} };
  const lane = laneOf(table, vhost, parsed.method);
  const index = lane.findIndex((entry) => entryMatches(entry, parsed));
  const winner = lane[index];
  if (!winner) return { candidates: [] };
  const candidates = [winner];
  for (let next = index + 1; next < lane.length; next += 1) {
    const other = lane[next] as Entry;
    if (compareEntries(winner, other) !== 0) break;
    if (candidates.some((c) => sameRoute(c, other))) continue;
    if (entryMatches(other, parsed)) candidates.push(other);
  }
  return { winner, candidates };
}

type RouteName = Pick<GatewayApiRouteTarget, 'namespace' | 'route'>;
const sameRoute = (a: RouteName, b: RouteName) => a.namespace === b.namespace && a.route === b.route;

const toTarget = ({ namespace, route, ruleIndex, matchIndex }: Entry): GatewayApiRouteTarget => ({
  namespace,
  route,
  ruleIndex,
  matchIndex,
});

/**
 * The rule Envoy Gateway sends the request to, when `routes` (HTTPRoutes attached to one listener; other kinds
 * are ignored) were created in the order given; undefined when none matches (404).
 */
export function routeGatewayApiRequest(
  routes: readonly ManifestResource[],
  request: GatewayApiRequest,
  listener: GatewayApiListener = {},
): GatewayApiRouteTarget | undefined {
  const { winner } = resolve(buildTable(routes, listener), request);
  return winner && toTarget(winner);
}

/** One route of a listener's table, in Envoy Gateway's order (see {@link gatewayApiRouteTable}). */
export interface GatewayApiRouteEntry extends GatewayApiRouteTarget {
  /** The virtual host (Envoy domain) it is on. */
  hostname: string;
  path?: { type: PathType; value: string };
  method?: string;
  /** Header names, `:method` included when the match has a method. */
  headers: string[];
  queryParams: string[];
  /** The CORS preflight route of a match (a rule with a CORS filter). */
  preflight: boolean;
  /** Position of the entry's rank: entries sharing it keep the HTTPRoutes' creation order. */
  rank: number;
}

/**
 * The IR routes the listener gets from these HTTPRoutes, in Envoy Gateway's order (routes of equal rank in
 * input order, standing for creation order): the table the simulator resolves requests against, exposed to
 * check it against the route order of Envoy Gateway's own translator goldens.
 */
export function gatewayApiRouteTable(
  routes: readonly ManifestResource[],
  listener: GatewayApiListener = {},
): GatewayApiRouteEntry[] {
  let rank = 0;
  return buildTable(routes, listener).map((entry, index, table) => {
    if (index > 0 && compareEntries(table[index - 1] as Entry, entry) !== 0) rank = index;
    const method = entry.headers.find((h) => h.name === ':method' && !entry.preflight)?.exact;
    return {
      ...toTarget(entry),
      hostname: entry.hostname,
      ...(entry.path ? { path: entry.path } : {}),
      ...(method === undefined ? {} : { method }),
      headers: entry.headers.map((h) => h.name),
      queryParams: entry.query.map((q) => q.name),
      preflight: entry.preflight,
      rank,
    };
  });
}

/** An operation and the HTTPRoute rule that should serve it. */
export interface ExpectedGatewayApiOperation {
  /** Upper case. */
  method: string;
  /** Base path + OpenAPI path template, e.g. `/v1/pets/{id}`. */
  pathTemplate: string;
  /** HTTPRoute name and namespace. */
  route: string;
  namespace: string;
  ruleIndex: number;
  /** Index of the match within the rule, when not the first. */
  matchIndex?: number;
  /** More concrete paths that must reach this rule, e.g. a parameter taking another operation's literal. */
  paths?: string[];
}

/** One message per operation that a request for it would not reach (another rule wins, or none matches). */
export function proveGatewayApiNoShadowing(
  routes: ManifestResource[],
  operations: ExpectedGatewayApiOperation[],
): string[] {
  return findGatewayApiShadowedOperations(routes, operations).map((problem) => problem.message);
}

export interface ShadowedGatewayApiOperation<T extends ExpectedGatewayApiOperation> {
  operation: T;
  message: string;
}

interface ParentRef {
  gateway: string;
  section?: string;
}

function parentRefsOf(route: ManifestResource): ParentRef[] {
  const refs = asArray(route.spec.parentRefs).map((item) => {
    const ref = asObject(item) ?? {};
    const gateway = `${asString(ref.kind) ?? 'Gateway'}/${asString(ref.namespace) ?? route.namespace}/${asString(ref.name) ?? ''}`;
    const section = asString(ref.sectionName);
    return section === undefined ? { gateway } : { gateway, section };
  });
  return refs.length > 0 ? refs : [{ gateway: '' }];
}

const describeEntry = (entry: Entry) => {
  const method = entry.headers.find((h) => h.name === ':method')?.exact;
  const path = entry.path ? `${entry.path.type} ${entry.path.value}` : 'any path';
  const extra = [...entry.headers.filter((h) => h.name !== ':method'), ...entry.query].length;
  return `${entry.namespace}/${entry.route} rule ${entry.ruleIndex} (${method ? `${method} ` : ''}${path}${
    extra > 0 ? ` + ${extra} header/query match${extra > 1 ? 'es' : ''}` : ''
  }${entry.preflight ? ', CORS preflight' : ''})`;
};

/** A request host that Envoy sends to this virtual host (`*.example.com` → `any.example.com`). */
function hostFor(table: readonly Entry[], vhost: string): string | undefined {
  if (!vhost.startsWith('*')) return vhost;
  const suffix = vhost === '*' ? '.invalid' : vhost.slice(1);
  for (const label of ['any', 'any-1', 'any-2', 'any-3']) {
    const host = `${label}${suffix}`;
    if (selectVirtualHost(table, host) === vhost) return host;
  }
  return undefined;
}

/** `proveGatewayApiNoShadowing`, with the operation each message is about. */
export function findGatewayApiShadowedOperations<T extends ExpectedGatewayApiOperation>(
  routes: readonly ManifestResource[],
  operations: readonly T[],
): ShadowedGatewayApiOperation<T>[] {
  const problems: ShadowedGatewayApiOperation<T>[] = [];
  const httpRoutes = routes.filter(isHttpRoute);
  const byName = new Map(httpRoutes.map((route) => [`${route.namespace}/${route.name}`, route]));
  // The listeners a route can be on: a named section, or, for a parent ref without one, every section other
  // routes name on that Gateway plus a listener nobody names.
  const sections = new Map<string, Set<string | undefined>>();
  for (const route of httpRoutes) {
    for (const ref of parentRefsOf(route)) {
      const known = sections.get(ref.gateway) ?? new Set([undefined]);
      known.add(ref.section);
      sections.set(ref.gateway, known);
    }
  }
  const tables = new Map<string, Entry[]>();
  const tableFor = (gateway: string, section: string | undefined) => {
    const key = `${gateway}\0${section ?? ''}`;
    let table = tables.get(key);
    if (!table) {
      const attached = httpRoutes.filter((route) =>
        parentRefsOf(route).some(
          (ref) => ref.gateway === gateway && (ref.section === undefined || ref.section === section),
        ),
      );
      table = buildTable(attached, {});
      tables.set(key, table);
    }
    return table;
  };
  for (const operation of operations) {
    const report = (message: string) => problems.push({ operation, message });
    const method = operation.method.toUpperCase();
    const label = `${method} ${operation.pathTemplate}`;
    const expected = `${operation.namespace}/${operation.route} rule ${operation.ruleIndex}`;
    const route = byName.get(`${operation.namespace}/${operation.route}`);
    const rule = route && rulesOf(route)[operation.ruleIndex];
    if (!route || !rule) {
      report(`${label}: expected ${expected}, which does not exist`);
      continue;
    }
    // A rule with `matches: []` serves every request: any path will do.
    const ownMatches = Array.isArray(rule.matches) && rule.matches.length === 0 ? [{}] : matchesOf(rule);
    const ownMatch = ownMatches.find(
      (match, index) =>
        (match.method === undefined || match.method === method) &&
        (operation.matchIndex === undefined || index === operation.matchIndex),
    );
    if (!ownMatch) {
      report(`${label}: ${expected} has no match for method ${method}`);
      continue;
    }
    if (ruleEntries(rule).length === 0) {
      report(`${label}: Envoy Gateway does not accept ${expected}: one of its regexes is not valid RE2`);
      continue;
    }
    const built = buildConcretePath(operation.pathTemplate, pathOf(ownMatch));
    if (typeof built !== 'string') {
      report(`${label}: ${built.problem}`);
      continue;
    }
    const named = (list: unknown) =>
      asArray(list).map((item) => ({
        ...(asObject(item) ?? {}),
        name: asString(asObject(item)?.name) ?? '',
      }));
    const headers = buildSampleHeaders(named(ownMatch.headers));
    const query = buildSampleQuery(named(ownMatch.queryParams));
    const isExpected = (entry: Entry) =>
      sameRoute(entry, operation) && entry.ruleIndex === operation.ruleIndex;
    const vhosts = computeGatewayApiHosts(asArray(route.spec.hostnames).map(String));
    const listeners = parentRefsOf(route).flatMap((ref) =>
      (ref.section === undefined ? [...(sections.get(ref.gateway) ?? [])] : [ref.section]).map((section) => ({
        gateway: ref.gateway,
        section,
      })),
    );
    /** The first problem of this path on any listener and virtual host of the route. */
    const checkPath = (path: string): string | undefined => {
      for (const { gateway, section } of listeners) {
        const table = tableFor(gateway, section);
        for (const vhost of vhosts) {
          const hostname = hostFor(table, vhost);
          if (hostname === undefined) return `${label}: no request host reaches the virtual host ${vhost}`;
          const on = `${method} ${hostname}${path}`;
          const { winner, candidates } = resolve(table, { method, path, headers, hostname });
          if (!winner) return `${label}: no rule matches ${on} (Envoy Gateway answers 404)`;
          if (candidates.length > 1 && candidates.some(isExpected)) {
            return `${label}: ${on} matches ${candidates.map(describeEntry).join(' and ')}, which Envoy Gateway ranks equal: the oldest HTTPRoute wins, so the outcome depends on the order they were first applied`;
          }
          if (!isExpected(winner)) {
            const which = candidates.map(describeEntry).join(' or (by creation order) ');
            return `${label}: ${on} is routed to ${which} instead of ${expected}`;
          }
        }
      }
      return undefined;
    };
    for (const path of [built, ...(operation.paths ?? [])]) {
      const problem = checkPath(query ? `${path}?${query}` : path);
      if (problem) report(problem);
    }
  }
  return problems;
}
