/**
 * One API (spec + repo config entry) → the resources that expose it, for the render target its config chooses:
 * `kuma-gateway` (Kuma 2.x builtin MeshGateway, kuma-gateway-target.ts) or `gateway-api` (Gateway API
 * HTTPRoutes on a delegated gateway, gateway-api/render-gateway-api.ts). The operations are rendered once,
 * target-neutral (prepare-api.ts); a target only places them on routes and adds its policies, so another
 * gateway product is one more entry in {@link renderTargets}. Pure: no I/O. Mapping and inheritance rules: the
 * README, "How a spec becomes Kuma resources".
 * @module
 */
import type { Finding } from '../../findings.js';
import type { ManifestResource } from '../../gateway-api/edge.js';
import { renderGatewayApi } from '../../gateway-api/render-gateway-api.js';
import type { LoadedSpec } from '../../spec/types.js';
import type { KumaResource } from '../resource.js';
import type { ExpectedOperation } from '../validate/route-simulator.js';
import { renderKumaGateway } from './kuma-gateway-target.js';
import { type PreparedApi, prepareApi } from './prepare-api.js';
import type { ApiConfig, ManifestFormat, RenderTargetName, XKumaRoot } from './types.js';

export { systemNamespace } from './kuma-gateway-target.js';

export interface RenderInput {
  spec: LoadedSpec;
  api: ApiConfig;
  /** Repo-wide defaults (`defaults` of the repo config); `api.defaults` and the spec's x-kuma win over them. */
  defaults?: XKumaRoot;
  /** Kuma mesh; default `default`. */
  mesh?: string;
  /** Label resources `kuma.io/origin: zone` (required on a federated zone CP, rejected on a global CP). */
  zoneOrigin?: boolean;
  source?: { repo?: string; commit?: string };
  /** Manifest format the resources are for; default `k8s`. Kuma names a workload differently in each. */
  format?: ManifestFormat;
}

export interface RenderResult {
  /** Kuma resources (on `gateway-api`: the mesh leg). */
  resources: KumaResource[];
  /** Objects of other APIs (`gateway-api`: HTTPRoutes, ReferenceGrants, the gateway product's policies). */
  manifests: ManifestResource[];
  findings: Finding[];
  /** Where each exposed operation was put: route name and rule index (input of the no-shadowing proof). */
  operations: OperationRoute[];
}

/** An exposed operation and the route rule that serves it. */
export interface OperationRoute extends ExpectedOperation {
  /** `METHOD /path` as in the spec (without the base path), like `Finding.operation`. */
  operation: string;
  /** JSON pointer of the operation in the bundled spec. */
  pointer: string;
  /** Namespace of the route (an HTTPRoute; MeshHTTPRoutes all live in the system namespace). */
  namespace?: string;
}

/** A render target: places the prepared operations on its routes and renders its policies. */
export type RenderTarget = (input: RenderInput, prepared: PreparedApi) => RenderResult;

export const renderTargets: Record<RenderTargetName, RenderTarget> = {
  'kuma-gateway': renderKumaGateway,
  'gateway-api': renderGatewayApi,
};

export function renderApi(input: RenderInput): RenderResult {
  const prepared = prepareApi(input);
  if (!prepared) return { resources: [], manifests: [], findings: [], operations: [] };
  return renderTargets[input.api.target ?? 'kuma-gateway'](input, prepared);
}
