/**
 * Kuma's webhook checks for MeshAccessLog and MeshTrace beyond the CRD schema: their backends (file, TCP,
 * OpenTelemetry, Zipkin, Datadog), log formats, tags and sampling (`meshaccesslog` and `meshtrace`
 * `api/v1alpha1/validator.go` at v2.14.3; messages follow Kuma's wording).
 * @module
 */
import { decimalOf, isFilePath, isJsonPair, isUrl } from './kuma-formats.js';
import {
  checkRulesExclusive,
  checkSomeSection,
  checkSourceMatch,
  eachDefault,
  type PolicyCheck,
  present,
} from './policy-rules.js';
import { asArray, asObject, asString, type Json, joinPath, type Report } from './problem.js';
import { checkSectionTargetRefs } from './target-ref.js';

const otelAttributeName = /^[a-z](?:[a-z0-9]|[._][a-z0-9])*$/;

/** `ValidateOtelBackendRefOrEndpoint`: exactly one of a `host:port` endpoint or a MeshOpenTelemetryBackend. */
function checkOtelTarget(otel: Json, path: string, report: Report): void {
  const endpoint = asString(otel.endpoint) ?? '';
  const backendRef = asObject(otel.backendRef);
  if (endpoint !== '' && backendRef) {
    report(path, 'openTelemetry must have only one type defined: endpoint, backendRef', 'otel-backend');
  } else if (endpoint === '' && !backendRef) {
    report(path, 'openTelemetry must have exactly one defined: endpoint, backendRef', 'otel-backend');
  } else if (backendRef) {
    if (backendRef.kind !== 'MeshOpenTelemetryBackend') {
      report(
        joinPath(path, 'backendRef', 'kind'),
        'kind must be one of: MeshOpenTelemetryBackend',
        'otel-backend',
      );
    }
    if (Object.keys(asObject(backendRef.labels) ?? {}).length === 0) {
      report(
        joinPath(path, 'backendRef'),
        'backendRef must have exactly one defined: labels',
        'otel-backend',
      );
    }
  } else if (/[/?#]/.test(endpoint)) {
    report(joinPath(path, 'endpoint'), 'must be in host:port format, not a URL', 'otel-backend');
  }
}

function checkOtelAttributeName(key: string, path: string, report: Report): void {
  if (key === '') report(path, 'must be defined', 'otel-attribute');
  else if (key.includes('%')) {
    report(
      path,
      'must be a static OpenTelemetry attribute name; placeholders are only supported in values',
      'otel-attribute',
    );
  } else if (key.startsWith('otel.')) {
    report(path, "must not use the reserved OpenTelemetry prefix 'otel.'", 'otel-attribute');
  } else if (!otelAttributeName.test(key)) {
    report(
      path,
      "must start with a lowercase letter, use only lowercase letters, digits, '.' or '_', avoid consecutive delimiters, and end with a letter or digit",
      'otel-attribute',
    );
  }
}

function checkLogFormat(format: Json, path: string, report: Report): void {
  if (format.type === 'Plain') {
    if (!present(format.plain)) report(joinPath(path, 'plain'), 'must be defined', 'access-log-format');
    else if (format.plain === '') report(joinPath(path, 'plain'), 'must not be empty', 'access-log-format');
  } else if (format.type === 'Json') {
    const json = format.json;
    if (!present(json)) {
      report(joinPath(path, 'json'), 'must be defined', 'access-log-format');
      return;
    }
    if (asArray(json).length === 0) report(joinPath(path, 'json'), 'must not be empty', 'access-log-format');
    for (const [index, item] of asArray(json).entries()) {
      const field = asObject(item) ?? {};
      const fieldPath = joinPath(path, 'json', index);
      const key = asString(field.key) ?? '';
      const value = asString(field.value) ?? '';
      if (key === '') report(joinPath(fieldPath, 'key'), 'key cannot be empty', 'access-log-format');
      if (value === '') report(joinPath(fieldPath, 'value'), 'value cannot be empty', 'access-log-format');
      if (!isJsonPair(key, value)) report(fieldPath, 'is not a valid JSON object', 'access-log-format');
    }
  }
}

function checkLogBackend(backend: Json, path: string, report: Report): void {
  const section = { File: 'file', Tcp: 'tcp', OpenTelemetry: 'openTelemetry' }[String(backend.type)];
  if (!section) return; // the schema's enum reports it
  const conf = asObject(backend[section]);
  const confPath = joinPath(path, section);
  if (!conf) {
    report(confPath, 'must be defined', 'access-log-backend');
    return;
  }
  const format = asObject(conf.format);
  if (format) checkLogFormat(format, joinPath(confPath, 'format'), report);
  if (section === 'file' && !isFilePath(asString(conf.path) ?? '')) {
    report(joinPath(confPath, 'path'), 'file backend requires a valid path', 'access-log-backend');
  }
  if (section === 'tcp' && !isUrl(asString(conf.address) ?? '')) {
    report(joinPath(confPath, 'address'), 'tcp backend requires valid address', 'access-log-backend');
  }
  if (section === 'openTelemetry') {
    checkOtelTarget(conf, confPath, report);
    for (const [index, attribute] of asArray(conf.attributes).entries()) {
      const key = asString(asObject(attribute)?.key) ?? '';
      checkOtelAttributeName(key, joinPath(confPath, 'attributes', index, 'key'), report);
    }
  }
}

const checkAccessLog: PolicyCheck = (spec, top, report) => {
  checkRulesExclusive(spec, report);
  checkSomeSection(spec, report);
  checkSectionTargetRefs(
    spec,
    'to',
    top.kind === 'MeshGateway'
      ? ['Mesh']
      : ['Mesh', 'MeshService', 'MeshExternalService', 'MeshMultiZoneService', 'MeshHTTPRoute'],
    report,
  );
  checkSectionTargetRefs(spec, 'from', ['Mesh'], report);
  for (const [index, rule] of asArray(spec.rules).entries()) {
    for (const [m, match] of asArray(asObject(rule)?.matches).entries()) {
      checkSourceMatch(asObject(match) ?? {}, joinPath('spec', 'rules', index, 'matches', m), report);
    }
  }
  eachDefault(spec, ['to', 'from', 'rules'], (conf, path) => {
    // An empty list is accepted (it turns logging off); a missing one is not.
    if (!present(conf.backends))
      return report(joinPath(path, 'backends'), 'must be defined', 'access-log-backends');
    for (const [index, backend] of asArray(conf.backends).entries()) {
      checkLogBackend(asObject(backend) ?? {}, joinPath(path, 'backends', index), report);
    }
  });
};

/** What Go's `url.ParseRequestURI` makes of a Datadog agent URL, for the checks Kuma runs on it. */
function checkDatadogUrl(text: string, path: string, report: Report): void {
  const parsed = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/?]*))?([^?]*)(?:\?(.*))?$/.exec(text);
  if (!parsed) {
    report(path, 'must be a valid url', 'trace-backend');
    return;
  }
  const [, scheme = '', authority = '', rest = '', query = ''] = parsed;
  if (scheme !== 'http') report(path, 'scheme must be http', 'trace-backend');
  const at = authority.lastIndexOf('@');
  const hostPort = authority.slice(at + 1);
  const port = /:(\d*)$/.exec(hostPort)?.[1] ?? '';
  if (port === '') report(path, 'port must be defined', 'trace-backend');
  else if (Number(port) === 0 || Number(port) > 65535)
    report(path, 'port must be a valid (1-65535)', 'trace-backend');
  const opaque = !text.slice(scheme.length + 1).startsWith('/') && rest !== '';
  if (opaque) report(path, 'opaque must not be defined', 'trace-backend');
  if (at >= 0) report(path, 'user must not be defined', 'trace-backend');
  if (!opaque && rest !== '') report(path, 'path must not be defined', 'trace-backend');
  if (query !== '') report(path, 'query must not be defined', 'trace-backend');
}

function checkTraceBackend(backend: Json, path: string, report: Report): void {
  const section = { Datadog: 'datadog', Zipkin: 'zipkin', OpenTelemetry: 'openTelemetry' }[
    String(backend.type)
  ];
  if (!section) return; // the schema's enum reports it
  const conf = asObject(backend[section]);
  const confPath = joinPath(path, section);
  if (!conf) {
    report(confPath, 'must be defined', 'trace-backend');
    return;
  }
  const url = asString(conf.url) ?? '';
  if (section === 'datadog') checkDatadogUrl(url, joinPath(confPath, 'url'), report);
  if (section === 'zipkin') {
    if (url === '') report(joinPath(confPath, 'url'), 'must not be empty', 'trace-backend');
    else if (!isUrl(url)) report(joinPath(confPath, 'url'), 'must be a valid url', 'trace-backend');
  }
  if (section === 'openTelemetry') checkOtelTarget(conf, confPath, report);
}

const checkTrace: PolicyCheck = (spec, _top, report) => {
  const conf = asObject(spec.default) ?? {};
  const backendsPath = 'spec.default.backends';
  const backends = asArray(conf.backends);
  if (!present(conf.backends)) report(backendsPath, 'must be defined', 'trace-backends');
  if (backends.length === 1)
    checkTraceBackend(asObject(backends[0]) ?? {}, joinPath(backendsPath, 0), report);
  if (backends.length > 1) report(backendsPath, 'must have zero or one backend defined', 'trace-backends');
  for (const [index, item] of asArray(conf.tags).entries()) {
    const tag = asObject(item) ?? {};
    const tagPath = joinPath('spec.default.tags', index);
    if (!asString(tag.name)) report(joinPath(tagPath, 'name'), 'must not be empty', 'trace-tags');
    if (present(tag.header) === present(tag.literal)) {
      report(tagPath, 'tag must have only one type defined: header, literal', 'trace-tags');
    }
  }
  const sampling = asObject(conf.sampling) ?? {};
  for (const field of ['client', 'random', 'overall']) {
    if (!present(sampling[field])) continue;
    const path = joinPath('spec.default.sampling', field);
    const value = decimalOf(sampling[field]);
    if (value === undefined) report(path, 'string is not a number', 'trace-sampling');
    else if (value < 0 || value > 100) report(path, 'must be between 0 and 100', 'trace-sampling');
  }
};

/** Webhook checks for the observability policies. */
export const observabilityChecks: Record<string, PolicyCheck> = {
  MeshAccessLog: checkAccessLog,
  MeshTrace: checkTrace,
};
