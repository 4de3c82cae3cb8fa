/**
 * Server URLs → the paths the gateway serves, through the CLI: `render` (what is deployed, proven with the route
 * simulator) and `check` (the same findings on the same lines), and tenancy's exact check of the base path.
 * Each case states what a client sends and what must happen to it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { renderApi } from '../../../shared/core/kuma/render/render-api.js';
import type { KumaResource } from '../../../shared/core/kuma/resource.js';
import { proveNoShadowing, routeRequest } from '../../../shared/core/kuma/validate/route-simulator.js';
import { maxEnumAlternatives } from '../../../shared/core/routing/server-paths.js';
import { checkJson, runCli } from '../../helpers/cli.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';

const root = mkdtempSync(path.join(tmpdir(), 'kaf-servers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ok = { responses: { 200: { description: 'ok' } } };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const users = {
  '/users': { get: { operationId: 'listUsers', ...ok } },
  '/users/{id}': { get: { operationId: 'getUser', parameters: [id], ...ok } },
};

function openapi(servers: unknown, paths: Record<string, unknown> = users) {
  return { openapi: '3.0.3', info: { title: 'shop', version: '1.0.0' }, servers, paths };
}

let count = 0;
/** A spec file (and optionally a repo config) in a fresh directory: the spec's path, or the directory with a config. */
function write(spec: Record<string, unknown>, config?: Record<string, unknown>): string {
  const dir = path.join(root, `case-${++count}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'api.yaml'), stringify(spec));
  if (!config) return path.join(dir, 'api.yaml');
  writeFileSync(path.join(dir, '.kuma-api-forge.yaml'), stringify(config));
  return dir;
}

interface Rendered {
  code: number;
  resources: KumaResource[];
  /** `id file:line` of each finding render printed. */
  findings: string[];
  stderr: string;
}

/** `render <spec>` through the CLI: its resources (Universal, so they read back as KumaResources) and findings. */
async function render(target: string): Promise<Rendered> {
  const run = await runCli(['render', target, '--format', 'universal']);
  const resources = parseAllDocuments(run.stdout)
    .map((doc) => doc.toJS() as Record<string, unknown> | null)
    .filter((doc): doc is Record<string, unknown> => doc !== null)
    .map((doc) => ({
      kind: String(doc.type),
      name: String(doc.name),
      mesh: String(doc.mesh),
      spec: doc.spec as Record<string, unknown>,
    }));
  const findings = [...run.stderr.matchAll(/^(.+?):(\d+):\d+: \w+: .* \[([\w-]+)\]$/gm)].map(
    ([, file, line, id]) => `${id} ${file}:${line}`,
  );
  return { code: run.code, resources, findings, stderr: run.stderr };
}

/** `check --head <spec>` through the CLI: exit code and `id file:line` of its routing findings. */
async function check(target: string) {
  const { code, report } = await checkJson(['--head', target]);
  const findings = report.findings
    .filter((f) => f.kind === 'routing' || f.kind === 'validation')
    .filter((f) => f.id.startsWith('server-') || f.id.startsWith('path-') || f.id.startsWith('kuma-'))
    .map((f) => `${f.id} ${f.file}:${f.line}`);
  return { code, findings, report };
}

const target = (resources: KumaResource[], requestPath: string, method = 'GET') =>
  routeRequest(resources, { method, path: requestPath });

describe('server URLs: what the gateway serves', () => {
  it('protocol-relative `//host/v1`: served under /v1, the host never in a path', async () => {
    const out = await render(write(openapi([{ url: '//api.example.com/v1' }])));
    expect(out.code).toBe(0);
    expect(target(out.resources, '/v1/users')).toBeDefined();
    expect(target(out.resources, '/v1/users/42')).toBeDefined();
    expect(target(out.resources, '//api.example.com/v1/users')).toBeUndefined();
    expect(JSON.stringify(out.resources)).not.toContain('api.example.com');
  });

  it('an enum variable: every alternative is served, nothing else', async () => {
    const spec = openapi([
      {
        url: 'https://api.example.com/{version}',
        variables: { version: { default: 'v1', enum: ['v1', 'v2'] } },
      },
    ]);
    const out = await render(write(spec));
    expect(out.code).toBe(0);
    for (const version of ['v1', 'v2']) {
      expect(target(out.resources, `/${version}/users`)).toBeDefined();
      expect(target(out.resources, `/${version}/users/7`)).toBeDefined();
    }
    expect(target(out.resources, '/v3/users')).toBeUndefined();
    expect(target(out.resources, '/users')).toBeUndefined();
  });

  it('an enum with one value is plain text (an Exact match stays Exact)', async () => {
    const spec = openapi([{ url: '/{version}', variables: { version: { default: 'v1', enum: ['v1'] } } }]);
    const out = await render(write(spec));
    const rules = JSON.stringify(out.resources.filter((r) => r.kind === 'MeshHTTPRoute'));
    expect(rules).toContain('"type":"Exact","value":"/v1/users"');
  });

  it('a free variable: any one segment (every bot token), not its default alone', async () => {
    const spec = openapi(
      [{ url: 'https://api.telegram.org/bot{token}', variables: { token: { default: '123:abc' } } }],
      {
        '/getMe': { get: ok },
      },
    );
    const out = await render(write(spec));
    expect(out.code).toBe(0);
    expect(target(out.resources, '/bot123:abc/getMe')).toBeDefined();
    expect(target(out.resources, '/bot987:other/getMe')).toBeDefined();
    expect(target(out.resources, '/bot/getMe')).toBeUndefined(); // the variable is never empty
    expect(target(out.resources, '/bot1/2/getMe')).toBeUndefined(); // nor two segments
    expect(target(out.resources, '/getMe')).toBeUndefined();
  });

  it('variables in the host: the path is read around them (hosts come from the config, not the server)', async () => {
    const regions = ['us-east-1', 'eu-west-1', 'ap-south-1'];
    const spec = openapi([
      {
        url: 'https://sqs.{region}.amazonaws.com/v1',
        variables: { region: { default: 'us-east-1', enum: regions } },
      },
      {
        url: '{scheme}://{host}:{port}/v1',
        variables: {
          scheme: { default: 'https' },
          host: { default: 'a.example.com' },
          port: { default: '443' },
        },
      },
    ]);
    const out = await render(write(spec));
    expect(out.code).toBe(0);
    expect(out.findings).toEqual([]); // one base path: both servers serve /v1
    expect(target(out.resources, '/v1/users')).toBeDefined();
    const route = out.resources.find((r) => r.kind === 'MeshHTTPRoute')!;
    expect(JSON.stringify(route.spec)).not.toContain('hostnames');
  });

  it('several servers with different paths: all served, and render and check say which', async () => {
    const spec = openapi([
      { url: 'https://api.example.com/v1' },
      { url: 'https://sandbox.example.com/v1' },
      { url: 'https://api.example.com/beta' },
    ]);
    const file = write(spec);
    const out = await render(file);
    expect(out.code).toBe(0);
    for (const base of ['/v1', '/beta']) {
      expect(target(out.resources, `${base}/users`)).toEqual(target(out.resources, '/v1/users'));
      expect(target(out.resources, `${base}/users/1`)).toEqual(target(out.resources, '/v1/users/1'));
    }
    expect(out.findings).toEqual(['server-paths-routed api.yaml:5']);
    expect(out.stderr).toContain('`/v1` (servers 0, 1), `/beta` (server 2)');
    const checked = await check(file);
    expect(checked.code).toBe(0);
    expect(checked.findings).toEqual(out.findings);
  });

  it('a leading variable that is an origin (`{server}/v1`) stands for scheme and host', async () => {
    const spec = openapi([
      {
        url: '{server}/v1',
        variables: {
          server: {
            default: 'https://api.example.com',
            enum: ['https://api.example.com', 'http://eu.example.com:8080'],
          },
        },
      },
    ]);
    const out = await render(write(spec));
    expect(out.code).toBe(0);
    expect(target(out.resources, '/v1/users')).toBeDefined();
    // One value with a path of its own: the segments are not known.
    const withPath = openapi([
      { url: '{server}/v1', variables: { server: { default: 'https://api.example.com/x' } } },
    ]);
    const refused = await render(write(withPath));
    expect(refused.findings).toEqual(['server-url-unroutable api.yaml:6']);
  });

  it('a server on the developer machine beside a real one is not routed, and says so', async () => {
    for (const local of ['http://localhost:8080', 'http://127.0.0.1:3000/', 'http://[::1]', '{server}']) {
      const spec = openapi([
        { url: 'https://api.example.com/v1' },
        { url: local, variables: { server: { default: 'http://localhost:8080' } } },
      ]);
      const file = write(spec);
      const out = await render(file);
      expect(out.code, local).toBe(0);
      expect(out.findings, local).toEqual(['server-url-local api.yaml:7']);
      expect(target(out.resources, '/v1/users'), local).toBeDefined();
      expect(target(out.resources, '/users'), local).toBeUndefined();
      expect((await check(file)).findings, local).toEqual(out.findings);
    }
    // Alone, it is all there is: routed.
    const alone = await render(write(openapi([{ url: 'http://localhost:8080/api' }])));
    expect(alone.findings).toEqual([]);
    expect(target(alone.resources, '/api/users')).toBeDefined();
    // A host that only starts like one is not local.
    const lookalike = await render(
      write(openapi([{ url: '/v1' }, { url: 'https://localhost.example.com/v2' }])),
    );
    expect(lookalike.findings).toEqual(['server-paths-routed api.yaml:5']);
  });

  it('the config picks one: basePath wins over every server, and nothing is said about them', async () => {
    const spec = openapi([
      { url: 'https://api.example.com/v1' },
      { url: 'https://api.example.com/beta' },
      { url: 'v2' },
    ]);
    const dir = write(spec, { version: 1, apis: [{ name: 'shop', spec: 'api.yaml', basePath: '/beta' }] });
    const out = await render(dir);
    expect(out.code).toBe(0);
    expect(out.findings).toEqual([]);
    expect(target(out.resources, '/beta/users')).toBeDefined();
    expect(target(out.resources, '/v1/users')).toBeUndefined();
  });

  it('Swagger 2: basePath is the prefix, host and schemes are not in the path', async () => {
    const spec = {
      swagger: '2.0',
      info: { title: 'shop', version: '1.0.0' },
      host: 'api.example.com',
      basePath: '/api/',
      schemes: ['https'],
      paths: users,
    };
    const out = await render(write(spec));
    expect(out.code).toBe(0);
    expect(target(out.resources, '/api/users')).toBeDefined();
    expect(target(out.resources, '/users')).toBeUndefined();
  });

  it('no servers, or `/`: the root', async () => {
    for (const servers of [undefined, [], [{ url: '/' }]]) {
      const out = await render(write(openapi(servers)));
      expect(target(out.resources, '/users'), JSON.stringify(servers)).toBeDefined();
    }
  });

  it('every operation reaches its own rule under each base path (route simulator)', async () => {
    const spec = openapi(
      [
        { url: '/{version}', variables: { version: { default: 'v1', enum: ['v1', 'v2'] } } },
        { url: '/legacy' },
      ],
      {
        '/users': { get: ok },
        '/users/me': { get: ok },
        '/users/{id}': { get: ok },
        '/users/{id}/orders': { get: ok, post: ok },
      },
    );
    const loaded = await loadSpecFromFiles({ 'api.yaml': stringify(spec) }, 'api.yaml');
    const result = renderApi({ spec: loaded, api: { name: 'shop', spec: 'api.yaml' } });
    // 5 operations × 2 base paths, each its own match of the operation's rule.
    expect(result.operations).toHaveLength(10);
    expect(proveNoShadowing(result.resources, result.operations)).toEqual([]);
    const me = result.operations.find((o) => o.operation === 'GET /users/me')!;
    for (const request of ['/v1/users/me', '/v2/users/me', '/legacy/users/me'])
      expect(target(result.resources, request), request).toEqual({
        route: me.route,
        ruleIndex: me.ruleIndex,
      });
  });
});

describe('server URLs the gateway cannot route: an error on the server line, render and check alike', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a relative URL', { url: './v1' }, /relative URL/],
    ['a bare relative URL', { url: 'v1' }, /relative URL/],
    [
      'a free variable whose default spans "/"',
      { url: 'https://x.example.com/{base}', variables: { base: { default: 'orders/v2' } } },
      /"orders\/v2", which contains "\/"/,
    ],
    [
      'a variable for the whole URL',
      { url: '{server}', variables: { server: { default: 'https://api.example.com/v1' } } },
      /"server" stands for the start of the URL/,
    ],
    [
      'an enum value spanning "/"',
      { url: '/{v}', variables: { v: { default: 'v1', enum: ['v1', 'v1/beta'] } } },
      /"v1\/beta"/,
    ],
    [
      'an enum value ".."',
      { url: '/api/{v}', variables: { v: { default: 'v1', enum: ['v1', '..'] } } },
      /"\.\." segment/,
    ],
    [
      'an empty enum value',
      { url: '/api/{v}', variables: { v: { default: 'v1', enum: ['v1', ''] } } },
      /may be empty/,
    ],
    ['an encoded slash', { url: '/a%2Fb' }, /%2F/],
    ['a "/" inside braces', { url: '/{a/b}' }, /"\{" or "\}" that is not a variable/],
    ['an unbalanced brace', { url: '/v1/{version' }, /"\{" or "\}" that is not a variable/],
    ['a "/../" in the path', { url: 'https://x.example.com/a/../b' }, /"\.\." segment/],
    ['an empty enum', { url: '/{v}', variables: { v: { default: 'v1', enum: [] } } }, /empty enum/],
    [
      `more than ${maxEnumAlternatives} alternatives`,
      {
        url: '/{v}',
        variables: {
          v: { default: 'v0', enum: Array.from({ length: maxEnumAlternatives + 1 }, (_, i) => `v${i}`) },
        },
      },
      new RegExp(`has ${maxEnumAlternatives + 1} values, more than the ${maxEnumAlternatives}`),
    ],
  ];

  it.each(cases)('%s: not routed; alone, nothing is exposed (exit 1)', async (_name, server, message) => {
    const file = write(openapi([server]));
    const out = await render(file);
    expect(out.code).toBe(1);
    expect(out.resources.filter((r) => r.kind === 'MeshHTTPRoute')).toEqual([]);
    expect(out.findings).toEqual(['server-url-unroutable api.yaml:6']);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).toContain('no operation is exposed');
    if (_name === 'a free variable whose default spans "/"')
      expect(out.stderr).toContain('with its variables at their defaults the path is "/orders/v2"');
    const checked = await check(file);
    expect(checked.code).toBe(1);
    expect(checked.findings).toEqual(out.findings);
  });

  it('beside a routable server: a warning, and only the routable one is served', async () => {
    const cases: Record<string, unknown>[] = [
      { url: 'v2' },
      // Azure's form: the whole URL is a variable whose default is not an origin.
      { url: '{batchUrl}', variables: { batchUrl: { default: 'none' } } },
      { url: '/v2/{v}', variables: { v: { default: 'a', enum: ['a', '..'] } } },
    ];
    for (const server of cases) {
      const file = write(openapi([{ url: 'https://api.example.com/v1' }, server]));
      const out = await render(file);
      expect(out.code, server.url as string).toBe(0);
      expect(out.findings).toEqual(['server-url-unroutable api.yaml:7']);
      expect(out.stderr).toMatch(/warning: .*this server is not routed; set basePath/);
      expect(target(out.resources, '/v1/users')).toBeDefined();
      expect(target(out.resources, '/v2/users')).toBeUndefined();
      const checked = await check(file);
      expect(checked.findings).toEqual(out.findings);
      // The only error is the lint's: Spectral's oas3-server-variables (which the built-in rules reproduce) calls a
      // URL invalid when a substitution does not parse as an absolute URL, as "none" and "/v2/a" do not.
      const errors = checked.report.findings.filter((f) => f.severity === 'error').map((f) => f.id);
      expect(errors, server.url as string).toEqual(server.variables ? ['oas3-server-variables'] : []);
      expect(checked.code).toBe(server.variables ? 1 : 0);
    }
  });

  it(`exactly ${maxEnumAlternatives} alternatives are served`, async () => {
    const values = Array.from({ length: maxEnumAlternatives }, (_, i) => `v${i}`);
    const out = await render(
      write(openapi([{ url: '/{v}', variables: { v: { default: 'v0', enum: values } } }])),
    );
    expect(out.code).toBe(0);
    expect(target(out.resources, `/v${maxEnumAlternatives - 1}/users`)).toBeDefined();
    expect(target(out.resources, `/v${maxEnumAlternatives}/users`)).toBeUndefined();
  });

  it('regex metacharacters in a value are literal text', async () => {
    const spec = openapi([
      { url: '/{v}', variables: { v: { default: 'v1.0', enum: ['v1.0', 'a+b', '(x)|y'] } } },
    ]);
    const out = await render(write(spec));
    expect(out.code).toBe(0);
    for (const value of ['v1.0', 'a+b', '(x)|y'])
      expect(target(out.resources, `/${value}/users`), value).toBeDefined();
    for (const value of ['v1x0', 'aab', 'x', 'y', '(x)'])
      expect(target(out.resources, `/${value}/users`), value).toBeUndefined();
  });
});

describe('base paths as patterns reach tenancy exactly', () => {
  it('an enum alternative outside the granted base paths is refused, naming the request it would take', async () => {
    const spec = openapi([
      { url: '/{version}', variables: { version: { default: 'v1', enum: ['v1', 'v2'] } } },
    ]);
    const dir = write(spec, {
      version: 1,
      apis: [
        {
          name: 'shop',
          spec: 'api.yaml',
          gateway: 'edge',
          hostnames: ['shop.example.com'],
          service: { namespace: 'shop' },
        },
      ],
    });
    const tenants = path.join(dir, 'tenants.yaml');
    const grant = (basePaths: string[]) =>
      stringify({
        tenants: {
          'acme/shop': {
            gateways: ['edge'],
            hostnames: ['shop.example.com'],
            basePaths,
            namespaces: ['shop'],
          },
        },
      });
    writeFileSync(tenants, grant(['/v1']));
    const refused = await checkJson(['--head', dir, '--tenants', tenants, '--repo', 'acme/shop']);
    expect(refused.code).toBe(1);
    const basePath = refused.report.findings.filter((f) => f.id === 'tenancy-base-path');
    expect(basePath.length).toBeGreaterThan(0);
    expect(basePath.map((f) => f.message).join('\n')).toMatch(/\/v2\/users/);
    expect(basePath.map((f) => f.message).join('\n')).not.toMatch(/"\/v1\//);
    writeFileSync(tenants, grant(['/v1', '/v2']));
    const granted = await checkJson(['--head', dir, '--tenants', tenants, '--repo', 'acme/shop']);
    expect(granted.report.findings.filter((f) => f.kind === 'tenancy')).toEqual([]);
  });
});

describe('check: base path changes compare what is served', () => {
  it('the same served paths are no change; another set of alternatives is', async () => {
    const v = (values: string[]) =>
      openapi([{ url: '/{version}', variables: { version: { default: 'v1', enum: values } } }]);
    const base = write(v(['v1']));
    const same = write(v(['v1']));
    const changed = write(v(['v2', 'v3']));
    const unchanged = await checkJson(['--base', base, '--head', same]);
    expect(unchanged.report.findings.filter((f) => f.id === 'base-path-changed')).toEqual([]);
    const moved = await checkJson(['--base', base, '--head', changed]);
    expect(moved.report.findings.filter((f) => f.id === 'base-path-changed').map((f) => f.message)).toEqual([
      'base path changed from `/v1` to `/{v2|v3}`: every URL clients call changes',
    ]);
  });
});
