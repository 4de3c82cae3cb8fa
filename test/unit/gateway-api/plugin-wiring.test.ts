/**
 * The gateway-api target calls its plug-ins (edge policies, mesh leg, validation) with what the contract
 * (edge.ts) promises, and emits, or drops, what they return. The plug-ins are stood in for here (a target is
 * made from its plug-ins, createGatewayApiTarget), so this file tests the wiring only; each plug-in has its own
 * tests.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { EdgeInput, ManifestResource, MeshLegInput } from '../../../shared/core/gateway-api/edge.js';
import { edgePolicyKey } from '../../../shared/core/gateway-api/edge.js';
import {
  createGatewayApiTarget,
  type GatewayApiPlugins,
} from '../../../shared/core/gateway-api/render-gateway-api.js';
import type { GatewayApiProblem } from '../../../shared/core/gateway-api/validate/index.js';
import { prepareApi } from '../../../shared/core/kuma/render/prepare-api.js';
import type { ApiConfig } from '../../../shared/core/kuma/render/types.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';

const seen = {
  security: [] as EdgeInput[],
  traffic: [] as EdgeInput[],
  leg: [] as MeshLegInput[],
  reject: [] as string[],
};

/** Stand-ins that record what they are given and return what a real plug-in could. */
const standIns: GatewayApiPlugins = {
  edge: [
    (input) => {
      seen.security.push(input);
      return {
        resources: input.routes.map(
          (route): ManifestResource => ({
            apiVersion: 'gateway.envoyproxy.io/v1alpha1',
            kind: 'SecurityPolicy',
            name: route.name,
            namespace: route.namespace,
            labels: input.labels,
            spec: {
              targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: route.name }],
            },
          }),
        ),
        findings: [
          {
            kind: 'routing',
            id: 'stand-in-security',
            severity: 'warning',
            message: 'from the stand-in',
            ...input.locate('/x-kuma'),
          },
        ],
      };
    },
    (input) => {
      seen.traffic.push(input);
      return { resources: [], findings: [] };
    },
  ],
  meshLeg: (input) => {
    seen.leg.push(input);
    return {
      resources: input.backends.map((backend) => ({
        kind: 'MeshTrafficPermission',
        name: `${backend.name}-from-gateway`,
        namespace: backend.namespace ?? 'default',
        mesh: input.mesh,
        labels: input.labels,
        spec: {
          targetRef: { kind: 'Dataplane', labels: { app: backend.name } },
          rules: [{ default: { allow: [{ spiffeID: { type: 'Exact', value: 'spiffe://x/gw' } }] } }],
        },
      })),
      findings: [],
    };
  },
  validate: (resources): GatewayApiProblem[] =>
    resources
      .filter((resource) => seen.reject.includes(`${resource.kind}/${resource.name}`))
      .map((resource) => ({
        resource: `${resource.kind}/${resource.name}`,
        rule: 'schema',
        path: 'spec.rules[0]',
        message: 'stand-in rejection',
      })),
};
const renderWithStandIns = createGatewayApiTarget(standIns);

const ok = { 200: { description: 'ok' } };
const doc = {
  openapi: '3.0.3',
  info: { title: 'pets', version: '1.0.0' },
  servers: [{ url: '/api' }],
  security: [{ bearer: [] }],
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  'x-kuma': { timeout: '5s' },
  paths: {
    '/pets': {
      get: { operationId: 'listPets', responses: ok },
      post: { operationId: 'addPet', responses: ok, 'x-kuma': { retries: { attempts: 2 } } },
    },
    '/login': { post: { operationId: 'login', security: [], responses: ok } },
    '/health': { get: { operationId: 'health', security: [], responses: ok } },
  },
};
const api: ApiConfig = {
  name: 'pets',
  spec: 'api.yaml',
  target: 'gateway-api',
  parentRef: { name: 'eg', namespace: 'envoy-gateway-system' },
  hostnames: ['pets.example.com'],
  service: { name: 'pets', namespace: 'pets', port: 8080 },
};

async function render(zoneOrigin = false) {
  const spec = await loadSpecFromFiles({ 'api.yaml': stringify(doc) }, 'api.yaml');
  const input = { spec, api, mesh: 'payments', zoneOrigin };
  return renderWithStandIns(input, prepareApi(input)!);
}

beforeEach(() => {
  seen.security.length = 0;
  seen.traffic.length = 0;
  seen.leg.length = 0;
  seen.reject.length = 0;
});

describe('gateway-api target: the plug-ins', () => {
  it('hands both edge plug-ins the same routes, each a set of operations with one edge policy key', async () => {
    const result = await render();
    const [security] = seen.security;
    expect(seen.traffic).toEqual(seen.security);
    expect(security!.routes.map((r) => r.name).sort()).toEqual(
      result.manifests
        .filter((m) => m.kind === 'HTTPRoute')
        .map((m) => m.name)
        .sort(),
    );
    for (const route of security!.routes) {
      expect(route.namespace).toBe('pets');
      expect(new Set(route.operations.map(edgePolicyKey)).size).toBe(1);
    }
    const labels = security!.routes.flatMap((r) => r.operations.map((op) => op.label)).sort();
    expect(labels).toEqual(['GET /health', 'GET /pets', 'POST /login', 'POST /pets']);
    const login = security!.routes.flatMap((r) => r.operations).find((op) => op.label === 'POST /login')!;
    expect(login).toMatchObject({ method: 'POST', security: [], pointer: '/paths/~1login/post' });
    expect(security!.root.timeout).toBe('5s');
    expect(security!.labels).toEqual({
      'app.kubernetes.io/managed-by': 'kuma-api-forge',
      'kuma-api-forge.dev/api': 'pets',
    });
  });

  it('emits what the plug-ins return: policies as manifests, the mesh leg as Kuma resources, their findings', async () => {
    const result = await render(true);
    expect(result.manifests.filter((m) => m.kind === 'SecurityPolicy')).toHaveLength(
      seen.security[0]!.routes.length,
    );
    expect(result.findings.map((f) => f.id)).toContain('stand-in-security');
    expect(seen.leg[0]).toMatchObject({
      mesh: 'payments',
      backends: [{ name: 'pets', namespace: 'pets', port: 8080 }],
    });
    // The mesh leg is in the mesh: the zone-origin label reaches it, never the Gateway API objects.
    expect(seen.leg[0]!.labels['kuma.io/origin']).toBe('zone');
    expect(result.resources.map((r) => [r.kind, r.name, r.mesh])).toEqual([
      ['MeshTrafficPermission', 'pets-from-gateway', 'payments'],
    ]);
    for (const manifest of result.manifests) expect(manifest.labels?.['kuma.io/origin']).toBeUndefined();
  });

  it('drops an HTTPRoute the validation rejects, every policy on it, and its operations, with an error', async () => {
    const first = await render();
    const victim = first.operations.find((op) => op.operation === 'GET /pets')!.route;
    seen.reject.push(`HTTPRoute/${victim}`);
    const result = await render();
    expect(result.manifests.map((m) => `${m.kind}/${m.name}`)).not.toContain(`HTTPRoute/${victim}`);
    expect(result.manifests.map((m) => `${m.kind}/${m.name}`)).not.toContain(`SecurityPolicy/${victim}`);
    expect(result.operations.filter((op) => op.route === victim)).toEqual([]);
    expect(result.operations.length).toBeGreaterThan(0);
    expect(result.findings.filter((f) => f.id === 'gateway-api-invalid-resource')).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: expect.stringContaining(`HTTPRoute/${victim} would be rejected (schema) at spec.rules[0]`),
      }),
    ]);
  });
});
