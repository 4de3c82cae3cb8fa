/**
 * EdgeInput for the SecurityPolicy plug-in, built directly from a spec: every operation with its effective x-kuma
 * (the same inheritance as the routing), grouped into routes by the contract's `edgePolicyKey`. And the
 * SecurityPolicy CRD of Envoy Gateway v1.9.0 to validate the output against.
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import {
  type EdgeInput,
  type EdgeOperation,
  type EdgeRoute,
  edgePolicyKey,
  type ManifestResource,
} from '../../../shared/core/gateway-api/edge.js';
import { resolveRootSettings, resolveSettings } from '../../../shared/core/kuma/render/settings.js';
import type { ApiConfig, XKumaRoot } from '../../../shared/core/kuma/render/types.js';
import { listOperations } from '../../../shared/core/spec/operations.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';

export async function buildEdgeInput(
  specLines: string[],
  options: { api?: Partial<ApiConfig>; defaults?: XKumaRoot } = {},
): Promise<EdgeInput> {
  const spec = await loadSpecFromFiles({ 'api.yaml': `${specLines.join('\n')}\n` }, 'api.yaml');
  const bundle = spec.bundle!;
  const api: ApiConfig = { name: 'pets', spec: 'api.yaml', ...options.api };
  const rootBlock = bundle['x-kuma'];
  const operations = listOperations(bundle).map((operation): EdgeOperation => {
    const { settings, origins } = resolveSettings([
      { value: options.defaults },
      { value: api.defaults },
      { value: rootBlock, pointer: '/x-kuma' },
      { value: operation.pathItem['x-kuma'], pointer: `${operation.pathItemPointer}/x-kuma` },
      { value: operation.operation['x-kuma'], pointer: `${operation.pointer}/x-kuma` },
    ]);
    return {
      label: operation.label,
      pointer: operation.pointer,
      method: operation.method.toUpperCase(),
      security: operation.operation.security ?? bundle.security,
      settings,
      origins,
      routeSettings: {},
    };
  });
  const groups = new Map<string, EdgeOperation[]>();
  for (const operation of operations) {
    const key = edgePolicyKey(operation);
    groups.set(key, [...(groups.get(key) ?? []), operation]);
  }
  const routes: EdgeRoute[] = [...groups.values()].map((members, index) => ({
    name: `pets-${index}`,
    namespace: 'pets',
    operations: members,
  }));
  return {
    api,
    bundle,
    root: resolveRootSettings([options.defaults, api.defaults, rootBlock]),
    routes,
    labels: { 'app.kubernetes.io/managed-by': 'kuma-api-forge', 'kuma-api-forge.dev/api': 'pets' },
    locate: spec.locate,
  };
}

/** The route an operation landed on. */
export function routeOf(input: EdgeInput, label: string): EdgeRoute {
  return input.routes.find((route) => route.operations.some((operation) => operation.label === label))!;
}

/** The fields of a rendered SecurityPolicy spec the tests read. */
export interface PolicySpec {
  targetRefs: { group: string; kind: string; name: string }[];
  targetRef?: unknown;
  jwt?: { providers: { name: string; remoteJWKS?: { uri: string }; localJWKS?: unknown }[] };
  oidc?: { provider: Record<string, string>; clientID?: string; clientIDRef?: unknown };
  apiKeyAuth?: { extractFrom: Record<string, string[]>[]; credentialRefs: { name: string }[] };
  authorization?: { defaultAction?: string; rules?: { principal?: { jwt?: unknown } }[] };
  cors?: Record<string, unknown>;
}

export const specOf = (resource: ManifestResource): PolicySpec => resource.spec as unknown as PolicySpec;

const crdFile = path.join(import.meta.dirname, 'fixtures', 'gateway.envoyproxy.io_securitypolicies.yaml');
let validator: ReturnType<Ajv['compile']> | undefined;

/**
 * Schema errors of a rendered SecurityPolicy against the CRD's OpenAPI schema, plus the CRD's CEL rules (which
 * Ajv does not run) that our output could break, written out here.
 */
export function validateSecurityPolicy(resource: ManifestResource): string[] {
  if (!validator) {
    const crd = parse(readFileSync(crdFile, 'utf8'));
    const version = crd.spec.versions.find((v: { name: string }) => v.name === 'v1alpha1');
    validator = new Ajv({ strict: false, allErrors: true, logger: false }).compile(
      version.schema.openAPIV3Schema,
    );
  }
  const object = {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: { name: resource.name, namespace: resource.namespace, labels: resource.labels },
    spec: resource.spec,
  };
  const errors = validator(object)
    ? []
    : (validator.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  const spec = specOf(resource);
  const cel: [boolean, string][] = [
    [
      Array.isArray(spec.targetRefs) && spec.targetRef === undefined,
      'either targetRef or targetRefs must be used',
    ],
    [
      (spec.targetRefs ?? []).every(
        (ref: { group: string; kind: string }) =>
          ref.group === 'gateway.networking.k8s.io' && ref.kind === 'HTTPRoute',
      ),
      'targetRefs must be gateway.networking.k8s.io HTTPRoutes',
    ],
    [
      !(spec.authorization?.rules ?? []).some((rule) => rule.principal?.jwt) || spec.jwt !== undefined,
      'if authorization.rules.principal.jwt is used, jwt must be defined',
    ],
    [
      (spec.apiKeyAuth?.extractFrom ?? []).every(
        (from: object) => ['headers', 'params', 'cookies'].filter((key) => key in from).length === 1,
      ),
      'exactly one of headers, params, or cookies must be specified',
    ],
    [
      !spec.oidc || (spec.oidc.clientID === undefined) !== (spec.oidc.clientIDRef === undefined),
      'only one of clientID or clientIDRef must be set',
    ],
    [
      (spec.jwt?.providers ?? []).every(
        (provider) => provider.remoteJWKS !== undefined || provider.localJWKS !== undefined,
      ),
      'either remoteJWKS or localJWKS must be specified',
    ],
  ];
  return [...errors, ...cel.filter(([ok]) => !ok).map(([, message]) => message)];
}
