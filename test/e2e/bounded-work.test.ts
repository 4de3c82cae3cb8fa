/**
 * Nothing from a repo exhausts the CLI or the worker: regexes from a spec run only in a linear-time engine,
 * YAML alias expansion is bounded by what it expands to, JSON duplicate keys are refused like YAML's. Each
 * attack ends as a finding on its file and line, and the test finishing at all (vitest's timeout) is the proof
 * that the work stayed bounded: the backtracking versions of these take minutes to forever.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJson } from '../helpers/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'kaf-bounded-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = path.join(root, name);
  writeFileSync(file, content);
  return file;
}

async function check(file: string) {
  return checkJson(['--head', file, '--lint', 'all']);
}

/** A spec whose one response schema is `schema` (YAML lines at 16 spaces), its `example` right after. */
function exampleSpec(schema: string, example: string): string {
  return `openapi: 3.0.3
info:
  title: Patterns
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
${schema}
              example: ${example}
`;
}

describe('regexes from a spec run in linear time', () => {
  const evil = `${'a'.repeat(40)}!`;
  it.each([
    ['overlapping alternation', `^(a|a)*$`],
    ['nested quantifiers', `^(a+)+$`],
    ['nested quantifiers over classes', `^([a-z]+[a-z]*)*$`],
    ['optional groups in a star', `^(\\w?\\w?\\w?)*$`],
  ])('%s: the example is checked, and fails, at once', async (_, pattern) => {
    const schema = `                type: string\n                pattern: '${pattern}'\n                maxLength: 100`;
    const file = write('catastrophic.yaml', exampleSpec(schema, evil));
    const { code, report } = await check(file);
    expect(code).toBe(1);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        id: 'oas3-valid-media-example',
        severity: 'error',
        file: 'catastrophic.yaml',
        line: 18,
        message: expect.stringContaining(`must match pattern`),
      }),
    );
  });

  it('a catastrophic patternProperties key is matched in linear time too', async () => {
    const schema = `                type: object
                additionalProperties: false
                patternProperties:
                  '^(a|aa)*$': { type: string }`;
    const file = write('pattern-properties.yaml', exampleSpec(schema, `{ "${evil}": "x" }`));
    const { code, report } = await check(file);
    expect(code).toBe(1);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        id: 'oas3-valid-media-example',
        file: 'pattern-properties.yaml',
        line: 19,
      }),
    );
  });

  it.each([
    ['a backreference', `^(a+)\\1$`],
    ['a lookahead', `^(?=(a+)+b)a*$`],
    ['a lookbehind', `^(?<!b)(a|a)*$`],
  ])('%s, which RE2 refuses, is a warning on the example and never runs', async (_, pattern) => {
    const schema = `                type: string\n                pattern: '${pattern}'`;
    const file = write('refused.yaml', exampleSpec(schema, evil));
    const { report } = await check(file);
    const about = report.findings.filter((f) => f.id === 'oas3-valid-media-example');
    expect(about).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: 'refused.yaml',
        line: 17,
        message: expect.stringContaining('linear-time regex engine'),
      }),
    ]);
  });
});

/** `name.yaml` whose `lines` start after an OpenAPI header of 4 lines (so `lines[i]` is on line i + 5). */
function yamlSpec(name: string, lines: string[]): string {
  return write(
    name,
    ['openapi: 3.0.3', 'info: {title: Aliases, version: 1.0.0}', 'paths: {}', 'x-data:', ...lines].join('\n'),
  );
}

describe('YAML aliases expand to at most 16 MiB per file, refused at the first alias past it', () => {
  it('wide: many aliases of one big node', async () => {
    const megabyte = 'x'.repeat(1_000_000);
    const aliases = Array.from({ length: 99 }, (_, i) => `  copy${i}: *big`);
    const file = yamlSpec('wide.yaml', [`  big: &big "${megabyte}"`, ...aliases]);
    const { code, report } = await check(file);
    expect(code).toBe(1);
    // The node and 15 copies make 16 MB, under 16 MiB; the 16th copy (copy15, on line 6 + 15) goes past it.
    expect(report.findings).toEqual([
      expect.objectContaining({ id: 'yaml-alias-limit', file: 'wide.yaml', line: 21, column: 11 }),
    ]);
  });

  it('deep: each anchor aliases the previous one a few times (a billion laughs under the alias count)', async () => {
    // 64 KiB doubled at each level: level n expands to 2^n × 64 KiB.
    const lines = [`  l0: &l0 "${'y'.repeat(64 * 1024)}"`];
    for (let n = 1; n <= 12; n++) lines.push(`  l${n}: &l${n} [*l${n - 1}, *l${n - 1}]`);
    const { code, report } = await check(yamlSpec('deep.yaml', lines));
    expect(code).toBe(1);
    // l0…l7 written out make (1 + 2 + … + 128) × 64 KiB = 255 × 64 KiB, under 16 MiB; l8's first *l7 adds
    // 128 × 64 KiB more. l8 is on line 5 + 8.
    expect(report.findings).toEqual([
      expect.objectContaining({ id: 'yaml-alias-limit', file: 'deep.yaml', line: 13, column: 12 }),
    ]);
  });
});

describe('YAML aliases that cannot be expanded at all', () => {
  it('an anchor whose alias sits inside it (a cycle), nested in another anchor', async () => {
    const file = yamlSpec('cycle.yaml', ['  outer: &outer', '    inner: &inner', '      self: *outer']);
    const { code, report } = await check(file);
    expect(code).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({ id: 'yaml-alias-limit', file: 'cycle.yaml', line: 7, column: 13 }),
    ]);
  });

  it('an alias whose anchor comes later (or nowhere) is a syntax error on the alias', async () => {
    const file = yamlSpec('forward.yaml', ['  early: *late', '  later: &late {a: 1}']);
    const { code, report } = await check(file);
    expect(code).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({ id: 'yaml-syntax', file: 'forward.yaml', line: 5, column: 10 }),
    ]);
  });

  it('a redefined anchor: each alias expands the anchor in effect where it is written', async () => {
    // *n refers first to a small node, then, after the anchor is redefined, to a 6 MB one: two aliases of the
    // big one fit (18 MB would not), the third does not.
    const big = `"${'z'.repeat(6_000_000)}"`;
    const lines = ['  a: &n small', ...Array.from({ length: 50 }, (_, i) => `  s${i}: *n`)];
    lines.push(`  b: &n ${big}`, '  c1: *n', '  c2: *n', '  c3: *n');
    const { code, report } = await check(yamlSpec('redefined.yaml', lines));
    expect(code).toBe(1);
    // b is on line 5 + 51; c2 (6 + 6 + 6 = 18 MB) is the first past 16 MiB.
    expect(report.findings).toEqual([
      expect.objectContaining({ id: 'yaml-alias-limit', file: 'redefined.yaml', line: 58 }),
    ]);
  });
});

describe('duplicate keys are an error in JSON as in YAML, on the duplicate, naming the key', () => {
  const info = '"info": {"title": "Dup", "version": "1.0.0"}';
  it.each([
    [
      'a top-level key',
      `{\n  "openapi": "3.0.3",\n  ${info},\n  "paths": {},\n  "paths": {"/x": {}}\n}\n`,
      'paths',
      5,
      4,
      3,
    ],
    [
      'a key inside an operation',
      `{\n  "openapi": "3.0.3",\n  ${info},\n  "paths": {"/x": {"get": {\n    "operationId": "a",\n    "responses": {"200": {"description": "ok"}},\n    "operationId": "b"\n  }}}\n}\n`,
      'operationId',
      7,
      5,
      5,
    ],
    [
      'the same key spelled with an escape',
      `{\n  "openapi": "3.0.3",\n  ${info},\n  "paths": {},\n  "x-a": 1,\n  "x-\\u0061": 2\n}\n`,
      'x-a',
      6,
      5,
      3,
    ],
  ])('JSON: %s', async (_, text, key, line, firstLine, column) => {
    const { code, report } = await check(write('dup.json', text));
    expect(code).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({
        id: 'yaml-syntax',
        file: 'dup.json',
        line,
        column,
        message: expect.stringContaining(`duplicate key "${key}" (first on line ${firstLine})`),
      }),
    ]);
  });

  it('YAML: keys that differ only as written (1 and "1") are the same member', async () => {
    const file = yamlSpec('dup.yaml', ['  1: one', '  "1": two']);
    const { code, report } = await check(file);
    expect(code).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({
        id: 'yaml-syntax',
        file: 'dup.yaml',
        line: 6,
        message: expect.stringContaining('duplicate key "1" (first on line 5)'),
      }),
    ]);
  });

  it('a duplicate in a $ref-ed JSON file is reported in that file', async () => {
    const entry = write(
      'with-ref.yaml',
      "openapi: 3.0.3\ninfo: {title: Dup, version: 1.0.0}\npaths:\n  /x:\n    $ref: './dup-item.json'\n",
    );
    write('dup-item.json', '{\n  "get": {"responses": {"200": {"description": "ok"}}},\n  "get": {}\n}\n');
    const { code, report } = await check(entry);
    expect(code).toBe(1);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ id: 'yaml-syntax', file: 'dup-item.json', line: 3 }),
    );
  });
});
