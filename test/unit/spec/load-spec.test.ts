import { describe, expect, it } from 'vitest';
import { createMemoryFileSource } from '../../../shared/adapters/memory-file-source.js';
import { loadSourceFile } from '../../../shared/core/spec/load-spec.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';
import { lineOf } from './lines.js';

const petstore = `openapi: 3.0.3
info:
  title: Pets
  version: 1.0.0
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - name: id
          in: path
          required: true
          schema:
            type: string
      responses:
        '200':
          description: a pet
  /a~b/c:
    get:
      responses:
        default:
          description: odd path
`;

describe('loadSpec: one file', () => {
  it('maps pointers to the key line and column, with ~0 ~1 escaping', async () => {
    const spec = await loadSpecFromFiles({ 'api/openapi.yaml': petstore }, './api/openapi.yaml');
    expect(spec.findings).toEqual([]);
    expect(spec.entry).toBe('api/openapi.yaml');
    expect(spec.version).toBe('3.0');
    expect(spec.locate('/paths/~1pets~1{id}/get/operationId')).toEqual({
      file: 'api/openapi.yaml',
      line: lineOf(petstore, 'operationId: getPet'),
      column: 7,
      pointer: '/paths/~1pets~1{id}/get/operationId',
    });
    expect(spec.locate('/paths/~1pets~1{id}/get/parameters/0/in')).toMatchObject({
      line: lineOf(petstore, 'in: path'),
      column: 11,
    });
    expect(spec.locate('/paths/~1a~0b~1c/get/responses/default')).toMatchObject({
      line: lineOf(petstore, 'default:'),
    });
  });

  it('falls back to the nearest existing ancestor', async () => {
    const spec = await loadSpecFromFiles({ 'openapi.yaml': petstore }, 'openapi.yaml');
    expect(spec.locate('/paths/~1pets~1{id}/get/responses/404/description')).toEqual({
      file: 'openapi.yaml',
      line: lineOf(petstore, 'responses:'),
      column: 7,
      pointer: '/paths/~1pets~1{id}/get/responses',
    });
  });

  it('reads JSON with JSON.parse and still locates keys', async () => {
    const json = JSON.stringify(
      {
        swagger: '2.0',
        info: { title: 't', version: '1' },
        paths: { '/x': { get: { responses: { 200: { description: 'ok' } } } } },
      },
      null,
      2,
    );
    const spec = await loadSpecFromFiles({ 'swagger.json': json }, 'swagger.json');
    expect(spec.findings).toEqual([]);
    expect(spec.version).toBe('2.0');
    expect(spec.files.get('swagger.json')?.format).toBe('json');
    expect(spec.locate('/paths/~1x/get/responses/200/description')).toMatchObject({
      line: lineOf(json, '"description"'),
      column: 13,
    });
  });

  it.each([
    ['openapi: 3.0.3', '3.0'],
    ['openapi: 3.1.0', '3.1'],
    ['swagger: "2.0"', '2.0'],
  ])('detects %s', async (header, version) => {
    const spec = await loadSpecFromFiles(
      { 'o.yaml': `${header}\ninfo: {title: t, version: '1'}\npaths: {}\n` },
      'o.yaml',
    );
    expect(spec.version).toBe(version);
  });
});

describe('loadSpec: bad input is a finding, never a throw', () => {
  const only = async (files: Record<string, string | Uint8Array>, entry: string, limits = {}) => {
    const spec = await loadSpecFromFiles(files, entry, limits);
    expect(spec.bundle).toBeUndefined();
    return spec.findings.map((f) => ({ id: f.id, file: f.file, line: f.line }));
  };

  it('missing entry file', async () => {
    expect(await only({}, 'openapi.yaml')).toEqual([{ id: 'file-not-found', file: 'openapi.yaml', line: 1 }]);
  });

  it('YAML syntax error at its line', async () => {
    const text = 'openapi: 3.0.3\ninfo:\n  title: [unclosed\n  version: 1\npaths: {}\n';
    const findings = await only({ 'o.yaml': text }, 'o.yaml');
    expect(findings[0]).toMatchObject({ id: 'yaml-syntax', file: 'o.yaml' });
    expect(findings[0]?.line).toBeGreaterThanOrEqual(3);
  });

  it('duplicate keys are a syntax error on the duplicate', async () => {
    const text = 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths: {}\npaths: {}\n';
    expect(await only({ 'o.yaml': text }, 'o.yaml')).toEqual([
      { id: 'yaml-syntax', file: 'o.yaml', line: 4 },
    ]);
  });

  it('JSON syntax error at its line', async () => {
    const text = '{\n  "openapi": "3.0.3",\n  "info": {,\n}\n';
    expect(await only({ 'o.json': text }, 'o.json')).toEqual([
      { id: 'yaml-syntax', file: 'o.json', line: 3 },
    ]);
  });

  it('YAML alias bomb', async () => {
    const bomb = [
      'openapi: 3.0.3',
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
    ].join('\n');
    // On the first alias that takes the expansion past the limit: g's seventh *f (f expands to ~2.2 MB).
    expect(await only({ 'o.yaml': bomb }, 'o.yaml')).toEqual([
      { id: 'yaml-alias-limit', file: 'o.yaml', line: 8 },
    ]);
  });

  it('a 200-level deep document (YAML and JSON)', async () => {
    let yaml = 'openapi: 3.0.3\nx:\n';
    for (let i = 1; i <= 200; i++) yaml += `${'  '.repeat(i)}k:\n`;
    yaml += `${'  '.repeat(201)}v\n`;
    const json = `{"openapi":"3.0.3","x":${'['.repeat(200)}${']'.repeat(200)}}`;
    const yamlFindings = await only({ 'o.yaml': yaml }, 'o.yaml');
    expect(yamlFindings).toHaveLength(1);
    expect(yamlFindings[0]?.id).toBe('too-deep');
    expect(yamlFindings[0]?.line).toBeGreaterThan(100);
    expect(await only({ 'o.json': json }, 'o.json')).toEqual([{ id: 'too-deep', file: 'o.json', line: 1 }]);
  });

  it('pathological nesting far beyond the limit', async () => {
    const json = `{"openapi":"3.0.3","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const yaml = `openapi: 3.0.3\nx: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    expect((await only({ 'o.json': json }, 'o.json'))[0]?.id).toBe('too-deep');
    expect((await only({ 'o.yaml': yaml }, 'o.yaml'))[0]?.id).toMatch(/too-deep|yaml-syntax/);
  });

  it('a file over the size limit is not parsed', async () => {
    const big = `openapi: 3.0.3\nx: "${'a'.repeat(2048)}"\n`;
    expect(await only({ 'o.yaml': big }, 'o.yaml', { maxFileBytes: 1024 })).toEqual([
      { id: 'file-too-large', file: 'o.yaml', line: 1 },
    ]);
  });

  it('binary garbage and invalid UTF-8', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(await only({ 'o.yaml': png }, 'o.yaml')).toEqual([{ id: 'not-openapi', file: 'o.yaml', line: 1 }]);
    expect(await only({ 'o.yaml': new Uint8Array([0x6f, 0x3a, 0xff, 0xfe]) }, 'o.yaml')).toEqual([
      { id: 'not-openapi', file: 'o.yaml', line: 1 },
    ]);
  });

  it('YAML that is not an OpenAPI document', async () => {
    expect(await only({ 'o.yaml': 'name: my-chart\nversion: 1\n' }, 'o.yaml')).toEqual([
      { id: 'not-openapi', file: 'o.yaml', line: 1 },
    ]);
    expect(await only({ 'o.yaml': '- a\n- b\n' }, 'o.yaml')).toEqual([
      { id: 'not-openapi', file: 'o.yaml', line: 1 },
    ]);
  });

  it('an unsupported version points at the version line', async () => {
    expect(await only({ 'o.yaml': 'info: {}\nopenapi: 4.0.0\n' }, 'o.yaml')).toEqual([
      { id: 'openapi-version-unsupported', file: 'o.yaml', line: 2 },
    ]);
  });

  it('an entry path outside the root', async () => {
    expect(await only({}, '../secret.yaml')).toEqual([
      { id: 'file-not-found', file: '../secret.yaml', line: 1 },
    ]);
  });
});

describe('loadSourceFile', () => {
  it('parses one non-spec file, or says why not', async () => {
    const source = createMemoryFileSource({
      'config.yaml': 'apis:\n  - name: users\n',
      'bad.yaml': 'a: [\n',
    });
    const config = await loadSourceFile(source, 'config.yaml');
    expect(config && 'value' in config ? config.value : config).toEqual({ apis: [{ name: 'users' }] });
    expect(config && 'locate' in config ? config.locate('/apis/0/name') : undefined).toMatchObject({
      line: 2,
      column: 5,
    });
    expect(await loadSourceFile(source, 'bad.yaml')).toMatchObject({
      findings: [{ id: 'yaml-syntax', file: 'bad.yaml' }],
    });
    expect(await loadSourceFile(source, 'none.yaml')).toBeUndefined();
  });
});
