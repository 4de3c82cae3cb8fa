/**
 * A rendered Kuma resource, format-neutral: the Kubernetes and Universal manifests are two serialisations of it.
 * `spec` is the resource's spec exactly as Kuma expects it (same in both formats).
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
