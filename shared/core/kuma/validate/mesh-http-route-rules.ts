/**
 * MeshHTTPRoute checks of Kuma's webhook (`meshhttproute/api/v1alpha1/validation.go`, v2.14.3), plus what the
 * webhook lets through but Envoy or the gateway then rejects: every RegularExpression must be valid RE2
 * (Envoy's `safe_regex`; the webhook does not check it), and at most one regex query match per gateway rule
 * (only the last one survives on a builtin gateway, research kuma.md §2).
 * @module
 */
import { RE2JS } from 're2js';
import { asArray, asObject, asString, type Json, joinPath, type Report } from './problem.js';
import { checkTargetRef } from './target-ref.js';

const re2Verdicts = new Map<string, string | undefined>();

/** The reason an RE2 pattern does not compile, or undefined when it does (memoised: renders repeat patterns). */
export function explainInvalidRe2(pattern: string): string | undefined {
  if (re2Verdicts.has(pattern)) return re2Verdicts.get(pattern);
  let reason: string | undefined;
  try {
    RE2JS.compile(pattern);
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  if (re2Verdicts.size > 10_000) re2Verdicts.clear();
  re2Verdicts.set(pattern, reason);
  return reason;
}

const ipAddress = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkRegex(value: unknown, path: string, report: Report): void {
  const pattern = asString(value);
  if (pattern === undefined) return;
  const reason = explainInvalidRe2(pattern);
  if (reason)
    report(path, `not a valid RE2 regular expression (Envoy would reject it): ${reason}`, 'regex-re2');
}

function checkPreciseHostname(value: unknown, path: string, report: Report) {
  const hostname = asString(value);
  if (hostname === undefined) return;
  if (ipAddress.test(hostname)) return report(path, 'cannot be an IP address', 'route-hostname');
  if (hostname.length > 253 || !dns1123Subdomain.test(hostname)) {
    report(path, 'must be a lower-case RFC 1123 subdomain', 'route-hostname');
  }
}

function checkMatch(match: Json, path: string, gateway: boolean, report: Report): void {
  const pathMatch = asObject(match.path);
  if (pathMatch) {
    const value = asString(pathMatch.value) ?? '';
    const valuePath = joinPath(path, 'path', 'value');
    if (pathMatch.type === 'RegularExpression') checkRegex(value, valuePath, report);
    else if (!value.startsWith('/')) report(valuePath, 'must be an absolute path', 'route-path');
    else if (pathMatch.type === 'PathPrefix' && value !== '/' && value.endsWith('/')) {
      report(
        valuePath,
        'does not need a trailing slash because only a `/`-separated prefix or an entire path is matched',
        'route-path',
      );
    }
  }
  for (const [index, item] of asArray(match.headers).entries()) {
    const header = asObject(item) ?? {};
    const headerPath = joinPath(path, 'headers', index);
    const type = asString(header.type) ?? 'Exact';
    if ((type === 'Present' || type === 'Absent') && header.value) {
      report(joinPath(headerPath, 'value'), `must not be defined with type ${type}`, 'route-header-match');
    }
    if (type === 'RegularExpression') checkRegex(header.value, joinPath(headerPath, 'value'), report);
  }
  const names = new Set<string>();
  let regexQueries = 0;
  for (const [index, item] of asArray(match.queryParams).entries()) {
    const query = asObject(item) ?? {};
    const name = asString(query.name) ?? '';
    if (names.has(name)) {
      report(
        joinPath(path, 'queryParams', index, 'name'),
        `multiple entries for name ${name}`,
        'route-query-match',
      );
    }
    names.add(name);
    if (query.type === 'RegularExpression') {
      regexQueries += 1;
      checkRegex(query.value, joinPath(path, 'queryParams', index, 'value'), report);
    }
  }
  if (gateway && regexQueries > 1) {
    report(
      joinPath(path, 'queryParams'),
      'a builtin gateway keeps only the last RegularExpression query match of a rule; use at most one',
      'route-query-match',
    );
  }
}

function checkHeaderModifier(modifier: Json, path: string, report: Report, request: boolean) {
  if (!('set' in modifier) && !('add' in modifier) && !('remove' in modifier)) {
    return report(path, 'must have at least one defined: set, add, remove', 'route-header-modifier');
  }
  const seen = new Set<string>();
  const note = (name: unknown, at: string) => {
    const key = String(name);
    if (seen.has(key)) report(at, 'duplicate header name', 'route-header-modifier');
    seen.add(key);
  };
  for (const field of ['set', 'add'] as const) {
    for (const [index, item] of asArray(modifier[field]).entries()) {
      const header = asObject(item);
      note(header?.name, joinPath(path, field, index, 'name'));
      // `set host` on a request is Kuma's host rewrite (route_table_generator.go), not an Envoy header change.
      if (!(request && field === 'set' && asString(header?.name)?.toLowerCase() === 'host'))
        checkModifiable(header?.name, joinPath(path, field, index, 'name'), report);
      const value = asString(header?.value);
      const problem = value === undefined ? undefined : explainInvalidFormat(value);
      if (problem) report(joinPath(path, field, index, 'value'), problem, 'envoy-formatter');
    }
  }
  for (const [index, name] of asArray(modifier.remove).entries()) {
    note(name, joinPath(path, 'remove', index));
    checkModifiable(name, joinPath(path, 'remove', index), report);
  }
}

/**
 * Envoy's header parser (not Kuma's webhook) refuses to add, set or remove pseudo-headers and `host`
 * (`HeaderUtility::isModifiableHeader`), and rejects the listener's whole route configuration with it.
 */
function checkModifiable(name: unknown, path: string, report: Report): void {
  const header = asString(name);
  if (header !== undefined && (header.startsWith(':') || header.toLowerCase() === 'host'))
    report(
      path,
      'Envoy refuses to add, set or remove the host header or a pseudo-header',
      'envoy-header-parser',
    );
}

/**
 * Header values are Envoy formatter strings (`SubstitutionFormatParser::parse`): `%%` is a literal `%`, and every
 * other `%` must open a `%COMMAND(arg):length%` command, or Envoy rejects the configuration.
 */
export function explainInvalidFormat(value: string): string | undefined {
  const command = /^%[A-Z0-9_]+(?:\(.*?\))?(?::[0-9]+)?%/;
  for (let pos = 0; pos < value.length; pos++) {
    if (value[pos] !== '%') continue;
    if (value[pos + 1] === '%') {
      pos++;
      continue;
    }
    const match = command.exec(value.slice(pos));
    if (!match)
      return `Envoy's formatter finds no valid command at position ${pos} (write a literal % as %%)`;
    pos += match[0].length - 1;
  }
  return undefined;
}

function checkFilters(rule: Json, path: string, gateway: boolean, report: Report): boolean {
  const matches = asArray(rule.matches).map((match) => asObject(match) ?? {});
  const allPrefix = matches.every((match) => asObject(match.path)?.type === 'PathPrefix');
  let redirects = false;
  for (const [index, item] of asArray(asObject(rule.default)?.filters).entries()) {
    const filter = asObject(item) ?? {};
    const filterPath = joinPath(path, 'default', 'filters', index);
    const type = asString(filter.type) ?? '';
    const field = type.charAt(0).toLowerCase() + type.slice(1);
    const body = field === 'uRLRewrite' ? asObject(filter.urlRewrite) : asObject(filter[field]);
    const bodyPath = joinPath(filterPath, type === 'URLRewrite' ? 'urlRewrite' : field);
    if (!body) {
      report(bodyPath, `must be defined for type ${type}`, 'route-filter');
      continue;
    }
    if (type === 'RequestHeaderModifier' || type === 'ResponseHeaderModifier')
      checkHeaderModifier(body, bodyPath, report, type === 'RequestHeaderModifier');
    if (type === 'RequestRedirect' || type === 'URLRewrite') {
      if (type === 'RequestRedirect') redirects = true;
      if (asObject(body.path)?.replacePrefixMatch !== undefined && !allPrefix) {
        report(
          joinPath(bodyPath, 'path', 'replacePrefixMatch'),
          'can only appear if all matches match a path prefix (type PathPrefix)',
          'route-replace-prefix',
        );
      }
      checkPreciseHostname(body.hostname, joinPath(bodyPath, 'hostname'), report);
    }
    if (type === 'URLRewrite' && body.hostToBackendHostname === true) {
      if (!gateway)
        report(
          joinPath(bodyPath, 'hostToBackendHostname'),
          'can only be set with MeshGateway',
          'route-filter',
        );
      if (body.hostname !== undefined) {
        report(
          joinPath(bodyPath, 'hostToBackendHostname'),
          'cannot be set together with hostname',
          'route-filter',
        );
      }
    }
    if (type === 'RequestMirror') {
      checkTargetRef(
        body.backendRef,
        joinPath(bodyPath, 'backendRef'),
        { kinds: ['MeshService', 'MeshServiceSubset'] },
        report,
      );
    }
  }
  return redirects;
}

const backendKinds = ['MeshService', 'MeshServiceSubset', 'MeshExternalService', 'MeshMultiZoneService'];

export function checkMeshHttpRoute(spec: Json, top: Json, report: Report): void {
  const gateway = top.kind === 'MeshGateway';
  for (const [toIndex, item] of asArray(spec.to).entries()) {
    const to = asObject(item) ?? {};
    const toPath = joinPath('spec', 'to', toIndex);
    checkTargetRef(
      to.targetRef,
      joinPath(toPath, 'targetRef'),
      { kinds: gateway ? ['Mesh'] : ['MeshService', 'MeshExternalService', 'MeshMultiZoneService'] },
      report,
    );
    if (!gateway && asArray(to.hostnames).length > 0) {
      report(
        joinPath(toPath, 'hostnames'),
        'must not be defined unless the route targets a MeshGateway',
        'route-hostname',
      );
    }
    for (const [ruleIndex, ruleItem] of asArray(to.rules).entries()) {
      const rule = asObject(ruleItem) ?? {};
      const rulePath = joinPath(toPath, 'rules', ruleIndex);
      for (const [matchIndex, match] of asArray(rule.matches).entries()) {
        checkMatch(asObject(match) ?? {}, joinPath(rulePath, 'matches', matchIndex), gateway, report);
      }
      const redirects = checkFilters(rule, rulePath, gateway, report);
      const backendRefs = asArray(asObject(rule.default)?.backendRefs);
      if (gateway && backendRefs.length === 0 && !redirects) {
        report(
          joinPath(rulePath, 'default', 'backendRefs'),
          'must not be empty (a gateway rule needs a backend unless it redirects)',
          'route-backend-refs',
        );
      }
      for (const [index, ref] of backendRefs.entries()) {
        const refPath = joinPath(rulePath, 'default', 'backendRefs', index);
        checkTargetRef(ref, refPath, { kinds: backendKinds }, report);
        if (asObject(ref)?.kind === 'MeshMultiZoneService' && asObject(ref)?.port === undefined) {
          report(joinPath(refPath, 'port'), 'must be defined for MeshMultiZoneService', 'route-backend-refs');
        }
      }
    }
  }
}
