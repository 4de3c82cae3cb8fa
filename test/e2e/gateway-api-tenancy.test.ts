/**
 * Tenancy for the gateway-api target, through `check --deployed` (what the PR preview and the merge run): a
 * repo's HTTPRoutes may attach only to the parent Gateways its grant lists (`parentGateways`), live and send
 * traffic only in granted namespaces, and may not take a hostname and path another tenant serves, on the same
 * Gateway or on the other target. Each attack lands on the config or spec line that made it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalDeployRepo } from '../../shared/adapters/local-deploy-repo.js';
import { createLocalDirSource } from '../../shared/adapters/local-dir-source.js';
import { previewDeploy } from '../../shared/use-cases/preview-deploy.js';
import { checkJson } from '../helpers/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'kaf-gapi-tenancy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;

const tenants = [
  'tenants:',
  '  acme/users:',
  '    gateways: [edge]',
  '    parentGateways: [envoy-gateway-system/eg]',
  '    hostnames: ["*.example.com"]',
  '    basePaths: [/]',
  '    namespaces: [users]',
  '  acme/other:',
  '    gateways: [edge]',
  '    parentGateways: [envoy-gateway-system/eg, envoy-gateway-system/other-eg]',
  '    hostnames: ["*.example.com"]',
  '    basePaths: [/]',
  '    namespaces: [other]',
  '',
].join('\n');

/** A repo with one API `api` serving GET `<paths>` ; `entry` holds the config lines after `spec:` (line 4 on). */
function writeRepo(entry: string[], paths = ['/health']): string {
  const dir = path.join(root, `repo-${++count}`);
  mkdirSync(dir);
  const config = ['version: 1', 'apis:', '  - name: api', '    spec: api.yaml', ...entry, ''];
  writeFileSync(path.join(dir, '.kuma-api-forge.yaml'), config.join('\n'));
  const spec = [
    'openapi: 3.0.3',
    'info: {title: t, version: "1"}',
    'paths:',
    ...paths.flatMap((p) => [
      `  ${p}:`,
      `    get: {operationId: get${p.replace(/\W/g, '')}, responses: {"200": {description: ok}}}`,
    ]),
    '',
  ];
  writeFileSync(path.join(dir, 'api.yaml'), spec.join('\n'));
  return dir;
}

const gatewayApi = (
  hostname: string,
  namespace: string,
  parent = 'name: eg, namespace: envoy-gateway-system',
) => [
  '    target: gateway-api',
  `    parentRef: {${parent}}`,
  `    hostnames: [${hostname}]`,
  `    service: {name: api, namespace: ${namespace}, port: 8080}`,
];
const kumaGateway = (hostname: string, namespace: string) => [
  '    gateway: edge',
  `    hostnames: [${hostname}]`,
  `    service: {name: api, namespace: ${namespace}, port: 8080}`,
];

/** A deploy repo holding the tenants file and, when given, acme/other's deployed API. */
async function deployRepo(other?: string): Promise<string> {
  const deployed = path.join(root, `deployed-${++count}`);
  mkdirSync(deployed);
  writeFileSync(path.join(deployed, 'tenants.yaml'), tenants);
  if (!other) return deployed;
  const preview = await previewDeploy(
    {
      files: createLocalDirSource(other),
      sourceRepo: { owner: 'acme', repo: 'other' },
      sourceSha: 'a'.repeat(40),
    },
    await createLocalDeployRepo({ dir: deployed }),
  );
  if (preview.decision.status !== 'planned') throw new Error(JSON.stringify(preview.decision));
  for (const change of preview.decision.plan.changes) {
    mkdirSync(path.dirname(path.join(deployed, change.path)), { recursive: true });
    writeFileSync(path.join(deployed, change.path), change.content ?? '');
  }
  return deployed;
}

/** The check's tenancy errors as `id file:line`. */
async function tenancy(head: string, deployed: string) {
  const { code, report } = await checkJson(['--head', head, '--deployed', deployed, '--repo', 'acme/users']);
  const errors = report.findings.filter((f) => f.severity === 'error');
  return {
    code,
    errors: errors.map((f) => `${f.id} ${f.file}:${f.line}`),
    messages: errors.map((f) => f.message),
  };
}

describe('gateway-api tenancy: the grant', () => {
  it('passes HTTPRoutes on a granted Gateway, hostname and namespace', async () => {
    const result = await tenancy(writeRepo(gatewayApi('users.example.com', 'users')), await deployRepo());
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('refuses another tenant’s Gateway, on the parentRef line', async () => {
    const head = writeRepo(
      gatewayApi('users.example.com', 'users', 'name: other-eg, namespace: envoy-gateway-system'),
    );
    const result = await tenancy(head, await deployRepo());
    expect(result.errors).toEqual(['tenancy-gateway .kuma-api-forge.yaml:6']);
    expect(result.messages[0]).toContain(
      'Gateway "envoy-gateway-system/other-eg", which acme/users is not granted',
    );
    expect(result.code).toBe(1);
  });

  it('refuses a granted Gateway name in another namespace, and a parent in the routes’ namespace by default', async () => {
    const elsewhere = await tenancy(
      writeRepo(gatewayApi('users.example.com', 'users', 'name: eg, namespace: kube-system')),
      await deployRepo(),
    );
    expect(elsewhere.errors).toEqual(['tenancy-gateway .kuma-api-forge.yaml:6']);
    // No namespace: Gateway API reads the routes' namespace, users/eg, which is not envoy-gateway-system/eg.
    const implicit = await tenancy(
      writeRepo(gatewayApi('users.example.com', 'users', 'name: eg')),
      await deployRepo(),
    );
    expect(implicit.errors).toEqual(['tenancy-gateway .kuma-api-forge.yaml:6']);
    expect(implicit.messages[0]).toContain('"users/eg"');
  });

  it('refuses routes and backends outside the granted namespaces, on the line that chose them', async () => {
    const routes = await tenancy(
      writeRepo([...gatewayApi('users.example.com', 'users'), '    routeNamespace: kuma-system']),
      await deployRepo(),
    );
    // The route and its BackendTrafficPolicy live there, each refused on the routeNamespace line.
    expect(routes.errors).toEqual([
      'tenancy-namespace .kuma-api-forge.yaml:9',
      'tenancy-namespace .kuma-api-forge.yaml:9',
    ]);
    expect(routes.messages.join('\n')).toContain('HTTPRoute api in namespace "kuma-system"');
    expect(routes.messages.join('\n')).toContain('BackendTrafficPolicy api in namespace "kuma-system"');
    const backends = await tenancy(writeRepo(gatewayApi('users.example.com', 'other')), await deployRepo());
    expect(new Set(backends.errors)).toEqual(new Set(['tenancy-namespace .kuma-api-forge.yaml:8']));
  });

  it('refuses a hostname outside the grant, as for the builtin gateway', async () => {
    const result = await tenancy(writeRepo(gatewayApi('users.example.org', 'users')), await deployRepo());
    expect(result.errors).toEqual(['tenancy-hostname .kuma-api-forge.yaml:7']);
  });
});

describe('gateway-api tenancy: requests another tenant already takes', () => {
  it('the same hostname and path on the same Gateway', async () => {
    const deployed = await deployRepo(writeRepo(gatewayApi('shared.example.com', 'other')));
    const result = await tenancy(writeRepo(gatewayApi('shared.example.com', 'users')), deployed);
    expect(result.errors.filter((e) => e.startsWith('tenancy-route-collision'))).toEqual([
      'tenancy-route-collision api.yaml:5',
    ]);
    expect(result.messages.find((m) => m.includes('collides'))).toContain('of acme/other, already deployed');
    // Both APIs are named "api": their gateway-sidecar policies share the proxies' namespace and would take
    // each other's names, refused on the name line.
    expect(result.errors.filter((e) => !e.startsWith('tenancy-route-collision'))).toEqual([
      'tenancy-resource-name .kuma-api-forge.yaml:3',
      'tenancy-resource-name .kuma-api-forge.yaml:3',
    ]);
    expect(result.messages.join('\n')).toMatch(/MeshRetry.*api-gateway-retry/);
    expect(result.messages.join('\n')).toMatch(/MeshTimeout.*api-gateway-timeout/);
  });

  it('the same hostname and path on the other target, either way round', async () => {
    const onKuma = await deployRepo(writeRepo(kumaGateway('shared.example.com', 'other')));
    expect((await tenancy(writeRepo(gatewayApi('shared.example.com', 'users')), onKuma)).errors).toEqual([
      'tenancy-route-collision api.yaml:5',
    ]);
    const onGatewayApi = await deployRepo(writeRepo(gatewayApi('shared.example.com', 'other')));
    const result = await tenancy(writeRepo(kumaGateway('shared.example.com', 'users')), onGatewayApi);
    expect(result.errors).toEqual(['tenancy-route-collision api.yaml:5']);
    expect(result.messages[0]).toContain('on Gateway "envoy-gateway-system/eg"');
  });

  it('but not another hostname or another path on the other target', async () => {
    const onKuma = await deployRepo(writeRepo(kumaGateway('shared.example.com', 'other')));
    expect((await tenancy(writeRepo(gatewayApi('mine.example.com', 'users')), onKuma)).errors).toEqual([]);
    expect(
      (await tenancy(writeRepo(gatewayApi('shared.example.com', 'users'), ['/status']), onKuma)).errors,
    ).toEqual([]);
  });
});
