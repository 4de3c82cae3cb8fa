/**
 * Hostile specs through the whole `check` (loader, validation, lint, routing, oasdiff): each ends as a clear
 * finding on a line (exit 1) within seconds — never a crash, a hang, a stack trace, a read outside the root or a
 * connection to another host.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJson, runCli } from '../helpers/cli.js';
import { type ConnectionCounter, startConnectionCounter } from '../helpers/loopback.js';

const root = mkdtempSync(path.join(tmpdir(), 'kaf-hostile-'));
const specDir = path.join(root, 'api');
mkdirSync(specDir);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter: ConnectionCounter;
beforeAll(async () => {
  counter = await startConnectionCounter();
});
afterAll(() => counter.close());

const header = `openapi: 3.0.3
info:
  title: Hostile
  version: 1.0.0
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
`;

function spec(name: string, content: string | Buffer): string {
  const file = path.join(specDir, name);
  writeFileSync(file, content);
  return file;
}

async function check(file: string) {
  const started = Date.now();
  const result = await checkJson(['--head', file, '--base', file, '--lint', 'all']);
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

describe('hostile input', () => {
  it('a remote $ref is refused at its line and no connection is attempted', async () => {
    const file = spec(
      'remote.yaml',
      `${header}                $ref: 'http://127.0.0.1:${counter.port}/thing.yaml#/Thing'\n`,
    );
    const { code, report } = await check(file);
    expect(code).toBe(1);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ id: 'ref-remote', file: 'remote.yaml', line: 15 }),
    );
    expect(counter.connections).toBe(0);
  });

  it('absolute and escaping $refs are refused and the outside file is never read', async () => {
    writeFileSync(path.join(root, 'secret.yaml'), 'Thing: {type: string}\n');
    const escaping = spec('escaping.yaml', `${header}                $ref: '../secret.yaml#/Thing'\n`);
    const absolute = spec(
      'absolute.yaml',
      `${header}                $ref: '${path.join(root, 'secret.yaml')}#/Thing'\n`,
    );
    const a = await check(escaping);
    const b = await check(absolute);
    expect(a.report.findings).toContainEqual(expect.objectContaining({ id: 'ref-outside-root', line: 15 }));
    expect(b.report.findings).toContainEqual(expect.objectContaining({ id: 'ref-absolute', line: 15 }));
    // The secret's content never surfaces anywhere in the report.
    expect(JSON.stringify([a.report, b.report])).not.toContain('type: string');
  });

  it('a YAML alias bomb stops at the alias limit', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const { code, report, seconds } = await check(spec('bomb.yaml', `openapi: 3.0.3\n${lines.join('\n')}\n`));
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.id)).toContain('yaml-alias-limit');
    expect(seconds).toBeLessThan(10);
  });

  it('a deeply nested document is cut off with a finding', async () => {
    const depth = 5000;
    const deep = `${header}${'  '.repeat(8)}${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}\n`;
    const { code, report } = await check(spec('deep.yaml', deep));
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.id)).toContain('too-deep');
  });

  it('a 20 MB spec is refused by the size limit, quickly', async () => {
    const padding = `      description: "${'x'.repeat(1000)}"\n`;
    const big = `openapi: 3.0.3\ninfo:\n  title: Big\n  version: 1.0.0\npaths: {}\ncomponents:\n  schemas:\n${Array.from({ length: 20_000 }, (_, i) => `    S${i}:\n      type: string\n${padding}`).join('')}`;
    expect(big.length).toBeGreaterThan(20_000_000);
    const { code, report, seconds } = await check(spec('big.yaml', big));
    expect(code).toBe(1);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ id: 'file-too-large', file: 'big.yaml' }),
    );
    expect(seconds).toBeLessThan(10);
  });

  it('a cyclic schema is fine: checked, no finding about the cycle', async () => {
    const cyclic = `${header}                $ref: '#/components/schemas/Node'
components:
  schemas:
    Node:
      type: object
      properties:
        children:
          type: array
          items:
            $ref: '#/components/schemas/Node'
`;
    const { code, report } = await check(spec('cyclic.yaml', cyclic));
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
  });

  it('a spec of 10,000 operations is checked and rendered (every stage stays about linear)', async () => {
    // 2,000 resources × 5 operations, half of them templated GETs/PUTs/DELETEs of one shape: the case that made
    // the regex ordering quadratic. bench/scale.mjs measures the time; this only proves it finishes.
    const op = (id: string, param = '') =>
      `{operationId: ${id}${param}, responses: {'200': {description: ok}}}`;
    const param = ', parameters: [{name: id, in: path, required: true, schema: {type: integer}}]';
    const paths = Array.from(
      { length: 2000 },
      (_, r) =>
        `  /res${r}:\n    get: ${op(`list${r}`)}\n    post: ${op(`create${r}`)}\n  /res${r}/{id}:\n    get: ${op(`get${r}`, param)}\n    put: ${op(`put${r}`, param)}\n    delete: ${op(`delete${r}`, param)}\n`,
    );
    const file = spec(
      'ten-thousand.yaml',
      `openapi: 3.0.3\ninfo: {title: Big, version: 1.0.0}\nservers: [{url: 'https://api.example.com/big'}]\npaths:\n${paths.join('')}`,
    );
    const { code, report } = await checkJson(['--head', file]);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
    const render = await runCli(['render', file]);
    expect(render.code).toBe(0);
    expect(render.stdout.match(/method: DELETE/g)).toHaveLength(2000);
  }, 300_000);

  it('binary garbage is "not an OpenAPI document", not a crash', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const { code, report } = await check(spec('garbage.yaml', garbage));
    expect(code).toBe(1);
    // The same file is the base: that it cannot be compared is said too (never silent).
    expect(report.findings.map((f) => [f.id, f.file, f.line, f.side ?? 'head'])).toEqual([
      ['breaking-base-unreadable', 'garbage.yaml', 1, 'base'],
      ['not-openapi', 'garbage.yaml', 1, 'head'],
    ]);
  });
});
