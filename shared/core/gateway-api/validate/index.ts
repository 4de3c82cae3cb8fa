/**
 * Gateway API and Envoy Gateway resources against their CRDs (vendored, pinned: `../crds/NOTICE.md`) and the
 * rules their controllers apply beyond the schema. Would the API server admit each resource, and would Envoy
 * Gateway accept it? Per resource: metadata, the structural schema (unknown fields are errors, as in Kuma's
 * validator), the CRD's `x-kubernetes-validations` CEL rules (ported, `cel-ports.ts`) on the defaulted object,
 * then Envoy Gateway's translator checks (`controller-rules.ts`). Pure and synchronous; nothing is compiled
 * until the first resource of a kind is checked, and then once per process.
 * @module
 */
import { joinPath, type Report } from '../../kuma/validate/problem.js';
import type { ManifestResource } from '../edge.js';
import {
  checkBackendTrafficPolicyController,
  checkHttpRouteController,
  checkSecurityPolicyController,
} from './controller-rules.js';
import { checkCelRules, checkSchema, crdSchema, servedApiVersions } from './crds.js';

export interface GatewayApiProblem {
  /** `Kind/name`. */
  resource: string;
  /**
   * The rule that rejects it: `schema`, a CEL rule's message, or the controller's check (`envoy-gateway:…`);
   * `metadata` and `kind` for the object's name, namespace, labels and type.
   */
  rule: string;
  /** JSON path in the object, e.g. `spec.rules[0].matches[1].path.value`. */
  path: string;
  message: string;
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Kubernetes object metadata: name (DNS-1123 subdomain), namespace (DNS-1123 label), label syntax. */
function checkMetadata(resource: ManifestResource, report: Report): void {
  const { name, namespace } = resource;
  if (!name || name.length > 253 || !dns1123Subdomain.test(name)) {
    report('metadata.name', `'${name}' must be a lower-case DNS-1123 subdomain`, 'metadata');
  }
  if (!namespace || namespace.length > 63 || !dns1123Label.test(namespace)) {
    report('metadata.namespace', `'${namespace}' must be a lower-case DNS-1123 label`, 'metadata');
  }
  for (const [key, value] of Object.entries(resource.labels ?? {})) {
    const at = joinPath('metadata.labels', key);
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const local = key.slice(slash + 1);
    const prefixOk = prefix === undefined || (prefix.length <= 253 && dns1123Subdomain.test(prefix));
    if (!prefixOk || local.length > 63 || !labelName.test(local)) {
      report(at, 'not a valid Kubernetes label key', 'metadata');
    }
    if (typeof value !== 'string' || value.length > 63 || !labelValue.test(value)) {
      report(at, `'${value}' is not a valid label value`, 'metadata');
    }
  }
}

const controllerChecks: Record<string, (spec: Record<string, unknown>, report: Report) => void> = {
  HTTPRoute: checkHttpRouteController,
  SecurityPolicy: checkSecurityPolicyController,
  BackendTrafficPolicy: checkBackendTrafficPolicyController,
};

function validateResource(resource: ManifestResource): GatewayApiProblem[] {
  const problems: GatewayApiProblem[] = [];
  const id = `${resource.kind}/${resource.name}`;
  const report: Report = (path, message, rule) => problems.push({ resource: id, rule, path, message });
  checkMetadata(resource, report);
  const crd = crdSchema(resource.apiVersion, resource.kind);
  if (!crd) {
    const served = servedApiVersions(resource.kind);
    const message = served.length
      ? `${resource.kind} is served as ${served.join(', ')}, not ${resource.apiVersion}`
      : `unknown kind '${resource.kind}' (validated kinds: HTTPRoute, ReferenceGrant, SecurityPolicy, BackendTrafficPolicy, ClientTrafficPolicy)`;
    report(served.length ? 'apiVersion' : 'kind', message, 'kind');
    return problems;
  }
  let schemaProblems = 0;
  const defaulted = checkSchema(crd.key, crd.schema, resource.spec, (path, message) => {
    schemaProblems++;
    report(path, message, 'schema');
  });
  checkCelRules(crd.schema, defaulted, 'spec', report, schemaProblems === 0);
  const spec =
    defaulted !== null && typeof defaulted === 'object' ? (defaulted as Record<string, unknown>) : {};
  controllerChecks[resource.kind]?.(spec, report);
  return problems;
}

/** Every reason the API server or Envoy Gateway would reject one of the resources; empty when none. */
export function validateGatewayApiResources(resources: ManifestResource[]): GatewayApiProblem[] {
  return resources.flatMap(validateResource);
}
