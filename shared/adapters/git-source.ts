/**
 * A FileSource over one commit of a local git repository, read with `git cat-file` (no shell, no checkout).
 * Paths are relative to `repoDir`, so a subdirectory of a repo works as a spec root too.
 * @module
 */
import { execFile } from 'node:child_process';
import type { FileSource } from '../ports/file-source.js';

const maxBytes = 256 * 1024 * 1024;

export class GitSourceError extends Error {}

export function createGitSource(repoDir: string, ref: string): FileSource {
  let commit: Promise<string> | undefined;
  const resolveCommit = () => {
    commit ??= resolveRef(repoDir, ref);
    return commit;
  };
  return {
    description: `git:${ref}`,
    async read(path) {
      if (path === '' || path.startsWith('/') || path.split('/').includes('..') || path.includes('\0'))
        return undefined;
      const sha = await resolveCommit();
      const result = await runGit(repoDir, ['cat-file', 'blob', `${sha}:./${path}`]);
      return result.ok ? result.stdout : undefined;
    },
  };
}

async function resolveRef(repoDir: string, ref: string): Promise<string> {
  if (ref === '' || ref.startsWith('-') || ref.includes('\0'))
    throw new GitSourceError(`invalid git ref "${ref}"`);
  const result = await runGit(repoDir, [
    'rev-parse',
    '--verify',
    '--quiet',
    '--end-of-options',
    `${ref}^{commit}`,
  ]);
  if (!result.ok) {
    const reason = result.stderr.trim().split('\n').pop() || `unknown revision "${ref}"`;
    throw new GitSourceError(`git ref "${ref}" not found in ${repoDir}: ${reason}`);
  }
  return new TextDecoder().decode(result.stdout).trim();
}

type GitResult = { ok: true; stdout: Uint8Array } | { ok: false; stderr: string };

function runGit(cwd: string, args: string[]): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'git',
      args,
      { cwd, encoding: 'buffer', maxBuffer: maxBytes, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return resolvePromise({ ok: true, stdout: new Uint8Array(stdout) });
        const code = (error as { code?: unknown }).code;
        if (code === 'ENOENT')
          return reject(new GitSourceError(`cannot run git (is it installed?), or ${cwd} does not exist`));
        if (typeof code !== 'number')
          return reject(new GitSourceError(`git failed in ${cwd}: ${error.message}`));
        resolvePromise({ ok: false, stderr: stderr.toString('utf8') });
      },
    );
  });
}
