/**
 * The BackendTrafficPolicy CRD of Envoy Gateway v1.9.0 (fixtures/gateway.envoyproxy.io_backendtrafficpolicies.yaml,
 * a test copy of `charts/gateway-crds-helm/templates/generated/`, Apache-2.0; the vendored copy the product
 * validates against is gapi-validate's) as an Ajv validator of a policy's `spec`. Stricter than the API server
 * on purpose: unknown fields are errors (the server would prune them, losing a typo silently). The CEL rules
 * (`x-kubernetes-validations`) that our output can reach are checked by hand below.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;

function closeObjects(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) closeObjects(item);
    return;
  }
  if (!schema || typeof schema !== 'object') return;
  const node = schema as Schema;
  if (
    node.properties &&
    node.additionalProperties === undefined &&
    !node['x-kubernetes-preserve-unknown-fields']
  ) {
    node.additionalProperties = false;
  }
  for (const child of Object.values(node)) closeObjects(child);
}

const crd = parse(
  readFileSync(
    path.join(import.meta.dirname, 'fixtures/gateway.envoyproxy.io_backendtrafficpolicies.yaml'),
    'utf8',
  ),
);
const specSchema = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec as Schema;
closeObjects(specSchema);
const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
for (const keyword of [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
]) {
  ajv.addKeyword({ keyword });
}
ajv.addFormat('int32', { type: 'number', validate: (n) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isSafeInteger(n) });
ajv.addFormat('byte', /^[A-Za-z0-9+/]*=*$/);
ajv.addFormat('date-time', /./);
const validate = ajv.compile(specSchema);

/** Why the API server would refuse this BackendTrafficPolicy spec; empty when it accepts it. */
export function btpSpecProblems(spec: unknown): string[] {
  const problems = validate(spec)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  const s = spec as {
    targetRef?: unknown;
    targetRefs?: { group: string; kind: string }[];
    faultInjection?: { delay?: unknown; abort?: { httpStatus?: number; grpcStatus?: number } };
  };
  // CEL rules of the CRD (lines quoted from the fixture).
  const refs = s.targetRefs;
  if (Boolean(s.targetRef) === Boolean(refs)) problems.push('exactly one of targetRef, targetRefs');
  for (const ref of refs ?? []) {
    if (ref.group !== 'gateway.networking.k8s.io') problems.push('targetRefs group');
    if (
      !['Gateway', 'HTTPRoute', 'ListenerSet', 'GRPCRoute', 'UDPRoute', 'TCPRoute', 'TLSRoute'].includes(
        ref.kind,
      )
    ) {
      problems.push('targetRefs kind');
    }
  }
  const fault = s.faultInjection;
  if (fault && !fault.delay && !fault.abort)
    problems.push('faultInjection: has(self.delay) || has(self.abort)');
  if (fault?.abort && !fault.abort.httpStatus === !fault.abort.grpcStatus) problems.push('abort: one status');
  return problems;
}
