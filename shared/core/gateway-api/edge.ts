/**
 * The contract between the Gateway API target's routing (render-gateway-api.ts) and its plug-ins: the edge
 * policies of one gateway product (Envoy Gateway today, a Kong target could follow) and the mesh leg from the
 * gateway's sidecar to the backends. The routing puts operations that need the same policies on the same
 * HTTPRoute, so every policy can target a whole route.
 * @module
 */
import type { Finding, SourcePosition } from '../findings.js';
import type { RouteSettings } from '../kuma/render/build-policies.js';
import type { Backend } from '../kuma/render/build-route-parts.js';
import { stableStringify } from '../kuma/render/group-routes.js';
import type { ApiConfig, XKumaRoot, XKumaRoute } from '../kuma/render/types.js';
import type { KumaResource } from '../kuma/resource.js';

/** A Kubernetes object that is not Kuma's (Gateway API, Envoy Gateway): group/version given, no mesh label. */
export interface ManifestResource {
  /** e.g. `gateway.networking.k8s.io/v1`, `gateway.envoyproxy.io/v1alpha1`. */
  apiVersion: string;
  kind: string;
  /** DNS-1123 name, at most 63 characters, stable for the same input. */
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  spec: Record<string, unknown>;
}

/** One exposed operation, as the edge policies see it. */
export interface EdgeOperation {
  /** `METHOD /path` as in the spec, like `Finding.operation`. */
  label: string;
  /** JSON pointer of the operation in the bundled spec. */
  pointer: string;
  /** Upper case. */
  method: string;
  /** The effective OpenAPI security requirement: the operation's `security`, else the root's; undefined: none. */
  security: unknown;
  /** The operation's effective x-kuma (repo defaults < API defaults < root < path item < operation). */
  settings: XKumaRoute;
  /** Bundle pointer of the x-kuma block each effective key came from (absent: from the repo config). */
  origins: Partial<Record<keyof XKumaRoute, string>>;
  /** Its route settings as rendered (retries limited for POST/PATCH unless opted in). */
  routeSettings: RouteSettings;
}

/** One rendered HTTPRoute: all its operations share {@link edgePolicyKey}, so a policy targets the whole route. */
export interface EdgeRoute {
  name: string;
  namespace: string;
  operations: EdgeOperation[];
}

/** What an edge plug-in renders its policies from. */
export interface EdgeInput {
  api: ApiConfig;
  bundle: Record<string, unknown>;
  /** Root-level effective x-kuma: repo defaults < API defaults < the spec's root block. */
  root: XKumaRoot;
  routes: EdgeRoute[];
  /** Labels every rendered resource carries (managed-by, api). */
  labels: Record<string, string>;
  locate(pointer: string): SourcePosition;
}

/** A filter a plug-in adds to one HTTPRoute rule (e.g. Gateway API `CORS`); rules are the route's operations, in order. */
export interface RuleFilter {
  route: string;
  ruleIndex: number;
  filter: Record<string, unknown>;
}

/** An edge plug-in's result: its resources, the rule filters it adds, and the findings on what it could not express. */
export interface EdgeOutput {
  resources: ManifestResource[];
  findings: Finding[];
  /** Appended to the rules' own filters (header modifiers, URLRewrite) before validation. */
  ruleFilters?: RuleFilter[];
}

/** What the mesh leg (the delegated gateway's sidecar → the backends) is rendered from. */
export interface MeshLegInput extends Omit<EdgeInput, 'labels'> {
  mesh: string;
  /** Labels every rendered resource carries (managed-by, api; `kuma.io/origin: zone` on a federated zone). */
  labels: Record<string, string>;
  /** Every backend MeshService the routes send traffic to, sorted. */
  backends: Backend[];
  /**
   * The parent Gateway (its Envoy proxy pods carry its name and namespace as labels). Absent: `api.gateway`
   * (default `gateway`) in `api.gatewayNamespace` (default `default`).
   */
  gateway?: { name: string; namespace: string };
}

export interface MeshLegOutput {
  resources: KumaResource[];
  findings: Finding[];
}

/**
 * x-kuma keys that only shape one rule (matches, filters such as CORS, backends) or the grouping itself:
 * operations may differ in them and still share an HTTPRoute. Every other key (timeout, retries, rateLimit, and
 * any key added later) becomes a route-wide policy, so it is part of the grouping key by default.
 */
export const ruleOnlyKeys: ReadonlySet<string> = new Set([
  'requestHeaders',
  'responseHeaders',
  'weights',
  'route',
  'disabled',
  'cors',
]);

/** Operations with equal keys can share an HTTPRoute: same security requirement, same route-wide settings. */
export function edgePolicyKey(
  operation: Pick<EdgeOperation, 'security' | 'settings' | 'routeSettings'>,
): string {
  const policySettings = Object.fromEntries(
    Object.entries(operation.settings).filter(([key]) => !ruleOnlyKeys.has(key)),
  );
  return stableStringify({
    security: operation.security ?? null,
    settings: policySettings,
    routeSettings: operation.routeSettings,
  });
}
