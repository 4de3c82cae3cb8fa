/**
 * The local GitHub answers some git questions without a git process (its repos' commits, tags, refs, ancestry):
 * each answer is checked here against git's own on the same bare repository, including the cases it leaves to
 * git (criss-cross merge bases, merges inside a range, a ref update git refuses).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitRepo, GitRunner } from '../../dev/github/git.js';

let scratch: string;
let dir: string;
let repo: GitRepo;
const zero = '0'.repeat(40);
const bot = {
  name: 'kuma-api-forge[bot]',
  email: '12+kuma-api-forge[bot]@users.noreply.local',
  date: '2026-01-02T03:04:05Z',
};
const dev = { name: 'octocat', email: '1+octocat@users.noreply.local', date: '2025-01-01T00:00:00Z' };

function git(args: string[], input?: string, env: Record<string, string> = {}) {
  const result = spawnSync('git', [`--git-dir=${dir}`, ...args], {
    input,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      ...env,
    },
  });
  return { code: result.status, out: result.stdout.toString().trim() };
}

let counter = 0;
async function commit(parents: string[], message = `c${++counter}\n`, who = dev) {
  const blob = await repo.writeBlob(`${counter}\n`);
  const tree = await repo.buildTree(undefined, [{ path: 'f', mode: '100644', type: 'blob', sha: blob }]);
  return repo.writeCommit({ tree, parents, message, author: who, committer: who });
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'local-github-git-'));
  dir = join(scratch, 'acme', 'api.git');
  repo = await GitRepo.init(dir, 'main');
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the local GitHub without git processes, against git', () => {
  it('creates a bare repo git reads, on its default branch', () => {
    expect(git(['rev-parse', '--is-bare-repository'])).toEqual({ code: 0, out: 'true' });
    expect(git(['symbolic-ref', 'HEAD']).out).toBe('refs/heads/main');
  });

  it('writes the commit git commit-tree writes, byte for byte', async () => {
    const root = await commit([]);
    const tree = (await repo.readCommit(root)).tree;
    for (const [message, author, committer, parents] of [
      ['no final newline', dev, bot, [root]],
      ['', bot, bot, [root]],
      ['Merge pull request #3\n\nünïcödé ✅\n\n', dev, dev, [root, await commit([root])]],
    ] as const) {
      const input = { tree, parents: [...parents], message, author, committer };
      const byGit = git(['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])], message, {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_AUTHOR_DATE: author.date,
        GIT_COMMITTER_NAME: committer.name,
        GIT_COMMITTER_EMAIL: committer.email,
        GIT_COMMITTER_DATE: committer.date,
      });
      expect(await repo.writeCommit(input)).toBe(byGit.out);
    }
  });

  it('writes the annotated tag git mktag accepts, with the same SHA', async () => {
    const target = await commit([]);
    const tag = await repo.writeTag({ name: 'v1.0.0', target, message: 'Release', tagger: bot });
    const text = git(['cat-file', 'tag', tag]).out;
    expect(git(['mktag'], `${text}\n`).out).toBe(tag);
    expect(await new GitRepo(dir).readTag(tag)).toMatchObject({
      object: target,
      type: 'commit',
      name: 'v1.0.0',
    });
    expect(git(['fsck', '--strict']).code).toBe(0);
  });

  it('answers merge-base, --is-ancestor and rev-list ranges as git does, merges and criss-crosses included', async () => {
    const root = await commit([]);
    const a1 = await commit([root]);
    const a2 = await commit([a1]);
    const b1 = await commit([a1]);
    const merged = await commit([a2, b1]);
    const after = await commit([merged]);
    const crossA = await commit([a2, b1]);
    const crossB = await commit([b1, a2]);
    const unrelated = await commit([]);
    const pairs = [
      [a2, after],
      [after, a2],
      [b1, a2],
      [a1, merged],
      [crossA, crossB],
      [root, root],
      [unrelated, a2],
      [a2, crossB],
    ];
    for (const [a, b] of pairs as [string, string][]) {
      const fresh = new GitRepo(dir); // nothing cached
      const base = git(['merge-base', a, b]);
      expect(await fresh.mergeBase(a, b)).toBe(base.code === 0 ? base.out : undefined);
      expect(await fresh.isAncestor(a, b)).toBe(git(['merge-base', '--is-ancestor', a, b]).code === 0);
      expect(await fresh.commitsBetween(a, b)).toEqual(
        git(['rev-list', '--reverse', `${a}..${b}`])
          .out.split('\n')
          .filter(Boolean),
      );
    }
    expect(await repo.resolveCommit(a2)).toBe(a2);
    expect(await repo.isAncestor('f'.repeat(40), a2)).toBe(false);
  });

  it('moves a ref only from the value it expects, and refuses what git refuses', async () => {
    const first = await commit([]);
    const second = await commit([first]);
    const ref = 'refs/heads/kuma-api-forge/acme/shop';
    expect(await repo.updateRef(ref, first, zero)).toBe(true);
    expect(await repo.updateRef(ref, second, zero)).toBe(false); // exists already
    expect(await repo.updateRef(ref, second, second)).toBe(false); // stale expectation
    expect(await repo.updateRef(ref, second, first)).toBe(true);
    expect(git(['rev-parse', ref]).out).toBe(second);
    const tree = (await repo.readCommit(first)).tree;
    expect(await repo.updateRef('refs/heads/tree', tree, zero)).toBe(false); // a branch names a commit
    expect(await repo.updateRef('refs/heads/gone', 'f'.repeat(40), zero)).toBe(false);
    expect(await repo.updateRef('refs/heads/kuma-api-forge', first, zero)).toBe(false); // a folder of refs
    // Two updates racing for one ref: one wins.
    const race = await Promise.all([
      repo.updateRef('refs/heads/race', first, zero),
      repo.updateRef('refs/heads/race', second, zero),
    ]);
    expect(race.filter(Boolean)).toHaveLength(1);
    expect(git(['fsck', '--strict']).code).toBe(0);
  });
});

describe('the git runner (git processes started from a small process of its own)', () => {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };

  it('answers exit code, stdout and stderr as git printed them, and passes input on stdin', async () => {
    const runner = new GitRunner();
    const version = await runner.run(['--version'], env);
    expect(version.code).toBe(0);
    expect(version.stdout.toString()).toMatch(/^git version \d/);
    const blob = await runner.run([`--git-dir=${dir}`, 'hash-object', '--stdin'], env, 'through stdin\n');
    expect(blob.stdout.toString().trim()).toBe(git(['hash-object', '--stdin'], 'through stdin\n').out);
    const missing = await runner.run([`--git-dir=${dir}`, 'cat-file', '-t', zero], env);
    expect(missing.code).toBe(128);
    expect(missing.stderr.toString()).toContain('fatal');
  });

  it('when the runner dies, what it owed is rejected and the next call starts another', async () => {
    const runner = new GitRunner();
    await runner.run(['--version'], env);
    const first = runner.pid!;
    // Asked, and its runner killed in the same tick, before it can answer.
    const owed = runner.run([`--git-dir=${dir}`, 'hash-object', '--stdin'], env, '');
    process.kill(first, 'SIGKILL');
    await expect(owed).rejects.toThrow('git: the git runner exited');
    const again = await runner.run(['--version'], env);
    expect(again.code).toBe(0);
    expect(runner.pid).not.toBe(first);
  });

  it('a call made as the runner dies is rejected, never left waiting', async () => {
    const runner = new GitRunner();
    await runner.run(['--version'], env);
    process.kill(runner.pid!, 'SIGKILL');
    await expect(runner.run(['--version'], env)).rejects.toThrow(/^git: the git runner (exited|refused)/);
    expect((await runner.run(['--version'], env)).code).toBe(0);
  });
});
