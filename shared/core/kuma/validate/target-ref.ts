/**
 * Kuma's `ValidateTargetRef` (pkg/core/resources/apis/mesh/validators.go, v2.14.3): which fields each
 * targetRef kind may carry, plus the kinds each policy accepts at the top level (per policy role) and in its
 * `to` / `from` sections (each policy's api/v1alpha1/validator.go; table in research kuma.md §1).
 * @module
 */
import { asArray, asObject, asString, type Json, joinPath, type Report } from './problem.js';

/** Characters Kuma accepts in a referenced name (`NameCharacterSet`). */
const nameCharacters = /^[0-9a-z.\-_]*$/;

interface TargetRefOptions {
  kinds: readonly string[];
  /** `tags` on `kind: MeshGateway` select listeners; only some policies allow it. */
  gatewayTagsAllowed?: boolean;
  /** Inbound policies may use `sectionName` on Dataplane. */
  inbound?: boolean;
}

const isSet = (value: unknown): boolean =>
  value !== undefined &&
  value !== null &&
  value !== '' &&
  !(Array.isArray(value) && value.length === 0) &&
  !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

/** Checks one targetRef (or backendRef, which has the same fields) at `path`. */
export function checkTargetRef(ref: unknown, path: string, options: TargetRefOptions, report: Report) {
  const target = asObject(ref);
  if (!target) return; // missing or mistyped: the schema reports it
  const kind = asString(target.kind);
  if (!kind) return report(joinPath(path, 'kind'), 'must be defined', 'target-ref-kind');
  if (!options.kinds.includes(kind)) {
    return report(
      joinPath(path, 'kind'),
      `value '${kind}' is not supported here; allowed: ${options.kinds.join(', ')}`,
      'target-ref-kind',
    );
  }
  const forbid = (...fields: string[]) => {
    for (const field of fields) {
      if (isSet(target[field])) {
        report(joinPath(path, field), `must not be set with kind ${kind}`, 'target-ref-field');
      }
    }
  };
  const checkName = () => {
    const name = asString(target.name);
    if (name !== undefined && !nameCharacters.test(name)) {
      report(
        joinPath(path, 'name'),
        "invalid characters: must consist of lower case alphanumeric characters, '-', '.' and '_'",
        'target-ref-name',
      );
    }
  };
  const nameOrLabels = () => {
    if (!isSet(target.labels) && !isSet(target.name)) {
      report(path, `name or labels must be set when kind is ${kind}`, 'target-ref-field');
    }
    if (isSet(target.labels) && (isSet(target.name) || isSet(target.namespace))) {
      report(
        joinPath(path, 'labels'),
        'either labels or name and namespace must be specified',
        'target-ref-field',
      );
    }
  };
  const proxyTypes = () => {
    if (Array.isArray(target.proxyTypes) && target.proxyTypes.length === 0) {
      report(
        joinPath(path, 'proxyTypes'),
        'must be undefined or have at least one element',
        'target-ref-field',
      );
    }
  };

  switch (kind) {
    case 'Mesh':
      forbid('name', 'mesh', 'tags', 'labels', 'namespace', 'sectionName');
      proxyTypes();
      break;
    case 'Dataplane':
      forbid('tags', 'mesh', 'proxyTypes');
      if (isSet(target.labels) && (isSet(target.name) || isSet(target.namespace))) {
        report(
          joinPath(path, 'labels'),
          'either labels or name and namespace must be specified',
          'target-ref-field',
        );
      }
      if (!options.inbound) forbid('sectionName');
      break;
    case 'MeshSubset':
      forbid('name', 'mesh', 'labels', 'namespace', 'sectionName');
      proxyTypes();
      break;
    case 'MeshService':
      checkName();
      forbid('mesh', 'tags', 'proxyTypes');
      nameOrLabels();
      break;
    case 'MeshHTTPRoute':
    case 'MeshExternalService':
    case 'MeshMultiZoneService':
      checkName();
      forbid('mesh', 'tags', 'proxyTypes', 'sectionName');
      nameOrLabels();
      break;
    case 'MeshServiceSubset':
    case 'MeshGateway':
      if (!isSet(target.name))
        report(joinPath(path, 'name'), `must be set with kind ${kind}`, 'target-ref-field');
      checkName();
      forbid('mesh', 'proxyTypes', 'labels', 'namespace', 'sectionName');
      if (kind === 'MeshGateway' && !options.gatewayTagsAllowed) forbid('tags');
      break;
  }
}

const common = ['Mesh', 'MeshSubset', 'MeshService', 'MeshServiceSubset', 'Dataplane'] as const;

interface TopRule {
  /** Kinds for any role. */
  kinds: readonly string[];
  /** Extra kinds only for policies with role `system` (Universal, or the `kuma-system` namespace). */
  systemKinds?: readonly string[];
  gatewayTagsAllowed?: boolean;
}

/** Top-level targetRef kinds per policy (v2.14.3 validators). */
export const topLevelKinds: Record<string, TopRule> = {
  MeshHTTPRoute: { kinds: common, systemKinds: ['MeshGateway'], gatewayTagsAllowed: true },
  MeshTCPRoute: { kinds: common, systemKinds: ['MeshGateway'], gatewayTagsAllowed: true },
  MeshRateLimit: { kinds: common, systemKinds: ['MeshGateway', 'MeshHTTPRoute'], gatewayTagsAllowed: true },
  MeshTimeout: { kinds: common, systemKinds: ['MeshGateway', 'MeshHTTPRoute'], gatewayTagsAllowed: true },
  MeshRetry: { kinds: common, systemKinds: ['MeshGateway', 'MeshHTTPRoute'], gatewayTagsAllowed: true },
  MeshCircuitBreaker: { kinds: [...common, 'MeshGateway'], gatewayTagsAllowed: true },
  MeshHealthCheck: { kinds: [...common, 'MeshGateway'], gatewayTagsAllowed: true },
  MeshAccessLog: { kinds: [...common, 'MeshGateway'], gatewayTagsAllowed: true },
  MeshLoadBalancingStrategy: { kinds: [...common, 'MeshGateway'], gatewayTagsAllowed: true },
  MeshTrace: { kinds: common, systemKinds: ['MeshGateway'] },
  MeshProxyPatch: { kinds: common, systemKinds: ['MeshGateway'] },
  MeshFaultInjection: { kinds: common, systemKinds: ['MeshGateway'], gatewayTagsAllowed: true },
  MeshMetric: { kinds: common, systemKinds: ['MeshGateway'], gatewayTagsAllowed: true },
  MeshTrafficPermission: { kinds: common },
  MeshTLS: { kinds: ['Mesh', 'MeshSubset', 'Dataplane'] },
  MeshPassthrough: { kinds: ['Mesh', 'MeshSubset', 'Dataplane'] },
};

/** `common_api.IncludesGateways`: the policy's scope contains gateway proxies. */
export function includesGateways(top: Json): boolean {
  const kind = asString(top.kind);
  if (kind === 'MeshGateway' || kind === 'MeshHTTPRoute') return true;
  if (kind === 'Mesh' || kind === 'MeshSubset') {
    const proxyTypes = asArray(top.proxyTypes);
    return proxyTypes.length === 0 || proxyTypes.includes('Gateway');
  }
  return false;
}

/** Checks the top-level targetRef for the policy and role; returns the effective one (default `Mesh`). */
export function checkTopTargetRef(kind: string, spec: Json, system: boolean, report: Report): Json {
  const rule = topLevelKinds[kind];
  const top = asObject(spec.targetRef);
  if (rule && top) {
    const kinds = system ? [...rule.kinds, ...(rule.systemKinds ?? [])] : rule.kinds;
    const topKind = asString(top.kind);
    if (topKind && !kinds.includes(topKind) && rule.systemKinds?.includes(topKind)) {
      report(
        'spec.targetRef.kind',
        `value '${topKind}' is only allowed for policies in the system namespace (kuma-system) or on Universal`,
        'target-ref-kind',
      );
    } else {
      checkTargetRef(
        top,
        'spec.targetRef',
        {
          kinds,
          ...(rule.gatewayTagsAllowed ? { gatewayTagsAllowed: true } : {}),
          inbound: isSet(spec.from) || isSet(spec.rules),
        },
        report,
      );
    }
  }
  return top ?? { kind: 'Mesh' };
}

/** Checks every `to[].targetRef` (or `from[]`) of a policy against the allowed kinds. */
export function checkSectionTargetRefs(
  spec: Json,
  section: 'to' | 'from',
  kinds: readonly string[],
  report: Report,
): void {
  for (const [index, item] of asArray(spec[section]).entries()) {
    checkTargetRef(
      asObject(item)?.targetRef,
      joinPath('spec', section, index, 'targetRef'),
      { kinds },
      report,
    );
  }
}
