/**
 * Across tenants (issue 11, D7/D9): the PR check of a repo (`check --deployed`, as the PR preview and the merge
 * run it) reports what its APIs would silently share with another repo's API already deployed on the same
 * gateway: Kuma's per-route policy key (equal matches, any hostnames) and a replaced access log or trace. The
 * finding lands on this repo's line and names the other repo and API; the deployed tenant is never changed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalDeployRepo } from '../../shared/adapters/local-deploy-repo.js';
import { createLocalDirSource } from '../../shared/adapters/local-dir-source.js';
import { previewDeploy } from '../../shared/use-cases/preview-deploy.js';
import { checkJson } from '../helpers/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'kaf-shared-gw-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;

const tenants = ['acme/users', 'acme/other']
  .map((repo) =>
    [
      `  ${repo}:`,
      '    gateways: [edge]',
      '    hostnames: ["*.example.com", example.com]',
      '    basePaths: [/]',
      '    namespaces: [default]',
      '    gatewayWide: [MeshAccessLog, MeshTrace]',
    ].join('\n'),
  )
  .join('\n');

interface Api {
  name: string;
  hostnames: string;
  /** Spec lines after `paths:`. */
  paths: string[];
  /** Root x-kuma (flow YAML). */
  root?: string;
}

/** A repo directory with one or more APIs on gateway `edge`, each in `<name>.yaml`. */
function writeRepo(apis: Api[]): string {
  const dir = path.join(root, `repo-${++count}`);
  mkdirSync(dir);
  const config = [
    'version: 1',
    'apis:',
    ...apis.map(
      (api) =>
        `  - {name: ${api.name}, spec: ${api.name}.yaml, gateway: edge, hostnames: [${api.hostnames}]}`,
    ),
  ];
  writeFileSync(path.join(dir, '.kuma-api-forge.yaml'), `${config.join('\n')}\n`);
  for (const api of apis) {
    const spec = [
      'openapi: 3.0.3',
      'info: {title: t, version: "1"}',
      ...(api.root ? [`x-kuma: ${api.root}`] : []),
      'paths:',
      ...api.paths,
    ];
    writeFileSync(path.join(dir, `${api.name}.yaml`), `${spec.join('\n')}\n`);
  }
  return dir;
}

/** One operation on one line (its path item on the line before); templated segments declared as parameters. */
const op = (p: string, method: string, xKuma?: string) => {
  const params = [...p.matchAll(/\{(\w+)\}/g)].map(
    ([, name]) => `{name: ${name}, in: path, required: true, schema: {type: string}}`,
  );
  return [
    `  ${p}:`,
    `    ${method}: {${xKuma ? `x-kuma: ${xKuma}, ` : ''}${params.length ? `parameters: [${params.join(', ')}], ` : ''}responses: {"200": {description: ok}}}`,
  ];
};

/** A deploy repo where acme/other has deployed `deployedApi` (through the same preview the merge commits). */
async function deployOther(deployedApi: Api): Promise<string> {
  const deployed = path.join(root, `deployed-${++count}`);
  mkdirSync(deployed);
  writeFileSync(path.join(deployed, 'tenants.yaml'), `tenants:\n${tenants}\n`);
  const preview = await previewDeploy(
    {
      files: createLocalDirSource(writeRepo([deployedApi])),
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

/** `check`, keeping only its errors (the lint's warnings on these small specs are beside the point). */
async function check(args: string[]) {
  const { code, report } = await checkJson(args);
  return { code, report: { ...report, findings: report.findings.filter((f) => f.severity === 'error') } };
}

async function checkAgainst(deployed: string, head: string) {
  return check(['--head', head, '--deployed', deployed, '--repo', 'acme/users']);
}

const where = (f: { id: string; file: string; line: number }) => `${f.id} ${f.file}:${f.line}`;
const rateLimit = '{rateLimit: {requests: 10, interval: 1s}}';

describe('kuma-policy-shared across tenants', () => {
  it('same path on another hostname, a rate limit only here: exit 1, on the operation, naming repo and API', async () => {
    const deployed = await deployOther({
      name: 'status',
      hostnames: 'status.example.com',
      paths: op('/health', 'get'),
    });
    const head = writeRepo([
      {
        name: 'users',
        hostnames: 'users.example.com',
        paths: [...op('/users', 'get'), ...op('/health', 'get', rateLimit)],
      },
    ]);
    const { code, report } = await checkAgainst(deployed, head);
    expect(code).toBe(1);
    expect(report.findings.map(where)).toEqual(['kuma-policy-shared users.yaml:7']);
    const [finding] = report.findings;
    expect(finding).toMatchObject({ severity: 'error', kind: 'tenancy' });
    expect(finding!.message).toContain('API "status" of acme/other');
    expect(finding!.message).toContain('MeshRateLimit');
  });

  it("the deployed API's timeout would reach this repo's operation too: reported the other way round", async () => {
    const deployed = await deployOther({
      name: 'status',
      hostnames: 'status.example.com',
      paths: op('/health', 'get', '{timeout: 1s}'),
    });
    const head = writeRepo([{ name: 'users', hostnames: 'users.example.com', paths: op('/health', 'get') }]);
    const { code, report } = await checkAgainst(deployed, head);
    expect(code).toBe(1);
    expect(report.findings.map(where)).toEqual(['kuma-policy-shared users.yaml:5']);
    expect(report.findings[0]!.message).toContain('MeshTimeout');
  });

  it('a wildcard tenant and an apex tenant, templated paths rendering one regex: reported', async () => {
    const deployed = await deployOther({
      name: 'status',
      hostnames: '"*.example.com"',
      paths: op('/items/{id}', 'get', rateLimit),
    });
    const head = writeRepo([
      { name: 'users', hostnames: 'example.com', paths: op('/items/{itemId}', 'get') },
    ]);
    const { code, report } = await checkAgainst(deployed, head);
    expect(code).toBe(1);
    expect(report.findings.map(where)).toEqual(['kuma-policy-shared users.yaml:5']);
  });

  it('passes: other method, equal policies, or no policy on either side', async () => {
    const cases: [string, Api, Api][] = [
      [
        'GET vs DELETE',
        { name: 'status', hostnames: 'status.example.com', paths: op('/x', 'get', rateLimit) },
        { name: 'users', hostnames: 'users.example.com', paths: op('/x', 'delete') },
      ],
      [
        'equal timeouts',
        { name: 'status', hostnames: 'status.example.com', paths: op('/x', 'get', '{timeout: 4s}') },
        { name: 'users', hostnames: 'users.example.com', paths: op('/x', 'get'), root: '{timeout: 4s}' },
      ],
      [
        'no policies',
        { name: 'status', hostnames: 'status.example.com', paths: op('/x', 'get') },
        { name: 'users', hostnames: 'users.example.com', paths: op('/x', 'get') },
      ],
    ];
    for (const [name, other, mine] of cases) {
      const { code, report } = await checkAgainst(await deployOther(other), writeRepo([mine]));
      expect(report.findings.map(where), name).toEqual([]);
      expect(code, name).toBe(0);
    }
  });

  it('one repo with both APIs gets the same finding as two tenants, on the same lines', async () => {
    const status: Api = { name: 'status', hostnames: 'status.example.com', paths: op('/health', 'get') };
    const users: Api = {
      name: 'users',
      hostnames: 'users.example.com',
      paths: op('/health', 'get', rateLimit),
    };
    const alone = await check(['--head', writeRepo([users, status])]);
    expect(alone.code).toBe(1);
    expect(alone.report.findings.map(where).sort()).toEqual([
      'kuma-policy-shared status.yaml:5',
      'kuma-policy-shared users.yaml:5',
    ]);
    const apart = await checkAgainst(await deployOther(status), writeRepo([users]));
    expect(apart.report.findings.map(where)).toEqual(['kuma-policy-shared users.yaml:5']);
  });
});

describe('kuma-gateway-policy-conflict across tenants', () => {
  const paths = (p: string) => op(p, 'get');

  it('another access log sink than the deployed tenant: exit 1 on the x-kuma accessLog line', async () => {
    const deployed = await deployOther({
      name: 'status',
      hostnames: 'status.example.com',
      paths: paths('/s'),
      root: '{accessLog: {file: /dev/stdout}}',
    });
    const head = writeRepo([
      {
        name: 'users',
        hostnames: 'users.example.com',
        paths: paths('/u'),
        root: '{accessLog: {file: /tmp/users.log}}',
      },
    ]);
    const { code, report } = await checkAgainst(deployed, head);
    expect(code).toBe(1);
    expect(report.findings.map(where)).toEqual(['kuma-gateway-policy-conflict users.yaml:3']);
    expect(report.findings[0]!.message).toContain('API "status" of acme/other');
  });

  it('another trace backend: reported; the same one: passes', async () => {
    const otel = '{trace: {openTelemetry: "otel.example.com:4317"}}';
    const deployed = await deployOther({
      name: 'status',
      hostnames: 'status.example.com',
      paths: paths('/s'),
      root: otel,
    });
    const zipkin = writeRepo([
      {
        name: 'users',
        hostnames: 'users.example.com',
        paths: paths('/u'),
        root: '{trace: {zipkin: "http://z:9411/api/v2/spans"}}',
      },
    ]);
    expect((await checkAgainst(deployed, zipkin)).report.findings.map(where)).toEqual([
      'kuma-gateway-policy-conflict users.yaml:3',
    ]);
    const same = writeRepo([
      { name: 'users', hostnames: 'users.example.com', paths: paths('/u'), root: otel },
    ]);
    const { code, report } = await checkAgainst(deployed, same);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });
});
