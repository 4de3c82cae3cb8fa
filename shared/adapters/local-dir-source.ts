/**
 * A FileSource over a directory on disk. The loader already keeps `$ref`s inside the root; this adapter checks
 * again (defence in depth), including symlinks that lead out of it.
 * @module
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FileSource } from '../ports/file-source.js';

/** Files above this are not read into memory at all (the loader's own per-file limit is lower). */
const hardMaxBytes = 256 * 1024 * 1024;

export function createLocalDirSource(root: string): FileSource {
  const rootReal = realpath(resolve(root));
  rootReal.catch(() => undefined); // reported on first read
  return {
    description: root,
    async read(path) {
      if (!isInsideRelative(path)) return undefined;
      const base = await rootReal;
      let real: string;
      try {
        real = await realpath(resolve(base, path));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
      if (!isInside(base, real)) return undefined; // a symlink out of the root
      const info = await stat(real);
      if (!info.isFile()) return undefined;
      if (info.size > hardMaxBytes) throw new Error(`${path} is ${info.size} bytes, too large to read`);
      return new Uint8Array(await readFile(real));
    },
  };
}

function isInsideRelative(path: string): boolean {
  return path !== '' && !isAbsolute(path) && !path.includes('\0') && !path.split(/[\\/]/).includes('..');
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
