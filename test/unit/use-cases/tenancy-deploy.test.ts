/**
 * Tenancy at deploy: each attack on another tenant's requests, on the gateway or on a mesh is refused with the
 * finding on the line that caused it, and nothing is written to the deploy repo (the merged PR says "Not
 * deployed"). The deploy's decisions against in-memory fakes of the source repos and the deploy repo (moved from
 * test/integration: the adapters are proven there, in deploy.test.ts).
 */

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Finding } from '../../../shared/core/findings.js';
import { deployPush } from '../../../shared/use-cases/deploy-push.js';
import {
  createFakeDeployRepo,
  createFakeSourceRepo,
  deployJobFactory,
  type FakeDeployRepo,
  type FakeSourceRepo,
} from '../../helpers/factories.js';

let deployRepo: FakeDeployRepo;
let sources: Map<string, FakeSourceRepo>;

interface Grant {
  gateways?: string[];
  hostnames: string[];
  basePaths: string[];
  namespaces?: string[];
  meshes?: string[];
  gatewayWide?: string[];
}

async function createDeployRepo(grants: Record<string, Grant>) {
  const tenants = Object.fromEntries(
    Object.entries(grants).map(([repo, grant]) => [
      `acme/${repo}`,
      { gateways: ['edge'], namespaces: [repo], ...grant },
    ]),
  );
  deployRepo = createFakeDeployRepo(
    { 'tenants.yaml': stringify({ tenants }), 'README.md': '# deploy\n' },
    'acme/deploy@main',
  );
  sources = new Map(Object.keys(grants).map((repo) => [repo, createFakeSourceRepo({ repo })]));
}

interface Source {
  hostnames?: string[];
  basePath: string;
  /** Extra top-level lines of the config (`mesh: …`, `defaults: …`). */
  config?: string[];
  /** Lines under the spec's root `x-kuma:`. */
  rootXKuma?: string[];
  /** OpenAPI paths, each a GET; `{v}` gets a string parameter, narrowed by `schema` lines when given. */
  paths: { path: string; schema?: string[] }[];
}

function sourceFiles(repo: string, source: Source): Record<string, string> {
  const config = [
    'apis:',
    `  - name: ${repo}`,
    '    spec: openapi.yaml',
    '    gateway: edge',
    `    hostnames: [${(source.hostnames ?? ['api.example.com']).map((h) => JSON.stringify(h)).join(', ')}]`,
    `    basePath: ${source.basePath}`,
    '    service:',
    `      name: ${repo}`,
    `      namespace: ${repo}`,
    '      port: 8080',
    ...(source.config ?? []),
    '',
  ];
  const spec = [
    'openapi: 3.0.3',
    `info: {title: ${repo}, version: 1.0.0}`,
    ...(source.rootXKuma ? ['x-kuma:', ...source.rootXKuma.map((line) => `  ${line}`)] : []),
    'paths:',
    ...source.paths.flatMap((entry, index) => [
      `  ${JSON.stringify(entry.path)}:`,
      '    get:',
      `      operationId: op${index}`,
      ...(entry.path.includes('{v}')
        ? [
            '      parameters:',
            '        - name: v',
            '          in: path',
            '          required: true',
            '          schema:',
            ...(entry.schema ?? ['type: string']).map((line) => `            ${line}`),
          ]
        : []),
      "      responses: {'200': {description: ok}}",
    ]),
    '',
  ];
  return { '.kuma-api-forge.yaml': config.join('\n'), 'openapi.yaml': spec.join('\n') };
}

/** 1-based line of the first line of `file` containing `needle`. */
function lineOf(files: Record<string, string>, file: string, needle: string): number {
  const index = files[file]!.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

let branches = 0;

/** Merges `files` into `repo` through a PR and runs the deploy of that merge. */
async function mergeAndDeploy(repo: string, files: Record<string, string>) {
  const source = sources.get(repo)!;
  const branch = `change-${++branches}`;
  source.push(branch, files, { from: 'main' });
  const number = source.openPull({ head: branch });
  const sha = source.merge(number);
  const outcome = await deployPush(deployJobFactory(source, sha), {
    source: source.codeHost,
    history: source.history,
    deployRepo,
    backoffMs: 5,
    maxAttempts: 3,
    sleep: async () => {},
  });
  return { outcome, number };
}

const deployedFiles = async (repo: string) =>
  Object.keys(deployRepo.files()).filter((p) => p.startsWith(`apis/acme/${repo}/`));

/** Deploys `files` to `repo`, expects it refused, nothing written and the PR told; returns the findings. */
async function expectRefused(repo: string, files: Record<string, string>): Promise<string[]> {
  const commits = deployRepo.log().length;
  const { outcome, number } = await mergeAndDeploy(repo, files);
  expect(outcome.status).toBe('rejected');
  expect(deployRepo.log().length).toBe(commits);
  expect(await deployedFiles(repo)).toEqual([]);
  expect(sources.get(repo)!.comments(number).at(-1)?.body).toContain('**Not deployed**');
  const findings = outcome.status === 'rejected' ? (outcome.findings as Finding[]) : [];
  return findings.map((f) => `${f.file}:${f.line} ${f.id}: ${f.message}`);
}

async function expectDeployed(repo: string, files: Record<string, string>) {
  const { outcome } = await mergeAndDeploy(repo, files);
  expect(outcome.status, JSON.stringify(outcome)).toBe('committed');
}

describe('tenancy at deploy', () => {
  it("refuses routes that take another tenant's requests, which one sample per side did not show", async () => {
    const shared = { hostnames: ['api.example.com', '*.example.com'], basePaths: ['/shared'] };
    await createDeployRepo({ pets: shared, shop: shared });
    await expectDeployed(
      'pets',
      sourceFiles('pets', {
        hostnames: ['*.example.com'],
        basePath: '/shared',
        paths: [
          { path: '/{v}', schema: ['type: string', 'enum: [alpha, "7"]'] },
          { path: '/x/{v}/b', schema: ['type: string'] },
        ],
      }),
    );
    // 1: enum [alpha, 7] against ^[0-9]$ (one sample per side, /shared/alpha and /shared/0, shows nothing);
    // 2: two templates that cross (/shared/x/{v}/b and /shared/{v}/y/b); both on a host several labels below
    // the other tenant's wildcard.
    const files = sourceFiles('shop', {
      hostnames: ['a.b.example.com'],
      basePath: '/shared',
      paths: [
        { path: '/{v}', schema: ['type: string', "pattern: '^[0-9]$'"] },
        { path: '/{v}/y/b', schema: ['type: string'] },
        { path: '/shop-only' },
      ],
    });
    const findings = await expectRefused('shop', files);
    expect(findings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^openapi\\.yaml:${lineOf(files, 'openapi.yaml', '"/{v}"') + 1} tenancy-route-collision: .* of acme/pets, already deployed: both take the request path "/shared/7"$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^openapi\\.yaml:${lineOf(files, 'openapi.yaml', '"/{v}/y/b"') + 1} tenancy-route-collision: .*both take the request path "/shared/x/y/b"$`,
        ),
      ),
    ]);
  });

  it('refuses paths that leave the granted base path: a longer segment, dot segments, an encoded slash', async () => {
    await createDeployRepo({ shop: { hostnames: ['api.example.com'], basePaths: ['/store'] } });
    const storefront = sourceFiles('shop', { basePath: '/storefront', paths: [{ path: '/items' }] });
    expect(await expectRefused('shop', storefront)).toEqual([
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:6 tenancy-base-path: .*outside the base paths granted to acme\/shop \(\/store\): it takes the request path "\/storefront\/items"$/,
      ),
    ]);
    const dots = sourceFiles('shop', {
      basePath: '/store',
      paths: [{ path: '/../pets/bob' }, { path: '/%2F..%2Fpets' }, { path: '/a//b' }, { path: '/ok' }],
    });
    const findings = await expectRefused('shop', dots);
    expect(findings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^openapi\\.yaml:${lineOf(dots, 'openapi.yaml', '/../pets')} path-unroutable: path "/store/\\.\\./pets/bob" .*".." segment`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^openapi\\.yaml:${lineOf(dots, 'openapi.yaml', '%2F')} path-unroutable: .*"%2F"`),
      ),
      expect.stringMatching(
        new RegExp(
          `^openapi\\.yaml:${lineOf(dots, 'openapi.yaml', '/a//b')} path-unroutable: .*empty segment`,
        ),
      ),
    ]);
  });

  it('refuses upper-case hostnames on their config line, and compares deployed ones case-insensitively', async () => {
    await createDeployRepo({
      pets: { hostnames: ['*.example.com'], basePaths: ['/shared'] },
      shop: { hostnames: ['*.example.com'], basePaths: ['/shared'] },
    });
    const upper = sourceFiles('shop', {
      hostnames: ['API.example.com'],
      basePath: '/shared',
      paths: [{ path: '/a' }],
    });
    const findings = await expectRefused('shop', upper);
    expect(findings).toEqual([
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:5 config-schema: apis\.0\.hostnames\.0 must match pattern/,
      ),
    ]);
    const mixed = sourceFiles('shop', {
      hostnames: ['Api.Example.com'],
      basePath: '/shared',
      paths: [{ path: '/a' }],
    });
    expect(await expectRefused('shop', mixed)).toEqual([
      expect.stringMatching(/^\.kuma-api-forge\.yaml:5 config-schema:/),
    ]);
    // A wildcard grant covers several labels below it, and a wildcard claim collides with a host several labels
    // below it.
    await expectDeployed(
      'pets',
      sourceFiles('pets', { hostnames: ['x.y.example.com'], basePath: '/shared', paths: [{ path: '/a' }] }),
    );
    const wildcard = sourceFiles('shop', {
      hostnames: ['*.example.com'],
      basePath: '/shared',
      paths: [{ path: '/a' }],
    });
    expect(await expectRefused('shop', wildcard)).toEqual([
      expect.stringMatching(
        /tenancy-route-collision: .*of acme\/pets, already deployed: both take the request path "\/shared\/a"$/,
      ),
    ]);
    // A record written before hostnames were lower-cased (or by hand) is compared case-insensitively.
    deployRepo.write({
      'apis/acme/legacy/.source.yaml': stringify({
        repo: 'acme/legacy',
        commit: 'a'.repeat(40),
        inputs: [],
        resources: [],
        routes: [
          {
            route: 'legacy',
            ruleIndex: 0,
            gateway: 'edge',
            hostnames: ['SHOP.Example.COM'],
            path: { type: 'PathPrefix', value: '/shared/b' },
          },
        ],
      }),
    });
    const legacy = sourceFiles('shop', {
      hostnames: ['shop.example.com'],
      basePath: '/shared',
      paths: [{ path: '/b/{v}' }],
    });
    expect(await expectRefused('shop', legacy)).toEqual([
      expect.stringMatching(
        /tenancy-route-collision: .*of acme\/legacy, already deployed: both take the request path "\/shared\/b\/a"$/,
      ),
    ]);
  });

  it('refuses a mesh the grant does not list (default: only "default"), on the config line of mesh', async () => {
    await createDeployRepo({
      pets: { hostnames: ['api.example.com'], basePaths: ['/pets'] },
      shop: { hostnames: ['api.example.com'], basePaths: ['/shop'], meshes: ['payments'] },
    });
    const payments = (repo: string, mesh: string) =>
      sourceFiles(repo, {
        basePath: `/${repo}`,
        config: [`mesh: ${mesh}`],
        paths: [{ path: '/a' }, { path: '/b/{v}' }],
      });
    const files = payments('pets', 'payments');
    const findings = await expectRefused('pets', files);
    expect(findings).toEqual([
      `.kuma-api-forge.yaml:${lineOf(files, '.kuma-api-forge.yaml', 'mesh:')} tenancy-mesh: API "pets" is in mesh "payments", which acme/pets is not granted (granted: default, the default when tenants.yaml names none)`,
    ]);
    expect(await expectRefused('shop', payments('shop', 'default'))).toEqual([
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:11 tenancy-mesh: API "shop" is in mesh "default", which acme\/shop is not granted \(granted: payments\)$/,
      ),
    ]);
    await expectDeployed('shop', payments('shop', 'payments'));
  });

  it('refuses gateway-wide policies (access log, trace, auth) without an explicit grant, on the line that asks for them', async () => {
    await createDeployRepo({
      pets: { hostnames: ['api.example.com'], basePaths: ['/pets'] },
      shop: { hostnames: ['api.example.com'], basePaths: ['/shop'], gatewayWide: ['MeshAccessLog'] },
    });
    const accessLog = (repo: string) =>
      sourceFiles(repo, {
        basePath: `/${repo}`,
        rootXKuma: ['accessLog: {tcp: "evil.example.net:514"}'],
        paths: [{ path: '/a' }],
      });
    const logged = accessLog('pets');
    expect(await expectRefused('pets', logged)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^openapi\\.yaml:${lineOf(logged, 'openapi.yaml', 'accessLog')} tenancy-gateway-wide: API "pets" renders MeshAccessLog pets-access-log \\(x-kuma accessLog\\), which applies to the whole gateway "edge"`,
        ),
      ),
    ]);
    const traced = sourceFiles('pets', {
      basePath: '/pets',
      config: ['defaults:', '  trace: {zipkin: "http://evil.example.net:9411/api/v2/spans"}'],
      paths: [{ path: '/a' }],
    });
    expect(await expectRefused('pets', traced)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\.kuma-api-forge\\.yaml:${lineOf(traced, '.kuma-api-forge.yaml', 'trace:')} tenancy-gateway-wide: .*MeshTrace`,
        ),
      ),
    ]);
    const auth = sourceFiles('pets', {
      basePath: '/pets',
      rootXKuma: [
        'auth:',
        '  bearer: {issuer: "https://idp.example.com/", jwksUri: "https://idp.example.com/jwks.json"}',
      ],
      paths: [{ path: '/a' }],
    });
    auth['openapi.yaml'] = auth['openapi.yaml']!.replace(
      'paths:',
      'components: {securitySchemes: {bearer: {type: http, scheme: bearer}}}\nsecurity: [{bearer: []}]\npaths:',
    );
    expect(await expectRefused('pets', auth)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^openapi\\.yaml:${lineOf(auth, 'openapi.yaml', 'auth:')} tenancy-gateway-wide: .*MeshProxyPatch`,
        ),
      ),
    ]);
    // Granted: the same access log deploys.
    await expectDeployed('shop', accessLog('shop'));
    expect(await deployedFiles('shop')).toContain('apis/acme/shop/shop/meshaccesslog-shop-access-log.yaml');
  });
});
