/**
 * Adapter: ExtendedRepos over a local checkout (the CLI's `--extends-dir`): it stands for the repo the config's
 * `_extends` names, whatever its name (the CLI cannot tell which repo a folder is). Like the App, a path through
 * a symbolic link (any of its folders, or the file) is answered as a link and never followed.
 * @module
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExtendedRead, ExtendedRepos } from '../core/config/extends.js';
import type { RepoRef } from '../core/repo-ref.js';

export function createLocalExtendedRepo(dir: string, self?: RepoRef): ExtendedRepos {
  return {
    ...(self ? { self } : {}),
    async read(_repo, path): Promise<ExtendedRead> {
      // `path` is relative and free of `..` (extends.ts refuses anything else); each step is checked for a link.
      const parts = path.split('/');
      for (let end = 1; end <= parts.length; end += 1) {
        const info = await lstat(join(dir, ...parts.slice(0, end))).catch(() => undefined);
        if (!info) return { found: 'none' };
        if (info.isSymbolicLink()) return { found: 'symlink' };
        if (end < parts.length ? !info.isDirectory() : !info.isFile()) return { found: 'none' };
      }
      return { found: 'file', bytes: new Uint8Array(await readFile(join(dir, ...parts))) };
    },
  };
}
