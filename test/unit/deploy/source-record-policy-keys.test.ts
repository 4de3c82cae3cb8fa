/**
 * The deploy's `.source.yaml` records what each API would share with others on a gateway (Kuma's per-route policy
 * key and its policies, the access log and trace), so the next tenant's check sees it without reading every
 * manifest. Records written before that field existed are read as "unknown" and never crash the check.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMemoryFileSource } from '../../../shared/adapters/memory-file-source.js';
import { checkTenancy, type OtherTenant } from '../../../shared/core/deploy/check-tenancy.js';
import { planDeploy } from '../../../shared/core/deploy/plan-deploy.js';
import { parseSourceRecord, sourceRecordFile } from '../../../shared/core/deploy/source-record.js';
import { hashMatches } from '../../../shared/core/kuma/render/shared-policy-keys.js';
import { renderSource } from '../../../shared/use-cases/preview-deploy.js';

const sha = 'c'.repeat(40);

/** A repo with one API `name` on gateway edge (mesh `mesh`), GET /health with `xKuma` and a root access log. */
async function renderRepo(name: string, hostname: string, xKuma?: string, mesh = 'default') {
  const files = {
    '.kuma-api-forge.yaml': [
      'version: 1',
      `mesh: ${mesh}`,
      'apis:',
      `  - {name: ${name}, spec: api.yaml, gateway: edge, hostnames: [${hostname}], service: {namespace: default}}`,
    ].join('\n'),
    'api.yaml': [
      'openapi: 3.0.3',
      'info: {title: t, version: "1"}',
      'x-kuma: {accessLog: {file: /dev/stdout}}',
      'paths:',
      '  /health:',
      `    get: {${xKuma ? `x-kuma: ${xKuma}, ` : ''}responses: {"200": {description: ok}}}`,
    ].join('\n'),
  };
  return renderSource(createMemoryFileSource(files), { owner: 'acme', repo: name });
}

async function recordOf(name: string, hostname: string, xKuma?: string, mesh?: string) {
  const rendered = await renderRepo(name, hostname, xKuma, mesh);
  const plan = planDeploy({
    sourceRepo: { owner: 'acme', repo: name },
    sourceSha: sha,
    current: [],
    rendered: rendered.apis,
  });
  const text = plan.changes.find((change) => change.path.endsWith(sourceRecordFile))!.content!;
  return { text, record: parseSourceRecord(text)! };
}

const grant = {
  gateways: ['edge'],
  hostnames: ['*.example.com'],
  basePaths: ['/'],
  namespaces: ['default'],
  gatewayWide: ['MeshAccessLog'],
  meshes: ['default', 'other'],
};

async function check(other: OtherTenant, xKuma?: string, mesh?: string) {
  const rendered = await renderRepo('users', 'users.example.com', xKuma, mesh);
  return checkTenancy(
    { repo: { owner: 'acme', repo: 'users' }, apis: rendered.apis, configFile: '.kuma-api-forge.yaml' },
    grant,
    [other],
  ).map((f) => f.id);
}

describe('.source.yaml policy keys', () => {
  it("records each rule's Kuma key (HashMatches of its matches) and the digests of its policies", async () => {
    const { text, record } = await recordOf('status', 'status.example.com', '{timeout: 1s}');
    const written = parse(
      text
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n'),
    );
    expect(written.policyKeys.rules).toHaveLength(1);
    const [rule] = record.policyKeys!.rules;
    expect(rule).toMatchObject({
      api: 'status',
      mesh: 'default',
      gateway: 'edge',
      hostnames: ['status.example.com'],
      matches: hashMatches([{ path: { type: 'Exact', value: '/health' }, method: 'GET' }]),
      label: 'GET /health (Exact)',
    });
    expect(Object.keys(rule!.policies)).toEqual(['MeshTimeout']);
    expect(record.policyKeys!.gateway).toEqual([
      expect.objectContaining({ api: 'status', kind: 'MeshAccessLog', gateway: 'edge' }),
    ]);
  });

  it('another tenant recorded with policy keys: a clash is reported, in another mesh it is not', async () => {
    const { record } = await recordOf('status', 'status.example.com', '{timeout: 1s}');
    const other: OtherTenant = { ...record, policyKeys: record.policyKeys! };
    expect(await check(other)).toEqual(['kuma-policy-shared']);
    const elsewhere = await recordOf('status', 'status.example.com', '{timeout: 1s}', 'other');
    expect(await check({ ...elsewhere.record })).toEqual([]);
  });

  it('a record from before policy keys (or with garbage in them) is read without them and checks nothing', async () => {
    const { text, record } = await recordOf('status', 'status.example.com', '{timeout: 1s}');
    const old = text.slice(0, text.indexOf('policyKeys:'));
    const parsed = parseSourceRecord(old)!;
    expect(parsed.routes).toEqual(record.routes);
    expect(parsed.policyKeys).toBeUndefined();
    expect(await check({ repo: parsed.repo, resources: parsed.resources, routes: parsed.routes })).toEqual(
      [],
    );
    const garbage = parseSourceRecord(
      `${old}policyKeys:\n  rules: [{api: 1}, "x", {api: a, route: r, mesh: default, gateway: edge, matches: m, label: l, ruleIndex: 0, hostnames: [7], policies: {}}]\n  gateway: {}\n`,
    )!;
    expect(garbage.policyKeys).toEqual({ rules: [], gateway: [] });
  });
});
