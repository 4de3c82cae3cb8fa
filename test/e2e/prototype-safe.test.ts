/**
 * `__proto__`, `constructor` and `prototype` keys anywhere in a repo (spec files, `$ref`ed files, `x-kuma`,
 * the repo config) are ordinary keys: they never become or read a prototype. Where they are not allowed they
 * are a finding on their line; nothing they hold is routed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJson, runCli } from '../helpers/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'kaf-proto-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Write `files` into a fresh directory; returns its path. */
function repo(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  mkdirSync(dir);
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), content);
  return dir;
}

const header = `openapi: 3.0.3
info:
  title: Proto
  version: 1.0.0
servers:
  - url: https://api.example.com/v1
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: ok
`;

const errorsOf = (findings: { severity: string }[]) => findings.filter((f) => f.severity === 'error');

describe('prototype keys from a repo', () => {
  it('a __proto__ path item in a $ref-ed file is refused on its line and never routed', async () => {
    const dir = repo('path-item', {
      'openapi.yaml': `${header}  /hidden:\n    $ref: './item.yaml'\n`,
      'item.yaml': `__proto__:\n  delete:\n    operationId: hiddenDelete\n    responses:\n      '200':\n        description: ok\n`,
    });
    const { code, report } = await checkJson(['--head', path.join(dir, 'openapi.yaml')]);
    expect(code).toBe(1);
    expect(errorsOf(report.findings)).toEqual([
      expect.objectContaining({ id: 'oas-schema', file: 'item.yaml', line: 1 }),
    ]);
    const render = await runCli(['render', path.join(dir, 'openapi.yaml')]);
    expect(render.stdout).toContain('/v1/pets');
    expect(render.stdout).not.toMatch(/hidden|DELETE/);
  });

  it('the same in a JSON file', async () => {
    const dir = repo('json', {
      'openapi.yaml': `${header}  /hidden:\n    $ref: './item.json'\n`,
      'item.json': `{\n  "__proto__": {\n    "post": {"operationId": "hidden", "responses": {"200": {"description": "ok"}}}\n  }\n}\n`,
    });
    const { code, report } = await checkJson(['--head', path.join(dir, 'openapi.yaml')]);
    expect(code).toBe(1);
    expect(errorsOf(report.findings)).toEqual([
      expect.objectContaining({ id: 'oas-schema', file: 'item.json', line: 2 }),
    ]);
    expect((await runCli(['render', path.join(dir, 'openapi.yaml')])).stdout).not.toMatch(/hidden|POST/);
  });

  it('a __proto__ in an operation and in x-kuma is refused where it is written', async () => {
    const spec = header.replace(
      '      operationId: listPets\n',
      '      operationId: listPets\n      __proto__:\n        x-kuma:\n          disabled: true\n',
    );
    const dir = repo('operation', {
      'openapi.yaml': `${spec}    x-kuma:\n      __proto__:\n        timeout: 1s\n`,
    });
    const { code, report } = await checkJson(['--head', path.join(dir, 'openapi.yaml')]);
    expect(code).toBe(1);
    expect(errorsOf(report.findings)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'oas-schema', file: 'openapi.yaml', line: 11 }),
        expect.objectContaining({ id: 'x-kuma-invalid', file: 'openapi.yaml', line: 18 }),
      ]),
    );
  });

  it("__proto__ and constructor in the config's apis entry are unknown keys on their lines", async () => {
    const dir = repo('config', {
      '.kuma-api-forge.yaml': `version: 1\napis:\n  - name: pets\n    spec: openapi.yaml\n    __proto__:\n      basePath: /other-tenant\n    constructor: x\n`,
      'openapi.yaml': header,
    });
    const { code, report } = await checkJson(['--head', dir]);
    expect(code).toBe(1);
    expect(errorsOf(report.findings)).toEqual([
      expect.objectContaining({ id: 'config-schema', file: '.kuma-api-forge.yaml', line: 5 }),
      expect.objectContaining({ id: 'config-schema', file: '.kuma-api-forge.yaml', line: 7 }),
    ]);
  });

  it('a $ref to a prototype member (#/constructor, #/toString, #/__proto__) finds nothing', async () => {
    const dir = repo('ref-to-prototype', {
      'openapi.yaml': `${header}  /a:\n    $ref: '#/constructor'\n  /b:\n    $ref: './empty.yaml#/toString'\n  /c:\n    $ref: './empty.yaml#/__proto__'\n`,
      'empty.yaml': 'x-note: nothing here\n',
    });
    const { code, report } = await checkJson(['--head', path.join(dir, 'openapi.yaml')]);
    expect(code).toBe(1);
    expect(errorsOf(report.findings)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'ref-pointer-not-found', file: 'openapi.yaml', line: 15 }),
        expect.objectContaining({ id: 'ref-pointer-not-found', file: 'openapi.yaml', line: 17 }),
        expect.objectContaining({ id: 'ref-pointer-not-found', file: 'openapi.yaml', line: 19 }),
      ]),
    );
  });

  it('constructor and prototype are ordinary names: a component and a path item so named work', async () => {
    const dir = repo('ordinary-names', {
      'openapi.yaml': `${header.replace('description: ok\n', "description: ok\n          content:\n            application/json:\n              schema:\n                $ref: './schemas.yaml#/constructor'\n")}  /prototype:\n    $ref: './items.yaml#/prototype'\n`,
      'schemas.yaml': 'constructor:\n  type: object\n  properties:\n    prototype: {type: string}\n',
      'items.yaml': `prototype:\n  get:\n    operationId: proto\n    responses:\n      '200':\n        description: ok\n`,
    });
    const { code, report } = await checkJson(['--head', path.join(dir, 'openapi.yaml')]);
    expect(errorsOf(report.findings)).toEqual([]);
    expect(code).toBe(0);
    const render = await runCli(['render', path.join(dir, 'openapi.yaml')]);
    expect(render.stdout).toContain('/v1/prototype');
  });
});
