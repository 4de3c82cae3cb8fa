/**
 * The mesh leg from Envoy Gateway's sidecar to the backends: Kuma resources in the 3.x-compatible form
 * (Dataplane and MeshService selected by labels), each accepted by the Kuma 2.14 validators
 * (`validateKumaResources`).
 */
import { describe, expect, it } from 'vitest';
import type { EdgeOperation, MeshLegInput } from '../../../shared/core/gateway-api/edge.js';
import { buildMeshLeg } from '../../../shared/core/gateway-api/mesh-leg.js';
import type { Backend } from '../../../shared/core/kuma/render/build-route-parts.js';
import type { ApiConfig, XKumaRoot, XKumaRoute } from '../../../shared/core/kuma/render/types.js';
import type { KumaResource } from '../../../shared/core/kuma/resource.js';
import { validateKumaResources } from '../../../shared/core/kuma/validate/index.js';

const operation = (settings: XKumaRoute): EdgeOperation => ({
  label: 'GET /pets',
  pointer: '/paths/~1pets/get',
  method: 'GET',
  security: undefined,
  settings,
  origins: {},
  routeSettings: {},
});

function render(
  options: {
    api?: Partial<ApiConfig>;
    root?: XKumaRoot;
    settings?: XKumaRoute[];
    backends?: Backend[];
    gateway?: MeshLegInput['gateway'];
  } = {},
): KumaResource[] {
  const output = buildMeshLeg({
    api: { name: 'shop', spec: 'openapi.yaml', service: { name: 'shop' }, ...options.api },
    bundle: {},
    root: options.root ?? {},
    routes: [{ name: 'shop', namespace: 'apps', operations: (options.settings ?? [{}]).map(operation) }],
    locate: (pointer) => ({ file: 'openapi.yaml', line: 1, column: 1, pointer }),
    mesh: 'default',
    labels: { 'app.kubernetes.io/managed-by': 'kuma-api-forge' },
    backends: options.backends ?? [{ name: 'shop', namespace: 'apps', port: 8080 }],
    ...(options.gateway ? { gateway: options.gateway } : {}),
  });
  expect(output.findings).toEqual([]);
  expect(validateKumaResources(output.resources)).toEqual([]);
  return output.resources;
}

const ofKind = (resources: KumaResource[], kind: string) => resources.filter((r) => r.kind === kind);
const gatewayPods = {
  'gateway.envoyproxy.io/owning-gateway-name': 'edge',
  'gateway.envoyproxy.io/owning-gateway-namespace': 'infra',
};

describe('MeshTrafficPermission: the backends let the gateway in', () => {
  it('by default allows the Envoy proxy pods of the parent Gateway by their tags (2.x from)', () => {
    const [permission, ...others] = ofKind(
      render({ gateway: { name: 'edge', namespace: 'infra' } }),
      'MeshTrafficPermission',
    );
    expect(others).toEqual([]);
    expect(permission).toMatchObject({ name: 'shop-apps-from-gateway', namespace: 'apps', mesh: 'default' });
    expect(permission!.spec).toEqual({
      targetRef: { kind: 'Dataplane', labels: { app: 'shop' } },
      from: [
        {
          targetRef: {
            kind: 'MeshSubset',
            tags: { ...gatewayPods, 'k8s.kuma.io/namespace': 'envoy-gateway-system' },
          },
          default: { action: 'Allow' },
        },
      ],
    });
  });

  it('uses rules with the SPIFFE ID on a mesh with MeshIdentity, and the pods the config names', () => {
    const spiffe = 'spiffe://default.zone-1.mesh.local/ns/envoy-gateway-system/sa/envoy-infra-edge-1a2b3c4d';
    const [permission] = ofKind(
      render({
        api: {
          gatewaySpiffeId: spiffe,
          service: { name: 'shop', podLabels: { 'app.kubernetes.io/name': 'shop-api' } },
        },
      }),
      'MeshTrafficPermission',
    );
    expect(permission!.spec).toEqual({
      targetRef: { kind: 'Dataplane', labels: { 'app.kubernetes.io/name': 'shop-api' } },
      rules: [{ default: { allow: [{ spiffeID: { type: 'Exact', value: spiffe } }] } }],
    });
    expect(permission!.spec.from).toBeUndefined();
  });

  it('uses the kuma.io/service tag when the config gives gatewayService', () => {
    const [permission] = ofKind(
      render({ api: { gatewayService: 'envoy-edge_envoy-gateway-system_svc_80' } }),
      'MeshTrafficPermission',
    );
    expect(permission!.spec.from).toEqual([
      {
        targetRef: {
          kind: 'MeshSubset',
          tags: { 'kuma.io/service': 'envoy-edge_envoy-gateway-system_svc_80' },
        },
        default: { action: 'Allow' },
      },
    ]);
  });

  it('puts one permission in each backend namespace; a backend without one is in the route namespace', () => {
    const resources = render({
      backends: [
        { name: 'shop-v1', namespace: 'blue', port: 80 },
        { name: 'shop-v2', namespace: 'green', port: 80 },
        { name: 'shop-v3', port: 80 },
        { name: 'shop-v4', namespace: 'green', port: 80 },
      ],
    });
    expect(ofKind(resources, 'MeshTrafficPermission').map((r) => r.namespace)).toEqual([
      'apps',
      'blue',
      'green',
    ]);
    // Each under its own name: files (`<kind>-<name>.yaml`) carry no namespace, and a name shared across
    // namespaces would make the deploy write one file for three objects.
    expect(ofKind(resources, 'MeshTrafficPermission').map((r) => r.name)).toEqual([
      'shop-apps-from-gateway',
      'shop-blue-from-gateway',
      'shop-green-from-gateway',
    ]);
    // Stable: a backend added in another namespace renames none of the others.
    const more = render({
      backends: [
        { name: 'shop-v1', namespace: 'blue', port: 80 },
        { name: 'shop-v0', namespace: 'amber', port: 80 },
      ],
    });
    expect(ofKind(more, 'MeshTrafficPermission').map((r) => r.name)).toEqual([
      'shop-amber-from-gateway',
      'shop-blue-from-gateway',
    ]);
    const retry = ofKind(resources, 'MeshRetry')[0]!.spec.to as { targetRef: unknown }[];
    expect(retry.map((entry) => entry.targetRef)).toEqual([
      { kind: 'MeshService', labels: { 'kuma.io/display-name': 'shop-v1', 'k8s.kuma.io/namespace': 'blue' } },
      {
        kind: 'MeshService',
        labels: { 'kuma.io/display-name': 'shop-v2', 'k8s.kuma.io/namespace': 'green' },
      },
      { kind: 'MeshService', labels: { 'kuma.io/display-name': 'shop-v3', 'k8s.kuma.io/namespace': 'apps' } },
      {
        kind: 'MeshService',
        labels: { 'kuma.io/display-name': 'shop-v4', 'k8s.kuma.io/namespace': 'green' },
      },
    ]);
  });
});

describe('from the gateway sidecar to the backends', () => {
  it('turns the sidecar retries off, so the edge retries are not multiplied', () => {
    const [retry, ...others] = ofKind(render({ gateway: { name: 'edge', namespace: 'infra' } }), 'MeshRetry');
    expect(others).toEqual([]);
    expect(retry).toMatchObject({ name: 'shop-gateway-retry', namespace: 'envoy-gateway-system' });
    expect(retry!.spec).toEqual({
      targetRef: { kind: 'Dataplane', labels: gatewayPods },
      to: [
        {
          targetRef: {
            kind: 'MeshService',
            labels: { 'kuma.io/display-name': 'shop', 'k8s.kuma.io/namespace': 'apps' },
          },
          default: { http: { numRetries: 0 } },
        },
      ],
    });
  });

  it('selects the proxies the config names, in their namespace', () => {
    const resources = render({
      api: { envoyGateway: { namespace: 'infra', proxyLabels: { gateway: 'edge' } } },
    });
    const retry = ofKind(resources, 'MeshRetry')[0]!;
    expect(retry.namespace).toBe('infra');
    expect(retry.spec.targetRef).toEqual({ kind: 'Dataplane', labels: { gateway: 'edge' } });
    expect(ofKind(resources, 'MeshTrafficPermission')[0]!.spec.from).toEqual([
      {
        targetRef: { kind: 'MeshSubset', tags: { gateway: 'edge', 'k8s.kuma.io/namespace': 'infra' } },
        default: { action: 'Allow' },
      },
    ]);
  });

  const sidecarTimeout = (settings: XKumaRoute[]) => {
    const [timeout, ...others] = ofKind(render({ settings }), 'MeshTimeout');
    expect(others).toEqual([]);
    expect(timeout!.namespace).toBe('envoy-gateway-system');
    return (timeout!.spec.to as { default: unknown }[])[0]!.default;
  };

  it('lets every request outlast the edge: one second past the longest edge timeout', () => {
    expect(sidecarTimeout([{ timeout: '30s' }, { timeout: '1m' }])).toEqual({
      http: { requestTimeout: '61s', streamIdleTimeout: '61s' },
    });
  });

  it("overrides Kuma's 5s gateway stream idle timeout even when the spec sets no timeout (Envoy's 15s applies)", () => {
    expect(sidecarTimeout([{}])).toEqual({ http: { requestTimeout: '16s', streamIdleTimeout: '16s' } });
    expect(sidecarTimeout([{ timeout: '2s' }])).toEqual({
      http: { requestTimeout: '3s', streamIdleTimeout: '3s' },
    });
    // One operation without a timeout keeps the edge default in play for the whole backend.
    expect(sidecarTimeout([{ timeout: '2s' }, {}])).toEqual({
      http: { requestTimeout: '16s', streamIdleTimeout: '16s' },
    });
  });

  it('stretches the stream idle timeout to the longest edge idle timeout', () => {
    expect(sidecarTimeout([{ timeout: '10s', idleTimeout: '45m' }])).toEqual({
      http: { requestTimeout: '11s', streamIdleTimeout: '2701s' },
    });
  });

  it('disables the sidecar timeouts when an edge timeout is 0s (no limit)', () => {
    expect(sidecarTimeout([{ timeout: '0s' }, { timeout: '20s' }])).toEqual({
      http: { requestTimeout: '0s', streamIdleTimeout: '0s' },
    });
  });

  it('puts outlier detection and health checks on the sidecar, which sees the pods', () => {
    const resources = render({
      root: {
        circuitBreaker: { maxConnections: 2000, consecutiveErrors: 3 },
        healthCheck: { path: '/health', interval: '5s' },
      },
    });
    const [breaker] = ofKind(resources, 'MeshCircuitBreaker');
    expect((breaker!.spec.to as { default: unknown }[])[0]!.default).toEqual({
      connectionLimits: { maxConnections: 2000 },
      outlierDetection: {
        interval: '10s',
        baseEjectionTime: '30s',
        maxEjectionPercent: 20,
        detectors: { totalFailures: { consecutive: 3 } },
      },
    });
    const [check] = ofKind(resources, 'MeshHealthCheck');
    expect(check!.spec.targetRef).toEqual({
      kind: 'Dataplane',
      labels: {
        'gateway.envoyproxy.io/owning-gateway-name': 'gateway',
        'gateway.envoyproxy.io/owning-gateway-namespace': 'default',
      },
    });
    expect((check!.spec.to as { default: unknown }[])[0]!.default).toMatchObject({
      interval: '5s',
      http: { path: '/health' },
    });
  });

  it('leaves a zero-weight version (not a backend) out of the sidecar policies; its pods stay permitted', () => {
    // Blue/green: green has weight 0, so the routing hands over only blue.
    const resources = render({
      api: {
        service: {
          name: 'shop',
          versions: [
            { name: 'blue', weight: 100 },
            { name: 'green', weight: 0 },
          ],
        },
      },
      backends: [{ name: 'shop-blue', namespace: 'apps', port: 80 }],
    });
    for (const kind of ['MeshRetry', 'MeshTimeout']) {
      const to = ofKind(resources, kind)[0]!.spec.to as { targetRef: { labels: Record<string, string> } }[];
      expect(to.map((entry) => entry.targetRef.labels['kuma.io/display-name'])).toEqual(['shop-blue']);
    }
    // The permission selects the service's pods, whichever version takes the traffic.
    expect(ofKind(resources, 'MeshTrafficPermission')[0]!.spec.targetRef).toEqual({
      kind: 'Dataplane',
      labels: { app: 'shop' },
    });
  });

  it('renders nothing without backends', () => {
    expect(render({ backends: [] })).toEqual([]);
  });
});

describe('the Kuma validation these tests rely on', () => {
  it('rejects the leg if a policy targeted a kind Kuma refuses there', () => {
    const resources = render();
    const broken = resources.map((r) =>
      r.kind === 'MeshRetry'
        ? { ...r, spec: { ...r.spec, targetRef: { kind: 'MeshGateway', name: 'edge' } } }
        : r,
    );
    expect([...new Set(validateKumaResources(broken).map((p) => p.resource))]).toEqual([
      'MeshRetry/shop-gateway-retry',
    ]);
  });
});
