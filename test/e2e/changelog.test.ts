/**
 * The changelog end to end (real oasdiff, one `changelog` run): the non-breaking changes are in `check --format
 * json` on their lines and in the terminal, never gate, and the breaking ones stay findings.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJson, runCli } from '../helpers/cli.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'kaf-changelog-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const base = `openapi: 3.0.3
info: {title: pets, version: 1.0.0}
tags: [{name: pets, description: Pets.}]
paths:
  /pets:
    get:
      operationId: listPets
      description: List pets.
      tags: [pets]
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        '200': {description: ok}
`;

// Line 12: the new optional parameter; line 16: the added operation (/owners, its `get:` on line 16).
const added = base
  .replace(
    `        - {name: limit, in: query, schema: {type: integer}}\n`,
    `        - {name: limit, in: query, schema: {type: integer}}\n        - {name: owner, in: query, schema: {type: string}}\n`,
  )
  .concat(`  /owners:
    get:
      operationId: listOwners
      description: List owners.
      tags: [pets]
      responses:
        '200': {description: ok}
`);

function files(name: string, head: string) {
  const dir = path.join(scratch, name);
  mkdirSync(path.join(dir, 'base'), { recursive: true });
  mkdirSync(path.join(dir, 'head'), { recursive: true });
  writeFileSync(path.join(dir, 'base', 'openapi.yaml'), base);
  writeFileSync(path.join(dir, 'head', 'openapi.yaml'), head);
  return ['--base', path.join(dir, 'base', 'openapi.yaml'), '--head', path.join(dir, 'head', 'openapi.yaml')];
}

describe('the changelog', () => {
  it('lists added operations and new optional parameters on their lines; they do not gate', async () => {
    const args = files('additions', added);
    const { code, report } = await checkJson(args);
    expect(code).toBe(0);
    expect(report.findings.filter((f) => f.kind === 'breaking')).toEqual([]);
    const changelog = (
      report as unknown as { changelog: { id: string; file: string; line: number; operation: string }[] }
    ).changelog;
    expect(changelog.map((c) => [c.id, c.file, c.line, c.operation])).toEqual([
      ['new-optional-request-parameter', 'openapi.yaml', 12, 'GET /pets'],
      ['endpoint-added', 'openapi.yaml', 16, 'GET /owners'],
    ]);
    const text = await runCli(['check', ...args]);
    expect(text.stdout).toContain(
      'Non-breaking changes (2):\n  GET /pets: added the new optional `query` request parameter `owner`  [new-optional-request-parameter]\n',
    );
  });

  it('keeps breaking changes as findings, beside the non-breaking ones of the same run', async () => {
    const head = added.replace(
      '{name: limit, in: query, schema',
      '{name: limit, in: query, required: true, schema',
    );
    const { code, report } = await checkJson(files('mixed', head));
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.id)).toContain('request-parameter-became-required');
    const changelog = (report as unknown as { changelog: { id: string }[] }).changelog;
    expect(changelog.map((c) => c.id).sort()).toEqual(['endpoint-added', 'new-optional-request-parameter']);
  });

  it('is empty for identical specs', async () => {
    const { report } = await checkJson(files('same', base));
    expect((report as unknown as { changelog: unknown[] }).changelog).toEqual([]);
  });
});
