/**
 * The tenancy check on manifests it did not render itself (a hand-edited deploy repo, an older renderer):
 * containment and overlap are decided on the regex languages, a regex it cannot parse fails closed, and the
 * grant's meshes and gateway-wide kinds default to the safe side.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkTenancy, type OtherTenant } from '../../../shared/core/deploy/check-tenancy.js';
import { findGrant, parseTenants, type TenantGrant } from '../../../shared/core/deploy/tenants.js';
import { parseSourceFile } from '../../../shared/core/spec/parse-source-file.js';
import { defaultLoadLimits } from '../../../shared/core/spec/types.js';
import { grant } from './helpers.js';

function route(value: string, extra: { mesh?: string } = {}) {
  return {
    path: 'meshhttproute-pets.yaml',
    content: stringify({
      apiVersion: 'kuma.io/v1alpha1',
      kind: 'MeshHTTPRoute',
      metadata: {
        name: 'pets',
        namespace: 'kuma-system',
        labels: { 'kuma.io/mesh': extra.mesh ?? 'default' },
      },
      spec: {
        targetRef: { kind: 'MeshGateway', name: 'edge' },
        to: [
          {
            targetRef: { kind: 'Mesh' },
            hostnames: ['pets.example.com'],
            rules: [{ matches: [{ path: { type: 'RegularExpression', value }, method: 'GET' }] }],
          },
        ],
      },
    }),
  };
}

const check = (
  files: { path: string; content: string }[],
  others: OtherTenant[] = [],
  g: TenantGrant = grant,
) =>
  checkTenancy(
    { repo: { owner: 'acme', repo: 'pets' }, apis: [{ name: 'pets', files }], configFile: 'c.yaml' },
    g,
    others,
  ).map((f) => `${f.id}: ${f.message}`);

describe('checkTenancy on any manifest', () => {
  it.each([
    ['a top-level alternative', '^/pets-api/[^/]+$|^/shop/cart$', '/shop/cart'],
    ['a longer first segment', '^/pets-apix/[^/]+$', '/pets-apix/a'],
    ['an optional slash', '^/pets-api/?[a-z]+$', '/pets-apia'],
    ['a class that takes "/"', '^/pets-api(?:[^a]+)$', '/pets-apib'],
  ])('finds the request that leaves the base path through %s', (_, regex, witness) => {
    expect(check([route(regex)])).toEqual([
      expect.stringMatching(new RegExp(`^tenancy-base-path: .*takes the request path "${witness}"$`)),
    ]);
  });

  it("treats another tenant's regex it cannot parse as overlapping every route, and says so", () => {
    const other: OtherTenant = {
      repo: { owner: 'globex', repo: 'pets' },
      resources: [],
      routes: [
        {
          route: 'x',
          ruleIndex: 0,
          gateway: 'edge',
          hostnames: ['pets.example.com'],
          path: { type: 'RegularExpression', value: '^/zzz/(?i)x$' },
        },
      ],
    };
    expect(check([route('^/pets-api/[0-9]+$')], [other])).toEqual([
      expect.stringMatching(/^tenancy-route-collision: .*cannot be analysed \(it sets flags/),
    ]);
  });

  it('refuses a mesh not granted, "default" only when the grant names none', () => {
    expect(check([route('^/pets-api/[0-9]+$', { mesh: 'payments' })])).toEqual([
      expect.stringMatching(/^tenancy-mesh: API "pets" is in mesh "payments"/),
    ]);
    expect(check([route('^/pets-api/[0-9]+$')], [], { ...grant, meshes: ['payments'] })).toEqual([
      expect.stringMatching(/^tenancy-mesh: API "pets" is in mesh "default"/),
    ]);
  });

  it('needs a grant for any policy on the whole gateway, kinds it does not know included', () => {
    const policy = (kind: string, to: unknown) => ({
      path: `${kind}.yaml`,
      content: stringify({
        apiVersion: 'kuma.io/v1alpha1',
        kind,
        metadata: { name: 'p', namespace: 'kuma-system', labels: { 'kuma.io/mesh': 'default' } },
        spec: { targetRef: { kind: 'MeshGateway', name: 'edge' }, ...(to ? { to } : {}) },
      }),
    });
    const files = [
      policy('MeshFaultInjection', undefined),
      policy('MeshAccessLog', [{ targetRef: { kind: 'Mesh' } }]),
      policy('MeshCircuitBreaker', [{ targetRef: { kind: 'MeshService', name: 'pets', namespace: 'pets' } }]),
    ];
    expect(check(files)).toEqual([
      expect.stringMatching(/^tenancy-gateway-wide: API "pets" renders MeshFaultInjection p, which applies/),
      expect.stringMatching(/^tenancy-gateway-wide: API "pets" renders MeshAccessLog p \(x-kuma accessLog\)/),
    ]);
    expect(check(files, [], { ...grant, gatewayWide: ['MeshFaultInjection', 'MeshAccessLog'] })).toEqual([]);
    // A backend policy towards a service of a namespace not granted is a namespace problem.
    const foreign = [
      policy('MeshHealthCheck', [{ targetRef: { kind: 'MeshService', name: 'x', namespace: 'billing' } }]),
    ];
    expect(check(foreign)).toEqual([expect.stringMatching(/^tenancy-namespace: .*"billing"/)]);
  });
});

describe('tenants.yaml grants', () => {
  const parse = (lines: string[]) =>
    parseTenants(parseSourceFile('tenants.yaml', Buffer.from(lines.join('\n')), defaultLoadLimits).file!);
  const base = [
    'tenants:',
    '  acme/pets:',
    '    gateways: [edge]',
    '    basePaths: [/pets]',
    '    namespaces: [pets]',
  ];

  it('refuses an upper-case hostname on its line', () => {
    const { tenants, findings } = parse([...base, "    hostnames: ['Pets.example.com']"]);
    expect(tenants).toBeUndefined();
    expect(findings).toEqual([expect.objectContaining({ id: 'tenants-file-invalid', line: 6 })]);
  });

  it('reads meshes and gatewayWide, and leaves them unset in a file written before they existed', () => {
    const old = parse([...base, '    hostnames: [pets.example.com]']);
    expect(findGrant(old.tenants, { owner: 'acme', repo: 'pets' })).not.toHaveProperty('meshes');
    const next = parse([
      ...base,
      '    hostnames: [pets.example.com]',
      '    meshes: [payments]',
      '    gatewayWide: [MeshAccessLog]',
    ]);
    expect(next.findings).toEqual([]);
    expect(findGrant(next.tenants, { owner: 'acme', repo: 'pets' })).toMatchObject({
      meshes: ['payments'],
      gatewayWide: ['MeshAccessLog'],
    });
    expect(parse([...base, '    hostnames: [a.b]', '    gatewayWide: [accessLog]']).findings).toEqual([
      expect.objectContaining({ id: 'tenants-file-invalid', line: 7 }),
    ]);
  });
});
