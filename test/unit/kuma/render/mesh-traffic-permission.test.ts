/**
 * D3: the MeshTrafficPermission lets the gateway proxies reach every backend of the API, and nothing else in —
 * evaluated the way Kuma 2.14 evaluates it, on Kubernetes and on Universal.
 *
 * `kumaSelects` / `kumaAdmits` model Kuma's own code at v2.14.3 (kumahq/kuma, commit 0c7aaec0):
 * - which inbounds a top-level targetRef selects: `pkg/plugins/policies/core/matchers/dataplane.go`
 *   (`DppSelectedByPolicy`: MeshService compares the bare name with the `kuma.io/service` tag, namespace
 *   ignored; MeshSubset matches inbound tags; Dataplane matches the Dataplane's labels; a policy outside the
 *   system namespace with `from`/`rules` only applies in its own namespace, `dppSelectedByNamespace`);
 * - which client an inbound lets in: `pkg/plugins/policies/meshtrafficpermission/plugin/v1alpha1/plugin.go`
 *   (no policy → deny; `rules` on the inbound, or a mesh with MeshIdentity → only `rules` count; else `from`),
 *   `xds/legacy_rbac_configurer.go` (a `kuma.io/service` tag is the SAN `spiffe://<mesh>/<service>`, other
 *   tags `kuma://<tag>/<value>`).
 * The proxies' tags follow Kuma's converters: Kubernetes inbounds `InboundTagsForService`
 * (`pkg/plugins/runtime/k8s/controllers/inbound_converter.go`), MeshGatewayInstance proxies `<name>_<ns>_svc`
 * (`gateway_instance_controller.go`, e2e `test/e2e_env/kubernetes/gateway/mtls.go`), and one Dataplane is
 * Kuma's own pod-converter golden `pkg/plugins/runtime/k8s/controllers/testdata/01.dataplane.yaml`.
 * @module
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { runCli } from '../../../helpers/cli.js';

type Tags = Record<string, string>;
interface Inbound {
  port: number;
  tags: Tags;
}
/** A Dataplane as the control plane stores it: its labels and its inbounds' tags. */
interface Dataplane {
  labels: Tags;
  inbounds: Inbound[];
}
/** A client proxy as its mTLS certificate names it. */
interface Client {
  tags: Tags;
  spiffeId?: string;
}
interface TargetRef {
  kind: string;
  name?: string;
  namespace?: string;
  labels?: Tags;
  tags?: Tags;
}
interface Match {
  spiffeID: { type: 'Exact' | 'Prefix'; value: string };
}
interface Permission {
  namespace?: string;
  spec: {
    targetRef?: TargetRef;
    from?: { targetRef: TargetRef; default: { action: string } }[];
    rules?: { default: { allow?: Match[]; deny?: Match[] } }[];
  };
}

const mesh = 'default';
const contains = (have: Tags, want: Tags = {}) => Object.entries(want).every(([k, v]) => have[k] === v);

/** The inbounds of `dataplane` the policy's top-level targetRef selects (`DppSelectedByPolicy`). */
function kumaSelects(policy: Permission, dataplane: Dataplane): Inbound[] {
  const policyNamespace = policy.namespace;
  if (policyNamespace && policyNamespace !== 'kuma-system') {
    if (dataplane.labels['k8s.kuma.io/namespace'] !== policyNamespace) return [];
  }
  const ref = policy.spec.targetRef ?? { kind: 'Mesh' };
  switch (ref.kind) {
    case 'Mesh':
      return dataplane.inbounds;
    case 'MeshSubset':
      return dataplane.inbounds.filter((inbound) => contains(inbound.tags, ref.tags));
    case 'MeshService':
      return dataplane.inbounds.filter((inbound) => inbound.tags['kuma.io/service'] === ref.name);
    case 'MeshServiceSubset':
      return dataplane.inbounds.filter((inbound) =>
        contains(inbound.tags, { 'kuma.io/service': ref.name!, ...ref.tags }),
      );
    case 'Dataplane':
      return ref.labels && !contains(dataplane.labels, ref.labels) ? [] : dataplane.inbounds;
    default:
      throw new Error(`kind ${ref.kind} cannot be a MeshTrafficPermission target`);
  }
}

/** Whether `client` may open a connection to `inbound` of `dataplane` under mTLS. */
function kumaAdmits(
  policies: Permission[],
  dataplane: Dataplane,
  inbound: Inbound,
  client: Client,
  meshIdentity = false,
): boolean {
  const applying = policies.filter((policy) => kumaSelects(policy, dataplane).includes(inbound));
  const rules = applying.flatMap((policy) => policy.spec.rules ?? []);
  if (meshIdentity || rules.length > 0) {
    const matches = (match: Match) =>
      client.spiffeId !== undefined &&
      (match.spiffeID.type === 'Exact'
        ? client.spiffeId === match.spiffeID.value
        : client.spiffeId.startsWith(match.spiffeID.value));
    const denied = rules.some((rule) => (rule.default.deny ?? []).some(matches));
    return !denied && rules.some((rule) => (rule.default.allow ?? []).some(matches));
  }
  const sans = new Set(
    Object.entries(client.tags).map(([tag, value]) =>
      tag === 'kuma.io/service' ? `spiffe://${mesh}/${value}` : `kuma://${tag}/${value}`,
    ),
  );
  const named = (tags: Tags) =>
    Object.entries(tags).every(([tag, value]) =>
      sans.has(tag === 'kuma.io/service' ? `spiffe://${mesh}/${value}` : `kuma://${tag}/${value}`),
    );
  return applying
    .flatMap((policy) => policy.spec.from ?? [])
    .some(({ targetRef, default: conf }) => {
      if (conf.action !== 'Allow') return false;
      if (targetRef.kind === 'Mesh') return true;
      if (targetRef.kind === 'MeshSubset') return named(targetRef.tags ?? {});
      if (targetRef.kind === 'MeshService') return named({ 'kuma.io/service': targetRef.name! });
      return named({ 'kuma.io/service': targetRef.name!, ...targetRef.tags });
    });
}

/** A pod behind Kubernetes Service `service` (port `port` → `targetPort`), as Kuma's pod converter makes it. */
function k8sBackend(service: string, namespace: string, port: number, podLabels: Tags): Dataplane {
  return {
    labels: { ...podLabels, 'k8s.kuma.io/namespace': namespace, 'kuma.io/mesh': mesh },
    inbounds: [
      {
        port: 8080,
        tags: {
          ...podLabels,
          'k8s.kuma.io/namespace': namespace,
          'k8s.kuma.io/service-name': service,
          'k8s.kuma.io/service-port': String(port),
          'kuma.io/service': `${service}_${namespace}_svc_${port}`,
          'kuma.io/protocol': 'http',
          'kuma.io/zone': 'zone-1',
        },
      },
    ],
  };
}

/** Kuma's golden `testdata/01.dataplane.yaml` (v2.14.3): a pod in `demo` behind Services `example` and `playground/sample`. */
const kumaGoldenDataplane: Dataplane = {
  labels: {
    app: 'example',
    'k8s.kuma.io/namespace': 'demo',
    'kuma.io/mesh': 'default',
    'kuma.io/proxy-type': 'sidecar',
    'kuma.io/sidecar-injection': 'enabled',
    version: '0.1',
  },
  inbounds: [
    [8080, 'example', '80', 'example_demo_svc_80', 'http'],
    [8443, 'example', '443', 'example_demo_svc_443', 'tcp'],
    [7070, 'sample', '7071', 'sample_playground_svc_7071', 'tcp'],
    [6060, 'sample', '6061', 'sample_playground_svc_6061', 'tcp'],
  ].map(([port, name, servicePort, service, protocol]) => ({
    port: Number(port),
    tags: {
      app: 'example',
      'k8s.kuma.io/namespace': 'demo',
      'k8s.kuma.io/service-name': String(name),
      'k8s.kuma.io/service-port': String(servicePort),
      'kuma.io/protocol': String(protocol),
      'kuma.io/service': String(service),
      'kuma.io/zone': 'zone-1',
      version: '0.1',
    },
  })),
};

/** A Universal Dataplane you run yourself: its inbound tags are what you wrote. */
function universalBackend(service: string): Dataplane {
  return {
    labels: {},
    inbounds: [{ port: 8080, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }],
  };
}

/** The proxies of a MeshGatewayInstance `name` in `namespace`. */
const k8sGateway = (name: string, namespace: string): Client => ({
  tags: { 'kuma.io/service': `${name}_${namespace}_svc`, 'k8s.kuma.io/namespace': namespace },
});
const universalGateway = (service: string): Client => ({ tags: { 'kuma.io/service': service } });

const spec = {
  openapi: '3.0.3',
  info: { title: 'Orders', version: '1' },
  paths: { '/orders': { get: { responses: { 200: { description: 'ok' } } } } },
};

/** Renders a repo through the CLI, as a user does, and returns its MeshTrafficPermissions. */
async function renderPermissions(
  apis: Record<string, unknown>[],
  format: 'k8s' | 'universal',
): Promise<Permission[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtp-'));
  writeFileSync(path.join(dir, 'api.yaml'), stringify(spec));
  writeFileSync(path.join(dir, '.kuma-api-forge.yaml'), stringify({ version: 1, apis }));
  const run = await runCli(['render', '.', '--format', format], dir);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return parseAllDocuments(run.stdout)
    .map((document) => document.toJS() as Record<string, unknown>)
    .filter((manifest) => (manifest.kind ?? manifest.type) === 'MeshTrafficPermission')
    .map((manifest) => ({
      ...((manifest.metadata as { namespace?: string } | undefined)?.namespace
        ? { namespace: (manifest.metadata as { namespace: string }).namespace }
        : {}),
      spec: manifest.spec as Permission['spec'],
    }));
}

const orders = (extra: Record<string, unknown> = {}) => ({
  name: 'orders',
  spec: 'api.yaml',
  gateway: 'edge',
  service: {
    name: 'orders',
    namespace: 'shop',
    port: 8080,
    versions: [{ name: 'v1', default: true }, { name: 'v2' }],
  },
  // Both versions get traffic, so both are backends.
  defaults: { weights: { v1: 50, v2: 50 } },
  ...extra,
});

function admitted(policies: Permission[], dataplane: Dataplane, client: Client, meshIdentity = false) {
  return dataplane.inbounds.map((inbound) => kumaAdmits(policies, dataplane, inbound, client, meshIdentity));
}

describe('MeshTrafficPermission on Kubernetes', () => {
  const v1 = k8sBackend('orders-v1', 'shop', 8080, { app: 'orders', version: 'v1' });
  const v2 = k8sBackend('orders-v2', 'shop', 8080, { app: 'orders', version: 'v2' });

  it('lets the MeshGatewayInstance proxies reach every version of the backend', async () => {
    const policies = await renderPermissions([orders({ gatewayNamespace: 'kuma-gateways' })], 'k8s');
    const gateway = k8sGateway('edge', 'kuma-gateways');
    expect(admitted(policies, v1, gateway)).toEqual([true]);
    expect(admitted(policies, v2, gateway)).toEqual([true]);
  });

  it('by default names the gateway of the MeshGatewayInstance in namespace default', async () => {
    const policies = await renderPermissions([orders()], 'k8s');
    expect(admitted(policies, v1, k8sGateway('edge', 'default'))).toEqual([true]);
    expect(admitted(policies, v1, k8sGateway('edge', 'kuma-gateways'))).toEqual([false]);
  });

  it('lets no other proxy in: another app, a gateway of the same name elsewhere, another gateway', async () => {
    const policies = await renderPermissions([orders({ gatewayNamespace: 'kuma-gateways' })], 'k8s');
    const intruders: Client[] = [
      {
        tags: { 'kuma.io/service': 'frontend_shop_svc_80', 'k8s.kuma.io/namespace': 'shop', app: 'frontend' },
      },
      k8sGateway('edge', 'default'),
      k8sGateway('edge', 'shop'),
      k8sGateway('edge-admin', 'kuma-gateways'),
    ];
    for (const intruder of intruders) {
      expect(admitted(policies, v1, intruder)).toEqual([false]);
      expect(admitted(policies, v2, intruder)).toEqual([false]);
    }
  });

  it('opens only the backend Service port, not a same-named Service in another namespace nor other ports', async () => {
    const policies = await renderPermissions(
      [
        orders({
          gatewayNamespace: 'kuma-gateways',
          service: { name: 'example', namespace: 'demo', port: 80 },
          defaults: {},
        }),
      ],
      'k8s',
    );
    const gateway = k8sGateway('edge', 'kuma-gateways');
    // Kuma's golden pod: only the inbound of Service demo/example port 80.
    expect(admitted(policies, kumaGoldenDataplane, gateway)).toEqual([true, false, false, false]);
    expect(admitted(policies, k8sBackend('example', 'staging', 80, { app: 'example' }), gateway)).toEqual([
      false,
    ]);
  });

  it('reaches backends in several namespaces from a gateway in a third one', async () => {
    const billing = {
      name: 'billing',
      spec: 'api.yaml',
      gateway: 'edge',
      gatewayNamespace: 'kuma-gateways',
      basePath: '/billing',
      service: { name: 'billing', namespace: 'finance', port: 9090 },
    };
    const policies = await renderPermissions([orders({ gatewayNamespace: 'kuma-gateways' }), billing], 'k8s');
    const gateway = k8sGateway('edge', 'kuma-gateways');
    expect(admitted(policies, v1, gateway)).toEqual([true]);
    expect(admitted(policies, k8sBackend('billing', 'finance', 9090, { app: 'billing' }), gateway)).toEqual([
      true,
    ]);
    expect(admitted(policies, k8sBackend('billing', 'finance', 8080, { app: 'billing' }), gateway)).toEqual([
      false,
    ]);
  });

  it('an explicit gatewayService wins (a MeshGatewayInstance named unlike the MeshGateway)', async () => {
    const policies = await renderPermissions([orders({ gatewayService: 'public_ingress_svc' })], 'k8s');
    expect(admitted(policies, v1, k8sGateway('public', 'ingress'))).toEqual([true]);
    expect(admitted(policies, v1, k8sGateway('edge', 'default'))).toEqual([false]);
  });
});

describe('MeshTrafficPermission on a mesh with MeshIdentity', () => {
  const v1 = k8sBackend('orders-v1', 'shop', 8080, { app: 'orders' });
  const spiffeId = 'spiffe://default.zone-1.mesh.local/ns/kuma-gateways/sa/edge';
  const gateway: Client = { ...k8sGateway('edge', 'kuma-gateways'), spiffeId };

  it('allows exactly the gateway SPIFFE ID given as gatewaySpiffeId', async () => {
    const policies = await renderPermissions([orders({ gatewaySpiffeId: spiffeId })], 'k8s');
    expect(admitted(policies, v1, gateway, true)).toEqual([true]);
    const others = [
      `${spiffeId}-admin`,
      'spiffe://default.zone-1.mesh.local/ns/shop/sa/edge',
      `${spiffeId}/x`,
    ];
    for (const other of others) {
      expect(admitted(policies, v1, { ...gateway, spiffeId: other }, true)).toEqual([false]);
    }
  });

  it('without gatewaySpiffeId the `from` form admits nobody there (why the key exists)', async () => {
    const policies = await renderPermissions([orders({ gatewayNamespace: 'kuma-gateways' })], 'k8s');
    expect(admitted(policies, v1, gateway, true)).toEqual([false]);
    expect(admitted(policies, v1, gateway, false)).toEqual([true]);
  });
});

describe('MeshTrafficPermission on Universal', () => {
  it('lets the gateway Dataplane (kuma.io/service = gateway name) reach each version', async () => {
    const policies = await renderPermissions([orders()], 'universal');
    for (const backend of ['orders-v1', 'orders-v2']) {
      expect(admitted(policies, universalBackend(backend), universalGateway('edge'))).toEqual([true]);
      expect(admitted(policies, universalBackend(backend), universalGateway('edge_default_svc'))).toEqual([
        false,
      ]);
      expect(admitted(policies, universalBackend(backend), universalGateway('frontend'))).toEqual([false]);
    }
    expect(admitted(policies, universalBackend('orders'), universalGateway('edge'))).toEqual([false]);
  });

  it('an explicit gatewayService names the gateway Dataplane; gatewayNamespace does not apply', async () => {
    const policies = await renderPermissions(
      [orders({ gatewayService: 'edge-gateway', gatewayNamespace: 'kuma-gateways' })],
      'universal',
    );
    expect(admitted(policies, universalBackend('orders-v1'), universalGateway('edge-gateway'))).toEqual([
      true,
    ]);
    expect(admitted(policies, universalBackend('orders-v1'), universalGateway('edge'))).toEqual([false]);
  });
});

describe('gateway identity settings', () => {
  async function renderConfig(api: Record<string, unknown>) {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtp-config-'));
    writeFileSync(path.join(dir, 'api.yaml'), stringify(spec));
    writeFileSync(path.join(dir, '.kuma-api-forge.yaml'), stringify({ version: 1, apis: [orders(api)] }));
    return runCli(['render', '.'], dir);
  }

  it('refuses gatewaySpiffeId together with gatewayService, on the line of gatewaySpiffeId', async () => {
    const run = await renderConfig({ gatewayService: 'edge_default_svc', gatewaySpiffeId: 'spiffe://td/gw' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^\.kuma-api-forge\.yaml:\d+:\d+: error: .*gatewaySpiffeId.*not both.*\[config-schema\]$/m,
    );
    expect(run.stdout).toBe('');
  });

  it.each([
    ['not a SPIFFE ID', { gatewaySpiffeId: 'https://td/gw' }],
    ['a SPIFFE ID with an upper-case trust domain', { gatewaySpiffeId: 'spiffe://TD/gw' }],
    ['a SPIFFE ID with an empty segment', { gatewaySpiffeId: 'spiffe://td//gw' }],
    ['a SPIFFE ID with a dot segment', { gatewaySpiffeId: 'spiffe://td/ns/../sa/gw' }],
    ['a SPIFFE ID with a trailing slash', { gatewaySpiffeId: 'spiffe://td/ns/' }],
    ['a tag value Kuma refuses', { gatewayService: 'edge gateway' }],
    ['a tag value with a slash', { gatewayService: 'edge/kuma' }],
    ['a namespace that is no DNS label', { gatewayNamespace: 'Kuma_Gateways' }],
  ])('refuses %s with a config finding and renders nothing', async (_, api) => {
    const run = await renderConfig(api);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^\.kuma-api-forge\.yaml:\d+:\d+: error: apis\.0\.gateway\w+ .*\[config-schema\]$/m,
    );
    expect(run.stdout).toBe('');
  });
});
