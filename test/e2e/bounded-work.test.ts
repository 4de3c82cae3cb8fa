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
