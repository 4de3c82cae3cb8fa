/**
 * EdgeInput for the SecurityPolicy plug-in, built directly from a spec: every operation with its effective x-kuma
 * (the same inheritance as the routing), grouped into routes by the contract's `edgePolicyKey`.
 * @module
 */
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
}

export const specOf = (resource: ManifestResource): PolicySpec => resource.spec as unknown as PolicySpec;
