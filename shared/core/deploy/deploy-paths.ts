/**
 * Where a source repo's manifests live in the deploy repo, and the guard that keeps every write inside it.
 * @module
 */
import { createHash } from 'node:crypto';

const segment = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** `apis/<owner>/<repo>/`, lower-cased (GitHub names are case-insensitive, a folder must not fork on case). */
export function buildRepoFolder(sourceRepo: string): string {
  const [owner = '', repo = '', ...rest] = sourceRepo.toLowerCase().split('/');
  if (rest.length > 0 || !segment.test(owner) || !segment.test(repo)) {
    throw new Error(`not a repository name: "${sourceRepo}"`);
  }
  return `apis/${owner}/${repo}/`;
}

/** A name usable as one path segment of the folder (an API name, a manifest file name). */
export function isSafeSegment(name: string): boolean {
  return segment.test(name) && name !== '.git';
}

/** Throws unless every path is strictly inside `folder`, without `..`, `.` or empty segments. */
export function assertInsideFolder(paths: readonly string[], folder: string): void {
  for (const path of paths) {
    const inside =
      path.startsWith(folder) &&
      path.length > folder.length &&
      path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
    if (!inside) throw new Error(`refusing to write ${JSON.stringify(path)}: outside ${folder}`);
  }
}

/** The git blob id of a text file: lets the deploy compare with the tree without downloading blobs. */
export function buildGitBlobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export function buildSha256(content: Uint8Array | string): string {
  return createHash('sha256').update(content).digest('hex');
}
