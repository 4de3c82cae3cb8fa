import { describe, expect, it } from 'vitest';
import { checkTenancy, type OtherTenant } from '../../../shared/core/deploy/check-tenancy.js';
import { grant, renderFiles } from './helpers.js';

const check = async (options: Parameters<typeof renderFiles>[0], others: OtherTenant[] = [], g = grant) => {
  const rendered = await renderFiles(options);
  expect(rendered.findings).toEqual([]);
  return checkTenancy(
    { repo: { owner: 'acme', repo: 'pets' }, apis: rendered.apis, configFile: '.kuma-api-forge.yaml' },
    g,
    others,
  )
    .map((f) => `${f.file}:${f.line} ${f.id}: ${f.message}`)
    .sort();
};

describe('checkTenancy', () => {
  it('passes an API inside its grant, wildcard hostnames included', async () => {
    expect(await check({})).toEqual([]);
    expect(await check({ hostnames: ['v2.pets.example.com', 'a.b.pets.example.com'] })).toEqual([]);
  });

  it('puts each claim outside the grant on the config line that made it', async () => {
    const findings = await check({
      gateway: 'internal',
      hostnames: ['pets.example.com', 'pets.example.org'],
      basePath: '/orders',
      namespace: 'billing',
    });
    expect(findings).toEqual([
      // Config lines: 4 gateway, 5 hostnames (one flow list), 6 basePath, 9 service.namespace.
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:4 tenancy-gateway: API "pets" uses gateway "internal", which acme\/pets is not granted \(granted: edge\)$/,
      ),
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:5 tenancy-hostname: API "pets" claims hostname "pets\.example\.org"/,
      ),
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:6 tenancy-base-path: API "pets": GET \/orders\/pets \(Exact\)/,
      ),
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:6 tenancy-base-path: API "pets": GET \^\/orders\/pets\/\[\^\/\]\+\$ \(RegularExpression\)/,
      ),
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:9 tenancy-namespace: API "pets" sends traffic to namespace "billing"/,
      ),
    ]);
  });

  it('does not let a wildcard grant cover its apex, nor a base path cover a longer segment', async () => {
    expect(await check({ hostnames: ['example.com'] })).toEqual([
      expect.stringMatching(/:5 tenancy-hostname: .*"example\.com"/),
    ]);
    const findings = await check({ basePath: '/pets-apix' });
    expect(findings).toHaveLength(2);
    expect(findings.every((f) => f.includes('tenancy-base-path'))).toBe(true);
  });

  it('lets a repo with no grant deploy nothing', async () => {
    const rendered = await renderFiles({});
    const findings = checkTenancy(
      { repo: { owner: 'acme', repo: 'pets' }, apis: rendered.apis, configFile: '.kuma-api-forge.yaml' },
      undefined,
      [],
    );
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'tenancy',
        id: 'tenancy-no-grant',
        severity: 'error',
        file: '.kuma-api-forge.yaml',
        line: 2,
      }),
    ]);
  });

  it("reports a route colliding with another tenant's on the operation's spec line", async () => {
    const other: OtherTenant = {
      repo: { owner: 'globex', repo: 'pets' },
      resources: [],
      routes: [
        {
          route: 'globex-pets',
          ruleIndex: 0,
          gateway: 'edge',
          hostnames: ['*.example.com'],
          method: 'GET',
          path: { type: 'RegularExpression', value: '^/pets-api/pets/[0-9]+$' },
        },
      ],
    };
    expect(await check({}, [other])).toEqual([
      // openapi.yaml line 9 is `/pets/{petId}:`; /pets (line 4) does not collide.
      expect.stringMatching(
        /^openapi\.yaml:9 tenancy-route-collision: API "pets": GET \^\/pets-api\/pets\/\[\^\/\]\+\$ .* collides with GET \^\/pets-api\/pets\/\[0-9\]\+\$ .* of globex\/pets/,
      ),
    ]);
    // Another gateway, another hostname or another method: no collision.
    const elsewhere = (change: Partial<OtherTenant['routes'][number]>) => ({
      ...other,
      routes: [{ ...other.routes[0]!, ...change }],
    });
    expect(await check({}, [elsewhere({ gateway: 'internal' })])).toEqual([]);
    expect(await check({}, [elsewhere({ hostnames: ['shop.example.com'] })])).toEqual([]);
    expect(await check({}, [elsewhere({ method: 'POST' })])).toEqual([]);
    // The same repo's own record is not "another tenant".
    expect(await check({}, [{ ...other, repo: { owner: 'ACME', repo: 'pets' } }])).toEqual([]);
  });

  it('reports resource names another tenant already deploys', async () => {
    const findings = await check({}, [
      { repo: { owner: 'globex', repo: 'pets' }, resources: ['MeshHTTPRoute kuma-system/pets'], routes: [] },
    ]);
    expect(findings).toEqual([
      expect.stringMatching(
        /:2 tenancy-resource-name: API "pets" renders MeshHTTPRoute kuma-system\/pets, which globex\/pets already deploys/,
      ),
    ]);
  });

  it('refuses a route without hostnames unless the grant has "*"', async () => {
    const rendered = await renderFiles({});
    const noHosts = rendered.apis.map((api) => ({
      ...api,
      files: api.files.map((f) => ({
        ...f,
        content: f.content.replace(/\n {6}hostnames:\n {8}- pets.example.com/, ''),
      })),
    }));
    const run = (g: typeof grant) =>
      checkTenancy(
        { repo: { owner: 'acme', repo: 'pets' }, apis: noHosts, configFile: '.kuma-api-forge.yaml' },
        g,
        [],
      ).map((f) => f.id);
    expect(run(grant)).toEqual(['tenancy-hostname', 'tenancy-hostname']);
    expect(run({ ...grant, hostnames: ['*'] })).toEqual([]);
  });
});
