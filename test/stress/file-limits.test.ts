/**
 * Stress, not part of the everyday suite (`npm run test:stress`; CI runs it once, on Node 20): the default file
 * limit of a spec through the CLI, at its real size (moved from test/e2e/rough-edges.test.ts: thousands of files
 * written, read and bundled). The same rule at a limit of 3 is a unit test (test/unit/spec/refs.test.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJson, type JsonFinding } from '../helpers/cli.js';
import { lineOf } from '../unit/spec/lines.js';

const root = mkdtempSync(path.join(tmpdir(), 'kaf-file-limits-'));
// Thousands of files: removing them takes a while on a busy machine.
afterAll(() => rmSync(root, { recursive: true, force: true }), 120_000);
let repos = 0;

/** A fresh folder holding `files`; returns its path. */
function repo(files: Record<string, string>): string {
  const dir = path.join(root, `r${++repos}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** A spec whose entry `$ref`s `n` schema files (`m/s<i>.yaml`), one property each. */
function manyFiles(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  const props = Array.from({ length: n }, (_, i) => `        p${i}: {$ref: 'm/s${i}.yaml'}`);
  for (let i = 0; i < n; i++) files[`m/s${i}.yaml`] = 'type: string\n';
  files['openapi.yaml'] = `openapi: 3.0.3
info: {title: Many, version: '1'}
paths: {}
components:
  schemas:
    Big:
      type: object
      properties:
${props.join('\n')}
`;
  return files;
}

const check = (dir: string) => checkJson(['--head', path.join(dir, 'openapi.yaml'), '--lint', 'all']);

const validationOf = (findings: JsonFinding[]) => findings.filter((f) => f.kind === 'validation');

describe('file limits: one finding, and room for real multi-file specs', () => {
  it('a spec of 3,000 files (DigitalOcean $refs 2,847) loads without a limit finding', {
    timeout: 120_000,
  }, async () => {
    const { report } = await check(repo(manyFiles(3000)));
    expect(validationOf(report.findings)).toEqual([]);
  });

  it('past the limit: exactly one too-many-files finding, at the first $ref that exceeds it', {
    timeout: 120_000,
  }, async () => {
    const files = manyFiles(4100);
    const entry = files['openapi.yaml']!;
    const { code, report } = await check(repo(files));
    expect(code).toBe(1);
    const limit = report.findings.filter((f) => f.id === 'too-many-files');
    // The entry is file 1: the 4,000th $ref'd file is the first one past the limit.
    expect(limit.map((f) => [f.file, f.line])).toEqual([['openapi.yaml', lineOf(entry, "'m/s3999.yaml'")]]);
    expect(limit[0]?.message).toContain('every file after it');
  });
});
