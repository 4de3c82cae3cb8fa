/**
 * `npm run pr -- <dir>` as a user runs it: on a fixture API repo in a temp git repository, its printed check run,
 * PR comment and deploy commit; bad input is one line on stderr and exit code 2. The command runs in process
 * (`runPr`, what the script runs, with its console captured) except once as a real process, which proves the
 * script's wiring: its output, its exit code, and that it serves the printed links until Ctrl-C.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runPr } from '../../dev/pr.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = join(root, 'fixtures/specs/user-profile');

/**
 * `npm run pr -- ...args` in process, as the script runs it: what it prints on stdout and on stderr (its console
 * and the App's log lines), and the exit code the script would exit with.
 */
async function pr(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const spies = [
    vi.spyOn(console, 'log').mockImplementation((...data: unknown[]) => {
      stdout += `${format(...data)}\n`;
    }),
    vi.spyOn(console, 'error').mockImplementation((...data: unknown[]) => {
      stderr += `${format(...data)}\n`;
    }),
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    }),
  ];
  vi.stubEnv('DEPLOY_REPO', '');
  try {
    const code = await runPr(args);
    return { code, stdout, stderr };
  } finally {
    for (const spy of spies) spy.mockRestore();
    vi.unstubAllEnvs();
  }
}

const git = (cwd: string, ...args: string[]) =>
  run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd });

let tmp: string;
/** The user-profile API committed in a git repo (inside a subfolder `api/`), then edited on disk. */
let api: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'local-pr-'));
  api = join(tmp, 'repo', 'api');
  await cp(fixture, api, { recursive: true, filter: (src) => !src.includes('/revisions') });
  await git(join(tmp, 'repo'), 'init', '-q');
  await git(join(tmp, 'repo'), 'add', '-A');
  await git(join(tmp, 'repo'), 'commit', '-qm', 'base');
  // Uncommitted: DELETE /users/{userId} removed without a major version bump.
  await cp(join(fixture, 'revisions/removed-operation'), api, { recursive: true });
  await mkdir(join(tmp, 'empty'));
  await git(join(tmp, 'repo'), 'init', '-q', join(tmp, 'empty'));
  await writeFile(join(tmp, 'file.txt'), 'not a folder\n');
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('npm run pr', () => {
  it('plays the working tree as a PR against HEAD, merges it, prints check run, comment and deploy, and serves their links', async () => {
    // --keep-open: the local GitHub stays up after the merge until SIGINT, so the printed links can be followed.
    const child = spawn(process.execPath, ['--import', 'tsx', 'dev/pr.ts', api, '--keep-open'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', DEPLOY_REPO: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await new Promise<void>((done, fail) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('Ctrl-C stops.')) done();
      });
      child.on('exit', () => fail(new Error(`exited early:\n${stdout}\n${stderr}`)));
    });
    try {
      // The check run failed (a breaking change), with the annotation on the head's line of the spec.
      expect(stdout).toContain('❌ failure — Failed: 1 breaking change');
      expect(stdout).toMatch(
        /openapi\/users\.yaml:\d+ failure api-removed-without-deprecation: removed here: DELETE \/users\/\{userId\}/,
      );
      // Only the edited file is in the PR.
      expect(stdout).toMatch(/1 file\(s\) changed\)\n\s+M {2}openapi\/users\.yaml\n/);
      // The comment: the verdict, and the mesh changes merging applies to the deploy repo.
      expect(stdout).toContain('### ❌ Failed: 1 breaking change');
      expect(stdout).toContain(
        'Merging applies this to `apis/local/api/` in platform/mesh-deploy: **0 added, 0 changed, 2 removed**',
      );
      // The deploy commit's files, exactly.
      const files = stdout.slice(stdout.indexOf('Deploy commit')).split('│ files:\n')[1]!.split('  └─')[0]!;
      expect(
        files
          .trim()
          .split('\n')
          .map((line) => line.replace(/^\s*│\s+/, '')),
      ).toEqual([
        'M  apis/local/api/.source.yaml',
        'D  apis/local/api/users/meshhttproute-users-delete-user.yaml',
        'D  apis/local/api/users/meshtimeout-users-delete-user-timeout.yaml',
      ]);

      // Every local link printed (the PR, the check run, the deploy commit, the comment's file links) opens.
      const links = [...new Set(stdout.match(/http:\/\/127\.0\.0\.1:\d+\/_html\/[^\s)]+/g))];
      const page = async (url: string) => {
        const response = await fetch(url);
        return { status: response.status, text: await response.text() };
      };
      const pull = links.find((l) => /\/local\/api\/pull\/1$/.test(l))!;
      const run = links.find((l) => /\/local\/api\/runs\/\d+$/.test(l))!;
      const deploy = links.find((l) => /\/platform\/mesh-deploy\/commit\/[0-9a-f]{40}$/.test(l))!;
      const blob = links.find((l) => /\/local\/api\/blob\/[0-9a-f]{40}\/openapi\/users\.yaml#L\d+$/.test(l))!;
      for (const link of [pull, run, deploy, blob]) expect((await page(link)).status, link).toBe(200);
      expect((await page(pull)).text).toContain('Failed: 1 breaking change');
      expect((await page(run)).text).toContain('api-removed-without-deprecation');
      expect((await page(deploy)).text).toContain(
        'apis/local/api/users/meshhttproute-users-delete-user.yaml',
      );
      // The line a finding links to is anchored, and is the line of the spec it names.
      const line = Number(blob.split('#L')[1]);
      expect((await page(blob)).text).toMatch(new RegExp(`id="L${line}">\\s*${line}  `));
      expect((await page(pull.replace('/pull/1', '/pull/99'))).status).toBe(404);
    } finally {
      child.kill('SIGINT');
    }
    // Exit code 1: the check run failed (the merge still deployed, as the App does on GitHub).
    expect(await exited).toBe(1);
    expect(stderr).toBe('');
  }, 120_000);

  it('--base-ref and --deploy-repo: a committed major release deploys to the given deploy repo, exit code 0', async () => {
    // Two commits: the base, then 2.0.0 removing DELETE /users/{userId}; the working tree is clean.
    const repo = join(tmp, 'released');
    await cp(fixture, repo, { recursive: true, filter: (src) => !src.includes('/revisions') });
    await git(tmp, 'init', '-q', repo);
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-qm', 'v1.4.0');
    await cp(join(fixture, 'revisions/major-bump'), repo, { recursive: true });
    await git(repo, 'commit', '-qam', 'v2.0.0');
    // A plain folder (no git) as the deploy repo, its tenants.yaml granting the repo named with --repo.
    const deploy = join(tmp, 'gitops');
    await mkdir(deploy);
    const grant =
      'gateways: [edge]\n    hostnames: [api.example.com]\n    basePaths: [/users-api]\n    namespaces: [users]\n';
    await writeFile(join(deploy, 'tenants.yaml'), `tenants:\n  acme/users:\n    ${grant}`);
    const { code, stdout, stderr } = await pr([
      repo,
      '--base-ref',
      'HEAD~1',
      '--deploy-repo',
      deploy,
      '--repo',
      'acme/users',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Creating the deploy repo platform/gitops from');
    expect(stdout).toMatch(/1 file\(s\) changed\)\n\s+M {2}openapi\/users\.yaml\n/);
    expect(stdout).toMatch(/Check run "kuma-api-forge"\n\s+│ ✅ success/);
    expect(stdout).toContain('Deploy commit');
    expect(stdout).toContain('on platform/gitops@main');
    expect(stdout).toMatch(/D {2}apis\/acme\/users\/users\/meshhttproute-users-delete-user\.yaml/);
  }, 120_000);

  it('a gateway-api repo: the generated tenants.yaml grants its parent Gateway, and the merge deploys', async () => {
    const repo = join(tmp, 'gateway-api');
    await cp(join(root, 'fixtures/gateway-api'), repo, { recursive: true });
    // The base lacks GET /store/inventory; the head adds it back (a new route to deploy).
    const spec = join(repo, 'openapi/petstore.yaml');
    const full = await readFile(spec, 'utf8');
    await writeFile(spec, full.replace(/\n {2}\/store\/inventory:[\s\S]*?(?=\n {2}\/store\/orders:)/, ''));
    await git(tmp, 'init', '-q', repo);
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-qm', 'base');
    await writeFile(spec, full);
    await git(repo, 'commit', '-qam', 'inventory');
    const { code, stdout, stderr } = await pr([repo, '--base-ref', 'HEAD~1']);
    expect(stderr).toBe('');
    // The config's top-level target and parentRef (envoy-gateway-system/eg) apply to its API.
    expect(stdout).toMatch(/parentGateways:\n\s+│?\s*- envoy-gateway-system\/eg/);
    expect(stdout).not.toContain('tenancy-');
    expect(stdout).toMatch(/Check run "kuma-api-forge"\n\s+│ ✅ success/);
    expect(stdout).toMatch(/M {2}apis\/local\/gateway-api\/petstore\/httproute-petstore\.yaml/);
    expect(code).toBe(0);
  }, 120_000);

  it.each([
    ['a missing folder', (): string[] => [join(tmp, 'nope')], /is not a folder\n?$/],
    ['a file', (): string[] => [join(tmp, 'file.txt')], /is not a folder\n?$/],
    [
      'a folder without .kuma-api-forge.yaml',
      (): string[] => [join(tmp, 'repo')],
      /has no \.kuma-api-forge\.yaml/,
    ],
    [
      'a ref that does not exist',
      (): string[] => [api, '--base-ref', 'no-such-ref'],
      /--base-ref no-such-ref: no such commit/,
    ],
    [
      'a repo without commits',
      (): string[] => [join(tmp, 'empty')],
      /has no \.kuma-api-forge\.yaml|no such commit/,
    ],
    ['an unknown flag', (): string[] => [api, '--bogus'], /Unknown option '--bogus'/],
    ['two folders', (): string[] => [api, api], /expected one API repo folder, got 2/],
  ])('rejects %s: one line on stderr, exit code 2', async (_name, args, message) => {
    const { code, stdout, stderr } = await pr(args());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('prints its usage with --help', async () => {
    const { code, stdout } = await pr(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: npm run pr -- <api repo dir> [--base-ref <ref>]');
  });
});

/** Starts `command` (a dev/ script) and resolves with its stdout once it prints `until`; the child is returned to stop. */
async function startUntil(script: string, env: Record<string, string | undefined>, until: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  await new Promise<void>((done, fail) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes(until)) done();
    });
    child.on('exit', () => fail(new Error(`exited early:\n${stdout}\n${stderr}`)));
  });
  return { child, stdout, stderr: () => stderr, exited };
}

describe('npm start without a GitHub App', () => {
  const env = { ...process.env, PORT: '0', GITHUB_APP_ID: undefined, LOG_LEVEL: 'error' };

  it('honours DEPLOY_REPO: the repo exists on the local GitHub with a tenants.yaml, and is in the credentials file', async () => {
    const started = await startUntil('dev/start.ts', { ...env, DEPLOY_REPO: 'gitops/mesh' }, 'Ctrl-C stops.');
    let credentialsFile = '';
    try {
      expect(started.stdout).toContain('deploy repo  gitops/mesh (DEPLOY_REPO');
      const web = started.stdout.match(/web {10}(http:\/\/\S+)\/_html\/acme\/users/)![1]!;
      const page = await fetch(`${web}/_html/gitops/mesh`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('tenants.yaml');
      const credentials = started.stdout.match(/credentials {2}(\S+)/)![1]!;
      const { readFile } = await import('node:fs/promises');
      expect(await readFile(credentials, 'utf8')).toContain('DEPLOY_REPO=gitops/mesh\n');
      credentialsFile = credentials;
    } finally {
      started.child.kill('SIGINT');
    }
    expect(await started.exited).toBe(0);
    // Ctrl-C takes the credentials file (the App's private key) with the local GitHub.
    expect(existsSync(credentialsFile)).toBe(false);
  }, 60_000);

  it('rejects a DEPLOY_REPO that is not owner/repo: one line, exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts'], {
      cwd: root,
      env: { ...env, DEPLOY_REPO: 'not a repo' } as NodeJS.ProcessEnv,
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    expect(code).toBe(2);
    expect(stderr.trimEnd().split('\n')).toEqual([
      'kuma-api-forge: SettingsError: DEPLOY_REPO must be "owner/repo", got "not a repo"',
    ]);
  }, 30_000);
});
