/**
 * `npm run pr -- <dir> --environments <file>` and `npm start` with `DEPLOY_ENVIRONMENTS`, driven in process
 * (their main functions, not a spawned tsx): the environments' repos, branches and folders are created on the
 * local GitHub; the PR is opened and merged (staging deploys), then a tag matching production's rule is pushed
 * and production's deploy commit printed, each with a local link that opens. Bad `--environments` input is one
 * line and exit code 2. The default flow (no --environments) is test/e2e/local-pr.test.ts's.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import type { LocalStack } from '../../dev/local-flow.js';
import { runPr } from '../../dev/pr.js';
import { readLocalDeploy, startWithLocalGitHub } from '../../dev/start.js';
import { parseSourceRecord } from '../../shared/core/deploy/source-record.js';
import { silentLogger } from '../../shared/ports/logger.js';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('../../fixtures/specs/user-profile', import.meta.url));
const git = (cwd: string, ...args: string[]) =>
  run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd });

const folders = [
  { name: 'staging', repo: 'platform/deploy', branch: 'main', path: 'envs/staging' },
  {
    name: 'production',
    repo: 'platform/deploy',
    branch: 'main',
    path: 'envs/production',
    promote: { tag: 'v*' },
  },
];

let tmp: string;
let api: string;

beforeEach(() => {
  vi.stubEnv('DEPLOY_REPO', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'local-pr-envs-'));
  api = join(tmp, 'repo');
  await cp(fixture, api, { recursive: true, filter: (src) => !src.includes('/revisions') });
  await git(api, 'init', '-q');
  await git(api, 'add', '-A');
  await git(api, 'commit', '-qm', 'base');
  // On disk, uncommitted: DELETE /users/{userId} removed (the render loses its route: something to deploy).
  await cp(join(fixture, 'revisions/removed-operation'), api, { recursive: true });
  await writeFile(join(tmp, 'folders.yaml'), stringify(folders));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/**
 * `runPr(argv)` (the script without its process) with its output captured: the exit code (a thrown error as the process would exit), stdout,
 * stderr; `beforeStop` runs while the local GitHub is still up, with the stack and the output so far.
 */
async function pr(argv: string[], beforeStop?: (stack: LocalStack, stdout: string) => Promise<void>) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...args) => void err.push(args.join(' ')));
  try {
    const hooks = beforeStop ? { beforeStop: (stack: LocalStack) => beforeStop(stack, out.join('\n')) } : {};
    const code = await runPr(argv, hooks);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('npm run pr --environments', () => {
  it('merge → staging folder, tag → production folder of the same branch, each deploy commit with a working local link', async () => {
    const pages: { link: string; status: number; body: string }[] = [];
    const files: string[] = [];
    const records: Record<string, string | undefined> = {};
    const result = await pr([api, '--environments', join(tmp, 'folders.yaml')], async ({ gh }, stdout) => {
      // While the local GitHub still runs: every printed deploy-commit link opens that commit's page.
      for (const [, link] of stdout.matchAll(
        /view (http:\/\/127\.0\.0\.1:\d+\/_html\/[^ \n]+\/commit\/[0-9a-f]{40})/g,
      )) {
        const response = await fetch(link!);
        pages.push({ link: link!, status: response.status, body: await response.text() });
      }
      files.push(...(await gh.admin.listFiles({ owner: 'platform', repo: 'deploy', ref: 'main' })));
      for (const env of ['staging', 'production']) {
        const text = await gh.admin.readFile({
          owner: 'platform',
          repo: 'deploy',
          ref: 'main',
          path: `envs/${env}/apis/local/repo/.source.yaml`,
        });
        records[env] = text && parseSourceRecord(text)?.commit;
      }
    });
    expect(pages).toHaveLength(2);
    for (const page of pages) {
      expect(page.status, page.link).toBe(200);
      expect(page.body).toContain(page.link.slice(-40));
    }
    // The check fails (a breaking change), so 1; the deploys are what this test is about.
    expect(result.code, result.stderr).toBe(1);
    const { stdout } = result;
    expect(stdout).toContain("▶ Creating the environments' deploy repos, branches and folders");
    expect(stdout).toMatch(
      /staging: platform\/deploy@main:envs\/staging http:\/\/127\.0\.0\.1:\d+\/_html\/platform\/deploy\/blob\/main\/envs\/staging\/tenants\.yaml/,
    );
    expect(stdout).toContain(
      '▶ Merging PR #1: the App deploys the merge commit to staging (platform/deploy@main:envs/staging)',
    );
    expect(stdout).toMatch(/Deploy commit [0-9a-f]{7} on staging \(platform\/deploy@main:envs\/staging\)/);
    expect(stdout).toMatch(
      /▶ Pushing the tag v1\.0\.0 on [0-9a-f]{7} in local\/repo: promotes to production \(platform\/deploy@main:envs\/production\)/,
    );
    expect(stdout).toMatch(
      /Deploy commit [0-9a-f]{7} on production \(platform\/deploy@main:envs\/production\)/,
    );
    // Staging's box lists only its folder's files; production's only production's.
    const staging = stdout.slice(stdout.indexOf('on staging ('), stdout.indexOf('▶ Pushing the tag'));
    const production = stdout.slice(stdout.indexOf('on production ('));
    expect(staging).toContain('D  envs/staging/apis/local/repo/users/meshhttproute-users-delete-user.yaml');
    expect(staging).not.toContain('envs/production/');
    expect(production).toContain('A  envs/production/apis/local/repo/.source.yaml');
    expect(production).not.toContain('envs/staging/');
    // Both environments run the merge commit, as the summary says.
    expect(records.staging).toMatch(/^[0-9a-f]{40}$/);
    expect(records.production).toBe(records.staging);
    expect(stdout).toContain(`staging: local/repo@${records.staging!.slice(0, 7)}`);
    expect(stdout).toContain(`production: local/repo@${records.staging!.slice(0, 7)}`);
    expect(
      files.filter((path) => !path.startsWith('envs/staging/') && !path.startsWith('envs/production/')),
    ).toEqual(['README.md']);
  }, 120_000);

  it.each([
    ['overlap', [{ ...folders[0], path: 'envs' }, folders[1]]],
    ['path must be a folder', [folders[0], { ...folders[1], path: '../production' }]],
    ['npm run pr plays promotions by tag only', [folders[0], { ...folders[1], promote: { approval: true } }]],
    ['at least two environments', [folders[0]]],
  ])('refuses a bad --environments file with one line and exit code 2: %s', async (error, list) => {
    const file = join(tmp, `bad-${String(error).length}.yaml`);
    await writeFile(file, stringify(list));
    const result = await pr([api, '--environments', file]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`^kuma-api-forge pr: --environments .*${error}`));
    expect(result.stdout).toBe('');
  });

  it('refuses --environments with DEPLOY_REPO set', async () => {
    vi.stubEnv('DEPLOY_REPO', 'platform/other');
    const result = await pr([api, '--environments', join(tmp, 'folders.yaml')]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'kuma-api-forge pr: set --environments or DEPLOY_REPO, not both',
    });
  });
});

describe('npm start with DEPLOY_ENVIRONMENTS', () => {
  it('creates each environment’s repo, branch and folder with tenants.yaml, and a merge in acme/users deploys to staging’s folder', async () => {
    const deploy = readLocalDeploy({ DEPLOY_ENVIRONMENTS: stringify(folders) });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const local = await startWithLocalGitHub(0, silentLogger, deploy);
    try {
      const printed = log.mock.calls.map((call) => call.join(' ')).join('\n');
      expect(printed).toMatch(
        /environments staging: platform\/deploy@main:envs\/staging \(tenants\.yaml grants acme\/users; merges deploy here\)/,
      );
      expect(printed).toMatch(
        /production: platform\/deploy@main:envs\/production \(.*a tag matching v\* pushed in acme\/users promotes here\)/,
      );
      const { github, app } = local;
      const deployRef = { owner: 'platform', repo: 'deploy', ref: 'main' };
      for (const env of ['staging', 'production'])
        expect(await github.admin.readFile({ ...deployRef, path: `envs/${env}/tenants.yaml` })).toContain(
          'acme/users',
        );
      // A change merged in acme/users: deployed under envs/staging only.
      const users = { owner: 'acme', repo: 'users' };
      const spec = await github.admin.readFile({ ...users, ref: 'main', path: 'openapi/users.yaml' });
      await github.admin.push({
        ...users,
        branch: 'change',
        files: { 'openapi/users.yaml': `${spec}\n# a change\n` },
        deliver: false,
      });
      const pull = await github.admin.openPullRequest({ ...users, head: 'change', deliver: false });
      await github.admin.mergePullRequest({ ...users, number: pull.number });
      await app.queue.idle();
      expect(app.queue.deadLetters).toEqual([]);
      const files = await github.admin.listFiles(deployRef);
      expect(files).toContain('envs/staging/apis/acme/users/.source.yaml');
      expect(files.filter((path) => path.startsWith('envs/production/apis/'))).toEqual([]);
    } finally {
      log.mockRestore();
      await local.stop();
    }
  }, 120_000);

  it('refuses overlapping folders as the App does', () => {
    expect(() =>
      readLocalDeploy({ DEPLOY_ENVIRONMENTS: stringify([{ ...folders[0], path: undefined }, folders[1]]) }),
    ).toThrow(/staging takes its root/);
  });
});
