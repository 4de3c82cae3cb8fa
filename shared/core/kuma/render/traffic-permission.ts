/**
 * The MeshTrafficPermission that lets the gateway proxies reach an API's backends under mTLS, in the forms
 * Kuma 2.14 really matches on Kubernetes and on Universal (paths below are in kumahq/kuma at v2.14.3).
 *
 * Target: `kind: MeshSubset` with the backend's `kuma.io/service` inbound tag. A top-level `kind: MeshService`
 * matches that same tag against the reference's bare `name` and ignores its `namespace`
 * (`pkg/plugins/policies/core/matchers/dataplane.go`, `DppSelectedByPolicy`), and on Kubernetes the tag is
 * `<service>_<namespace>_svc_<port>` (`pkg/plugins/runtime/k8s/controllers/inbound_converter.go`,
 * `InboundTagsForService`), so `{kind: MeshService, name: orders}` selects nothing there. Kuma 3.0 keeps only
 * `Mesh|Dataplane` at the top, but a Dataplane's labels are its pod's labels plus Kuma's own
 * (`k8s.kuma.io/namespace`, …; `testdata/01.dataplane.yaml` of the k8s controllers): none names the Service, so
 * a `Dataplane` selector would need the workload's pod labels, which the repo config does not know. The tag is
 * the one exact handle on "the endpoints of this Service port" in 2.x (top-level MeshSubset is deprecated since
 * 2.10: accepted with a warning).
 *
 * Client: the gateway proxies' own identity. Without MeshIdentity, `from` with their `kuma.io/service` tag, which
 * Kuma turns into a match on the SAN `spiffe://<mesh>/<service>` (`meshtrafficpermission/xds/
 * legacy_rbac_configurer.go`); a MeshGatewayInstance's proxies are `<name>_<namespace>_svc`
 * (`k8s/controllers/gateway_instance_controller.go`; Kuma's e2e `test/e2e_env/kubernetes/gateway/mtls.go`). On a
 * mesh with MeshIdentity, Kuma ignores `from` (`meshtrafficpermission/plugin/v1alpha1/plugin.go`: legacy rules
 * only without a workload identity) and the gateway is named by its SPIFFE ID in `rules`, the 3.0 form. `rules`
 * are not emitted by default: on a mesh without MeshIdentity one `rules` entry switches the backend's inbound to
 * the new RBAC, which ignores every other MeshTrafficPermission's `from` (the platform's included).
 * @module
 */
import type { KumaResource } from '../resource.js';
import { systemNamespace } from '../validate/meta.js';
import type { Backend } from './build-route-parts.js';
import type { ApiConfig, ManifestFormat } from './types.js';

/** Who the backends let in: the gateway proxies' `kuma.io/service` tag, or their SPIFFE ID (MeshIdentity). */
export type GatewayIdentity = { service: string } | { spiffeId: string };

/**
 * Namespace of the MeshGatewayInstance when the config names none: `default`, as in Kuma's MeshGatewayInstance
 * documentation (`edge-gateway` in `default` → `edge-gateway_default_svc`), and like the backends' default.
 */
export const defaultGatewayNamespace = 'default';

/**
 * The gateway identity of an API: `gatewaySpiffeId`, else `gatewayService`, else the tag Kuma gives the gateway
 * proxies — on Kubernetes a MeshGatewayInstance named like the MeshGateway, in `gatewayNamespace`; on Universal
 * the gateway Dataplane's `kuma.io/service`, by convention the MeshGateway's name (Kuma's builtin-gateway docs).
 */
export function resolveGatewayIdentity(
  api: Pick<ApiConfig, 'gateway' | 'gatewayService' | 'gatewayNamespace' | 'gatewaySpiffeId'>,
  gateway: string,
  format: ManifestFormat,
): GatewayIdentity {
  if (api.gatewaySpiffeId) return { spiffeId: api.gatewaySpiffeId };
  if (api.gatewayService) return { service: api.gatewayService };
  if (format === 'universal') return { service: gateway };
  return { service: `${gateway}_${api.gatewayNamespace ?? defaultGatewayNamespace}_svc` };
}

/**
 * The `kuma.io/service` tag of a backend's inbounds. On Kubernetes a reference without namespace means the
 * policy's own namespace, the system namespace; Universal has no namespaces.
 */
export function backendServiceTag(backend: Backend, format: ManifestFormat): string {
  if (format === 'universal') return backend.name;
  return `${backend.name}_${backend.namespace ?? systemNamespace}_svc_${backend.port}`;
}

/** The spec of the MeshTrafficPermission letting the gateway reach one backend. */
export function buildTrafficPermission(
  backend: Backend,
  identity: GatewayIdentity,
  format: ManifestFormat,
): KumaResource['spec'] {
  const targetRef = { kind: 'MeshSubset', tags: { 'kuma.io/service': backendServiceTag(backend, format) } };
  if ('spiffeId' in identity) {
    return {
      targetRef,
      rules: [{ default: { allow: [{ spiffeID: { type: 'Exact', value: identity.spiffeId } }] } }],
    };
  }
  return {
    targetRef,
    from: [
      {
        targetRef: { kind: 'MeshSubset', tags: { 'kuma.io/service': identity.service } },
        default: { action: 'Allow' },
      },
    ],
  };
}
