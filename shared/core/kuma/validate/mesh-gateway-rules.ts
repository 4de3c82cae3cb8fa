/**
 * MeshGateway: its CRD has no spec schema, so the structure is checked against Kuma's proto-generated schema
 * (crd-schema.ts) and the rules below are Kuma's `MeshGatewayResource.Validate`
 * (pkg/core/resources/apis/mesh/gateway_validator.go, v2.14.3): selectors with `kuma.io/service`, listeners
 * with a port, a protocol and TLS where needed, and listeners that can share a port.
 * @module
 */
import { asArray, asNumber, asObject, asString, type Json, joinPath, type Report } from './problem.js';

const reservedTags = ['kuma.io/external-service-name', 'kuma.io/protocol', 'kuma.io/service', 'kuma.io/zone'];
/** `*`, `*.example.com` or a DNS name (Kuma's ValidateHostname: wildcard first label, RFC 1123 labels). */
const hostnamePattern = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;

function checkTags(tags: unknown, path: string, report: Report): void {
  for (const key of Object.keys(asObject(tags) ?? {})) {
    if (reservedTags.includes(key))
      report(joinPath(path, key), `tag name must not be "${key}"`, 'gateway-tags');
  }
}

const protocolName = (value: unknown) =>
  typeof value === 'number'
    ? ({ 1: 'TCP', 3: 'TLS', 4: 'HTTP', 5: 'HTTPS' } as Record<number, string>)[value]
    : value;

export function checkMeshGateway(spec: Json, report: Report) {
  const selectors = asArray(spec.selectors);
  const listeners = asArray(asObject(spec.conf)?.listeners).map((listener) => asObject(listener) ?? {});
  const crossMesh = listeners.some((listener) => listener.crossMesh === true);
  if (selectors.length === 0) report('spec.selectors', 'must have at least one element', 'gateway-selectors');
  if (crossMesh && selectors.length > 1) {
    report('spec.selectors', 'must have at most one element with crossMesh', 'gateway-selectors');
  }
  for (const [index, selector] of selectors.entries()) {
    const match = asObject(asObject(selector)?.match) ?? {};
    if (!asString(match['kuma.io/service'])) {
      report(
        joinPath('spec.selectors', index, 'match'),
        'must contain the kuma.io/service tag',
        'gateway-selectors',
      );
    }
  }
  checkTags(spec.tags, 'spec.tags', report);

  const path = 'spec.conf.listeners';
  if (listeners.length === 0) return report(path, 'cannot be empty', 'gateway-listeners');
  const byPort = new Map<
    number,
    { protocols: Set<string>; hostnames: Map<string, number>; limits: Set<number> }
  >();
  for (const [index, listener] of listeners.entries()) {
    const at = joinPath(path, index);
    const hostname = asString(listener.hostname) ?? '';
    if (hostname !== '' && (hostname.length > 253 || !hostnamePattern.test(hostname))) {
      report(
        joinPath(at, 'hostname'),
        'must be "*", "*.domain" or a lower-case DNS name',
        'gateway-listeners',
      );
    }
    const port = asNumber(listener.port) ?? 0;
    if (port < 1 || port > 65535)
      report(joinPath(at, 'port'), 'port must be in the range [1, 65535]', 'gateway-listeners');
    const protocol = String(protocolName(listener.protocol) ?? 'NONE');
    if (protocol === 'NONE' || protocol === '0')
      report(joinPath(at, 'protocol'), 'cannot be empty', 'gateway-listeners');
    const tls = asObject(listener.tls);
    const mode = String(tls?.mode ?? 'NONE');
    if (protocol === 'HTTPS') {
      if (listener.crossMesh === true) {
        report(joinPath(at, 'protocol'), 'protocol is not supported with crossMesh', 'gateway-tls');
      } else if (!tls) report(joinPath(at, 'tls'), 'cannot be empty', 'gateway-tls');
      else if (mode === 'PASSTHROUGH' || mode === '2') {
        report(joinPath(at, 'tls', 'mode'), 'mode is not supported on HTTPS listeners', 'gateway-tls');
      }
    }
    if (tls && listener.crossMesh !== true) {
      const certificates = asArray(tls.certificates).length;
      if (mode === 'NONE' || mode === '0')
        report(joinPath(at, 'tls', 'mode'), 'cannot be empty', 'gateway-tls');
      else if ((mode === 'TERMINATE' || mode === '1') && certificates === 0) {
        report(joinPath(at, 'tls', 'certificates'), 'cannot be empty in TLS termination mode', 'gateway-tls');
      } else if (certificates > 2) {
        report(joinPath(at, 'tls', 'certificates'), 'cannot have more than 2 certificates', 'gateway-tls');
      }
    }
    if (tls && listener.crossMesh === true && (mode !== 'NONE' || asArray(tls.certificates).length > 0)) {
      report(joinPath(at, 'tls'), 'must be empty with crossMesh', 'gateway-tls');
    }
    checkTags(listener.tags, joinPath(at, 'tags'), report);

    const group = byPort.get(port) ?? { protocols: new Set(), hostnames: new Map(), limits: new Set() };
    byPort.set(port, group);
    if (group.protocols.size > 0 && !group.protocols.has(protocol)) {
      report(at, 'protocol conflicts with other listeners on this port', 'gateway-listeners');
    }
    group.protocols.add(protocol);
    const host = hostname || '*';
    if (group.hostnames.has(host))
      report(at, 'multiple listeners for hostname on this port', 'gateway-listeners');
    group.hostnames.set(host, index);
    const resources = asObject(listener.resources);
    const limit = asNumber(resources?.connectionLimit ?? resources?.connection_limit);
    if (limit) {
      if (group.limits.size > 0 && !group.limits.has(limit)) {
        report(
          joinPath(at, 'resources', 'connectionLimit'),
          'conflicting values for this port',
          'gateway-listeners',
        );
      }
      group.limits.add(limit);
    }
  }
}
