/**
 * The repo boundary for `$ref`s: a ref may only name a file under the root (relative path, no scheme, no
 * absolute path, no `..` escaping the root) and a JSON pointer fragment. Decided from the string alone, so a
 * refused ref is never read or requested.
 * @module
 */
import { posix } from 'node:path';
import type { LoadFindingId } from './spec-finding.js';

export type RefTarget =
  | { kind: 'target'; file: string; pointer: string }
  | { kind: 'refused'; id: LoadFindingId; message: string };

/** Resolve `ref` written in the file `fromFile` (repo-relative POSIX path). */
export function resolveRefTarget(ref: string, fromFile: string): RefTarget {
  const hash = ref.indexOf('#');
  const rawPath = hash === -1 ? ref : ref.slice(0, hash);
  const pointer = hash === -1 ? '' : decode(ref.slice(hash + 1));
  if (pointer === undefined || (pointer !== '' && !pointer.startsWith('/'))) {
    return refuse('ref-invalid', `$ref "${ref}" has a fragment that is not a JSON pointer (expected "#/…")`);
  }
  if (rawPath === '') return { kind: 'target', file: fromFile, pointer };
  if (/^[a-z]:[\\/]/i.test(rawPath) || (/^[\\/]/.test(rawPath) && !rawPath.startsWith('//'))) {
    return refuse(
      'ref-absolute',
      `$ref "${ref}" is an absolute path; use a path relative to this file, inside the repository`,
    );
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(rawPath) || rawPath.startsWith('//')) {
    return refuse(
      'ref-remote',
      `$ref "${ref}" points outside the repository (a URL); only files in the repository can be referenced`,
    );
  }
  const path = decode(rawPath);
  if (path === undefined || path.includes('\0') || path.includes('\\')) {
    return refuse('ref-invalid', `$ref "${ref}" is not a valid relative path (use "/" between folders)`);
  }
  const file = posix.normalize(posix.join(posix.dirname(fromFile), path));
  if (file === '..' || file.startsWith('../') || posix.isAbsolute(file)) {
    return refuse(
      'ref-outside-root',
      `$ref "${ref}" leaves the repository root; only files inside it can be referenced`,
    );
  }
  return { kind: 'target', file, pointer };
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function refuse(id: LoadFindingId, message: string): RefTarget {
  return { kind: 'refused', id, message };
}
