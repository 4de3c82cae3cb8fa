/**
 * A bare git repository driven through the `git` CLI (execFile, never a shell). The local GitHub keeps every
 * repository as one of these so trees, blobs, commits and refs behave exactly like git's.
 * @module
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';

export const ZERO_SHA = '0000000000000000000000000000000000000000';

/** An annotated tag object. */
export interface GitTagData {
  sha: string;
  /** The object it names, and that object's type (`commit` for a release tag). */
  object: string;
  type: string;
  name: string;
  tagger: GitIdentity;
  message: string;
}

export interface GitIdentity {
  name: string;
  email: string;
  /** ISO 8601; git stores seconds. */
  date: string;
}

export interface GitCommitData {
  sha: string;
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
}

export interface GitTreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Blobs only. */
  size?: number;
}

/** One change applied on top of a base tree; `sha: null` deletes the path (a file or a whole folder). */
export type TreeChange =
  | { path: string; mode: string; type: 'blob' | 'commit'; sha: string }
  | { path: string; mode: string; type: 'tree'; sha: string }
  | { path: string; sha: null };

export class GitError extends Error {}

/** A full object id: what it names can never change, so what git answers for it can be kept. */
const FULL_SHA = /^[0-9a-f]{40}$/;
/**
 * A branch, tag or pull ref whose name is also a plain relative path (no `.` or `..` component, no lock file):
 * read from the repository's files instead of a git process. Any other name is left to git.
 */
const PLAIN_REF = /^refs\/(?:heads|tags|pull)(?:\/(?!\.)[A-Za-z0-9._-]+(?<!\.lock))+$/;
/** A name or e-mail git writes as given (it trims other characters, e.g. leading dots or spaces, from an ident). */
const PLAIN_IDENT = /^[A-Za-z0-9](?:[A-Za-z0-9._+@[\]-]*[A-Za-z0-9\]])?$/;
/** A date git reads as this UTC second and writes as `<seconds> +0000`. */
const UTC_SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** What a git process answered: its exit code and its output. */
interface GitAnswer {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

interface Waiting {
  resolve: (answer: GitAnswer) => void;
  reject: (error: Error) => void;
}

/**
 * Starts git processes through dev/github/git-runner.mjs, one small Node process shared by every repository of
 * this process, started on first use: a fork() from a large process (a test worker holds ~1 GB) copies its page
 * tables and blocks its event loop for tens of milliseconds per git call. The runner does not keep this process
 * alive while nothing is asked of it; when it dies, what it owed is rejected and the next call starts another.
 */
export class GitRunner {
  private runner: { child: ChildProcess; pending: Map<number, Waiting> } | undefined;
  private nextId = 0;

  run(args: string[], env: Record<string, string>, input?: Buffer | string): Promise<GitAnswer> {
    const { child, pending } = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      if (pending.size === 1) child.channel?.ref();
      const request = { id, args, env, ...(input === undefined ? {} : { input: Buffer.from(input) }) };
      // A runner whose channel is closing refuses the message here: it is done, the next call starts another,
      // and its 'disconnect' rejects what else it owed.
      child.send(request, (error) => {
        if (!error) return;
        if (this.runner?.child === child) this.runner = undefined;
        if (pending.delete(id))
          reject(new GitError(`git: the git runner refused the call (${error.message})`));
      });
    });
  }

  /** The runner process's id while one runs (tests stop it to see the next call start another). */
  get pid(): number | undefined {
    return this.runner?.child.pid;
  }

  private started() {
    if (this.runner) return this.runner;
    const child = fork(new URL('./git-runner.mjs', import.meta.url), [], {
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const runner = { child, pending: new Map<number, Waiting>() };
    const bytes = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    child.on(
      'message',
      (message: { id: number; code: number; stdout: Uint8Array; stderr: Uint8Array; error?: string }) => {
        const waiting = runner.pending.get(message.id);
        if (!waiting) return;
        runner.pending.delete(message.id);
        if (runner.pending.size === 0) child.channel?.unref();
        if (message.error !== undefined) waiting.reject(new GitError(`git: ${message.error}`));
        else
          waiting.resolve({
            code: message.code,
            stdout: bytes(message.stdout),
            stderr: bytes(message.stderr),
          });
      },
    );
    const gone = (why: string) => {
      if (this.runner === runner) this.runner = undefined;
      for (const waiting of runner.pending.values())
        waiting.reject(new GitError(`git: the git runner ${why}`));
      runner.pending.clear();
    };
    child.on('disconnect', () => gone('exited'));
    // The runner could not be started (or signalled): without a listener this would end the whole process.
    child.on('error', (error) => gone(`failed (${error.message})`));
    child.unref();
    child.channel?.unref();
    this.runner = runner;
    return runner;
  }
}

const gitRunner = new GitRunner();

export class GitRepo {
  /**
   * Answers for full SHAs, which name immutable objects: the local GitHub reads the same commits, trees and
   * blobs many times per request, and each read would otherwise be one git process. Callers get copies.
   */
  private readonly objects = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string) {}

  private cached<T>(key: string, shas: string | string[], read: () => Promise<T>): Promise<T> {
    const ids = typeof shas === 'string' ? [shas] : shas;
    if (!ids.every((id) => FULL_SHA.test(id))) return read();
    const name = `${key} ${ids.join(' ')}`;
    let answer = this.objects.get(name) as Promise<T> | undefined;
    if (!answer) {
      answer = read();
      this.objects.set(name, answer);
      // A failed read (the object is not written yet) is asked again next time.
      answer.catch(() => this.objects.delete(name));
    }
    return answer;
  }

  /**
   * A new bare repository as `git init --bare --initial-branch=<branch>` makes it, without a process and without
   * git's template files (sample hooks, description, info/exclude), which a bare repo never reads.
   */
  static async init(dir: string, defaultBranch: string): Promise<GitRepo> {
    const repo = new GitRepo(dir);
    if (!PLAIN_REF.test(`refs/heads/${defaultBranch}`) || defaultBranch.includes('..')) {
      await mkdir(dir, { recursive: true });
      await repo.run(['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`]);
      return repo;
    }
    for (const folder of ['objects/info', 'objects/pack', 'refs/heads', 'refs/tags'])
      await mkdir(join(dir, folder), { recursive: true });
    await writeFile(
      join(dir, 'config'),
      '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n',
    );
    await writeFile(join(dir, 'HEAD'), `ref: refs/heads/${defaultBranch}\n`);
    return repo;
  }

  /** Runs git against this repo; rejects with the git's stderr on a non-zero exit. */
  async run(args: string[], options: { input?: Buffer | string; env?: Record<string, string> } = {}) {
    const { code, stdout, stderr } = await this.spawn(args, options);
    if (code !== 0) throw new GitError(`git ${args[0]}: ${stderr.toString().trim()}`);
    return stdout;
  }

  /** Like run, but answers the exit code instead of throwing (for yes/no questions such as ancestry). */
  spawn(
    args: string[],
    options: { input?: Buffer | string; env?: Record<string, string> } = {},
  ): Promise<GitAnswer> {
    return gitRunner.run(
      [`--git-dir=${this.dir}`, ...args],
      {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0',
        LC_ALL: 'C',
        ...options.env,
      },
      options.input,
    );
  }

  /**
   * Stores a blob as `git hash-object -w` does, without its process: the loose object (zlib of `blob <size>\0`
   * and the bytes) at objects/<2>/<38> of its SHA-1, written to a temporary name and renamed into place.
   */
  async writeBlob(content: Buffer | string): Promise<string> {
    return this.writeObject('blob', typeof content === 'string' ? Buffer.from(content) : content);
  }

  private async writeObject(type: 'blob' | 'tree' | 'commit' | 'tag', bytes: Buffer): Promise<string> {
    const object = Buffer.concat([Buffer.from(`${type} ${bytes.length}\0`), bytes]);
    const sha = createHash('sha1').update(object).digest('hex');
    const path = join(this.dir, 'objects', sha.slice(0, 2), sha.slice(2));
    if (!existsSync(path)) {
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporary, deflateSync(object), { mode: 0o444 });
      await rename(temporary, path);
    }
    return sha;
  }

  /** The object's type, or undefined when it does not exist. */
  async objectType(sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{4,40}$/.test(sha)) return undefined;
    const type = await this.cached('type', sha, async () => {
      const loose = await this.readLooseObject(sha);
      if (loose) return loose.type;
      const { code, stdout } = await this.spawn(['cat-file', '-t', sha]);
      if (code !== 0) throw new GitError(`no object ${sha}`);
      return stdout.toString().trim();
    }).catch(() => undefined);
    return type;
  }

  async readBlob(sha: string): Promise<Buffer> {
    return Buffer.from(await this.cached('blob', sha, () => this.catFile('blob', sha)));
  }

  /** `git cat-file <type> <sha>`: the loose object's bytes when it is one of that type, else git's answer. */
  private async catFile(type: 'blob' | 'commit' | 'tag', sha: string): Promise<Buffer> {
    const loose = await this.readLooseObject(sha);
    return loose?.type === type ? loose.body : this.run(['cat-file', type, sha]);
  }

  /**
   * A loose object read as git reads it (zlib of `<type> <size>\0<body>` at objects/<2>/<38>), without a
   * process; undefined when git must answer (not a full SHA, packed, or anything unexpected).
   */
  private async readLooseObject(sha: string): Promise<{ type: string; body: Buffer } | undefined> {
    if (!FULL_SHA.test(sha)) return undefined;
    try {
      const raw = inflateSync(await readFile(join(this.dir, 'objects', sha.slice(0, 2), sha.slice(2))));
      const nul = raw.indexOf(0);
      const [type = '', size] = raw.subarray(0, nul).toString('latin1').split(' ');
      const body = raw.subarray(nul + 1);
      return nul > 0 && Number(size) === body.length ? { type, body } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Resolves a branch name, full ref, tag or (short) SHA to a commit SHA; undefined when unknown. */
  async resolveCommit(ref: string): Promise<string | undefined> {
    if (ref.startsWith('-') || ref.includes('..')) return undefined;
    const candidates = /^[0-9a-f]{4,40}$/.test(ref) ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`, ref];
    // A commit's own full SHA: no git process needed either.
    if (FULL_SHA.test(ref) && (await this.objectType(ref)) === 'commit') return ref;
    for (const candidate of candidates) {
      // A branch or tag naming a commit directly (not an annotated tag): no git process needed.
      const direct = await this.readRefFile(candidate);
      if (direct === undefined) continue;
      if (direct !== null && (await this.objectType(direct)) === 'commit') return direct;
      const sha = await this.cached('commit-of', candidate, async () => {
        const { code, stdout } = await this.spawn([
          'rev-parse',
          '--verify',
          '--quiet',
          `${candidate}^{commit}`,
        ]);
        if (code !== 0) throw new GitError(`no commit ${candidate}`);
        return stdout.toString().trim();
      }).catch(() => undefined);
      if (sha !== undefined) return sha;
    }
    return undefined;
  }

  /** The SHA a full ref (`refs/heads/main`) points at, or undefined. */
  async readRef(ref: string): Promise<string | undefined> {
    const direct = await this.readRefFile(ref);
    if (direct !== null) return direct;
    const { code, stdout } = await this.spawn(['rev-parse', '--verify', '--quiet', ref]);
    return code === 0 ? stdout.toString().trim() : undefined;
  }

  /**
   * A plain ref read as git reads it in a repository of files (its loose file, else its line in packed-refs),
   * without a process: undefined when it does not exist, null when git must answer (another kind of name, a
   * symbolic ref, anything unexpected). git writes both files by rename, so a read sees the old or the new SHA.
   */
  private async readRefFile(ref: string): Promise<string | undefined | null> {
    if (!PLAIN_REF.test(ref)) return null;
    const loose = await readFile(join(this.dir, ref), 'utf8').catch((error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT' || error.code === 'EISDIR' || error.code === 'ENOTDIR' ? undefined : null,
    );
    if (loose === null) return null;
    if (loose !== undefined) return /^[0-9a-f]{40}\n$/.test(loose) ? loose.slice(0, 40) : null;
    const packed = await readFile(join(this.dir, 'packed-refs'), 'utf8').catch(
      (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : null),
    );
    if (packed === null) return null;
    for (const line of packed.split('\n')) {
      if (line.slice(41) === ref) return FULL_SHA.test(line.slice(0, 40)) ? line.slice(0, 40) : null;
    }
    // Not there: git would go on to the other names it tries for the same text (`refs/heads/<ref>`…).
    const others = [`refs/${ref}`, `refs/tags/${ref}`, `refs/heads/${ref}`, `refs/remotes/${ref}`];
    const elsewhere = others.some(
      (other) =>
        packed.includes(` ${other}\n`) || packed.includes(` ${other}/`) || existsSync(join(this.dir, other)),
    );
    return elsewhere || existsSync(join(this.dir, 'refs/remotes', ref, 'HEAD')) ? null : undefined;
  }

  async listRefs(prefix: string): Promise<{ ref: string; sha: string }[]> {
    const out = (await this.run(['for-each-ref', '--format=%(refname) %(objectname)', prefix])).toString();
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [ref = '', sha = ''] = line.split(' ');
        return { ref, sha };
      });
  }

  /** Compare-and-swap: moves `ref` to `next` only if it still points at `expected` (ZERO_SHA = must not exist). */
  async updateRef(ref: string, next: string, expected?: string): Promise<boolean> {
    const moved = await this.updateRefFile(ref, next, expected);
    if (moved !== undefined) return moved;
    const args = ['update-ref', ref, next];
    if (expected !== undefined) args.push(expected);
    const { code } = await this.spawn(args);
    return code === 0;
  }

  /**
   * `git update-ref <ref> <next> [<expected>]` as git does it in a repository of loose refs, without a process:
   * `<ref>.lock` created exclusively (so this process and any git process exclude each other alike), the current
   * value checked under the lock, the lock renamed over the ref; a lock already taken fails the update, as in
   * git. Undefined when git must answer: another kind of name, a packed-refs file, an object git would refuse
   * there, a file/folder clash, anything unexpected.
   */
  private async updateRefFile(ref: string, next: string, expected?: string): Promise<boolean | undefined> {
    if (!PLAIN_REF.test(ref) || ref.includes('..') || ref.endsWith('.') || !FULL_SHA.test(next))
      return undefined;
    if (expected !== undefined && !FULL_SHA.test(expected)) return undefined;
    if (existsSync(join(this.dir, 'packed-refs'))) return undefined;
    const type = await this.objectType(next);
    if (type === undefined || (ref.startsWith('refs/heads/') && type !== 'commit')) return undefined;
    const path = join(this.dir, ref);
    const lock = `${path}.lock`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(lock, `${next}\n`, { flag: 'wx' });
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EEXIST' && existsSync(lock) ? false : undefined;
    }
    let locked = true;
    try {
      const current = await this.readRefFile(ref);
      if (current === null) return undefined;
      if (expected !== undefined && (current ?? ZERO_SHA) !== expected) return false;
      await rename(lock, path);
      locked = false;
      return true;
    } catch {
      return undefined;
    } finally {
      if (locked) await rm(lock, { force: true });
    }
  }

  /** Deletes `ref` only if it still points at `expected`. */
  async deleteRef(ref: string, expected: string): Promise<boolean> {
    const { code } = await this.spawn(['update-ref', '-d', ref, expected]);
    return code === 0;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return this.cached('is-ancestor', [ancestor, descendant], async () => {
      const walked = await this.ancestry([descendant]).catch(() => undefined);
      if (walked && FULL_SHA.test(ancestor)) return walked.has(ancestor);
      const { code } = await this.spawn(['merge-base', '--is-ancestor', ancestor, descendant]);
      if (code > 1) throw new GitError(`merge-base --is-ancestor ${ancestor} ${descendant}`);
      return code === 0;
    }).catch(() => false);
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    return this.cached('merge-base', [a, b], async () => {
      const found = await this.mergeBaseInProcess(a, b).catch(() => null);
      if (found !== null) return found;
      const { code, stdout } = await this.spawn(['merge-base', a, b]);
      // 1: no common history, for good; anything else (a missing object) is not kept.
      if (code > 1) throw new GitError(`merge-base ${a} ${b}`);
      return code === 0 ? stdout.toString().trim() : undefined;
    }).catch(() => undefined);
  }

  /** Commits reachable from `head` but not from `base`, oldest first. */
  async commitsBetween(base: string, head: string): Promise<string[]> {
    const out = (
      await this.cached('between', [base, head], async () => {
        const chain = await this.chainBetween(base, head).catch(() => undefined);
        return chain
          ? Buffer.from(chain.map((sha) => `${sha}\n`).join(''))
          : this.run(['rev-list', '--reverse', `${base}..${head}`]);
      })
    ).toString();
    return out.split('\n').filter(Boolean);
  }

  /** The newest commits reachable from `head`, newest first, `limit` at most; with `path`, those that changed it. */
  async log(head: string, options: { path?: string; limit: number }): Promise<string[]> {
    const args = [
      'rev-list',
      `--max-count=${options.limit}`,
      head,
      '--',
      ...(options.path ? [options.path] : []),
    ];
    return (await this.run(args)).toString().split('\n').filter(Boolean);
  }

  /**
   * Every commit reachable from `from` (themselves included), read from the commit objects without a process;
   * rejects when one cannot be read (git answers then).
   */
  private async ancestry(from: string[]): Promise<Set<string>> {
    const seen = new Set<string>();
    const queue = [...from];
    while (queue.length > 0) {
      const sha = queue.pop()!;
      if (seen.has(sha)) continue;
      if (!FULL_SHA.test(sha)) throw new GitError(`not a full SHA: ${sha}`);
      seen.add(sha);
      queue.push(...(await this.readCommit(sha)).parents);
    }
    return seen;
  }

  /**
   * `git merge-base a b` when it has one answer: the common ancestors first met walking back from `b`, less those
   * that are ancestors of another; undefined when there is none (no common history). Null when git must answer:
   * several best ones (criss-cross merges: git's pick among them depends on its walk) or an unreadable commit.
   */
  private async mergeBaseInProcess(a: string, b: string): Promise<string | undefined | null> {
    const fromA = await this.ancestry([a]);
    const common: string[] = [];
    const seen = new Set<string>();
    const queue = [b];
    while (queue.length > 0) {
      const sha = queue.pop()!;
      if (seen.has(sha)) continue;
      seen.add(sha);
      if (fromA.has(sha)) common.push(sha);
      else queue.push(...(await this.readCommit(sha)).parents);
    }
    const best: string[] = [];
    for (const candidate of common) {
      const others = common.filter((other) => other !== candidate);
      if (!(await this.ancestry(others)).has(candidate)) best.push(candidate);
    }
    if (best.length > 1) return null;
    return best[0];
  }

  /**
   * `git rev-list --reverse base..head` when those commits form one line (each has one parent): that line,
   * oldest first, which is git's order whatever their dates. Undefined when git must answer (a merge among them,
   * an unreadable commit).
   */
  private async chainBetween(base: string, head: string): Promise<string[] | undefined> {
    if (!FULL_SHA.test(base) || !FULL_SHA.test(head)) return undefined;
    const fromBase = await this.ancestry([base]);
    const chain: string[] = [];
    for (let sha = head; !fromBase.has(sha); ) {
      const { parents } = await this.readCommit(sha);
      if (parents.length > 1) return undefined;
      chain.push(sha);
      if (parents.length === 0) break;
      sha = parents[0]!;
    }
    return chain.reverse();
  }

  async readCommit(sha: string): Promise<GitCommitData> {
    const raw = (await this.cached('commit', sha, () => this.catFile('commit', sha))).toString();
    const split = raw.indexOf('\n\n');
    const headers = (split === -1 ? raw : raw.slice(0, split)).split('\n');
    const message = split === -1 ? '' : raw.slice(split + 2);
    const data: GitCommitData = {
      sha,
      tree: '',
      parents: [],
      author: { name: '', email: '', date: '' },
      committer: { name: '', email: '', date: '' },
      message,
    };
    for (const header of headers) {
      const space = header.indexOf(' ');
      const key = header.slice(0, space);
      const value = header.slice(space + 1);
      if (key === 'tree') data.tree = value;
      else if (key === 'parent') data.parents.push(value);
      else if (key === 'author') data.author = parseIdentity(value);
      else if (key === 'committer') data.committer = parseIdentity(value);
    }
    return data;
  }

  /** Lists a tree; `recursive` flattens sub-trees (their entries are listed too, like GitHub does). */
  async readTree(sha: string, recursive: boolean): Promise<GitTreeEntry[]> {
    const loose = await this.cached(`loose tree ${recursive}`, sha, () => this.listLooseTree(sha, recursive));
    if (loose) return loose.map((entry) => ({ ...entry }));
    const args = ['ls-tree', '-z', '--long', ...(recursive ? ['-r', '-t'] : []), sha];
    const out = (await this.cached(`tree ${recursive}`, sha, () => this.run(args))).toString();
    return out
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf('\t');
        const [mode = '', type = '', objectSha = '', size = '-'] = line.slice(0, tab).split(/\s+/);
        const entry: GitTreeEntry = {
          path: line.slice(tab + 1),
          mode,
          type: type as GitTreeEntry['type'],
          sha: objectSha,
        };
        if (type === 'blob') entry.size = Number(size);
        return entry;
      });
  }

  /**
   * A tree's entries (a commit's: its tree's) from loose objects, as `ls-tree --long [-r -t]` lists them: in
   * tree order, a folder before what is in it, blobs with their size. Undefined when git must answer (an
   * object that is not loose, or anything unexpected).
   */
  private async listLooseTree(
    sha: string,
    recursive: boolean,
    prefix = '',
  ): Promise<GitTreeEntry[] | undefined> {
    const object = await this.readLooseObject(sha);
    if (object?.type === 'commit' && prefix === '') {
      const tree = /^tree ([0-9a-f]{40})\n/.exec(object.body.toString('latin1'))?.[1];
      return tree ? this.listLooseTree(tree, recursive) : undefined;
    }
    if (object?.type !== 'tree') return undefined;
    const { body } = object;
    const entries: GitTreeEntry[] = [];
    for (let at = 0; at < body.length; ) {
      const space = body.indexOf(0x20, at);
      const nul = space < 0 ? -1 : body.indexOf(0, space);
      if (nul < 0 || nul + 21 > body.length) return undefined;
      const mode = body.subarray(at, space).toString('latin1').padStart(6, '0');
      const objectSha = body.subarray(nul + 1, nul + 21).toString('hex');
      at = nul + 21;
      const type = mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob';
      const entry: GitTreeEntry = {
        path: prefix + body.subarray(space + 1, nul).toString(),
        mode,
        type,
        sha: objectSha,
      };
      if (type === 'blob') {
        const size = await this.cached(
          'size',
          objectSha,
          async () => (await this.readLooseObject(objectSha))?.body.length,
        );
        if (size === undefined) return undefined;
        entry.size = size;
      }
      entries.push(entry);
      if (recursive && type === 'tree') {
        const inside = await this.listLooseTree(objectSha, true, `${entry.path}/`);
        if (!inside) return undefined;
        entries.push(...inside);
      }
    }
    return entries;
  }

  /** The entry at `path` in the tree of `commit`, or undefined. */
  async entryAt(commit: string, path: string): Promise<GitTreeEntry | undefined> {
    if (path === '') {
      const tree = (await this.readCommit(commit)).tree;
      return { path: '', mode: '040000', type: 'tree', sha: tree };
    }
    const walked = await this.looseEntryAt(commit, path);
    if (walked !== null) return walked;
    const { code, stdout } = await this.spawn(['ls-tree', '-z', '--long', commit, '--', path]);
    if (code !== 0) return undefined;
    const line = stdout.toString().split('\0')[0];
    if (!line) return undefined;
    const tab = line.indexOf('\t');
    if (line.slice(tab + 1) !== path) return undefined;
    const [mode = '', type = '', sha = '', size = '-'] = line.slice(0, tab).split(/\s+/);
    const entry: GitTreeEntry = { path, mode, type: type as GitTreeEntry['type'], sha };
    if (type === 'blob') entry.size = Number(size);
    return entry;
  }

  /** entryAt through loose objects, one folder at a time; null when git must answer. */
  private async looseEntryAt(commit: string, path: string): Promise<GitTreeEntry | undefined | null> {
    const names = path.split('/');
    let folder: string | undefined = commit;
    let entry: GitTreeEntry | undefined;
    for (const name of names) {
      if (folder === undefined) return undefined;
      const entries: GitTreeEntry[] | undefined = await this.cached('loose tree false', folder, () =>
        this.listLooseTree(folder!, false),
      );
      if (!entries) return null;
      entry = entries.find((candidate) => candidate.path === name);
      if (!entry) return undefined;
      folder = entry.type === 'tree' ? entry.sha : undefined;
    }
    return entry && { ...entry, path };
  }

  /**
   * Builds a tree from `base` (or empty) plus `changes`, like GitHub's create-tree: entries replace paths,
   * `sha: null` removes a file or a folder, a `tree` entry grafts a whole sub-tree.
   */
  async buildTree(base: string | undefined, changes: TreeChange[]): Promise<string> {
    const files = new Map<string, { mode: string; sha: string }>();
    const addTree = async (tree: string, prefix: string) => {
      for (const entry of await this.readTree(tree, true)) {
        if (entry.type !== 'tree') files.set(prefix + entry.path, { mode: entry.mode, sha: entry.sha });
      }
    };
    const removeUnder = (path: string) => {
      for (const key of [...files.keys()]) if (key === path || key.startsWith(`${path}/`)) files.delete(key);
    };
    if (base) await addTree(base, '');
    for (const change of changes) {
      removeUnder(change.path);
      if (change.sha === null) continue;
      if (change.type === 'tree') await addTree(change.sha, `${change.path}/`);
      else files.set(change.path, { mode: change.mode, sha: change.sha });
    }
    return (await this.writeTreesOf(files)) ?? this.writeTreesWithGit(files);
  }

  /**
   * The tree objects of `files` written as `git write-tree` writes them (entries by name, a sub-tree's name
   * compared as `name/`; `<mode> <name>\0<20-byte SHA>` each), bottom-up, without a process. Undefined, for git
   * to answer (and refuse), unless every path is plain, every mode one git keeps as is, no file is also a
   * folder, and every object but a submodule's commit exists.
   */
  private async writeTreesOf(files: Map<string, { mode: string; sha: string }>): Promise<string | undefined> {
    type Folder = Map<string, { mode: string; sha: string } | Folder>;
    const root: Folder = new Map();
    for (const [path, entry] of files) {
      const names = path.split('/');
      if (names.some((name) => name === '' || name === '.' || name === '..' || name.toLowerCase() === '.git'))
        return undefined;
      if (!['100644', '100755', '120000', '160000'].includes(entry.mode) || !FULL_SHA.test(entry.sha))
        return undefined;
      if (entry.mode !== '160000' && (await this.objectType(entry.sha)) === undefined) return undefined;
      let folder = root;
      for (const name of names.slice(0, -1)) {
        const next = folder.get(name) ?? new Map();
        if (!(next instanceof Map)) return undefined;
        folder.set(name, next);
        folder = next;
      }
      if (folder.has(names.at(-1)!)) return undefined;
      folder.set(names.at(-1)!, entry);
    }
    const write = async (folder: Folder): Promise<string> => {
      const entries: { key: Buffer; line: Buffer }[] = [];
      for (const [name, value] of folder) {
        const [mode, sha] = value instanceof Map ? ['40000', await write(value)] : [value.mode, value.sha];
        entries.push({
          key: Buffer.from(value instanceof Map ? `${name}/` : name),
          line: Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(sha, 'hex')]),
        });
      }
      entries.sort((a, b) => Buffer.compare(a.key, b.key));
      return this.writeObject('tree', Buffer.concat(entries.map((entry) => entry.line)));
    };
    return write(root);
  }

  private async writeTreesWithGit(files: Map<string, { mode: string; sha: string }>): Promise<string> {
    const scratch = await mkdtemp(join(tmpdir(), 'local-github-index-'));
    try {
      const env = { GIT_INDEX_FILE: join(scratch, 'index') };
      const lines = [...files].map(([path, { mode, sha }]) => `${mode} ${sha}\t${path}\0`).join('');
      await this.run(['update-index', '-z', '--index-info'], { input: lines, env });
      return (await this.run(['write-tree'], { env })).toString().trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async writeCommit(input: {
    tree: string;
    parents: string[];
    message: string;
    author: GitIdentity;
    committer: GitIdentity;
  }): Promise<string> {
    const text = await this.commitText(input);
    if (text !== undefined) return this.writeObject('commit', Buffer.from(text));
    const args = ['commit-tree', input.tree, ...input.parents.flatMap((parent) => ['-p', parent])];
    const env = {
      GIT_AUTHOR_NAME: input.author.name,
      GIT_AUTHOR_EMAIL: input.author.email,
      GIT_AUTHOR_DATE: input.author.date,
      GIT_COMMITTER_NAME: input.committer.name,
      GIT_COMMITTER_EMAIL: input.committer.email,
      GIT_COMMITTER_DATE: input.committer.date,
    };
    return (await this.run(args, { input: input.message, env })).toString().trim();
  }

  /**
   * The commit object `git commit-tree` writes for `input` (the same bytes, so the same SHA), built without a
   * process; undefined when git must answer: an identity git would clean up (not a plain login and e-mail), a
   * date other than UTC to the second, a NUL in the message, a repeated parent, an object missing or of another
   * type (git's error then).
   */
  private async commitText(input: {
    tree: string;
    parents: string[];
    message: string;
    author: GitIdentity;
    committer: GitIdentity;
  }): Promise<string | undefined> {
    const ident = (who: GitIdentity) =>
      PLAIN_IDENT.test(who.name) && PLAIN_IDENT.test(who.email) && UTC_SECOND.test(who.date)
        ? `${who.name} <${who.email}> ${Date.parse(who.date) / 1000} +0000`
        : undefined;
    const [author, committer] = [ident(input.author), ident(input.committer)];
    if (!author || !committer || input.message.includes('\0')) return undefined;
    if (new Set(input.parents).size !== input.parents.length) return undefined;
    if (!FULL_SHA.test(input.tree) || (await this.objectType(input.tree)) !== 'tree') return undefined;
    for (const parent of input.parents)
      if (!FULL_SHA.test(parent) || (await this.objectType(parent)) !== 'commit') return undefined;
    return [
      `tree ${input.tree}`,
      ...input.parents.map((parent) => `parent ${parent}`),
      `author ${author}`,
      `committer ${committer}`,
      '',
      input.message,
    ].join('\n');
  }

  /** An annotated tag object naming `target` (not yet a ref). */
  async writeTag(input: {
    name: string;
    target: string;
    message: string;
    tagger: GitIdentity;
  }): Promise<string> {
    const seconds = Math.floor(new Date(input.tagger.date).getTime() / 1000);
    const text = [
      `object ${input.target}`,
      `type ${await this.objectType(input.target)}`,
      `tag ${input.name}`,
      `tagger ${input.tagger.name} <${input.tagger.email}> ${seconds} +0000`,
      '',
      input.message.endsWith('\n') ? input.message : `${input.message}\n`,
    ].join('\n');
    // The bytes git mktag would store as they are, once it has checked them: written without a process when
    // every part is one mktag accepts (a full SHA of an existing object, a plain tag name and tagger).
    const plain =
      FULL_SHA.test(input.target) &&
      PLAIN_REF.test(`refs/tags/${input.name}`) &&
      !input.name.includes('/') &&
      PLAIN_IDENT.test(input.tagger.name) &&
      PLAIN_IDENT.test(input.tagger.email) &&
      UTC_SECOND.test(input.tagger.date) &&
      !input.message.includes('\0') &&
      (await this.objectType(input.target)) !== undefined;
    if (plain) return this.writeObject('tag', Buffer.from(text));
    return (await this.run(['mktag'], { input: text })).toString().trim();
  }

  async readTag(sha: string): Promise<GitTagData> {
    const raw = (await this.cached('tag', sha, () => this.catFile('tag', sha))).toString();
    const split = raw.indexOf('\n\n');
    const headers = (split === -1 ? raw : raw.slice(0, split)).split('\n');
    const data: GitTagData = {
      sha,
      object: '',
      type: '',
      name: '',
      tagger: { name: '', email: '', date: new Date(0).toISOString() },
      message: split === -1 ? '' : raw.slice(split + 2),
    };
    for (const header of headers) {
      const space = header.indexOf(' ');
      const [key, value] = [header.slice(0, space), header.slice(space + 1)];
      if (key === 'object') data.object = value;
      else if (key === 'type') data.type = value;
      else if (key === 'tag') data.name = value;
      else if (key === 'tagger') data.tagger = parseIdentity(value);
    }
    return data;
  }

  /** A three-way merge without a work tree; undefined when it conflicts. */
  async mergeTrees(base: string, head: string): Promise<string | undefined> {
    const { code, stdout } = await this.spawn(['merge-tree', '--write-tree', base, head]);
    return code === 0 ? stdout.toString().split('\n')[0] : undefined;
  }

  /** Changed files between two commits with their line counts (renames off, like a plain diff). */
  async diffFiles(
    base: string,
    head: string,
  ): Promise<
    {
      path: string;
      status: 'added' | 'removed' | 'modified';
      sha: string;
      additions: number;
      deletions: number;
    }[]
  > {
    // One process for both: the raw entries (`:meta\0path\0` each), then the numstat ones (`added\tdeleted\tpath\0`).
    const items = (
      await this.cached('diff', [base, head], () =>
        this.run(['diff-tree', '-r', '-z', '--no-renames', '--raw', '--numstat', base, head]),
      )
    )
      .toString()
      .split('\0');
    const raw: string[] = [];
    const counts = new Map<string, { additions: number; deletions: number }>();
    for (let i = 0; i < items.length; i += 1) {
      const item = items[i] ?? '';
      if (item.startsWith(':')) {
        raw.push(item, items[i + 1] ?? '');
        i += 1;
        continue;
      }
      const [added, deleted, path] = item.split('\t');
      if (path !== undefined)
        counts.set(path, { additions: Number(added) || 0, deletions: Number(deleted) || 0 });
    }
    const files = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const meta = raw[i] ?? '';
      const path = raw[i + 1] ?? '';
      if (!meta.startsWith(':')) continue;
      const [, , oldSha = '', newSha = '', letter = ''] = meta.slice(1).split(' ');
      const status = letter === 'A' ? 'added' : letter === 'D' ? 'removed' : 'modified';
      const count = counts.get(path) ?? { additions: 0, deletions: 0 };
      files.push({ path, status, sha: status === 'removed' ? oldSha : newSha, ...count } as const);
    }
    return files;
  }
}

function parseIdentity(value: string): GitIdentity {
  const match = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(value);
  if (!match) return { name: value, email: '', date: new Date(0).toISOString() };
  const seconds = Number(match[3]);
  return {
    name: match[1] ?? '',
    email: match[2] ?? '',
    date: new Date(seconds * 1000).toISOString().replace('.000', ''),
  };
}
