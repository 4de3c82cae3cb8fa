/**
 * Hostile specs through the whole `check` (loader, validation, lint, routing, oasdiff): each ends as a clear
 * finding on a line (exit 1) — never a crash, a hang, a stack trace, a read outside the root or a connection to
 * another host. No wall-time assertions (they flake on a busy machine and pass on a fast one): boundedness is
 * shown by work that could never finish if it were done (a bomb scaled past any machine gives the same answer)
 * and by content that is never looked at (what lies past a limit would be a finding of its own if it were read).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJson } from '../helpers/cli.js';
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

function check(file: string) {
  return checkJson(['--head', file, '--base', file, '--lint', 'all']);
}

/** A "billion laughs": `levels` anchors, each a list of ten aliases of the one before (10^levels leaves). */
function aliasBomb(levels: number): string {
  const name = (level: number) => `l${level}`;
  const lines = [`${name(0)}: &${name(0)} ["x","x","x","x","x","x","x","x","x","x"]`];
  for (let level = 1; level < levels; level++)
    lines.push(
      `${name(level)}: &${name(level)} [${Array(10)
        .fill(`*${name(level - 1)}`)
        .join(',')}]`,
    );
  return `openapi: 3.0.3\n${lines.join('\n')}\n`;
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
    const { code, report } = await check(spec('bomb.yaml', aliasBomb(10)));
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.id)).toContain('yaml-alias-limit');
    // Bounded: 10^40 leaves cannot be expanded (nor counted one by one) on any machine, yet the check answers,
    // with the same finding on the same alias as for 10^10: it stops at the limit, whatever lies past it.
    const huge = await check(spec('bomb-huge.yaml', aliasBomb(40)));
    const at = (r: typeof report) =>
      r.findings.map((f) => [f.id, f.line, f.column, f.message.replaceAll('bomb-huge', 'bomb')]);
    expect(at(huge.report)).toEqual(at(report));
  });

  it('a deeply nested document is cut off with a finding', async () => {
    const depth = 5000;
    const deep = `${header}${'  '.repeat(8)}${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}\n`;
    const { code, report } = await check(spec('deep.yaml', deep));
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.id)).toContain('too-deep');
  });

  it('a 20 MB spec is refused by the size limit, before it is parsed', async () => {
    const padding = `      description: "${'x'.repeat(1000)}"\n`;
    // The file ends in an alias bomb and a syntax error: either would be a finding of its own if the file were
    // parsed at all, and the bomb would never finish.
    const big = `openapi: 3.0.3\ninfo:\n  title: Big\n  version: 1.0.0\npaths: {}\ncomponents:\n  schemas:\n${Array.from({ length: 20_000 }, (_, i) => `    S${i}:\n      type: string\n${padding}`).join('')}${aliasBomb(40).replace('openapi: 3.0.3\n', '')}oops: [\n`;
    expect(big.length).toBeGreaterThan(20_000_000);
    const { code, report } = await check(spec('big.yaml', big));
    expect(code).toBe(1);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ id: 'file-too-large', file: 'big.yaml' }),
    );
    const ids = report.findings.map((f) => f.id);
    expect(ids).not.toContain('yaml-alias-limit');
    expect(ids).not.toContain('yaml-syntax');
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
