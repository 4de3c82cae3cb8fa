/**
 * Routing checks on real loaded specs (the real loader): where the finding lands and what it says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/core/findings.js';
import { checkRouting, type RoutingView } from '../../../shared/core/routing/check-routing.js';
import type { LoadedSpec } from '../../../shared/core/spec/types.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';

const fixtures = join(import.meta.dirname, '../../../fixtures/specs');
const read = (path: string) => readFileSync(join(fixtures, path), 'utf8');

const load = (text: string, file = 'openapi.yaml') => loadSpecFromFiles({ [file]: text }, file);
const loadUserProfile = (dir: string) =>
  loadSpecFromFiles(
    {
      'openapi/users.yaml': read(`${dir}/openapi/users.yaml`),
      'openapi/schemas/user.yaml': read(`${dir}/openapi/schemas/user.yaml`),
    },
    'openapi/users.yaml',
  );

const brief = (f: Finding) => ({
  id: f.id,
  severity: f.severity,
  at: `${f.file}:${f.line}`,
  message: f.message,
});

function routing(base: LoadedSpec | RoutingView | undefined, head: LoadedSpec | RoutingView): Finding[] {
  const view = (side: LoadedSpec | RoutingView): RoutingView => ('spec' in side ? side : { spec: side });
  return checkRouting(base ? { base: view(base), head: view(head) } : { head: view(head) });
}

const api = (options: { servers?: string; rootXKuma?: string; paths: string }) => `openapi: 3.0.3
info: {title: t, version: 1.0.0}
${options.servers ?? 'servers:\n  - url: https://api.example.com/v1'}
${options.rootXKuma ?? ''}
paths:
${options.paths}`;

const op = (method: string, extra = '') => `    ${method}:
${extra}      responses:
        '200': {description: ok}
`;

describe('base path, hostnames and servers', () => {
  it('a changed server base path is an error on the server line (single-spec mode)', async () => {
    const base = await loadUserProfile('user-profile');
    const head = await loadUserProfile('user-profile/revisions/changed-base-path');
    expect(routing(base, head).map(brief)).toEqual([
      {
        id: 'base-path-changed',
        severity: 'error',
        at: 'openapi/users.yaml:15',
        message: 'base path changed from `/users-api` to `/profiles`: every URL clients call changes',
      },
    ]);
  });

  it('in repo mode the config base path wins; the servers change is reported on its own line too', async () => {
    const base = await loadUserProfile('user-profile');
    const head = await loadUserProfile('user-profile/revisions/changed-base-path');
    const config = { file: '.kuma-api-forge.yaml', line: 11, column: 5, pointer: '/apis/0/basePath' };
    const findings = routing(
      { spec: base, basePath: '/users-api', hostnames: ['api.example.com'] },
      {
        spec: head,
        basePath: '/profiles',
        hostnames: ['api.example.com'],
        configPositions: { basePath: config },
      },
    );
    expect(findings.map((f) => [f.id, `${f.file}:${f.line}`])).toEqual([
      ['base-path-changed', '.kuma-api-forge.yaml:11'],
      ['server-url-changed', 'openapi/users.yaml:15'],
    ]);
  });

  it('the petstore moving from /api/v3 to /v3 is one finding at line 17', async () => {
    const findings = routing(
      await load(read('petstore/petstore.yaml')),
      await load(read('petstore/revisions/changed-base-path.yaml')),
    );
    expect(findings.map((f) => [f.id, f.line, f.message])).toEqual([
      ['base-path-changed', 17, 'base path changed from `/api/v3` to `/v3`: every URL clients call changes'],
    ]);
  });

  it('a compatible revision and an unchanged spec have no routing finding', async () => {
    const petstore = await load(read('petstore/petstore.yaml'));
    expect(routing(petstore, await load(read('petstore/revisions/compatible.yaml')))).toEqual([]);
    expect(routing(await loadUserProfile('user-profile'), await loadUserProfile('user-profile'))).toEqual([]);
  });

  it('a trailing slash or a server variable default does not count as a change', async () => {
    const base = await load(api({ paths: `  /a:\n${op('get')}` }));
    const head = await load(
      api({
        servers: 'servers:\n  - url: https://{host}/v1/\n    variables: {host: {default: api.example.com}}',
        paths: `  /a:\n${op('get')}`,
      }),
    );
    expect(routing(base, head).map((f) => f.id)).toEqual(['server-url-changed']);
  });

  it('a removed hostname is an error naming the host', async () => {
    const base = await load(api({ paths: `  /a:\n${op('get')}` }));
    const head = await load(
      api({ servers: 'servers:\n  - url: https://api.example.org/v1', paths: `  /a:\n${op('get')}` }),
    );
    expect(routing(base, head).map(brief)).toEqual([
      {
        id: 'hostnames-removed',
        severity: 'error',
        at: 'openapi.yaml:4',
        message: 'no longer served on `api.example.com`: clients calling the API there break',
      },
    ]);
  });

  it('config hostnames: dropping one is an error, adding one is not', async () => {
    const spec = await load(api({ paths: `  /a:\n${op('get')}` }));
    const view = (hostnames: string[]) => ({ spec, hostnames });
    expect(
      routing(view(['a.example.com', 'b.example.com']), view(['a.example.com'])).map((f) => f.message),
    ).toEqual(['no longer served on `b.example.com`: clients calling the API there break']);
    expect(routing(view(['a.example.com']), view(['a.example.com', 'b.example.com']))).toEqual([]);
  });

  it('a scheme change or a removed second server is a server change', async () => {
    const paths = `  /a:\n${op('get')}`;
    const base = await load(
      api({
        servers: 'servers:\n  - url: https://api.example.com/v1\n  - url: http://api.example.com/v1',
        paths,
      }),
    );
    const head = await load(api({ servers: 'servers:\n  - url: https://api.example.com/v1', paths }));
    expect(routing(base, head).map((f) => f.message)).toEqual([
      'server `http://api.example.com/v1` was removed: clients using it break',
    ]);
  });

  it('Swagger 2.0: a changed basePath points at `basePath:`', async () => {
    const swagger = read('petstore/petstore-swagger2.yaml');
    const moved = swagger.replace('basePath: /api/v3', 'basePath: /api/v4');
    const line = moved.split('\n').findIndex((text) => text.startsWith('basePath:')) + 1;
    const findings = routing(await load(swagger), await load(moved));
    expect(findings.map((f) => [f.id, f.line, f.message])).toEqual([
      [
        'base-path-changed',
        line,
        'base path changed from `/api/v3` to `/api/v4`: every URL clients call changes',
      ],
    ]);
  });
});

describe('routing x-kuma keys', () => {
  it('disabling an operation is an error at its x-kuma.disabled; enabling one is not', async () => {
    const on = await load(api({ paths: `  /a:\n${op('get')}${op('post')}` }));
    const off = await load(
      api({ paths: `  /a:\n${op('get')}${op('post', '      x-kuma: {disabled: true}\n')}` }),
    );
    expect(routing(on, off).map((f) => ({ ...brief(f), operation: f.operation }))).toEqual([
      {
        id: 'x-kuma-routing-changed',
        severity: 'error',
        at: 'openapi.yaml:12',
        message: 'POST /a is now disabled by x-kuma.disabled: clients calling it will get 404',
        operation: 'POST /a',
      },
    ]);
    expect(routing(off, on)).toEqual([]);
  });

  it('a timeout change is behaviour, not routing: no routing finding', async () => {
    const paths = `  /a:\n${op('get')}`;
    const base = await load(api({ rootXKuma: 'x-kuma:\n  timeout: 5s', paths }));
    const head = await load(api({ rootXKuma: 'x-kuma:\n  timeout: 9s', paths }));
    expect(routing(base, head)).toEqual([]);
  });
});

describe('operation collisions', () => {
  it('same method and path shape with different parameter names: an error on the second', async () => {
    const spec = await load(
      api({
        paths: `  /users/{id}:\n${op('get')}  /users/me:\n${op('get')}  /users/{name}:\n${op('get')}${op('delete')}`,
      }),
    );
    expect(routing(undefined, spec).map((f) => ({ ...brief(f), operation: f.operation }))).toEqual([
      {
        id: 'operation-collision',
        severity: 'error',
        at: 'openapi.yaml:16',
        message:
          'GET /users/{name} matches the same requests as GET /users/{id} (openapi.yaml:8): the gateway cannot route them apart',
        operation: 'GET /users/{name}',
      },
    ]);
  });

  it('a literal beside a parameter is legal, and so is a disabled twin', async () => {
    const spec = await load(
      api({
        paths: `  /users/{id}:\n${op('get')}  /users/me:\n${op('get')}  /users/{name}:\n    x-kuma: {disabled: true}\n${op('get')}`,
      }),
    );
    expect(routing(undefined, spec)).toEqual([]);
    expect(routing(undefined, await load(read('petstore/petstore.yaml')))).toEqual([]);
  });

  it('segments mixing literals and parameters collide by shape too', async () => {
    const spec = await load(
      api({ paths: `  /files/{name}.json:\n${op('get')}  /files/{id}.json:\n${op('get')}` }),
    );
    expect(routing(undefined, spec).map((f) => f.operation)).toEqual(['GET /files/{id}.json']);
  });
});
