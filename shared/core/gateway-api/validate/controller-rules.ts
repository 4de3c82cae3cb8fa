/**
 * What Envoy Gateway (envoyproxy/gateway v1.9.0, `internal/gatewayapi/`) rejects beyond the CRD schema, for the
 * kinds the Gateway API target emits. Each check names the function it ports. The resource is then marked not
 * Accepted (a route) or its policy is not applied: for a GitOps deploy that is a silent outage, so we refuse it.
 * Checks read the spec after the schema's defaults are applied, and skip shapes the schema already rejects.
 * @module
 */
import { parseGoDuration } from '../../kuma/validate/go-duration.js';
import { explainInvalidRe2 } from '../../kuma/validate/mesh-http-route-rules.js';
import {
  asArray,
  asObject,
  asString,
  type Json,
  joinPath,
  type Report,
} from '../../kuma/validate/problem.js';

/** `HeaderValueRegexp` of filters.go: visible ASCII, single inner spaces or tabs, not empty. */
const headerValue = /^[!-~]+([\t ]?[!-~]+)*$/;

function checkRegex(value: unknown, path: string, report: Report): void {
  const pattern = asString(value);
  if (pattern === undefined) return;
  const reason = explainInvalidRe2(pattern);
  if (reason) report(path, `regex is invalid (RE2): ${reason}`, 'envoy-gateway:regex');
}

/** route.go `buildHTTPRouteMatches`: every RegularExpression match must compile (`regex.Validate`). */
function checkMatches(match: Json, path: string, report: Report): void {
  const pathMatch = asObject(match.path);
  if (pathMatch?.type === 'RegularExpression')
    checkRegex(pathMatch.value, joinPath(path, 'path', 'value'), report);
  for (const list of ['headers', 'queryParams'] as const) {
    for (const [index, item] of asArray(match[list]).entries()) {
      const entry = asObject(item);
      if (entry?.type === 'RegularExpression')
        checkRegex(entry.value, joinPath(path, list, index, 'value'), report);
    }
  }
}

/**
 * filters.go `processRequestHeaderModifierFilter`/`processResponseHeaderModifierFilter`: names must not be
 * `Host` or contain `/` or `:` (`isModifiableHeader`), values must match `HeaderValueRegexp`; a name added or
 * set twice (case-insensitively) is dropped without a word, so it is refused here.
 */
function checkHeaderModifier(filter: Json, path: string, which: string, report: Report): void {
  const seen = new Set<string>();
  for (const op of ['set', 'add'] as const) {
    for (const [index, item] of asArray(filter[op]).entries()) {
      const header = asObject(item);
      const name = asString(header?.name);
      if (!header || name === undefined) continue;
      const at = joinPath(path, op, index);
      if (name.includes('/') || name.includes(':') || name.toLowerCase() === 'host') {
        report(
          joinPath(at, 'name'),
          `${which} cannot ${op} the Host header or a name with '/' or ':'`,
          'envoy-gateway:header-name',
        );
      } else if (seen.has(name.toLowerCase())) {
        report(
          joinPath(at, 'name'),
          `${which} ${op}s '${name}' twice; Envoy Gateway drops the second`,
          'envoy-gateway:duplicate-header',
        );
      }
      seen.add(name.toLowerCase());
      const value = asString(header.value);
      if (value !== undefined && !headerValue.test(value)) {
        report(
          joinPath(at, 'value'),
          `${which} cannot ${op} a header with an invalid value (visible ASCII, not empty)`,
          'envoy-gateway:header-value',
        );
      }
    }
  }
  for (const [index, item] of asArray(filter.remove).entries()) {
    const name = asString(item);
    if (name !== undefined && (name.includes('/') || name.includes(':') || name.toLowerCase() === 'host')) {
      report(
        joinPath(path, 'remove', index),
        `${which} cannot remove the Host header or a name with '/' or ':'`,
        'envoy-gateway:header-name',
      );
    }
  }
}

function checkFilters(filters: unknown, path: string, report: Report): void {
  for (const [index, item] of asArray(filters).entries()) {
    const filter = asObject(item);
    const at = joinPath(path, index);
    const request = asObject(filter?.requestHeaderModifier);
    if (request)
      checkHeaderModifier(request, joinPath(at, 'requestHeaderModifier'), 'RequestHeaderModifier', report);
    const response = asObject(filter?.responseHeaderModifier);
    if (response)
      checkHeaderModifier(response, joinPath(at, 'responseHeaderModifier'), 'ResponseHeaderModifier', report);
  }
}

/** filters.go `processHTTPFilters`: a RequestMirror beside a RequestRedirect drops the rule. */
function checkMirrorConflict(filters: unknown, path: string, report: Report): void {
  const types = asArray(filters).map((filter) => asObject(filter)?.type);
  if (types.includes('RequestMirror') && types.includes('RequestRedirect')) {
    report(
      path,
      'RequestMirror filter cannot be used when the rule also configures a RequestRedirect filter',
      'envoy-gateway:filters',
    );
  }
}

export function checkHttpRouteController(spec: Json, report: Report): void {
  for (const [ruleIndex, item] of asArray(spec.rules).entries()) {
    const rule = asObject(item);
    if (!rule) continue;
    const at = joinPath('spec.rules', ruleIndex);
    checkMirrorConflict(rule.filters, joinPath(at, 'filters'), report);
    for (const [index, match] of asArray(rule.matches).entries()) {
      const object = asObject(match);
      if (object) checkMatches(object, joinPath(at, 'matches', index), report);
    }
    checkFilters(rule.filters, joinPath(at, 'filters'), report);
    for (const [index, backend] of asArray(rule.backendRefs).entries()) {
      checkFilters(asObject(backend)?.filters, joinPath(at, 'backendRefs', index, 'filters'), report);
    }
  }
}

/** k8s `validation.IsQualifiedName` (a JWT provider's name): `[prefix/]name`, DNS prefix, name ≤ 63. */
function isQualifiedName(text: string): boolean {
  const slash = text.indexOf('/');
  const prefix = slash >= 0 ? text.slice(0, slash) : undefined;
  const name = text.slice(slash + 1);
  const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
  return (
    (prefix === undefined || (prefix.length <= 253 && dnsSubdomain.test(prefix))) &&
    name.length <= 63 &&
    /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name)
  );
}

/** Go's `url.ParseRequestURI`, roughly: an absolute URI with a scheme, or an absolute path. */
function isRequestUri(text: string): boolean {
  if (text.startsWith('/')) return true;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

/** securitypolicy.go `validateJWTProvider` and `validateSecurityPolicy`. */
export function checkSecurityPolicyController(spec: Json, report: Report): void {
  const providers = asArray(asObject(spec.jwt)?.providers);
  const names = new Set<string>();
  for (const [index, item] of providers.entries()) {
    const provider = asObject(item);
    if (!provider) continue;
    const at = joinPath('spec.jwt.providers', index);
    const name = asString(provider.name) ?? '';
    if (!isQualifiedName(name)) {
      report(
        joinPath(at, 'name'),
        'must be a qualified name (at most 63 characters, alphanumerics, -, _, .)',
        'envoy-gateway:jwt-provider',
      );
    } else if (names.has(name)) {
      report(joinPath(at, 'name'), `provider name ${name} must be unique`, 'envoy-gateway:jwt-provider');
    }
    names.add(name);
    const issuer = asString(provider.issuer) ?? '';
    if (issuer.includes(':') && !isRequestUri(issuer)) {
      report(
        joinPath(at, 'issuer'),
        "when issuer contains ':', it must be a valid URI",
        'envoy-gateway:jwt-provider',
      );
    } else if (!issuer.includes(':') && issuer.includes('@') && !/^[^\s@<>]+@[^\s@<>]+$/.test(issuer)) {
      report(
        joinPath(at, 'issuer'),
        "when issuer contains '@', it must be an email address",
        'envoy-gateway:jwt-provider',
      );
    }
    const uri = asString(asObject(provider.remoteJWKS)?.uri);
    if (uri !== undefined && !isRequestUri(uri)) {
      report(joinPath(at, 'remoteJWKS.uri'), 'invalid remote JWKS URI', 'envoy-gateway:jwt-provider');
    }
    for (const [claimIndex, claim] of asArray(provider.claimToHeaders).entries()) {
      const entry = asObject(claim);
      if (entry && (!asString(entry.header) || !asString(entry.claim))) {
        report(
          joinPath(at, 'claimToHeaders', claimIndex),
          'header and claim must be set',
          'envoy-gateway:jwt-provider',
        );
      }
    }
  }
  const oidc = asObject(spec.oidc);
  if (oidc?.passThroughAuthHeader === true) {
    const fromHeader = providers.some((item) => {
      const extractFrom = asObject(asObject(item)?.extractFrom);
      return !extractFrom || asArray(extractFrom.headers).length > 0;
    });
    if (!spec.jwt) {
      report(
        'spec.oidc.passThroughAuthHeader',
        'must be used in conjunction with JWT settings',
        'envoy-gateway:oidc',
      );
    } else if (!fromHeader) {
      report(
        'spec.oidc.passThroughAuthHeader',
        'needs a JWT provider that reads the token from a header',
        'envoy-gateway:oidc',
      );
    }
  }
}

const unitSeconds: Record<string, number> = {
  Second: 1,
  Minute: 60,
  Hour: 3600,
  Day: 86_400,
  Week: 604_800,
  Month: 2_592_000,
  Year: 31_536_000,
};

/**
 * backendtrafficpolicy.go `buildRateLimitRule`: a header selector needs a value unless it is Distinct (which
 * takes no value and no `invert`), regexes (header and path) must compile.
 */
function checkClientSelectors(rules: unknown, path: string, report: Report): void {
  for (const [ruleIndex, item] of asArray(rules).entries()) {
    for (const [index, selector] of asArray(asObject(item)?.clientSelectors).entries()) {
      const at = joinPath(path, ruleIndex, 'clientSelectors', index);
      for (const [headerIndex, entry] of asArray(asObject(selector)?.headers).entries()) {
        const header = asObject(entry);
        if (!header) continue;
        const here = joinPath(at, 'headers', headerIndex);
        const type = header.type ?? 'Exact';
        if (type === 'Distinct') {
          if (header.value !== undefined) {
            report(
              joinPath(here, 'value'),
              'a Distinct header match takes no value',
              'envoy-gateway:rate-limit',
            );
          } else if (header.invert === true) {
            report(
              joinPath(here, 'invert'),
              'invert is not applicable to a Distinct header match',
              'envoy-gateway:rate-limit',
            );
          }
        } else if (header.value === undefined) {
          report(joinPath(here, 'value'), `a ${type} header match needs a value`, 'envoy-gateway:rate-limit');
        } else if (type === 'RegularExpression') {
          checkRegex(header.value, joinPath(here, 'value'), report);
        }
      }
      const pathMatch = asObject(asObject(selector)?.path);
      if (pathMatch?.type === 'RegularExpression')
        checkRegex(pathMatch.value, joinPath(at, 'path', 'value'), report);
    }
  }
}

/** clustersettings.go `buildRetry`: back-off intervals must not be 0s, nor the maximum below the base. */
function checkRetryBackOff(spec: Json, report: Report): void {
  const backOff = asObject(asObject(asObject(spec.retry)?.perRetry)?.backOff);
  if (!backOff) return;
  const at = 'spec.retry.perRetry.backOff';
  const base = parseGoDuration(asString(backOff.baseInterval) ?? '');
  const max = parseGoDuration(asString(backOff.maxInterval) ?? '');
  if (base === 0)
    report(joinPath(at, 'baseInterval'), 'baseInterval cannot be set to 0s', 'envoy-gateway:retry');
  if (max === 0)
    report(joinPath(at, 'maxInterval'), 'maxInterval cannot be set to 0s', 'envoy-gateway:retry');
  else if (base !== undefined && max !== undefined && base > max) {
    report(
      joinPath(at, 'maxInterval'),
      'maxInterval cannot be less than baseInterval',
      'envoy-gateway:retry',
    );
  }
}

/** backendtrafficpolicy.go `buildRateLimit`/`buildLocalRateLimit`, and the retry of its cluster settings. */
export function checkBackendTrafficPolicyController(spec: Json, report: Report): void {
  checkRetryBackOff(spec, report);
  const rateLimit = asObject(spec.rateLimit);
  if (!rateLimit) return;
  checkClientSelectors(asObject(rateLimit.local)?.rules, 'spec.rateLimit.local.rules', report);
  checkClientSelectors(asObject(rateLimit.global)?.rules, 'spec.rateLimit.global.rules', report);
  if (rateLimit.type === 'Local' && !rateLimit.local) {
    report('spec.rateLimit.local', 'local configuration empty for rateLimit', 'envoy-gateway:rate-limit');
  }
  if (rateLimit.type === 'Global' && !rateLimit.global) {
    report('spec.rateLimit.global', 'global configuration empty for rateLimit', 'envoy-gateway:rate-limit');
  }
  const rules = asArray(asObject(rateLimit.local)?.rules).map(asObject);
  const defaults = rules.filter((rule) => asArray(rule?.clientSelectors).length === 0);
  if (defaults.length > 1) {
    report(
      'spec.rateLimit.local.rules',
      'local rateLimit can not have more than one rule without clientSelectors',
      'envoy-gateway:rate-limit',
    );
  }
  const unitOf = (rule: Json | undefined) => unitSeconds[String(asObject(rule?.limit)?.unit)];
  const base = defaults.length > 0 ? unitOf(defaults[0]) : 1;
  for (const [index, rule] of rules.entries()) {
    const unit = unitOf(rule);
    if (base !== undefined && unit !== undefined && unit % base !== 0) {
      report(
        joinPath('spec.rateLimit.local.rules', index, 'limit.unit'),
        'local rateLimit rule limit unit must be a multiple of the default limit unit',
        'envoy-gateway:rate-limit',
      );
    }
  }
}
