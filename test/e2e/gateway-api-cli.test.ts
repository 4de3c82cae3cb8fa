/**
 * `render` and `check` for the gateway-api target, through the CLI as a user runs it: the config keys
 * (`target`, `parentRef`, `routeNamespace`), their contradictions as findings on the right line, and the
 * `--target`/`--parent-ref` flags, each attacked with the inputs a user could get wrong.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { validateGatewayApiResources } from '../../shared/core/gateway-api/validate/index.js';
import { validateKumaResources } from '../../shared/core/kuma/validate/index.js';
import { runCli } from '../helpers/cli.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const fixture = path.join(repoRoot, 'fixtures/gateway-api');
const petstore = path.join(repoRoot, 'fixtures/specs/petstore/petstore.yaml');
const scratch = mkdtempSync(path.join(tmpdir(), 'kaf-gapi-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let repos = 0;
/** A repo with the petstore spec and this config (YAML text, lines as written). */
function repoWith(config: string): string {
  const dir = path.join(scratch, `repo-${++repos}`);
  mkdirSync(path.join(dir, 'openapi'), { recursive: true });
  cpSync(petstore, path.join(dir, 'openapi/petstore.yaml'));
  writeFileSync(path.join(dir, '.kuma-api-forge.yaml'), config);
  return dir;
}

/**
 * What a plain spec renders to on gateway-api: its routes, a BackendTrafficPolicy per route (Service routing),
 * and the mesh leg (the gateway's permission to the backends, its sidecar's retries off and timeouts past the edge's).
 */
const edgeAndMeshLeg = new Set([
  'HTTPRoute',
  'BackendTrafficPolicy',
  'MeshTrafficPermission',
  'MeshRetry',
  'MeshTimeout',
]);

const kinds = (stdout: string) =>
  parseAllDocuments(stdout).map((doc) => (doc.toJS() as { kind: string }).kind);

describe('render a gateway-api repo', () => {
  it('renders the fixture to HTTPRoute files, one per route, exit 0', async () => {
    const out = path.join(scratch, 'out-fixture');
    const run = await runCli(['render', fixture, '--out', out]);
    expect(run.stderr).not.toMatch(/: error: /);
    expect(run.code).toBe(0);
    const files = readdirSync(path.join(out, 'petstore'));
    expect(files.length).toBeGreaterThan(0);
    const routes = files.filter((file) => file.startsWith('httproute-'));
    expect(routes.length).toBeGreaterThan(1);
    for (const file of routes) {
      const object = parse(readFileSync(path.join(out, 'petstore', file), 'utf8'));
      expect(object).toMatchObject({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { namespace: 'petstore' },
        spec: {
          parentRefs: [{ name: 'eg', namespace: 'envoy-gateway-system' }],
          hostnames: ['petstore.example.com'],
        },
      });
      expect(file).toBe(`httproute-${object.metadata.name}.yaml`);
    }
  });

  it('--target kuma-gateway renders the same repo for the builtin gateway (a migration preview)', async () => {
    const run = await runCli(['render', fixture, '--target', 'kuma-gateway']);
    expect(run.code).toBe(0);
    expect(kinds(run.stdout)).toContain('MeshHTTPRoute');
    expect(kinds(run.stdout)).not.toContain('HTTPRoute');
  });

  it('--target gateway-api renders a bare spec when --parent-ref names the Gateway', async () => {
    const run = await runCli([
      'render',
      petstore,
      '--target',
      'gateway-api',
      '--parent-ref',
      'edge-system/eg',
    ]);
    expect(run.code).toBe(0);
    const docs = parseAllDocuments(run.stdout).map((doc) => doc.toJS());
    expect(new Set(docs.map((doc) => doc.kind))).toEqual(edgeAndMeshLeg);
    const routes = docs.filter((doc) => doc.kind === 'HTTPRoute');
    for (const doc of routes) expect(doc.spec.parentRefs).toEqual([{ name: 'eg', namespace: 'edge-system' }]);
    // Each HTTPRoute gets its BackendTrafficPolicy (Service routing keeps the traffic in the mesh), no other.
    const targets = docs
      .filter((doc) => doc.kind === 'BackendTrafficPolicy')
      .map((doc) => doc.spec.targetRefs[0].name)
      .sort();
    expect(targets).toEqual(routes.map((doc) => doc.metadata.name).sort());
  });

  it('--target gateway-api turns a kuma-gateway repo into HTTPRoutes, dropping its gateway key', async () => {
    const dir = repoWith(
      ['apis:', '  - name: pets', '    spec: openapi/petstore.yaml', '    gateway: edge', ''].join('\n'),
    );
    const run = await runCli(['render', dir, '--target', 'gateway-api', '--parent-ref', 'eg']);
    expect(run.stderr).not.toMatch(/: error: /);
    expect(run.code).toBe(0);
    expect(new Set(kinds(run.stdout))).toEqual(edgeAndMeshLeg);
    expect(kinds(run.stdout)).not.toContain('MeshHTTPRoute');
    // parentRef without a namespace: the Gateway is in the routes' namespace (here the default one).
    const route = parseAllDocuments(run.stdout)
      .map((doc) => doc.toJS())
      .find((doc) => doc.kind === 'HTTPRoute');
    expect(route.spec.parentRefs).toEqual([{ name: 'eg', namespace: 'default' }]);
  });
});

describe('render --target gateway-api prints valid, deterministic objects', () => {
  /** The printed objects as rendered resources: Gateway API and Envoy Gateway ones, and the Kuma mesh leg. */
  const objects = (stdout: string) =>
    parseAllDocuments(stdout).map((doc) => {
      const { apiVersion, kind, metadata, spec } = doc.toJS();
      return {
        apiVersion,
        kind,
        name: metadata.name,
        namespace: metadata.namespace,
        labels: metadata.labels,
        spec,
      };
    });

  it.each([
    ['fixtures/gateway-api', ['render', fixture]],
    [
      'fixtures/kuma/showcase --target gateway-api',
      [
        'render',
        path.join(repoRoot, 'fixtures/kuma/showcase'),
        '--target',
        'gateway-api',
        '--parent-ref',
        'envoy-gateway-system/eg',
      ],
    ],
  ])('%s', async (_name, args) => {
    const [first, second] = [await runCli(args), await runCli(args)];
    expect(first.stderr).not.toMatch(/: error: /);
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const printed = objects(first.stdout);
    const kinds = new Set(printed.map((object) => object.kind));
    for (const kind of ['HTTPRoute', 'BackendTrafficPolicy', 'MeshTrafficPermission'])
      expect(kinds).toContain(kind);
    const manifests = printed.filter((object) => !object.apiVersion.startsWith('kuma.io/'));
    expect(validateGatewayApiResources(manifests)).toEqual([]);
    const mesh = printed
      .filter((object) => object.apiVersion.startsWith('kuma.io/'))
      .map(({ apiVersion: _v, labels, ...rest }) => ({ ...rest, mesh: labels['kuma.io/mesh'], labels }));
    expect(mesh.length).toBeGreaterThan(0);
    expect(validateKumaResources(mesh)).toEqual([]);
  });
});

describe('config contradictions are errors on their own line, and nothing is rendered', () => {
  const render = async (config: string, ...flags: string[]) => {
    const run = await runCli(['render', repoWith(config), ...flags]);
    return { ...run, lines: run.stderr.trim().split('\n') };
  };

  it('a MeshGateway name on a gateway-api API', async () => {
    const run = await render(
      [
        'apis:',
        '  - name: pets',
        '    spec: openapi/petstore.yaml',
        '    target: gateway-api',
        '    gateway: edge',
        '    parentRef: {name: eg, namespace: envoy-gateway-system}',
        '',
      ].join('\n'),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.lines).toEqual([
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:5:\d+: error: apis\[0\] \(pets\): "gateway" names a MeshGateway .*\[config-target\]$/,
      ),
    ]);
  });

  it('a parentRef or routeNamespace on a kuma-gateway API (explicit or by default)', async () => {
    const run = await render(
      [
        'apis:',
        '  - name: pets',
        '    spec: openapi/petstore.yaml',
        '    parentRef: {name: eg}',
        '    routeNamespace: edge',
        '',
      ].join('\n'),
    );
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:4:\d+: error: .*"parentRef" applies to target gateway-api.*\[config-target\]$/,
      ),
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:5:\d+: error: .*"routeNamespace" applies to target gateway-api.*\[config-target\]$/,
      ),
    ]);
  });

  it('a gateway-api API without a parentRef, anywhere', async () => {
    const run = await render(
      ['target: gateway-api', 'apis:', '  - name: pets', '    spec: openapi/petstore.yaml', ''].join('\n'),
    );
    expect(run.code).toBe(1);
    // The repo-wide target chose gateway-api: the finding is on that line.
    expect(run.lines).toEqual([
      expect.stringMatching(/^\.kuma-api-forge\.yaml:1:\d+: error: .*needs parentRef.*\[config-target\]$/),
    ]);
  });

  it('a gateway-api API rendered for Universal', async () => {
    const run = await render(
      [
        'apis:',
        '  - name: pets',
        '    spec: openapi/petstore.yaml',
        '    target: gateway-api',
        '    parentRef: {name: eg}',
        '',
      ].join('\n'),
      '--format',
      'universal',
    );
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      expect.stringMatching(
        /^\.kuma-api-forge\.yaml:4:\d+: error: .*Kubernetes objects only.*\[config-target\]$/,
      ),
    ]);
  });

  it('a repo-wide parentRef is a default for gateway-api APIs, harmless to kuma-gateway ones', async () => {
    const run = await render(
      [
        'parentRef: {name: eg, namespace: envoy-gateway-system}',
        'apis:',
        '  - name: pets',
        '    spec: openapi/petstore.yaml',
        '  - name: pets-next',
        '    spec: openapi/petstore.yaml',
        '    target: gateway-api',
        '    basePath: /next',
        '',
      ].join('\n'),
    );
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    expect(kinds(run.stdout)).toEqual(expect.arrayContaining(['MeshHTTPRoute', 'HTTPRoute']));
  });

  it.each([
    ['a path escape', '{name: eg, namespace: ../kuma-system}'],
    ['upper case', '{name: eg, namespace: Envoy-Gateway}'],
    ['an empty namespace', '{name: eg, namespace: ""}'],
    ['an empty name', '{name: ""}'],
    ['a slash in the name', '{name: kuma-system/eg}'],
    ['an unknown key', '{name: eg, kind: Service}'],
  ])('a parentRef with %s is a config-schema error on its line', async (_case, parentRef) => {
    const run = await render(
      [
        'apis:',
        '  - name: pets',
        '    spec: openapi/petstore.yaml',
        '    target: gateway-api',
        `    parentRef: ${parentRef}`,
        '',
      ].join('\n'),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(
      run.lines.every((line) => /^\.kuma-api-forge\.yaml:5:\d+: error: .*\[config-schema\]$/.test(line)),
    ).toBe(true);
  });

  it('an unknown target is a config-schema error on its line', async () => {
    const run = await render(
      ['apis:', '  - name: pets', '    spec: openapi/petstore.yaml', '    target: kong', ''].join('\n'),
    );
    expect(run.code).toBe(1);
    expect(run.lines).toEqual([
      expect.stringMatching(/^\.kuma-api-forge\.yaml:4:\d+: error: .*\[config-schema\]$/),
    ]);
  });
});

describe('two APIs of one repo', () => {
  const twoApis = (second: string[]) =>
    repoWith(
      [
        'apis:',
        '  - name: pets',
        '    spec: openapi/petstore.yaml',
        '    target: gateway-api',
        '    parentRef: {name: eg, namespace: envoy-gateway-system}',
        '    hostnames: [pets.example.com]',
        '  - name: pets-copy',
        '    spec: openapi/petstore.yaml',
        ...second,
        '',
      ].join('\n'),
    );

  it('on the same parent Gateway, hostname and paths: every operation of the second is an error', async () => {
    const dir = twoApis([
      '    target: gateway-api',
      '    parentRef: {name: eg, namespace: envoy-gateway-system}',
      '    hostnames: [pets.example.com]',
    ]);
    const run = await runCli(['render', dir]);
    expect(run.code).toBe(1);
    const ids = run.stderr
      .trim()
      .split('\n')
      .filter((line) => line.includes(': error: '))
      .map((line) => /\[([\w-]+)\]$/.exec(line)?.[1]);
    expect(new Set(ids)).toEqual(new Set(['kuma-api-collision']));
    expect(ids).toHaveLength(20);
    expect(run.stderr).toContain('claims the same gateway "envoy-gateway-system/eg"');
  });

  it('on another parent Gateway or another hostname: no error', async () => {
    for (const second of [
      [
        '    target: gateway-api',
        '    parentRef: {name: internal, namespace: envoy-gateway-system}',
        '    hostnames: [pets.example.com]',
      ],
      [
        '    target: gateway-api',
        '    parentRef: {name: eg, namespace: envoy-gateway-system}',
        '    hostnames: [pets2.example.com]',
      ],
    ]) {
      const run = await runCli(['render', twoApis(second)]);
      expect(run.stderr).not.toMatch(/: error: /);
      expect(run.code).toBe(0);
    }
  });

  it('the same spec on both targets with the same hostname (a migration): rendered side by side', async () => {
    const run = await runCli(['render', twoApis(['    gateway: edge', '    hostnames: [pets.example.com]'])]);
    expect(run.stderr).not.toMatch(/: error: /);
    expect(run.code).toBe(0);
    expect(kinds(run.stdout)).toEqual(expect.arrayContaining(['HTTPRoute', 'MeshHTTPRoute']));
  });
});

describe('the --target and --parent-ref flags refuse what they cannot mean (exit 2, nothing rendered)', () => {
  it.each([
    [['--target', 'kong'], /--target must be kuma-gateway or gateway-api/],
    [['--target', 'gateway-api'], /--target gateway-api needs --parent-ref/],
    [['--target', 'gateway-api', '--parent-ref', '../eg'], /--parent-ref must be \[namespace\/\]name/],
    [['--target', 'gateway-api', '--parent-ref', 'Edge/eg'], /--parent-ref must be/],
    [['--target', 'gateway-api', '--parent-ref', ''], /--parent-ref must be/],
    [['--target', 'gateway-api', '--parent-ref', 'a/b/c'], /--parent-ref must be/],
    [['--parent-ref', 'edge/eg'], /--parent-ref goes with --target gateway-api/],
    [['--target', 'kuma-gateway', '--parent-ref', 'edge/eg'], /--parent-ref goes with --target gateway-api/],
    [['--target', 'gateway-api', '--parent-ref', 'eg', '--gateway', 'edge'], /--gateway names a MeshGateway/],
    [['--target', 'gateway-api', '--parent-ref', 'eg', '--format', 'universal'], /Kubernetes objects only/],
  ])('render %j', async (flags, message) => {
    const run = await runCli(['render', petstore, ...flags]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});
