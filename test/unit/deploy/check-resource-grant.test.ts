import { describe, expect, it } from 'vitest';
import { checkClaimGrant, checkResourceGrant } from '../../../shared/core/deploy/check-tenancy.js';
import type { ManifestResource, RouteClaim } from '../../../shared/core/deploy/route-claims.js';
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

/** The finding ids and causes one route rule gets against the grant. */
function claimFindings(claim: Partial<RouteClaim>, withGrant: TenantGrant = grant) {
  const found: { id: string; cause: unknown }[] = [];
  const full: RouteClaim = {
    route: 'shop-items',
    ruleIndex: 0,
    gateway: 'edge',
    hostnames: ['shop.example.com'],
    path: { type: 'Exact', value: '/shop/items' },
    namespaces: ['shop'],
    ...claim,
  };
  checkClaimGrant(
    { api: 'shop', repo: 'acme/shop', grant: withGrant, report: (id, cause) => found.push({ id, cause }) },
    full,
  );
  return found;
}

describe('checkClaimGrant: one route rule against the grant', () => {
  it('passes a rule within the granted hostname, base path and namespace', () => {
    expect(claimFindings({})).toEqual([]);
    expect(claimFindings({ path: { type: 'PathPrefix', value: '/shop' } })).toEqual([]);
  });

  it('refuses a rule with no hostname (every hostname of the gateway) unless "*" is granted', () => {
    expect(claimFindings({ hostnames: [] })).toEqual([
      { id: 'tenancy-hostname', cause: { kind: 'route', route: 'shop-items', ruleIndex: 0 } },
    ]);
    expect(claimFindings({ hostnames: [] }, { ...grant, hostnames: ['*'] })).toEqual([]);
  });

  it('refuses each hostname the grant does not cover, on the hostname', () => {
    expect(claimFindings({ hostnames: ['shop.example.com', 'admin.example.com'] })).toEqual([
      { id: 'tenancy-hostname', cause: { kind: 'hostname', hostname: 'admin.example.com' } },
    ]);
  });

  it('refuses a path outside the base paths, a look-alike prefix and a regex that can leave them included', () => {
    for (const path of [
      { type: 'Exact', value: '/admin' },
      { type: 'PathPrefix', value: '/shopping' },
      { type: 'RegularExpression', value: '/shop/.*|/admin' },
    ] as const) {
      expect(claimFindings({ path }).map((f) => f.id)).toEqual(['tenancy-base-path']);
    }
  });

  it('refuses traffic to a namespace not granted', () => {
    expect(claimFindings({ namespaces: ['shop', 'billing'] })).toEqual([
      { id: 'tenancy-namespace', cause: { kind: 'namespace', namespace: 'billing' } },
    ]);
  });
});
