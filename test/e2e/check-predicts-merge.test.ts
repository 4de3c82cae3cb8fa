/**
 * `check` predicts the merge, through the CLI: removing an API is a breaking change (every operation, on the base
 * config line), operations whose route names would clash get distinct names (a warning, not an error), and
 * whatever makes the merge's render or deploy fail (config defaults, service versions, a missing spec, tenancy)
 * fails `check` with the same id on the same file and line. The parity test runs every fixture through both.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalDeployRepo } from '../../shared/adapters/local-deploy-repo.js';
import { createLocalDirSource } from '../../shared/adapters/local-dir-source.js';
import { previewDeploy } from '../../shared/use-cases/preview-deploy.js';
import { checkJson, runCli } from '../helpers/cli.js';

const fixtures = path.resolve('fixtures/specs');
const userProfile = path.join(fixtures, 'user-profile');
const root = mkdtempSync(path.join(tmpdir(), 'kaf-predicts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
/** A copy of the user-profile repo, changed by `edit` (file → new text, or a function of the old text). */
function repo(edit: Record<string, string | ((text: string) => string) | null> = {}): string {
  const dir = path.join(root, `repo-${++count}`);
  cpSync(userProfile, dir, { recursive: true, filter: (from) => !from.includes(`${path.sep}revisions`) });
  for (const [file, change] of Object.entries(edit)) {
    const at = path.join(dir, file);
    if (change === null) rmSync(at, { recursive: true, force: true });
    else {
      mkdirSync(path.dirname(at), { recursive: true });
      writeFileSync(at, typeof change === 'string' ? change : change(readFileSync(at, 'utf8')));
    }
  }
  return dir;
}

const config = '.kuma-api-forge.yaml';
const where = (f: { id: string; file: string; line: number }) => `${f.id} ${f.file}:${f.line}`;
const allOperations = [
  'DELETE /users/{userId}',
  'GET /users',
  'GET /users/me',
  'GET /users/{userId}',
  'POST /users',
];

describe('removing an API is a breaking change', () => {
  it('deleting the config: exit 1, every operation reported on the base config line (not "no config")', async () => {
    const { code, report } = await checkJson(['--base', userProfile, '--head', repo({ [config]: null })]);
    expect(code).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({
        id: 'api-removed',
        severity: 'error',
        file: config,
        line: 6,
        side: 'base',
        operations: allOperations,
      }),
    ]);
  });

  it('emptying `apis:`, or renaming the API: the same finding; approved, it passes and stays visible', async () => {
    const emptied = repo({ [config]: (text) => text.replace(/apis:[\s\S]*?gates:/, 'apis: []\ngates:') });
    const renamed = repo({ [config]: (text) => text.replace('name: users', 'name: people') });
    for (const head of [emptied, renamed]) {
      const { code, report } = await checkJson(['--base', userProfile, '--head', head]);
      expect(code).toBe(1);
      expect(report.findings.filter((f) => f.severity === 'error').map(where)).toEqual([
        `api-removed ${config}:6`,
      ]);
      expect(report.findings.find((f) => f.id === 'api-removed')?.operations).toEqual(allOperations);
      const approved = await checkJson(['--base', userProfile, '--head', head, '--approved']);
      expect(approved.code).toBe(0);
      expect(approved.report.findings).toContainEqual(
        expect.objectContaining({ id: 'api-removed', severity: 'info', waivedBy: 'approved-flag' }),
      );
    }
  });

  it('deleting one entry of two: only that API is removed', async () => {
    const two = (text: string) =>
      text.replace(
        'gates:',
        '  - name: admin\n    spec: openapi/users.yaml\n    basePath: /admin-api\ngates:',
      );
    const base = repo({ [config]: two });
    const { code, report } = await checkJson(['--base', base, '--head', userProfile]);
    expect(code).toBe(1);
    expect(report.findings.filter((f) => f.severity === 'error').map(where)).toEqual([
      `api-removed ${config}:16`,
    ]);
    expect(report.findings[0]!.message).toContain('API "admin" was removed');
  });

  it('a repo that never had a config is still "nothing to check" (exit 2)', async () => {
    const none = repo({ [config]: null });
    const run = await runCli(['check', '--base', none, '--head', none]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no \.kuma-api-forge\.yaml/);
  });
});

/** A spec whose two operations render resources of the same name. */
function collidingSpec(first: string, second: string): string {
  const dir = path.join(root, `collide-${++count}`);
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, 'orders.yaml'),
    `openapi: 3.0.3
info: { title: Orders API, version: 1.0.0 }
servers: [{ url: /orders-api }]
paths:
  /orders:
    post:
      operationId: ${first}
      x-kuma: { timeout: 5s }
      responses: { '201': { description: created } }
  /orders/bulk:
    post:
      operationId: ${second}
      x-kuma: { rateLimit: { requests: 10, interval: 1m } }
      responses: { '201': { description: created } }
`,
  );
  return path.join(dir, 'orders.yaml');
}

describe('one resource per name', () => {
  it.each([
    ['camelCase vs snake_case', 'createOrder', 'create_order'],
    ['the same operationId twice', 'createOrder', 'createOrder'],
    ['differing only in case', 'CreateOrder', 'createORDER'],
    ['non-ASCII letters', 'créerCommande', 'cr_erCommande'],
  ])(
    '%s: two routes of distinct names, a warning on the second operation; check adds no render error',
    async (_, a, b) => {
      const spec = collidingSpec(a, b);
      const out = path.join(path.dirname(spec), 'out');
      const render = await runCli(['render', spec, '--out', out]);
      expect(render.code).toBe(0);
      const lines = render.stderr
        .trim()
        .split('\n')
        .filter((line) => line.includes('[kuma-route-name-clash]'));
      expect(lines.map((line) => line.split(': ')[0])).toEqual(['orders.yaml:11:5']);
      const routes = readdirSync(path.join(out, 'orders')).filter((file) =>
        file.startsWith('meshhttproute-'),
      );
      expect(routes).toHaveLength(2);

      const { report } = await checkJson(['--head', spec]);
      expect(report.findings.filter((f) => f.id.startsWith('kuma-'))).toEqual([]);
    },
  );
  it('distinct slugs render two routes (the control case)', async () => {
    const render = await runCli(['render', collidingSpec('createOrder', 'createOrders')]);
    expect(render.code).toBe(0);
    expect(render.stdout.match(/^kind: MeshHTTPRoute$/gm)).toHaveLength(2);
  });
});

/** Crafted repos the merge's render refuses: each a copy of user-profile with one mistake. */
const refusedByRender: Record<string, () => string> = {
  'a typo in config defaults': () => repo({ [config]: (t) => `${t}defaults:\n  timeuot: 5s\n` }),
  'a typo in an API’s defaults': () =>
    repo({
      [config]: (t) => t.replace('    gateway: edge', '    gateway: edge\n    defaults: { retires: 3 }'),
    }),
  'weights naming an undeclared version': () =>
    repo({
      [config]: (t) => t.replace('      port: 8080', '      port: 8080\n      versions:\n        - name: v1'),
      'openapi/users.yaml': (t) => t.replace(/^x-kuma:/m, 'x-kuma:\n  weights: { v1: 90, v2: 10 }'),
    }),
  'two service versions, neither weights nor a default': () =>
    repo({
      [config]: (t) =>
        t.replace(
          '      port: 8080',
          '      port: 8080\n      versions:\n        - name: v1\n        - name: v2',
        ),
    }),
  'two default service versions': () =>
    repo({
      [config]: (t) =>
        t.replace(
          '      port: 8080',
          '      port: 8080\n      versions:\n        - { name: v1, default: true }\n        - { name: v2, default: true }',
        ),
    }),
  'two operations pinning one route with different settings': () =>
    repo({
      'openapi/users.yaml': (t) =>
        t
          .replace(
            '      x-kuma:\n        rateLimit:',
            '      x-kuma:\n        route: shared\n        rateLimit:',
          )
          .replace(
            '      x-kuma:\n        timeout: 30s',
            '      x-kuma:\n        route: shared\n        timeout: 30s',
          ),
    }),
  'a missing spec file': () =>
    repo({ [config]: (t) => t.replace('spec: openapi/users.yaml', 'spec: openapi/user.yaml') }),
  'a rate limit Kuma rejects': () =>
    repo({ 'openapi/users.yaml': (t) => t.replace(/interval: 1m/, 'interval: 10ms') }),
};

describe('check fails wherever the merge’s render fails, with the same id on the same line', () => {
  it.each(Object.keys(refusedByRender))('%s', async (name) => {
    const dir = refusedByRender[name]!();
    const render = await runCli(['render', dir]);
    expect(render.code).toBe(1);
    const rendered = render.stderr
      .trim()
      .split('\n')
      .filter((line) => line.includes(': error: '))
      .map((line) => `${/\[([^\]]+)\]$/.exec(line)![1]} ${line.split(':').slice(0, 2).join(':')}`);
    expect(rendered.length).toBeGreaterThan(0);
    const { code, report } = await checkJson(['--base', userProfile, '--head', dir]);
    expect(code).toBe(1);
    const checked = report.findings.filter((f) => f.severity === 'error').map(where);
    for (const finding of rendered) expect(checked).toContain(finding);
  });

  it('a missing spec is config-spec-not-found on the config line, never file-not-found', async () => {
    const { report } = await checkJson(['--head', refusedByRender['a missing spec file']!()]);
    expect(report.findings.map(where)).toEqual([`config-spec-not-found ${config}:7`]);
  });
});

describe('tenancy, when the deploy repo is known (--tenants, --deployed)', () => {
  const grants = (basePath: string) =>
    `tenants:\n  acme/users:\n    gateways: [edge]\n    hostnames: [api.example.com]\n    basePaths: [${basePath}]\n    namespaces: [users]\n  acme/other:\n    gateways: [edge]\n    hostnames: [api.example.com]\n    basePaths: [/users-api]\n    namespaces: [users]\n`;
  const file = (name: string, text: string) => {
    const at = path.join(root, name);
    writeFileSync(at, text);
    return at;
  };

  it('outside the grant: tenancy-base-path on the config line, exit 1; inside it: exit 0', async () => {
    const outside = file('narrow.yaml', grants('/other-api'));
    const { code, report } = await checkJson([
      '--head',
      userProfile,
      '--tenants',
      outside,
      '--repo',
      'acme/users',
    ]);
    expect(code).toBe(1);
    expect(new Set(report.findings.map(where))).toEqual(new Set([`tenancy-base-path ${config}:11`]));
    const inside = file('wide.yaml', grants('/users-api'));
    expect((await checkJson(['--head', userProfile, '--tenants', inside, '--repo', 'acme/users'])).code).toBe(
      0,
    );
  });

  it('routes another tenant already deployed: a collision, as the deploy would refuse it', async () => {
    // The deploy repo as it would be after acme/other deployed the same API.
    const deployed = path.join(root, 'deployed');
    mkdirSync(deployed);
    writeFileSync(path.join(deployed, 'tenants.yaml'), grants('/users-api'));
    const preview = await previewDeploy(
      {
        files: createLocalDirSource(userProfile),
        sourceRepo: { owner: 'acme', repo: 'other' },
        sourceSha: 'a'.repeat(40),
      },
      await createLocalDeployRepo({ dir: deployed }),
    );
    if (preview.decision.status !== 'planned') throw new Error('the other tenant could not deploy');
    for (const change of preview.decision.plan.changes) {
      mkdirSync(path.dirname(path.join(deployed, change.path)), { recursive: true });
      writeFileSync(path.join(deployed, change.path), change.content ?? '');
    }
    const { code, report } = await checkJson([
      '--head',
      userProfile,
      '--deployed',
      deployed,
      '--repo',
      'acme/users',
    ]);
    expect(code).toBe(1);
    expect(report.findings.filter((f) => f.kind === 'tenancy').length).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.severity !== 'error' || f.id.startsWith('tenancy-'))).toBe(true);
  });

  it('refuses --tenants without --repo, or with a spec file as head (exit 2)', async () => {
    const tenants = file('any.yaml', grants('/users-api'));
    expect((await runCli(['check', '--head', userProfile, '--tenants', tenants])).code).toBe(2);
    const spec = path.join(userProfile, 'openapi/users.yaml');
    expect((await runCli(['check', '--head', spec, '--tenants', tenants, '--repo', 'acme/users'])).code).toBe(
      2,
    );
  });
});

describe('parity: every fixture and revision, render fails ⇒ check fails with the same id on the same line', () => {
  const cases: [string, string, string | undefined][] = [];
  for (const project of ['user-profile', 'petstore']) {
    const dir = path.join(fixtures, project);
    const revisions = path.join(dir, 'revisions');
    if (project === 'user-profile') {
      cases.push([project, dir, undefined]);
      for (const revision of readdirSync(revisions))
        cases.push([`${project}/${revision}`, path.join(revisions, revision), dir]);
    } else {
      const base = path.join(dir, 'petstore.yaml');
      for (const spec of readdirSync(dir).filter((f) => f.endsWith('.yaml')))
        cases.push([`${project}/${spec}`, path.join(dir, spec), undefined]);
      for (const revision of readdirSync(revisions))
        cases.push([`${project}/${revision}`, path.join(revisions, revision), base]);
    }
  }

  it.each(cases)('%s', async (_, head, base) => {
    const render = await runCli(['render', head]);
    const rendered = render.stderr
      .trim()
      .split('\n')
      .filter((line) => line.includes(': error: '))
      .map((line) => `${/\[([^\]]+)\]$/.exec(line)![1]} ${line.split(':').slice(0, 2).join(':')}`);
    const { code, report } = await checkJson(['--head', head, ...(base ? ['--base', base] : [])]);
    const checked = report.findings.filter((f) => f.severity === 'error').map(where);
    if (render.code === 1) expect(code).toBe(1);
    for (const finding of rendered) expect(checked).toContain(finding);
  });
});
