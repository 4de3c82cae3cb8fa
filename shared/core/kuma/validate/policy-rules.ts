/**
 * What Kuma's admission webhook checks beyond the CRD schema, per policy (each policy's
 * `api/v1alpha1/validator.go` at v2.14.3; summary in research kuma.md §3). Messages follow Kuma's wording.
 * @module
 */
import { parseGoDuration } from './go-duration.js';
import { decimalOf, isDns1123Subdomain, isFilePath, spiffeIdProblem } from './kuma-formats.js';
import { asArray, asNumber, asObject, asString, type Json, joinPath, type Report } from './problem.js';
import { checkSectionTargetRefs, includesGateways } from './target-ref.js';

export type PolicyCheck = (spec: Json, top: Json, report: Report) => void;

export const present = (value: unknown) => value !== undefined && value !== null;
export const nonEmpty = (value: unknown) => asArray(value).length > 0;

function atLeastOne(object: Json, fields: string[], path: string, report: Report, rule: string): boolean {
  if (fields.some((field) => present(object[field]))) return true;
  report(path, `must have at least one defined: ${fields.join(', ')}`, rule);
  return false;
}

function greaterThanZero(object: Json, fields: string[], path: string, report: Report, rule: string): void {
  for (const field of fields) {
    const value = asNumber(object[field]);
    if (value !== undefined && value <= 0) report(joinPath(path, field), 'must be greater than 0', rule);
  }
}

function durationAbove(value: unknown, minMs: number, path: string, report: Report, rule: string): void {
  const text = asString(value);
  const ms = text === undefined ? undefined : parseGoDuration(text);
  if (ms !== undefined && ms <= minMs) {
    report(path, minMs === 0 ? 'must be greater than 0' : `must be greater than ${minMs}ms`, rule);
  }
}

/** `to` items and `rules`/`from` exclusivity shared by most policies. */
export function checkRulesExclusive(spec: Json, report: Report): void {
  if (nonEmpty(spec.rules) && (nonEmpty(spec.to) || nonEmpty(spec.from))) {
    report('spec', "fields 'to' and 'from' must be empty when 'rules' is defined", 'policy-sections');
  }
}

/** Visits each item's `default`; a missing one is empty, as Kuma decodes it into a struct, not a pointer. */
export function eachDefault(spec: Json, sections: string[], visit: (conf: Json, path: string) => void): void {
  for (const section of sections) {
    for (const [index, item] of asArray(spec[section]).entries()) {
      const object = asObject(item);
      if (object) visit(asObject(object.default) ?? {}, joinPath('spec', section, index, 'default'));
    }
  }
}

/** `at least one of 'from', 'to' or 'rules' has to be defined` (MeshTimeout, MeshCircuitBreaker, MeshAccessLog). */
export function checkSomeSection(spec: Json, report: Report): void {
  if (!nonEmpty(spec.to) && !nonEmpty(spec.from) && !nonEmpty(spec.rules)) {
    report('spec', "at least one of 'from', 'to' or 'rules' has to be defined", 'policy-sections');
  }
}

/** Kuma's `mesh.ValidateMatch`: a source match of an inbound rule (spiffeID and/or SNI). */
export function checkSourceMatch(match: Json, path: string, report: Report): void {
  const spiffeId = asObject(match.spiffeID);
  if (spiffeId) {
    const problem = spiffeIdProblem(asString(spiffeId.value) ?? '');
    if (problem) report(joinPath(path, 'spiffeID'), `must be a valid Spiffe ID: ${problem}`, 'source-match');
  }
  const sni = asObject(match.sni);
  if (sni) {
    const type = asString(sni.type) ?? '';
    if (type === '') report(joinPath(path, 'sni', 'type'), 'must be set', 'source-match');
    else if (type !== 'Exact') {
      report(
        joinPath(path, 'sni', 'type'),
        `unrecognized type "${type}", supported values are: Exact`,
        'source-match',
      );
    }
    const value = asString(sni.value) ?? '';
    if (value === '') report(joinPath(path, 'sni', 'value'), 'must be set', 'source-match');
    else if (!isDns1123Subdomain(value)) {
      report(
        joinPath(path, 'sni', 'value'),
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        'source-match',
      );
    }
  }
}

/**
 * `rules[].matches` of MeshTimeout and MeshRateLimit: each match needs a spiffeID or an SNI, a spiffeID needs a
 * known type, and a rule that matches a spiffeID may not set what cannot depend on the source (`sourceBound`).
 */
function checkRuleMatches(spec: Json, report: Report, sourceBound: (conf: Json, path: string) => void): void {
  for (const [index, item] of asArray(spec.rules).entries()) {
    const rule = asObject(item) ?? {};
    const rulePath = joinPath('spec', 'rules', index);
    let bySpiffeId = false;
    for (const [m, entry] of asArray(rule.matches).entries()) {
      const match = asObject(entry) ?? {};
      const matchPath = joinPath(rulePath, 'matches', m);
      checkSourceMatch(match, matchPath, report);
      if (!present(match.spiffeID) && !present(match.sni)) {
        report(matchPath, "must specify at least one of 'spiffeID' or 'sni'", 'source-match');
        continue;
      }
      const spiffeId = asObject(match.spiffeID);
      if (!spiffeId) continue;
      bySpiffeId = true;
      const type = asString(spiffeId.type) ?? '';
      const typePath = joinPath(matchPath, 'spiffeID', 'type');
      if (type === '') report(typePath, 'must be set', 'source-match');
      else if (type !== 'Exact' && type !== 'Prefix') {
        report(typePath, `unrecognized type "${type}", supported values are: Exact, Prefix`, 'source-match');
      }
    }
    if (bySpiffeId) sourceBound(asObject(rule.default) ?? {}, joinPath(rulePath, 'default'));
  }
}

const notBySource =
  "can't be specified when matches contain spiffeID because this field cannot be conditioned on source identity";

const checkRateLimit: PolicyCheck = (spec, top, report) => {
  checkRulesExclusive(spec, report);
  const gateways = includesGateways(top);
  const routeTop = top.kind === 'MeshHTTPRoute';
  // Kuma checks no further inside a section that is not allowed at all.
  const sections: string[] = [];
  if ((gateways || routeTop) && nonEmpty(spec.rules))
    report('spec.rules', 'must not be defined', 'policy-sections');
  else {
    sections.push('rules');
    checkRuleMatches(spec, report, (conf, path) => {
      if (present(asObject(conf.local)?.tcp))
        report(joinPath(path, 'local', 'tcp'), notBySource, 'source-match');
    });
  }
  if (gateways && nonEmpty(spec.from)) {
    report(
      'spec.from',
      'must not be defined when the scope includes a Gateway, select only proxyType Sidecar or select only gateways and use spec.to',
      'policy-sections',
    );
  } else if (routeTop && nonEmpty(spec.from)) {
    report('spec.from', 'must not be defined when spec.kind is MeshHTTPRoute', 'policy-sections');
  } else {
    sections.push('from');
    checkSectionTargetRefs(spec, 'from', ['Mesh'], report);
  }
  if (!gateways && nonEmpty(spec.to)) {
    report('spec.to', 'must not be defined unless the scope includes gateways', 'policy-sections');
  } else {
    sections.push('to');
    checkSectionTargetRefs(spec, 'to', ['Mesh'], report);
  }
  eachDefault(spec, sections, (conf, path) => {
    const local = asObject(conf.local);
    if (!local) return report(joinPath(path, 'local'), 'must be defined', 'rate-limit-local');
    if (!atLeastOne(local, ['tcp', 'http'], joinPath(path, 'local'), report, 'rate-limit-local')) return;
    const http = asObject(local.http);
    if (http) {
      const httpPath = joinPath(path, 'local', 'http');
      if (
        atLeastOne(http, ['disabled', 'requestRate', 'onRateLimit'], httpPath, report, 'rate-limit-local')
      ) {
        checkRate(asObject(http.requestRate), joinPath(httpPath, 'requestRate'), report);
        const onRateLimit = asObject(http.onRateLimit);
        if (onRateLimit)
          greaterThanZero(
            onRateLimit,
            ['status'],
            joinPath(httpPath, 'onRateLimit'),
            report,
            'rate-limit-status',
          );
      }
    }
    const tcp = asObject(local.tcp);
    if (tcp) {
      const tcpPath = joinPath(path, 'local', 'tcp');
      if (atLeastOne(tcp, ['disabled', 'connectionRate'], tcpPath, report, 'rate-limit-local')) {
        checkRate(asObject(tcp.connectionRate), joinPath(tcpPath, 'connectionRate'), report);
      }
    }
  });
};

function checkRate(rate: Json | undefined, path: string, report: Report): void {
  if (!rate) return;
  greaterThanZero(rate, ['num'], path, report, 'rate-limit-num');
  // ValidateDurationGreaterThan(interval, 50ms) is strict: 50ms itself is rejected.
  durationAbove(rate.interval, 50, joinPath(path, 'interval'), report, 'rate-limit-interval');
}

const httpRetryOn = new Set([
  '5xx',
  'GatewayError',
  'Reset',
  'Retriable4xx',
  'ConnectFailure',
  'EnvoyRatelimited',
  'RefusedStream',
  'Http3PostConnectFailure',
  'HttpMethodConnect',
  'HttpMethodDelete',
  'HttpMethodGet',
  'HttpMethodHead',
  'HttpMethodOptions',
  'HttpMethodPatch',
  'HttpMethodPost',
  'HttpMethodPut',
  'HttpMethodTrace',
]);
const grpcRetryOn = new Set(['Canceled', 'DeadlineExceeded', 'Internal', 'ResourceExhausted', 'Unavailable']);
/** Go's `http.StatusText` knows these codes; `strconv.Atoi` + StatusText is Kuma's test for numeric items. */
const knownStatus = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307,
  308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421,
  422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

const checkRetry: PolicyCheck = (spec, top, report) => {
  const routeOrGateway = top.kind === 'MeshGateway' || top.kind === 'MeshHTTPRoute';
  checkSectionTargetRefs(
    spec,
    'to',
    routeOrGateway
      ? ['Mesh', 'MeshExternalService']
      : ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService', 'MeshHTTPRoute'],
    report,
  );
  eachDefault(spec, ['to'], (conf, path) => {
    if (!['tcp', 'http', 'grpc'].some((field) => present(conf[field]))) {
      return report(path, "at least one of the 'tcp', 'http', 'grpc' must be specified", 'retry-default');
    }
    const tcp = asObject(conf.tcp);
    if (tcp) {
      if (!present(tcp.maxConnectAttempt))
        report(joinPath(path, 'tcp'), 'must not be empty', 'retry-default');
      else greaterThanZero(tcp, ['maxConnectAttempt'], joinPath(path, 'tcp'), report, 'retry-default');
    }
    for (const protocol of ['http', 'grpc'] as const) {
      const conf2 = asObject(conf[protocol]);
      if (!conf2) continue;
      const protocolPath = joinPath(path, protocol);
      if (Object.keys(conf2).length === 0) report(protocolPath, 'must not be empty', 'retry-default');
      const backOff = asObject(conf2.backOff);
      if (backOff && !present(backOff.baseInterval) && !present(backOff.maxInterval)) {
        report(joinPath(protocolPath, 'backOff'), 'must not be empty', 'retry-backoff');
      }
      const rateLimited = asObject(conf2.rateLimitedBackOff);
      if (rateLimited) {
        const rlPath = joinPath(protocolPath, 'rateLimitedBackOff');
        if (!present(rateLimited.resetHeaders))
          report(joinPath(rlPath, 'resetHeaders'), 'must be defined', 'retry-backoff');
        durationAbove(rateLimited.maxInterval, 0, joinPath(rlPath, 'maxInterval'), report, 'retry-backoff');
      }
      if (protocol === 'http')
        checkHostSelection(conf2.hostSelection, joinPath(protocolPath, 'hostSelection'), report);
      const allowed = protocol === 'http' ? httpRetryOn : grpcRetryOn;
      for (const [index, item] of asArray(conf2.retryOn).entries()) {
        const value = String(item);
        const numeric = protocol === 'http' && /^[+-]?\d+$/.test(value) && knownStatus.has(Number(value));
        if (!allowed.has(value) && !numeric) {
          const hint = value.toLowerCase() === '5xx' ? " (Kuma accepts '5xx' in lower case)" : '';
          report(joinPath(protocolPath, 'retryOn', index), `unknown item '${value}'${hint}`, 'retry-on');
        }
      }
    }
  });
};

/** MeshRetry `http.hostSelection`: predicates and their parameters. */
function checkHostSelection(value: unknown, path: string, report: Report): void {
  let priorities = false;
  for (const [index, item] of asArray(value).entries()) {
    const predicate = asObject(item) ?? {};
    const type = asString(predicate.predicate) ?? '';
    if (type === 'OmitHostsWithTags') {
      if (!present(predicate.tags))
        report(joinPath(path, index, 'tags'), 'must be defined', 'retry-host-selection');
    } else if (type === 'OmitPreviousPriorities') {
      if (priorities) {
        report(
          joinPath(path, index, 'predicate'),
          `${type} must only be specified once`,
          'retry-host-selection',
        );
      }
      if (!((asNumber(predicate.updateFrequency) ?? 0) > 0)) {
        report(
          joinPath(path, index, 'updateFrequency'),
          'must be defined and greater than zero',
          'retry-host-selection',
        );
      }
      priorities = true;
    } else if (type !== 'OmitPreviousHosts') {
      report(joinPath(path, index, 'predicate'), `unknown predicate type '${type}'`, 'retry-host-selection');
    }
  }
}

const checkTimeout: PolicyCheck = (spec, top, report) => {
  checkRulesExclusive(spec, report);
  checkSomeSection(spec, report);
  const routeTop = top.kind === 'MeshHTTPRoute';
  const routeOrGateway = top.kind === 'MeshGateway' || routeTop;
  const sections = ['to', 'rules'];
  if (routeOrGateway && nonEmpty(spec.from)) report('spec.from', 'must not be defined', 'policy-sections');
  else {
    sections.push('from');
    checkSectionTargetRefs(spec, 'from', ['Mesh'], report);
  }
  checkSectionTargetRefs(
    spec,
    'to',
    routeOrGateway
      ? ['Mesh', 'MeshExternalService']
      : ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService', 'MeshHTTPRoute'],
    report,
  );
  checkRuleMatches(spec, report, (conf, path) => {
    const http = asObject(conf.http) ?? {};
    const bound = [
      ['connectionTimeout', conf.connectionTimeout],
      ['idleTimeout', conf.idleTimeout],
      ['http.requestHeadersTimeout', http.requestHeadersTimeout],
      ['http.maxStreamDuration', http.maxStreamDuration],
      ['http.maxConnectionDuration', http.maxConnectionDuration],
    ] as const;
    for (const [field, value] of bound) {
      if (present(value)) report(joinPath(path, field), notBySource, 'source-match');
    }
  });
  eachDefault(spec, sections, (conf, path) => {
    if (!['connectionTimeout', 'idleTimeout', 'http'].some((field) => present(conf[field]))) {
      return report(path, 'at least one timeout should be configured', 'timeout-default');
    }
    durationAbove(conf.connectionTimeout, 0, joinPath(path, 'connectionTimeout'), report, 'timeout-default');
    const http = asObject(conf.http);
    // requestHeadersTimeout alone does not count (meshtimeout validator.go validateHttp).
    const sectionFields = [
      'requestTimeout',
      'streamIdleTimeout',
      'maxStreamDuration',
      'maxConnectionDuration',
    ];
    if (http && !sectionFields.some((field) => present(http[field]))) {
      report(
        joinPath(path, 'http'),
        'at least one timeout in this section should be configured',
        'timeout-default',
      );
    }
    if (routeTop) {
      const forbidden = [
        ['connectionTimeout', conf.connectionTimeout],
        ['idleTimeout', conf.idleTimeout],
        ['http.maxStreamDuration', http?.maxStreamDuration],
        ['http.maxConnectionDuration', http?.maxConnectionDuration],
      ] as const;
      for (const [field, value] of forbidden) {
        if (present(value)) {
          report(
            joinPath(path, field),
            "can't be specified when top-level TargetRef is referencing MeshHTTPRoute",
            'timeout-route',
          );
        }
      }
    }
  });
};

/** Kuma's `ValidatePercentageOrNil`: a decimal (integer or numeric string) from 0 to 100. */
function checkPercentage(value: unknown, path: string, report: Report, rule: string): void {
  if (!present(value)) return;
  const percent = decimalOf(value);
  if (percent === undefined) report(path, 'string must be a valid number', rule);
  else if (percent < 0 || percent > 100) report(path, 'must be in inclusive range [0.0, 100.0]', rule);
}

const checkCircuitBreaker: PolicyCheck = (spec, _top, report) => {
  checkRulesExclusive(spec, report);
  checkSomeSection(spec, report);
  checkSectionTargetRefs(
    spec,
    'to',
    ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService'],
    report,
  );
  checkSectionTargetRefs(spec, 'from', ['Mesh'], report);
  eachDefault(spec, ['to', 'from', 'rules'], (conf, path) => {
    if (!present(conf.connectionLimits) && !present(conf.outlierDetection)) {
      return report(
        path,
        "at least one of: 'connectionLimits' or 'outlierDetection' should be configured",
        'circuit-breaker-default',
      );
    }
    const limits = asObject(conf.connectionLimits);
    if (limits) {
      greaterThanZero(
        limits,
        ['maxConnections', 'maxConnectionPools', 'maxPendingRequests', 'maxRetries', 'maxRequests'],
        joinPath(path, 'connectionLimits'),
        report,
        'circuit-breaker-limits',
      );
    }
    const outlier = asObject(conf.outlierDetection);
    if (!outlier) return;
    const outlierPath = joinPath(path, 'outlierDetection');
    durationAbove(outlier.interval, 0, joinPath(outlierPath, 'interval'), report, 'circuit-breaker-outlier');
    durationAbove(
      outlier.baseEjectionTime,
      0,
      joinPath(outlierPath, 'baseEjectionTime'),
      report,
      'circuit-breaker-outlier',
    );
    const percent = asNumber(outlier.maxEjectionPercent);
    if (percent !== undefined && percent > 100) {
      report(
        joinPath(outlierPath, 'maxEjectionPercent'),
        'has to be in [0 - 100] range',
        'circuit-breaker-outlier',
      );
    }
    checkPercentage(
      outlier.healthyPanicThreshold,
      joinPath(outlierPath, 'healthyPanicThreshold'),
      report,
      'circuit-breaker-outlier',
    );
    const detectors = asObject(outlier.detectors);
    const detectorsPath = joinPath(outlierPath, 'detectors');
    if (!detectors) return report(detectorsPath, 'must be defined', 'circuit-breaker-detectors');
    const kinds = [
      'totalFailures',
      'gatewayFailures',
      'localOriginFailures',
      'successRate',
      'failurePercentage',
    ];
    if (!atLeastOne(detectors, kinds, detectorsPath, report, 'circuit-breaker-detectors')) return;
    for (const kind of kinds) {
      const detector = asObject(detectors[kind]);
      if (!detector) continue;
      const fields = ['consecutive', 'minimumHosts', 'requestVolume'];
      greaterThanZero(detector, fields, joinPath(detectorsPath, kind), report, 'circuit-breaker-detectors');
      const threshold = asNumber(detector.threshold);
      if (threshold !== undefined && threshold > 100) {
        report(
          joinPath(detectorsPath, kind, 'threshold'),
          'has to be in [0 - 100] range',
          'circuit-breaker-detectors',
        );
      }
      const factor = detector.standardDeviationFactor;
      if (factor !== undefined && !(Number(factor) > 0)) {
        report(
          joinPath(detectorsPath, kind, 'standardDeviationFactor'),
          'must be greater than 0',
          'circuit-breaker-detectors',
        );
      }
    }
  });
};

const checkHealthCheck: PolicyCheck = (spec, _top, report) => {
  checkSectionTargetRefs(
    spec,
    'to',
    ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService'],
    report,
  );
  eachDefault(spec, ['to'], (conf, path) => {
    atLeastOne(conf, ['http', 'tcp', 'grpc'], path, report, 'health-check-default');
    for (const field of ['interval', 'timeout', 'initialJitter', 'intervalJitter', 'noTrafficInterval'])
      durationAbove(conf[field], 0, joinPath(path, field), report, 'health-check-default');
    greaterThanZero(conf, ['unhealthyThreshold', 'healthyThreshold'], path, report, 'health-check-default');
    const jitter = asNumber(conf.intervalJitterPercent);
    if (jitter !== undefined && (jitter < 0 || jitter > 100)) {
      report(
        joinPath(path, 'intervalJitterPercent'),
        'must be in inclusive range [0, 100]',
        'health-check-default',
      );
    }
    checkPercentage(
      conf.healthyPanicThreshold,
      joinPath(path, 'healthyPanicThreshold'),
      report,
      'health-check-default',
    );
    const logPath = asString(conf.eventLogPath);
    if (logPath !== undefined && !isFilePath(logPath)) {
      report(joinPath(path, 'eventLogPath'), 'must be a valid path when defined', 'health-check-default');
    }
    const http = asObject(conf.http);
    if (!http) return;
    if (http.path === '') report(joinPath(path, 'http', 'path'), 'must be defined', 'health-check-default');
    for (const [index, status] of asArray(http.expectedStatuses).entries()) {
      if (typeof status === 'number' && (status < 100 || status >= 600)) {
        report(
          joinPath(path, 'http', 'expectedStatuses', index),
          'must be in inclusive range [100, 599]',
          'health-check-default',
        );
      }
    }
  });
};

const checkFaultInjection: PolicyCheck = (spec, top, report) => {
  checkRulesExclusive(spec, report);
  const gateways = includesGateways(top);
  if (!gateways && nonEmpty(spec.to))
    report('spec.to', 'must not be defined unless the scope includes gateways', 'policy-sections');
  if (gateways && nonEmpty(spec.from))
    report('spec.from', 'must not be defined when the scope includes a Gateway', 'policy-sections');
  checkSectionTargetRefs(spec, 'to', ['Mesh'], report);
};

const proxyPatchOperations: Record<string, string[]> = {
  cluster: ['Add', 'Remove', 'Patch'],
  listener: ['Add', 'Remove', 'Patch'],
  virtualHost: ['Add', 'Remove', 'Patch'],
  networkFilter: ['AddFirst', 'AddLast', 'AddBefore', 'AddAfter', 'Patch', 'Remove'],
  httpFilter: ['AddFirst', 'AddLast', 'AddBefore', 'AddAfter', 'Patch', 'Remove'],
};

const checkProxyPatch: PolicyCheck = (spec, _top, report) => {
  const path = 'spec.default.appendModifications';
  const modifications = asArray(asObject(spec.default)?.appendModifications);
  if (modifications.length === 0) return report(path, 'must not be empty', 'proxy-patch');
  for (const [index, item] of modifications.entries()) {
    const modification = asObject(item) ?? {};
    const kinds = Object.keys(proxyPatchOperations).filter((kind) => present(modification[kind]));
    if (kinds.length !== 1) {
      report(
        joinPath(path, index),
        `exactly one of ${Object.keys(proxyPatchOperations).join(', ')} must be defined`,
        'proxy-patch',
      );
      continue;
    }
    const kind = kinds[0] as string;
    const body = asObject(modification[kind]) ?? {};
    const bodyPath = joinPath(path, index, kind);
    const operation = asString(body.operation) ?? '';
    if (!proxyPatchOperations[kind]?.includes(operation)) continue; // the schema's enum reports it
    if (operation === 'Add' && kind === 'virtualHost' && present(asObject(body.match)?.name)) {
      report(joinPath(bodyPath, 'match', 'name'), 'must not be defined', 'proxy-patch');
    } else if (operation === 'Add' && kind !== 'virtualHost' && present(body.match)) {
      report(joinPath(bodyPath, 'match'), 'must not be defined', 'proxy-patch');
    }
    if (
      ['AddBefore', 'AddAfter', 'Patch'].includes(operation) &&
      kind.endsWith('Filter') &&
      !asString(asObject(body.match)?.name)
    ) {
      report(joinPath(bodyPath, 'match', 'name'), 'must be defined', 'proxy-patch');
    }
    if (operation === 'Patch' && present(body.value) === present(body.jsonPatches)) {
      report(bodyPath, 'exactly one of value or jsonPatches must be defined', 'proxy-patch');
    }
    if (operation === 'Remove' && present(body.value))
      report(joinPath(bodyPath, 'value'), 'must not be defined', 'proxy-patch');
    if (operation.startsWith('Add') && !present(body.value))
      report(joinPath(bodyPath, 'value'), 'must be defined', 'proxy-patch');
  }
};

const checkTrafficPermission: PolicyCheck = (spec, _top, report) => {
  if (nonEmpty(spec.from) && nonEmpty(spec.rules)) {
    report('spec', "field 'from' must be empty when 'rules' is defined", 'policy-sections');
  }
  if (!nonEmpty(spec.from) && !nonEmpty(spec.rules)) {
    report('spec', "at least one of 'from' or 'rules' has to be defined", 'policy-sections');
  }
  const lists = ['allow', 'allowWithShadowDeny', 'deny'];
  for (const [index, item] of asArray(spec.rules).entries()) {
    const rulePath = joinPath('spec', 'rules', index);
    const conf = asObject(asObject(item)?.default) ?? {};
    if (!lists.some((list) => nonEmpty(conf[list]))) {
      report(
        rulePath,
        "at least one of 'allow', 'allowWithShadowDeny', 'deny' has to be defined",
        'policy-sections',
      );
    }
    for (const list of lists) {
      for (const [m, match] of asArray(conf[list]).entries()) {
        checkSourceMatch(asObject(match) ?? {}, joinPath(rulePath, 'default', list, m), report);
      }
    }
  }
  checkSectionTargetRefs(spec, 'from', ['Mesh', 'MeshSubset', 'MeshService', 'MeshServiceSubset'], report);
  eachDefault(spec, ['from'], (conf, path) => {
    if (!asString(conf.action))
      report(joinPath(path, 'action'), 'must be defined', 'traffic-permission-action');
  });
};

/** Webhook checks per policy kind (MeshHTTPRoute, MeshGateway, MeshAccessLog and MeshTrace have their own modules). */
export const policyChecks: Record<string, PolicyCheck> = {
  MeshRateLimit: checkRateLimit,
  MeshRetry: checkRetry,
  MeshTimeout: checkTimeout,
  MeshCircuitBreaker: checkCircuitBreaker,
  MeshHealthCheck: checkHealthCheck,
  MeshFaultInjection: checkFaultInjection,
  MeshProxyPatch: checkProxyPatch,
  MeshTrafficPermission: checkTrafficPermission,
};

/** Fields Kuma decodes as Go durations (`metav1.Duration`) in policy specs. */
const durationFields = new Set([
  'baseEjectionTime',
  'baseInterval',
  'connectionTimeout',
  'idleTimeout',
  'initialJitter',
  'interval',
  'intervalJitter',
  'maxConnectionDuration',
  'maxInterval',
  'maxStreamDuration',
  'noTrafficInterval',
  'perTryTimeout',
  'refreshInterval',
  'requestHeadersTimeout',
  'requestTimeout',
  'streamIdleTimeout',
  'timeout',
  'ttl',
]);

/** Every duration field must parse as a Go duration (`1m30s`), or Kuma fails to decode the resource. */
export function checkDurations(value: unknown, path: string, report: Report): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      checkDurations(item, joinPath(path, index), report);
    });
    return;
  }
  const object = asObject(value);
  if (!object) return;
  for (const [key, child] of Object.entries(object)) {
    const childPath = joinPath(path, key);
    if (durationFields.has(key) && typeof child === 'string') {
      if (parseGoDuration(child) === undefined) {
        report(
          childPath,
          `'${child}' is not a duration; use Go syntax such as 500ms, 10s, 1m30s, 1h`,
          'duration',
        );
      } else if (child.startsWith('-')) {
        report(childPath, 'must not be negative', 'duration');
      }
    } else {
      checkDurations(child, childPath, report);
    }
  }
}
