import type { ManifestResource } from '../gateway-api/edge.js';

/**
 * A rendered Kuma resource: the Kubernetes and Universal manifests are two serialisations of it. `spec` is the
 * resource's spec exactly as Kuma expects it; it is the same in both formats except where Kuma names workloads
 * differently (the MeshTrafficPermission's `kuma.io/service` tags, see render/traffic-permission.ts), which is
 * why the render is told the format.
 */
export interface KumaResource {
  /** Kuma type name, e.g. `MeshHTTPRoute`, `MeshTimeout`, `MeshGateway`. */
  kind: string;
  /** DNS-1123 name, at most 63 characters, stable for the same input. */
  name: string;
  /** Kubernetes namespace (policies on the gateway live in `kuma-system`); unused by Universal. */
  namespace?: string;
  mesh: string;
  labels?: Record<string, string>;
  spec: Record<string, unknown>;
}

/** What a render target emits: Kuma resources, and for a delegated gateway also Gateway API / product objects. */
export type RenderedResource = KumaResource | ManifestResource;

/** A non-Kuma object carries its own `apiVersion`; a Kuma resource gets `kuma.io/v1alpha1` when serialized. */
export function isManifestResource(resource: RenderedResource): resource is ManifestResource {
  return 'apiVersion' in resource;
}
