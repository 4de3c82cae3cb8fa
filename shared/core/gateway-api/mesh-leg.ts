/**
 * The mesh leg of a delegated gateway (Envoy Gateway whose proxy pods run a Kuma sidecar, annotated
 * `kuma.io/gateway: enabled`): Kuma policies in the form Kuma 3.x keeps (top-level `Dataplane` selected by
 * labels, `to` MeshServices selected by labels, `rules` with a SPIFFE ID on MeshIdentity meshes) that let the
 * gateway's sidecar reach the backends and keep its timeouts and retries from fighting the edge's. Pure.
 *
 * - MeshTrafficPermission in each backend namespace (`<api>-<namespace>-from-gateway`), on the backend's pods (`service.podLabels`), allowing the
 *   gateway: `rules` with `gatewaySpiffeId` on a mesh with MeshIdentity, else the 2.x `from` with the gateway
 *   proxies' tags: `gatewayService`, or the labels Envoy Gateway gives its proxy pods plus their namespace. For a
 *   pod annotated `kuma.io/gateway: enabled` Kuma makes the pod's labels and `k8s.kuma.io/namespace` the
 *   gateway's tags (kumahq/kuma v2.14.3 `pod_converter.go` GatewayByServiceFor, `inbound_converter.go`
 *   InboundTagsForService), its certificate carries each tag as a `kuma://` SAN, and `from` matches them
 *   (`legacy_rbac_configurer.go`, KumaIDMatcher). (`kuma.io/gateway: provided` tags by Deployment instead:
 *   set `gatewayService` there.)
 * - From the gateway's sidecar (policies in the proxies' namespace, where Kuma applies a consumer policy to
 *   Dataplanes), to each backend MeshService:
 *   - MeshRetry `numRetries: 0`: the edge retries (BackendTrafficPolicy); Kuma's default `mesh-retry-all`
 *     would retry each of those tries again, up to 5 times, POSTs included.
 *   - MeshTimeout one second past the longest edge timeout: Kuma treats the delegated gateway's proxy as a
 *     gateway, whose default outbound stream idle timeout (5 s) would cut slow backends (see sidecarTimeouts).
 *   - MeshCircuitBreaker and MeshHealthCheck from `x-kuma.circuitBreaker` / `healthCheck`: with Service routing
 *     only the sidecar sees the backend's pods one by one, so only it can eject or probe one of them.
 * @module
 */
import { buildCircuitBreaker, buildHealthCheck } from '../kuma/render/build-policies.js';
import type { Backend } from '../kuma/render/build-route-parts.js';
import { formatDuration, parseDuration } from '../kuma/render/duration.js';
import { buildName } from '../kuma/render/names.js';
import { defaultGatewayNamespace } from '../kuma/render/traffic-permission.js';
import type { ApiConfig } from '../kuma/render/types.js';
import type { KumaResource } from '../kuma/resource.js';
import type { MeshLegInput, MeshLegOutput } from './edge.js';

/** Where Envoy Gateway runs its proxies unless it deploys them in the Gateway's namespace. */
export const defaultProxyNamespace = 'envoy-gateway-system';

/** Envoy's route timeout when the HTTPRoute sets none (Envoy Gateway leaves it unset). */
const edgeRequestTimeout = 15_000;

export function buildMeshLeg(input: MeshLegInput): MeshLegOutput {
  const { api, backends, root } = input;
  if (backends.length === 0 || input.routes.length === 0) return { resources: [], findings: [] };
  const gateway = input.gateway ?? {
    name: api.gateway ?? 'gateway',
    namespace: api.gatewayNamespace ?? defaultGatewayNamespace,
  };
  const proxyNamespace = api.envoyGateway?.namespace ?? defaultProxyNamespace;
  const proxyLabels = api.envoyGateway?.proxyLabels ?? {
    'gateway.envoyproxy.io/owning-gateway-name': gateway.name,
    'gateway.envoyproxy.io/owning-gateway-namespace': gateway.namespace,
  };
  // A backendRef without namespace means the HTTPRoute's (Gateway API).
  const routeNamespace = input.routes[0]!.namespace;
  const namespaceOf = (backend: Backend) => backend.namespace ?? routeNamespace;
  const resource = (
    kind: string,
    suffix: string,
    namespace: string,
    spec: Record<string, unknown>,
  ): KumaResource => ({
    kind,
    name: buildName(api.name, suffix),
    namespace,
    mesh: input.mesh,
    labels: input.labels,
    spec,
  });

  const resources: KumaResource[] = [];
  const permission = buildPermission(api, proxyNamespace, proxyLabels);
  // Named after the namespace too: file names carry no namespace, so one per namespace needs its own name.
  for (const namespace of [...new Set(backends.map(namespaceOf))].sort()) {
    resources.push(resource('MeshTrafficPermission', `${namespace}-from-gateway`, namespace, permission));
  }

  const targetRef = { kind: 'Dataplane', labels: proxyLabels };
  const to = (defaults: Record<string, unknown>) =>
    backends.map((backend) => ({
      targetRef: {
        kind: 'MeshService',
        labels: { 'kuma.io/display-name': backend.name, 'k8s.kuma.io/namespace': namespaceOf(backend) },
      },
      default: defaults,
    }));
  const fromGateway = (kind: string, suffix: string, defaults: Record<string, unknown>) =>
    resources.push(resource(kind, `gateway-${suffix}`, proxyNamespace, { targetRef, to: to(defaults) }));

  const timeouts = sidecarTimeouts(
    input.routes.flatMap((route) => route.operations.map((op) => op.settings)),
  );
  if (timeouts) fromGateway('MeshTimeout', 'timeout', { http: timeouts });
  fromGateway('MeshRetry', 'retry', { http: { numRetries: 0 } });
  if (root.circuitBreaker)
    fromGateway('MeshCircuitBreaker', 'circuit-breaker', buildCircuitBreaker(root.circuitBreaker));
  if (root.healthCheck) fromGateway('MeshHealthCheck', 'health-check', buildHealthCheck(root.healthCheck));
  return { resources, findings: [] };
}

/** The MeshTrafficPermission spec letting the gateway's proxies reach the backend's pods. */
function buildPermission(
  api: ApiConfig,
  proxyNamespace: string,
  proxyLabels: Record<string, string>,
): Record<string, unknown> {
  const serviceName = api.service?.name ?? buildName(api.name);
  const targetRef = { kind: 'Dataplane', labels: api.service?.podLabels ?? { app: serviceName } };
  if (api.gatewaySpiffeId) {
    return {
      targetRef,
      rules: [{ default: { allow: [{ spiffeID: { type: 'Exact', value: api.gatewaySpiffeId } }] } }],
    };
  }
  const tags = api.gatewayService
    ? { 'kuma.io/service': api.gatewayService }
    : { ...proxyLabels, 'k8s.kuma.io/namespace': proxyNamespace };
  return {
    targetRef,
    from: [{ targetRef: { kind: 'MeshSubset', tags }, default: { action: 'Allow' } }],
  };
}

/**
 * The gateway sidecar's outbound timeouts: one second past the longest time the edge lets a request run (its
 * `timeout`, else Envoy's 15 s route default, which Envoy Gateway keeps; `0s`: no limit), so the edge's timer
 * fires first. Needed on every mesh: a delegated gateway's Dataplane is a `Gateway` proxy to Kuma
 * (`resolveDataplaneProxyType`: `networking.gateway` set), so `mesh-gateways-timeout-all` gives its outbounds a
 * 5 s stream idle timeout, which cuts any backend that is silent for 5 s, and the request timeout defaults to 15 s.
 */
function sidecarTimeouts(settings: { timeout?: string; idleTimeout?: string }[]): Record<string, string> {
  const allowed = (value: string | undefined) =>
    value === undefined ? edgeRequestTimeout : (parseDuration(value) ?? 0);
  const longest = (values: number[]) => (values.includes(0) ? 0 : Math.max(...values));
  const request = longest(settings.map((s) => allowed(s.timeout)));
  const idle = longest([
    request,
    ...settings.flatMap((s) => (s.idleTimeout === undefined ? [] : [parseDuration(s.idleTimeout) ?? 0])),
  ]);
  const past = (edge: number) => (edge === 0 ? '0s' : formatDuration(edge + 1000));
  return { requestTimeout: past(request), streamIdleTimeout: past(idle) };
}
