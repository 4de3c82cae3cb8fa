/**
 * The platform's governance (the deploy repo's governance/: ruleset.yaml, limits.yaml) through the CLI,
 * `check --tenants … --governance <dir> --repo …`, which runs the PR preview's and the deploy's decision: a
 * platform rule fails the check on the spec line with a finding that says it is the platform's; nothing an API
 * repo writes turns it off; hostile or broken governance files are a finding on their line, never a crash, a
 * hang or a silent pass; one tenant's limits never reach another.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJson, type JsonFinding, runCli } from '../helpers/cli.js';

const userProfile = path.resolve('fixtures/specs/user-profile');
const specFile = 'openapi/users.yaml';
const specText = readFileSync(path.join(userProfile, specFile), 'utf8');
const root = mkdtempSync(path.join(tmpdir(), 'kaf-governance-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
function dir(files: Record<string, string>): string {
  const at = path.join(root, `dir-${++count}`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(at, file)), { recursive: true });
    writeFileSync(path.join(at, file), text);
  }
  return at;
}

/** A copy of the user-profile repo with some files replaced or edited. */
function repo(edit: Record<string, string | ((text: string) => string)> = {}): string {
  const at = path.join(root, `repo-${++count}`);
  cpSync(userProfile, at, { recursive: true, filter: (from) => !from.includes(`${path.sep}revisions`) });
  for (const [file, change] of Object.entries(edit)) {
    const target = path.join(at, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, typeof change === 'string' ? change : change(readFileSync(target, 'utf8')));
  }
  return at;
}

const grant = (repoName: string) =>
  `  ${repoName}:\n    gateways: [edge]\n    hostnames: [api.example.com]\n    basePaths: [/users-api]\n    namespaces: [users]\n`;
const tenants = dir({ 'tenants.yaml': `tenants:\n${grant('acme/users')}${grant('acme/other')}` });
const tenantsFile = path.join(tenants, 'tenants.yaml');

async function check(head: string, governance: string, extra: string[] = []) {
  return checkJson([
    '--head',
    head,
    '--tenants',
    tenantsFile,
    '--governance',
    governance,
    '--repo',
    'acme/users',
    ...extra,
  ]);
}

/** 1-based line of the first line of `text` that equals `line` (trimmed), found by reading the file. */
function lineOf(text: string, line: string, after = 0): number {
  const lines = text.split('\n');
  const index = lines.findIndex((l, i) => i >= after && l.trim() === line);
  if (index < 0) throw new Error(`no line "${line}"`);
  return index + 1;
}

const governed = (findings: JsonFinding[]) => findings.filter((f) => f.kind === 'governance');
const where = (f: JsonFinding) => `${f.id} ${f.file}:${f.line}`;

const deleteTimeoutLine = lineOf(specText, 'timeout: 30s');
const meLine = lineOf(specText, 'get:', lineOf(specText, '/users/me:'));

describe('a platform rule fails the check on the spec line, and says it is the platform’s', () => {
  it('limits: a timeout over the maximum, on the x-kuma line it is written on', async () => {
    const governance = dir({ 'limits.yaml': 'all:\n  maxTimeout: 20s\n' });
    const { code, report } = await check(userProfile, governance);
    expect(code).toBe(1);
    expect(governed(report.findings).map(where)).toEqual([
      `platform-max-timeout ${specFile}:${deleteTimeoutLine}`,
    ]);
    const [finding] = governed(report.findings);
    expect(finding?.message).toMatch(/^platform rule \(governance\/limits\.yaml all\): /);
    expect(finding?.operation).toBe('DELETE /users/{userId}');
    // Under the limit: nothing.
    const loose = dir({ 'limits.yaml': 'all:\n  maxTimeout: 30s\n' });
    expect((await check(userProfile, loose)).code).toBe(0);
  });

  it('ruleset: a platform rule on the operation line; rate limit and auth required per tag', async () => {
    const governance = dir({
      'ruleset.yaml':
        'rules:\n  platform-summary:\n    given: "$.paths[*].get"\n    severity: error\n    then:\n      field: summary\n      function: truthy\n',
      'limits.yaml': 'all:\n  requireRateLimit:\n    tags: [me]\n',
    });
    const { code, report } = await check(userProfile, governance);
    expect(code).toBe(1);
    const ids = governed(report.findings).map(where);
    expect(ids).toContain(`platform-rate-limit-required ${specFile}:${meLine}`);
    expect(ids).toContain(`platform-summary ${specFile}:${meLine}`);
    expect(governed(report.findings).find((f) => f.id === 'platform-summary')?.message).toMatch(
      /^platform rule \(governance\/ruleset\.yaml\): /,
    );
    // Auth: an operation that opts out of the document's security with `security: []` is caught.
    const open = repo({
      [specFile]: (text) =>
        text.replace(
          '      operationId: getCurrentUser\n',
          '      operationId: getCurrentUser\n      security: []\n',
        ),
    });
    const auth = dir({ 'limits.yaml': 'all:\n  requireAuth: true\n' });
    const authReport = await check(open, auth);
    expect(authReport.code).toBe(1);
    expect(governed(authReport.report.findings).map((f) => f.id)).toEqual(['platform-auth-required']);
    expect(governed(authReport.report.findings)[0]?.operation).toBe('GET /users/me');
    expect((await check(userProfile, auth)).code).toBe(0);
  });

  it('JWKS hosts: an issuer or key set on another host (or plain http) is refused on its line', async () => {
    const withAuth = (issuer: string, jwks: string) =>
      repo({
        [specFile]: (text) =>
          text.replace(
            'x-kuma:\n  timeout: 10s\n',
            `x-kuma:\n  timeout: 10s\n  auth:\n    main:\n      issuer: ${issuer}\n      jwksUri: ${jwks}\n`,
          ),
      });
    const governance = dir({ 'limits.yaml': 'all:\n  jwksHosts: [auth.example.com, "*.idp.example.com"]\n' });
    const good = await check(
      withAuth('https://auth.example.com/', 'https://eu.idp.example.com/jwks'),
      governance,
    );
    expect(governed(good.report.findings)).toEqual([]);
    for (const [issuer, jwks, bad] of [
      ['https://auth.example.com/', 'https://evil.example.net/jwks', 'jwksUri'],
      ['http://auth.example.com/', 'https://eu.idp.example.com/jwks', 'issuer'],
      ['https://auth.example.com/', 'https://idp.example.com.evil.net/jwks', 'jwksUri'],
    ] as const) {
      const head = withAuth(issuer, jwks);
      const { code, report } = await check(head, governance);
      expect(code).toBe(1);
      const text = readFileSync(path.join(head, specFile), 'utf8');
      expect(governed(report.findings).map(where)).toEqual([
        `platform-jwks-host ${specFile}:${lineOf(text, `${bad}: ${bad === 'issuer' ? issuer : jwks}`)}`,
      ]);
    }
  });
});

describe('attack: an API repo cannot turn a platform rule off or down', () => {
  const governance = dir({
    'ruleset.yaml':
      'rules:\n  platform-summary:\n    given: "$.paths[*].get"\n    severity: error\n    then:\n      field: summary\n      function: truthy\n',
    'limits.yaml': 'all:\n  maxTimeout: 20s\n',
  });

  it('its own ruleset turning the same rule id off (rules and overrides) changes nothing', async () => {
    const head = repo({
      '.spectral.yaml':
        "extends: [[spectral:oas, off]]\nrules:\n  platform-summary: off\n  platform-max-timeout: off\noverrides:\n  - files: ['**']\n    rules:\n      platform-summary: off\n",
      '.kuma-api-forge.yaml': (text) => text.replace('  lint:\n', '  lint:\n    ruleset: .spectral.yaml\n'),
    });
    const { code, report } = await check(head, governance);
    expect(code).toBe(1);
    expect(
      governed(report.findings)
        .map((f) => f.id)
        .sort(),
    ).toEqual(['platform-max-timeout', 'platform-summary', 'platform-summary']);
  });

  it('its gates (lint failOn never, lint scope new against an identical base) do not demote platform findings', async () => {
    const head = repo({
      '.kuma-api-forge.yaml': (text) => text.replace('failOn: error', 'failOn: never'),
    });
    const { code, report } = await check(head, governance, ['--base', head, '--lint', 'new']);
    expect(code).toBe(1);
    expect(governed(report.findings).every((f) => f.severity === 'error')).toBe(true);
    expect(governed(report.findings).length).toBe(3);
  });

  it('x-kuma tricks: the value moved to the root, the path item or the repo config defaults is still caught', async () => {
    const withoutOwn = (text: string) => text.replace('      x-kuma:\n        timeout: 30s\n', '');
    const atRoot = repo({
      [specFile]: (text) => withoutOwn(text).replace('  timeout: 10s\n', '  timeout: 90s\n'),
    });
    const atPathItem = repo({
      [specFile]: (text) =>
        withoutOwn(text).replace(
          '  /users/{userId}:\n',
          '  /users/{userId}:\n    x-kuma:\n      timeout: 1h\n',
        ),
    });
    const inDefaults = repo({
      [specFile]: (text) => withoutOwn(text).replace('x-kuma:\n  timeout: 10s\n', ''),
      '.kuma-api-forge.yaml': (text) =>
        text.replace('mesh: default\n', 'mesh: default\ndefaults:\n  timeout: 5m\n'),
    });
    for (const [head, file, line] of [
      [atRoot, specFile, '  timeout: 90s'],
      [atPathItem, specFile, '      timeout: 1h'],
      [inDefaults, '.kuma-api-forge.yaml', '  timeout: 5m'],
    ] as const) {
      const { code, report } = await check(head, dir({ 'limits.yaml': 'all:\n  maxTimeout: 20s\n' }));
      expect(code).toBe(1);
      const text = readFileSync(path.join(head, file), 'utf8');
      const timeouts = governed(report.findings).filter((f) => f.id === 'platform-max-timeout');
      expect(timeouts.length).toBeGreaterThan(0);
      expect(new Set(timeouts.map((f) => `${f.file}:${f.line}`))).toEqual(
        new Set([`${file}:${lineOf(text, line.trim())}`]),
      );
    }
  });
});

describe('attack: hostile or broken governance files are a finding on their line, never a silent pass', () => {
  const invalid = async (files: Record<string, string>) => {
    const { code, report } = await check(userProfile, dir(files));
    expect(code).toBe(1);
    const findings = governed(report.findings);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.id === 'governance-file-invalid' && f.severity === 'error')).toBe(true);
    expect(findings[0]?.message).toMatch(
      /^the deploy repo's governance\/.* is invalid, nothing can be deployed/,
    );
    return findings;
  };

  it('a YAML alias bomb in limits.yaml', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const findings = await invalid({ 'limits.yaml': `${bomb.join('\n')}\n` });
    expect(findings[0]?.file).toBe('governance/limits.yaml');
  });

  it('__proto__ keys (in limits and as a tenant) are ordinary keys the schema refuses, no prototype changes', async () => {
    const findings = await invalid({
      'limits.yaml': 'all:\n  __proto__:\n    maxTimeout: 1ms\ntenants:\n  __proto__:\n    maxTimeout: 1ms\n',
    });
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(
      expect.arrayContaining(['governance/limits.yaml:2', 'governance/limits.yaml:5']),
    );
    expect(({} as Record<string, unknown>).maxTimeout).toBeUndefined();
  });

  it('a file over 1 MiB', async () => {
    const findings = await invalid({ 'ruleset.yaml': `# ${'x'.repeat(1024 * 1024)}\nrules: {}\n` });
    expect(findings[0]).toMatchObject({ file: 'governance/ruleset.yaml', line: 1 });
    expect(findings[0]?.message).toMatch(/over the limit/);
  });

  it('a JSONPath filter expression (which Spectral would compile to JavaScript) is refused, never run', async () => {
    const probe = '__kafGovernancePwned';
    const ruleset = `rules:\n  sneaky:\n    given: "$.paths[?(@.constructor.constructor('globalThis.${probe}=1')())]"\n    then:\n      function: truthy\n`;
    const findings = await invalid({ 'ruleset.yaml': ruleset });
    expect(findings[0]).toMatchObject({ file: 'governance/ruleset.yaml', line: 3 });
    expect((globalThis as Record<string, unknown>)[probe]).toBeUndefined();
  });

  it('a custom function and a remote extends are refused on their lines', async () => {
    const findings = await invalid({
      'ruleset.yaml':
        'extends:\n  - https://example.com/ruleset.yaml\nfunctions: [steal]\nrules:\n  x:\n    given: $\n    then:\n      function: steal\n',
    });
    const lines = findings.map((f) => f.line);
    expect(lines).toEqual(expect.arrayContaining([2, 3]));
  });

  it('a syntax error, an unknown key and a missing tenant ruleset say what to fix, where', async () => {
    const syntax = await invalid({ 'limits.yaml': 'all:\n  maxTimeout: [\n' });
    expect(syntax[0]?.file).toBe('governance/limits.yaml');
    const unknown = await invalid({ 'limits.yaml': 'all:\n  maxTimout: 20s\n' });
    expect(unknown[0]).toMatchObject({ file: 'governance/limits.yaml', line: 2 });
    expect(unknown[0]?.message).toMatch(/maxTimout/);
    const twice = await invalid({
      'limits.yaml': 'tenants:\n  acme/users:\n    maxTimeout: 1s\n  ACME/users:\n    maxTimeout: 1h\n',
    });
    expect(twice[0]).toMatchObject({ file: 'governance/limits.yaml', line: 4 });
    expect(twice[0]?.message).toMatch(/same repository as acme\/users/);
    const missing = await invalid({ 'limits.yaml': 'tenants:\n  acme/users:\n    ruleset: payments.yaml\n' });
    expect(missing[0]).toMatchObject({ file: 'governance/limits.yaml', line: 3 });
    expect(missing[0]?.message).toMatch(/governance\/payments\.yaml/);
  });
});

describe('attack: one tenant’s governance never reaches another', () => {
  it('another tenant’s limits and ruleset do not apply; a tenant’s own (any case) do, on top of all', async () => {
    const strict = 'maxTimeout: 1s\n    ruleset: strict.yaml\n';
    const files = {
      'strict.yaml':
        'rules:\n  strict-summary:\n    given: "$.paths[*].get"\n    severity: error\n    then:\n      field: summary\n      function: truthy\n',
    };
    const other = dir({ ...files, 'limits.yaml': `tenants:\n  acme/other:\n    ${strict}` });
    expect(governed((await check(userProfile, other)).report.findings)).toEqual([]);
    // A name that only starts like this repo's is another tenant.
    const prefix = dir({
      ...files,
      'limits.yaml': `tenants:\n  acme/user:\n    ${strict}  acme/users-2:\n    ${strict}`,
    });
    expect(governed((await check(userProfile, prefix)).report.findings)).toEqual([]);
    // Its own entry, written in another case, applies: both its limits and its ruleset.
    const own = dir({
      ...files,
      'limits.yaml': `all:\n  maxTimeout: 1h\ntenants:\n  ACME/Users:\n    ${strict}`,
    });
    const ids = governed((await check(userProfile, own)).report.findings).map((f) => f.id);
    expect(ids).toContain('platform-max-timeout');
    expect(ids).toContain('strict-summary');
  });

  it('a tenant entry cannot loosen all: both limits hold', async () => {
    const governance = dir({
      'limits.yaml': 'all:\n  maxTimeout: 20s\ntenants:\n  acme/users:\n    maxTimeout: 1h\n',
    });
    const { code, report } = await check(userProfile, governance);
    expect(code).toBe(1);
    expect(governed(report.findings).map((f) => f.message)).toEqual([
      expect.stringMatching(/^platform rule \(governance\/limits\.yaml all\)/),
    ]);
  });
});

describe('--governance on the command line', () => {
  it('a --deployed checkout’s governance/ applies; --governance stands in for it (replaces, not merges)', async () => {
    const deployed = dir({
      'tenants.yaml': readFileSync(tenantsFile, 'utf8'),
      'governance/limits.yaml': 'all:\n  maxTimeout: 1s\n',
    });
    const args = ['--head', userProfile, '--deployed', deployed, '--repo', 'acme/users'];
    const strict = await checkJson(args);
    expect(strict.code).toBe(1);
    expect(governed(strict.report.findings).map((f) => f.id)).toContain('platform-max-timeout');
    const loose = await checkJson([
      ...args,
      '--governance',
      dir({ 'limits.yaml': 'all:\n  maxTimeout: 1h\n' }),
    ]);
    expect(loose.code).toBe(0);
    expect(governed(loose.report.findings)).toEqual([]);
  });

  it('needs --repo and a directory (exit 2, one line)', async () => {
    const governance = dir({ 'limits.yaml': 'all: {}\n' });
    const noRepo = await runCli(['check', '--head', userProfile, '--governance', governance]);
    expect(noRepo.code).toBe(2);
    expect(noRepo.stderr).toMatch(/--repo/);
    const notDir = await runCli([
      'check',
      '--head',
      userProfile,
      '--governance',
      path.join(governance, 'limits.yaml'),
      '--repo',
      'acme/users',
    ]);
    expect(notDir.code).toBe(2);
    expect(notDir.stderr).toMatch(/not a directory/);
  });
});
