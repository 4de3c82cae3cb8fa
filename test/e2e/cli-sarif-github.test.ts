/**
 * `check --format sarif` (SARIF 2.1.0, valid against the OASIS schema, uploadable to GitHub code scanning) and
 * `check --format github` (workflow commands for the CLI in Actions): exit codes, one result per finding on its
 * line, stable fingerprints, and no way for a spec's text to end a workflow command or start another one.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJson, runCli } from '../helpers/cli.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'kaf-sarif-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const schema = JSON.parse(readFileSync(path.resolve('test/sarif/sarif-schema-2.1.0.json'), 'utf8'));
// The OASIS schema is draft-04: Ajv's draft-04 flavour (CommonJS default exports, typed as modules).
const AjvDraft04 = (AjvDraft04Module as unknown as { default: typeof import('ajv').Ajv }).default;
const addFormats = (addFormatsModule as unknown as { default: (ajv: unknown) => void }).default;
const ajv = new AjvDraft04({ allErrors: true, strict: false });
addFormats(ajv);
const validateSarif = ajv.compile(schema);

it('the schema rejects what GitHub would (so the validations below can fail)', () => {
  const log = (result: object) => ({
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'x' } }, results: [result] }],
  });
  expect(validateSarif(log({ message: { text: 'm' }, level: 'note' }))).toBe(true);
  expect(validateSarif(log({ message: { text: 'm' }, level: 'fatal' }))).toBe(false);
  expect(validateSarif(log({ level: 'note' }))).toBe(false);
});

/** A hostile parameter name: a newline, then a workflow command of its own; `%`, `:` and `,` too. */
const hostileName = 'x%0A,y:z\n::error title=pwned::owned';

function spec(parameters: string): string {
  return `openapi: 3.0.3
info: {title: pets, version: 1.0.0}
tags: [{name: pets, description: Pets.}]
paths:
  /pets:
    get:
      operationId: listPets
      description: List pets.
      tags: [pets]
      parameters:${parameters}
      responses:
        '200': {description: ok}
  /pets/{id}:
    delete:
      operationId: deletePet
      description: Delete a pet.
      tags: [pets]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '204': {description: deleted}
`;
}

function pair(name: string, headFile: string, head: string): { base: string; head: string } {
  const dir = path.join(scratch, name);
  mkdirSync(path.join(dir, 'base'), { recursive: true });
  mkdirSync(path.join(dir, 'head'), { recursive: true });
  const base = path.join(dir, 'base', headFile);
  // The base also has GET /owners, which the head removes.
  writeFileSync(base, `${spec(' []')}${owners}`);
  writeFileSync(path.join(dir, 'head', headFile), head);
  return { base, head: path.join(dir, 'head', headFile) };
}

const owners = `  /owners:
    get:
      operationId: listOwners
      description: List owners.
      tags: [pets]
      responses:
        '200': {description: ok}
`;

const required = (name: string) => `
        - {name: ${JSON.stringify(name)}, in: query, required: true, schema: {type: string}}`;

describe('check --format sarif', () => {
  it('is a valid SARIF 2.1.0 log with rules, levels, locations and fingerprints; exit 1 on a failing gate', async () => {
    const files = pair('sarif', 'openapi.yaml', spec(required('limit')));
    const run = await runCli(['check', '--base', files.base, '--head', files.head, '--format', 'sarif']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const log = JSON.parse(run.stdout);
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(log.version).toBe('2.1.0');
    const [sarifRun] = log.runs;
    expect(sarifRun.tool.driver.name).toBe('kuma-api-forge');

    const { report } = await checkJson(['--base', files.base, '--head', files.head]);
    // One result per finding, each pointing at its rule.
    expect(sarifRun.results).toHaveLength(report.findings.length);
    const ruleIds = sarifRun.tool.driver.rules.map((r: { id: string }) => r.id);
    for (const result of sarifRun.results) expect(ruleIds[result.ruleIndex]).toBe(result.ruleId);

    const requiredParam = sarifRun.results.find(
      (r: { ruleId: string }) => r.ruleId === 'new-required-request-parameter',
    );
    const expected = report.findings.find((f) => f.id === 'new-required-request-parameter')!;
    expect(requiredParam).toMatchObject({
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'openapi.yaml' },
            region: { startLine: expected.line, startColumn: expected.column },
          },
        },
      ],
    });
    // The removed operation has no line in the head: it sits on the path item that lost it.
    const removed = sarifRun.results.find((r: { ruleId: string }) =>
      /removed-without-deprecation/.test(r.ruleId),
    );
    const removedFinding = report.findings.find((f) => /removed-without-deprecation/.test(f.id))!;
    expect(removedFinding.side).toBe('base');
    expect(removed.locations[0].physicalLocation.region.startLine).toBe(removedFinding.headPosition!.line);
    expect(removed.message.text).toContain('in the base');
  });

  it('keeps each fingerprint when the finding only moves to another line', async () => {
    const a = pair('fp-a', 'openapi.yaml', spec(required('limit')));
    const b = pair('fp-b', 'openapi.yaml', `# a comment\n# another\n${spec(required('limit'))}`);
    const fingerprints = async (files: { base: string; head: string }) => {
      const run = await runCli(['check', '--base', files.base, '--head', files.head, '--format', 'sarif']);
      return JSON.parse(run.stdout).runs[0].results.map(
        (r: { ruleId: string; partialFingerprints: Record<string, string>; locations: unknown[] }) => ({
          id: r.ruleId,
          fingerprint: Object.values(r.partialFingerprints)[0],
        }),
      );
    };
    const [first, second] = [await fingerprints(a), await fingerprints(b)];
    expect(first.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
    // ... and differ between different findings.
    expect(new Set(first.map((r: { fingerprint: string }) => r.fingerprint)).size).toBe(first.length);
  });

  it('stays valid with hostile names in messages and file names; a passing check exits 0', async () => {
    const files = pair('hostile', 'a b,c.yaml', spec(required(hostileName)));
    const run = await runCli(['check', '--base', files.base, '--head', files.head, '--format', 'sarif']);
    const log = JSON.parse(run.stdout);
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    const uris = log.runs[0].results.map(
      (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.locations[0]!.physicalLocation.artifactLocation.uri,
    );
    expect(uris).toContain('a%20b%2Cc.yaml');

    const same = await runCli(['check', '--base', files.base, '--head', files.base, '--format', 'sarif']);
    expect(same.code).toBe(0);
    expect(validateSarif(JSON.parse(same.stdout))).toBe(true);
  });
});

describe('check --format github', () => {
  it('prints one workflow command per finding on its file, line and column, then the verdict; exit 1', async () => {
    const files = pair('github', 'openapi.yaml', spec(required('limit')));
    const run = await runCli(['check', '--base', files.base, '--head', files.head, '--format', 'github']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const { report } = await checkJson(['--base', files.base, '--head', files.head]);
    const lines = run.stdout.trimEnd().split('\n');
    const commands = lines.filter((l) => l.startsWith('::'));
    expect(commands).toHaveLength(report.findings.length);
    const expected = report.findings.find((f) => f.id === 'new-required-request-parameter')!;
    expect(commands).toContain(
      `::error file=openapi.yaml,line=${expected.line},col=${expected.column},title=new-required-request-parameter::${expected.message} (GET /pets)`,
    );
    expect(lines.at(-1)).toMatch(/^Failed: /);
  });

  it('escapes %, CR, LF in messages and also : and , in properties: a spec cannot inject a command', async () => {
    const files = pair('github-hostile', 'a b,c.yaml', spec(required(hostileName)));
    const run = await runCli(['check', '--base', files.base, '--head', files.head, '--format', 'github']);
    const lines = run.stdout.trimEnd().split('\n');
    // Nothing but our own commands starts a line: the hostile `::error title=pwned` stays inside its message.
    expect(lines.some((l) => l.includes('pwned') && !l.startsWith('::error file='))).toBe(false);
    const hostile = lines.find((l) => l.includes('pwned'))!;
    expect(hostile.startsWith('::error file=a b%2Cc.yaml,line=')).toBe(true);
    // The message part: `%` as %25, the newline as %0A; `:` and `,` stay literal there (GitHub decodes only those).
    const message = hostile.slice(hostile.indexOf('::', 2) + 2);
    expect(message).toContain('x%250A,y:z%0A::error title=pwned::owned');
  });

  it('a waived or passing check prints notices and exits 0', async () => {
    const files = pair('github-pass', 'openapi.yaml', spec(' []'));
    const run = await runCli(['check', '--base', files.base, '--head', files.base, '--format', 'github']);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('Passed');
    const approved = pair('github-approved', 'openapi.yaml', spec(required('limit')));
    const accepted = await runCli([
      'check',
      '--base',
      approved.base,
      '--head',
      approved.head,
      '--format',
      'github',
      '--approved',
    ]);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(
      /^::notice file=openapi\.yaml,.*title=new-required-request-parameter::.*accepted: approved with --approved/m,
    );
  });
});
