/**
 * The CLI contract (DESIGN.md §3): exit 0 pass / 1 gate failed / 2 usage or unreadable input with ONE line on
 * stderr and no stack trace; --base-ref reads the base from git; the installed bin works.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJson, runCli } from '../helpers/cli.js';

const userProfile = path.resolve('fixtures/specs/user-profile');
const petstore = path.resolve('fixtures/specs/petstore/petstore.yaml');
const scratch = mkdtempSync(path.join(tmpdir(), 'kaf-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('usage errors and unreadable input: exit 2, one line on stderr', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown command', ['deploy'], /unknown command "deploy"/],
    ['unknown flag', ['check', '--head', petstore, '--colour'], /--colour/],
    [
      'bad --format',
      ['check', '--head', petstore, '--format', 'xml'],
      /--format must be one of text, json, markdown, sarif, github/,
    ],
    [
      'bad --fail-on',
      ['check', '--head', petstore, '--fail-on', 'info'],
      /--fail-on must be one of error, warning/,
    ],
    [
      'missing head',
      ['check', '--head', 'does/not/exist.yaml'],
      /--head: .*does\/not\/exist\.yaml does not exist/,
    ],
    [
      'spec vs dir',
      ['check', '--base', userProfile, '--head', petstore],
      /both be spec files or both be repo/,
    ],
    ['dir without config', ['check', '--head', path.dirname(petstore)], /no \.kuma-api-forge\.yaml in/],
    [
      '--base and --base-ref',
      ['check', '--head', petstore, '--base', petstore, '--base-ref', 'main'],
      /either --base or --base-ref/,
    ],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('--base-ref outside a git repository', async () => {
    const spec = path.join(scratch, 'alone.yaml');
    cpSync(petstore, spec);
    const run = await runCli(['check', '--head', spec, '--base-ref', 'main'], scratch);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--base-ref needs a git repository/);
  });
});

describe('--fail-on and --lint', () => {
  it('a warning passes by default and fails with --fail-on warning', async () => {
    const head = 'fixtures/specs/petstore/revisions/broken-ref.yaml';
    // broken-ref also leaves a component unused: a lint warning, visible with --lint all.
    const warnOnly = await checkJson(['--head', head, '--lint', 'all']);
    expect(
      warnOnly.report.findings.some((f) => f.severity === 'warning' && f.id === 'oas3-unused-component'),
    ).toBe(true);
    const relaxed = await checkJson(['--head', petstore]);
    expect(relaxed.code).toBe(0);
  });
});

describe('--base-ref: head is the working tree, base a commit of the local git repo', () => {
  it('finds the breaking change between the committed spec and the edited working tree', async () => {
    const repo = path.join(scratch, 'repo');
    cpSync(userProfile, repo, { recursive: true, filter: (src) => !src.includes('revisions') });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base');
    cpSync(path.join(userProfile, 'revisions/removed-operation/openapi'), path.join(repo, 'openapi'), {
      recursive: true,
    });

    const { code, report } = await checkJson(['--head', repo, '--base-ref', 'main']);
    expect(code).toBe(1);
    expect(report.findings.map((f) => `${f.id} ${f.file}:${f.line}`)).toContain(
      'api-removed-without-deprecation openapi/users.yaml:145',
    );

    const unknownRef = await runCli(['check', '--head', repo, '--base-ref', 'no-such-branch']);
    expect(unknownRef.code).toBe(2);
    expect(unknownRef.stderr).toMatch(/no-such-branch/);
    expect(unknownRef.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('the installed bin', () => {
  it('runs as `kuma-api-forge` and prints the markdown report', () => {
    const bin = path.resolve('bin/kuma-api-forge.js');
    const result = spawnSync(
      process.execPath,
      [
        bin,
        'check',
        '--base',
        petstore,
        '--head',
        'fixtures/specs/petstore/revisions/removed-operation.yaml',
        '--format',
        'markdown',
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^<!-- kuma-api-forge -->/);
    expect(result.stdout).toContain('POST /users/logout');
    expect(result.stderr).toBe('');
  });

  it('`check --help` and `render --help` print the usage and exit 0', async () => {
    for (const command of ['check', 'render']) {
      const run = await runCli([command, '--help']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`${command} `);
      expect(run.stdout).toContain('Exit codes');
    }
  });

  it('--help exits 0 and names both commands', () => {
    const out = spawnSync(process.execPath, [path.resolve('bin/kuma-api-forge.js'), '--help'], {
      encoding: 'utf8',
    });
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/check/);
    expect(out.stdout).toMatch(/render/);
  });
});
