/**
 * Would the Kuma 2.14 control plane accept these resources? Each one is checked against its CRD schema (or,
 * for MeshGateway, the proto schema) and against the rules of Kuma's admission webhook that the schema does
 * not express. Pure and synchronous; schema validators are compiled once per kind, on first use.
 * @module
 */
import type { KumaResource } from '../resource.js';
import { checkSpecSchema, knownKinds } from './crd-schema.js';
import { checkMeshGateway } from './mesh-gateway-rules.js';
import { checkMeshHttpRoute } from './mesh-http-route-rules.js';
import { checkMeshOpenTelemetryBackend } from './mesh-otel-backend-rules.js';
import { checkMeta, isSystemRole } from './meta.js';
import { observabilityChecks } from './observability-rules.js';
import { checkDurations, policyChecks } from './policy-rules.js';
import type { KumaProblem, Report } from './problem.js';
import { checkProxyPatchPayloads, checkSharedProxyPatches } from './proxy-patch-payload.js';
import { checkTopTargetRef } from './target-ref.js';

export type { KumaProblem } from './problem.js';

/** Kinds whose resources must live in the control plane's system namespace (`AllowedOnSystemNamespaceOnly`). */
const systemNamespaceOnly = new Set(['MeshExternalService', 'MeshOpenTelemetryBackend']);

function validateResource(resource: KumaResource): KumaProblem[] {
  const problems: KumaProblem[] = [];
  const id = `${resource.kind}/${resource.name}`;
  const report: Report = (path, message, rule) => {
    problems.push({ resource: id, path, message, rule });
  };
  checkMeta(resource, report);
  if (!knownKinds.has(resource.kind)) {
    report('kind', `unknown Kuma kind '${resource.kind}'`, 'kind');
    return problems;
  }
  checkSpecSchema(resource.kind, resource.spec, report);
  if (resource.kind === 'MeshGateway') {
    checkMeshGateway(resource.spec, report);
    return problems;
  }
  const system = isSystemRole(resource);
  if (systemNamespaceOnly.has(resource.kind) && !system) {
    report('namespace', `${resource.kind} can only be created in the system namespace`, 'namespace');
  }
  const top = checkTopTargetRef(resource.kind, resource.spec, system, report);
  if (resource.kind === 'MeshHTTPRoute') checkMeshHttpRoute(resource.spec, top, report);
  if (resource.kind === 'MeshOpenTelemetryBackend') checkMeshOpenTelemetryBackend(resource.spec, report);
  (policyChecks[resource.kind] ?? observabilityChecks[resource.kind])?.(resource.spec, top, report);
  if (resource.kind === 'MeshProxyPatch') checkProxyPatchPayloads(resource.spec, report);
  else checkDurations(resource.spec, 'spec', report);
  return problems;
}

/** Every reason Kuma would reject one of the resources; empty when all would be accepted. */
export function validateKumaResources(resources: KumaResource[]): KumaProblem[] {
  const patches = resources.filter((r) => r.kind === 'MeshProxyPatch');
  return [
    ...resources.flatMap(validateResource),
    ...checkSharedProxyPatches(
      patches.map((r) => ({ id: `${r.kind}/${r.name}`, mesh: r.mesh, spec: r.spec })),
    ),
  ];
}
