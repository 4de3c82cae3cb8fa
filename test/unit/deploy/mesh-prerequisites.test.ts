/**
 * D8: what the manifests need from their Kuma mesh, warned about where the deploy preview can see the mesh — the
 * `meshes` the platform team declares in the deploy repo's tenants file. Through the CLI (`check --tenants`), as
 * the PR preview runs it, and joined into the PR check's report.
 * @module
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Finding } from '../../../shared/core/findings.js';
import { joinPreview } from '../../../shared/core/report/mesh-preview.js';
import type { CheckReport } from '../../../shared/core/report/types.js';
import { checkJson } from '../../helpers/cli.js';

const spec = (auth: boolean) => ({
  openapi: '3.0.3',
  info: { title: 'Orders', version: '1' },
  ...(auth
    ? {
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
        'x-kuma': {
          auth: { bearer: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' } },
        },
      }
    : {}),
  paths: { '/orders': { get: { responses: { 200: { description: 'ok' } } } } },
});

interface Case {
  meshes?: unknown;
  api?: Record<string, unknown>;
  mesh?: string;
  auth?: boolean;
  failOn?: 'warning';
}

/** `check --head <repo> --tenants <file> --repo acme/shop` on a one-API repo (API entry on line 3 without `mesh`). */
async function check({ meshes, api = {}, mesh, auth = false, failOn }: Case) {
  const dir = mkdtempSync(path.join(tmpdir(), 'mesh-prereq-'));
  writeFileSync(path.join(dir, 'api.yaml'), stringify(spec(auth)));
  const config = {
    version: 1,
    ...(mesh ? { mesh } : {}),
    apis: [
      {
        name: 'orders',
        spec: 'api.yaml',
        gateway: 'edge',
        service: { name: 'orders', namespace: 'shop', port: 8080 },
        ...api,
      },
    ],
  };
  writeFileSync(path.join(dir, '.kuma-api-forge.yaml'), stringify(config));
  const grant = {
    gateways: ['edge'],
    hostnames: ['*'],
    basePaths: ['/'],
    namespaces: ['shop'],
    meshes: ['default', 'payments'],
    gatewayWide: ['MeshProxyPatch'],
  };
  const tenants = path.join(dir, 'tenants.yaml');
  writeFileSync(tenants, stringify({ tenants: { 'acme/shop': grant }, ...(meshes ? { meshes } : {}) }));
  const args = [
    '--head',
    dir,
    '--tenants',
    tenants,
    '--repo',
    'acme/shop',
    ...(failOn ? ['--fail-on', failOn] : []),
  ];
  const { code, report } = await checkJson(args);
  return { code, prerequisites: report.findings.filter((f) => f.id === 'kuma-mesh-prerequisite'), report };
}

describe('kuma-mesh-prerequisite: meshServices.mode', () => {
  it('Disabled: a warning on the API entry naming the backend and the fix; the check still passes', async () => {
    const { code, prerequisites } = await check({ meshes: { default: { meshServices: 'Disabled' } } });
    expect(code).toBe(0);
    expect(prerequisites).toEqual([
      expect.objectContaining({
        severity: 'warning',
        kind: 'tenancy',
        file: '.kuma-api-forge.yaml',
        line: 3,
        pointer: '/apis/0',
        message: expect.stringMatching(
          /orders in shop.*meshServices\.mode Disabled.*503.*Everywhere or Exclusive/,
        ),
      }),
    ]);
  });

  it('--fail-on warning makes it fail', async () => {
    const { code } = await check({ meshes: { default: { meshServices: 'Disabled' } }, failOn: 'warning' });
    expect(code).toBe(1);
  });

  it.each([
    ['Everywhere', { default: { meshServices: 'Everywhere' } }, undefined],
    ['Exclusive', { default: { meshServices: 'Exclusive' } }, undefined],
    ['another mesh Disabled', { payments: { meshServices: 'Disabled' } }, undefined],
    ['a mesh declared without the key', { default: { mtls: 'Mesh' } }, undefined],
    ['no meshes at all', undefined, undefined],
    ['the API in another mesh', { default: { meshServices: 'Disabled' } }, 'payments'],
  ])('no warning: %s', async (_, meshes, mesh) => {
    const { code, prerequisites } = await check({ meshes, ...(mesh ? { mesh } : {}) });
    expect(code).toBe(0);
    expect(prerequisites).toEqual([]);
  });

  it('follows the config mesh: Disabled on payments warns for an API in payments', async () => {
    const { prerequisites } = await check({
      meshes: { payments: { meshServices: 'Disabled' } },
      mesh: 'payments',
    });
    expect(prerequisites.map((f) => f.message)).toEqual([expect.stringContaining('mesh "payments"')]);
  });
});

describe('kuma-mesh-prerequisite: mTLS and the MeshTrafficPermission form', () => {
  const spiffeId = 'spiffe://default.zone-1.mesh.local/ns/kuma-gateways/sa/edge';

  it('MeshIdentity without gatewaySpiffeId: `from` is ignored there, the warning says to set it', async () => {
    const { code, prerequisites } = await check({ meshes: { default: { mtls: 'MeshIdentity' } } });
    expect(code).toBe(0);
    expect(prerequisites.map((f) => f.message)).toEqual([
      expect.stringMatching(/ignores.*403.*gatewaySpiffeId/),
    ]);
  });

  it('Mesh mTLS with gatewaySpiffeId: `rules` would shut out the backends’ other clients', async () => {
    const { prerequisites } = await check({
      meshes: { default: { mtls: 'Mesh' } },
      api: { gatewaySpiffeId: spiffeId },
    });
    expect(prerequisites.map((f) => f.message)).toEqual([
      expect.stringMatching(/ignore every other permission's `from`.*remove gatewaySpiffeId/),
    ]);
  });

  it('no mTLS and gateway-only JWT: the backends are reachable without a token', async () => {
    const { prerequisites } = await check({ meshes: { default: { mtls: 'Off' } }, auth: true });
    expect(prerequisites.map((f) => f.message)).toEqual([
      expect.stringMatching(/without a token.*enable mTLS/),
    ]);
  });

  it.each([
    ['MeshIdentity with gatewaySpiffeId', { mtls: 'MeshIdentity' }, { gatewaySpiffeId: spiffeId }, false],
    ['Mesh mTLS with the tag form', { mtls: 'Mesh' }, {}, false],
    ['no mTLS without auth', { mtls: 'Off' }, {}, false],
    ['everything in order, with auth', { mtls: 'Mesh', meshServices: 'Everywhere' }, {}, true],
  ])('no warning: %s', async (_, facts, api, auth) => {
    const { code, prerequisites } = await check({ meshes: { default: facts }, api, auth });
    expect(code).toBe(0);
    expect(prerequisites).toEqual([]);
  });

  it('one warning per problem: Disabled and MeshIdentity together give two', async () => {
    const { prerequisites } = await check({
      meshes: { default: { meshServices: 'Disabled', mtls: 'MeshIdentity' } },
    });
    expect(prerequisites).toHaveLength(2);
  });
});

describe('the meshes key of the tenants file', () => {
  it.each([
    ['a mode in the wrong case', { default: { meshServices: 'disabled' } }],
    ['an unknown key', { default: { meshService: 'Disabled' } }],
    ['an mtls value Kuma has no such mode for', { default: { mtls: 'true' } }],
    ['a mesh name that is no DNS name', { Default: { mtls: 'Mesh' } }],
  ])('refuses %s: the tenants file is invalid, exit 1', async (_, meshes) => {
    const { code, report } = await check({ meshes });
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.id)).toContain('tenants-file-invalid');
  });
});

describe('the PR check joins the warnings without failing', () => {
  const warning: Finding = {
    kind: 'tenancy',
    id: 'kuma-mesh-prerequisite',
    severity: 'warning',
    message: 'mesh "default" has meshServices.mode Disabled',
    file: '.kuma-api-forge.yaml',
    line: 4,
    column: 5,
    pointer: '/apis/0',
  };
  const report: CheckReport = { verdict: 'pass', reason: 'passed', findings: [], apis: [], notices: [] };
  const preview = { rendered: { findings: [] }, decision: { status: 'rejected' as const, findings: [] } };

  it('a planned or refused preview with prerequisites: the warning is in the report, the verdict unchanged', () => {
    const joined = joinPreview(report, { ...preview, prerequisites: [warning] });
    expect(joined.verdict).toBe('pass');
    expect(joined.findings).toEqual([warning]);
  });

  it('a warning the report already has is not repeated', () => {
    const joined = joinPreview({ ...report, findings: [warning] }, { ...preview, prerequisites: [warning] });
    expect(joined.findings).toEqual([warning]);
  });
});
