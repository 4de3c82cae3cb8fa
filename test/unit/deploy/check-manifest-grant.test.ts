/**
 * Gateway API and Envoy Gateway objects read back from manifest files (what the deploy checks, for this repo's
 * render and other tenants' folders alike) against a grant: the namespace they live in, the parent Gateways an
 * HTTPRoute attaches to (Gateway API's defaults applied), and policies that target a whole Gateway.
 */
import { describe, expect, it } from 'vitest';
import { checkResourceGrant } from '../../../shared/core/deploy/check-tenancy.js';
import { type ManifestResource, readRouteClaims } from '../../../shared/core/deploy/route-claims.js';
import type { TenantGrant } from '../../../shared/core/deploy/tenants.js';

const grant: TenantGrant = {
  gateways: [],
  parentGateways: ['edge-system/eg'],
  hostnames: ['shop.example.com'],
  basePaths: ['/shop'],
  namespaces: ['shop'],
};

const route = (spec: Record<string, unknown>, namespace = 'shop'): ManifestResource => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  name: 'shop',
  namespace,
  spec,
  path: 'shop/httproute-shop.yaml',
});

function reported(resource: ManifestResource, withGrant: TenantGrant = grant): string[] {
  const found: string[] = [];
  checkResourceGrant(
    {
      api: 'shop',
      repo: 'acme/shop',
      grant: withGrant,
      report: (id, cause) => found.push(`${id} ${JSON.stringify(cause)}`),
    },
    resource,
  );
  return found;
}

describe('Gateway API objects against the grant', () => {
  it('passes an HTTPRoute in a granted namespace on a granted Gateway, with no mesh to check', () => {
    expect(reported(route({ parentRefs: [{ name: 'eg', namespace: 'edge-system' }] }))).toEqual([]);
  });

  it('refuses each parent that is not granted: another Gateway, the default namespace, another kind', () => {
    const found = reported(
      route({
        parentRefs: [
          { name: 'eg', namespace: 'edge-system' },
          { name: 'internal', namespace: 'edge-system' },
          { name: 'eg' },
          { name: 'eg', namespace: 'edge-system', kind: 'Service', group: '' },
        ],
      }),
    );
    expect(found).toEqual([
      'tenancy-gateway {"kind":"parent-gateway","gateway":"edge-system/internal"}',
      'tenancy-gateway {"kind":"parent-gateway","gateway":"shop/eg"}',
      'tenancy-gateway {"kind":"parent-gateway","gateway":"Service edge-system/eg"}',
    ]);
  });

  it('refuses an object in a namespace outside the grant, or with none', () => {
    expect(
      reported(route({ parentRefs: [{ name: 'eg', namespace: 'edge-system' }] }, 'kuma-system')),
    ).toEqual(['tenancy-namespace {"kind":"namespace","namespace":"kuma-system"}']);
    const { namespace: _none, ...unnamespaced } = route({});
    expect(reported({ ...unnamespaced, kind: 'ReferenceGrant' })).toEqual([
      'tenancy-namespace {"kind":"namespace","namespace":"default"}',
    ]);
  });

  it('refuses a policy that targets a whole Gateway unless its kind is granted gateway-wide', () => {
    const policy: ManifestResource = {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'SecurityPolicy',
      name: 'shop',
      namespace: 'shop',
      spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'eg' }] },
      path: 'shop/securitypolicy-shop.yaml',
    };
    expect(reported(policy)).toEqual([
      'tenancy-gateway-wide {"kind":"gateway-wide","resourceKind":"SecurityPolicy"}',
    ]);
    expect(reported(policy, { ...grant, gatewayWide: ['SecurityPolicy'] })).toEqual([]);
    const onRoute = { ...policy, spec: { targetRefs: [{ kind: 'HTTPRoute', name: 'shop' }] } };
    expect(reported(onRoute)).toEqual([]);
  });

  it('reads an HTTPRoute’s claims per parent and rule match, backends in the route’s namespace by default', () => {
    const claims = readRouteClaims([
      route({
        parentRefs: [{ name: 'eg', namespace: 'edge-system' }],
        hostnames: ['shop.example.com'],
        rules: [
          {
            matches: [{ path: { type: 'Exact', value: '/shop/a' }, method: 'GET' }],
            backendRefs: [
              { name: 'shop', port: 80 },
              { name: 'shop-next', namespace: 'next', port: 80 },
            ],
          },
          { matches: [{ path: { type: 'RegularExpression', value: '^/shop/b/[^/]+$' } }], backendRefs: [] },
        ],
      }),
    ]);
    expect(claims).toEqual([
      {
        route: 'shop',
        ruleIndex: 0,
        gateway: 'edge-system/eg',
        hostnames: ['shop.example.com'],
        method: 'GET',
        path: { type: 'Exact', value: '/shop/a' },
        namespaces: ['shop', 'next'],
      },
      {
        route: 'shop',
        ruleIndex: 1,
        gateway: 'edge-system/eg',
        hostnames: ['shop.example.com'],
        path: { type: 'RegularExpression', value: '^/shop/b/[^/]+$' },
        namespaces: [],
      },
    ]);
  });
});
