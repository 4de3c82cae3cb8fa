import { describe, expect, it } from 'vitest';
import { checkResourceGrant } from '../../../shared/core/deploy/check-tenancy.js';
import type { ManifestResource } from '../../../shared/core/deploy/route-claims.js';
import type { TenantGrant } from '../../../shared/core/deploy/tenants.js';

const grant: TenantGrant = {
  gateways: ['edge'],
  hostnames: ['shop.example.com'],
  basePaths: ['/shop'],
  namespaces: ['shop'],
};

/** The finding ids one resource gets against a grant (order kept: it is the order users read them in). */
function idsFor(resource: Partial<ManifestResource>, withGrant: TenantGrant = grant): string[] {
  const ids: string[] = [];
  const full: ManifestResource = {
    kind: 'MeshTimeout',
    name: 'shop-api',
    spec: {},
    path: 'shop.yaml',
    ...resource,
  };
  checkResourceGrant(
    { api: 'shop', repo: 'acme/shop', grant: withGrant, report: (id) => ids.push(id) },
    full,
  );
  return ids;
}

const gateway = { kind: 'MeshGateway', name: 'edge' };
const service = (namespace: string) => ({ kind: 'MeshService', name: 'shop', namespace });

describe('checkResourceGrant: one resource against the grant', () => {
  it('passes a route on a granted gateway and a policy to a granted namespace', () => {
    expect(idsFor({ kind: 'MeshHTTPRoute', spec: { targetRef: gateway } })).toEqual([]);
    expect(idsFor({ spec: { targetRef: service('shop') } })).toEqual([]);
  });

  it('refuses a mesh outside the grant, and any mesh but default when the grant names none', () => {
    expect(idsFor({ mesh: 'payments' })).toEqual(['tenancy-mesh']);
    expect(idsFor({ mesh: 'payments' }, { ...grant, meshes: ['payments'] })).toEqual([]);
    expect(idsFor({ mesh: 'default' }, { ...grant, meshes: ['payments'] })).toEqual(['tenancy-mesh']);
  });

  it('refuses traffic to a namespace not granted, at the top or in a `to` entry', () => {
    expect(idsFor({ spec: { targetRef: service('billing') } })).toEqual(['tenancy-namespace']);
    expect(
      idsFor({
        kind: 'MeshCircuitBreaker',
        spec: {
          targetRef: gateway,
          to: [{ targetRef: service('billing') }],
        },
      }),
    ).toEqual(['tenancy-namespace']);
  });

  it('refuses a gateway not granted', () => {
    expect(
      idsFor({ kind: 'MeshHTTPRoute', spec: { targetRef: { kind: 'MeshGateway', name: 'internal' } } }),
    ).toEqual(['tenancy-gateway']);
  });

  it('refuses a gateway-wide policy unless its kind is granted, unknown kinds included', () => {
    expect(idsFor({ kind: 'MeshAccessLog', spec: { targetRef: gateway } })).toEqual(['tenancy-gateway-wide']);
    expect(
      idsFor(
        { kind: 'MeshAccessLog', spec: { targetRef: gateway } },
        { ...grant, gatewayWide: ['MeshAccessLog'] },
      ),
    ).toEqual([]);
    expect(idsFor({ kind: 'MeshSomethingNew', spec: { targetRef: gateway, to: [] } })).toEqual([
      'tenancy-gateway-wide',
    ]);
  });

  it('treats a policy whose every `to` entry is a MeshService as per-service, not gateway-wide', () => {
    expect(
      idsFor({
        kind: 'MeshCircuitBreaker',
        spec: { targetRef: gateway, to: [{ targetRef: service('shop') }] },
      }),
    ).toEqual([]);
  });

  it('reports every problem of one resource, not only the first', () => {
    expect(
      idsFor({
        kind: 'MeshAccessLog',
        mesh: 'payments',
        spec: {
          targetRef: { kind: 'MeshGateway', name: 'internal' },
          to: [{ targetRef: service('billing') }, { targetRef: { kind: 'Mesh' } }],
        },
      }),
    ).toEqual(['tenancy-mesh', 'tenancy-namespace', 'tenancy-gateway-wide', 'tenancy-gateway']);
  });
});
