/**
 * Adapter: FileSources over the commits of one GitHub repo, read through GraphQL in as few requests as possible.
 * A file is the `TreeEntry` at its path in a commit (`Commit.file(path)`) with its blob's text: many paths at
 * several commits go in ONE query (`prefetchFiles`, or reads made in the same tick), and what a job has read is
 * kept for the rest of the job (`SourceCache`), so a later `read` of it makes no request.
 *
 * Semantics kept from the port: `read(path)` answers the exact bytes or `undefined`; a symlink (which could point
 * outside the repo), a directory or a submodule is not a file; a path leaving the root is refused without a
 * request. GraphQL gives a blob as text: a binary blob (no text), one GitHub truncated, or one whose text is not
 * its exact bytes (not UTF-8) is read as bytes through the REST blob instead, by its SHA, once per job.
 * @module
 */
import { formatRepoRef, type RepoRef } from '../../core/repo-ref.js';
import type { FileSource } from '../../ports/file-source.js';
import type { AppOctokit } from './create-octokit.js';

/** Blob contents by blob SHA, shared by the sources of one job: an unchanged file is read once. */
export type BlobCache = Map<string, Promise<Uint8Array>>;

/** A file at a commit: its blob, and the bytes when GraphQL's text was exactly them. */
interface FileEntry {
  oid: string;
  bytes?: Uint8Array;
}

/** What one job has read: entries by `sha:path` (undefined: no file there), blobs by SHA. */
export interface SourceCache {
  entries: Map<string, Promise<FileEntry | undefined>>;
  blobs: BlobCache;
}

export function createSourceCache(): SourceCache {
  return { entries: new Map(), blobs: new Map() };
}

/** Git's mode of a symlink, as GraphQL's `TreeEntry.mode` gives it (a decimal Int). */
const symlinkMode = 0o120000;
/** Paths per query: keeps one answer's size reasonable; more paths make more queries. */
const pathsPerQuery = 100;

/** The selection of one path's entry under a `Commit` (`$pN` is its path variable). */
export const fileEntryFragment = `fragment FileEntry on TreeEntry {
  mode
  type
  oid
  object { ... on Blob { text isTruncated byteSize } }
}`;

/** `fN: file(path: $pN) { ...FileEntry }` for each path, to spread inside `... on Commit { }`. */
export function fileSelections(paths: readonly string[], variable: (i: number) => string): string {
  return paths.map((_, i) => `f${i}: file(path: $${variable(i)}) { ...FileEntry }`).join('\n');
}

interface TreeEntryAnswer {
  mode: number;
  type: string;
  oid: string;
  object: { text?: string | null; isTruncated?: boolean; byteSize?: number } | null;
}

/** Records a commit's answered `fN` entries for `paths` (a null commit answers nothing: reads ask again). */
export function storeFiles(
  cache: SourceCache,
  sha: string,
  paths: readonly string[],
  commit: Record<string, unknown> | null | undefined,
): void {
  if (!commit) return;
  paths.forEach((path, i) => {
    const entry = toFileEntry(commit[`f${i}`] as TreeEntryAnswer | null | undefined);
    if (entry?.bytes) cache.blobs.set(entry.oid, Promise.resolve(entry.bytes));
    cache.entries.set(`${sha}:${path}`, Promise.resolve(entry));
  });
}

function toFileEntry(answer: TreeEntryAnswer | null | undefined): FileEntry | undefined {
  // Only regular files: a symlink, a directory or a submodule is not a file of the repo.
  if (answer?.type !== 'blob' || answer.mode === symlinkMode) return undefined;
  const text = answer.object?.text;
  const exact =
    typeof text === 'string' &&
    answer.object?.isTruncated !== true &&
    // Text that is not the blob's bytes: invalid UTF-8 turned into U+FFFD, or a different length.
    !text.includes('\uFFFD') &&
    Buffer.byteLength(text) === answer.object?.byteSize;
  return exact ? { oid: answer.oid, bytes: new Uint8Array(Buffer.from(text, 'utf8')) } : { oid: answer.oid };
}

/**
 * Reads `paths` at each commit into the cache, in one query per hundred paths not yet read (one after the
 * other). Paths leaving the root are skipped.
 */
export async function prefetchFiles(
  octokit: AppOctokit,
  repo: RepoRef,
  cache: SourceCache,
  reads: readonly { sha: string; paths: readonly string[] }[],
): Promise<void> {
  const wanted: { sha: string; path: string }[] = [];
  const seen = new Set<string>();
  for (const { sha, paths } of reads) {
    for (const raw of paths) {
      const path = normalizePath(raw);
      const key = `${sha}:${path}`;
      if (path === undefined || seen.has(key) || cache.entries.has(key)) continue;
      seen.add(key);
      wanted.push({ sha, path });
    }
  }
  // One query at a time: a spec of thousands of files must not open dozens of concurrent requests.
  for (let i = 0; i < wanted.length; i += pathsPerQuery) {
    await queryFiles(octokit, repo, cache, wanted.slice(i, i + pathsPerQuery));
  }
}

/** The document of one batch: commits `cN` by oid, their paths `fN` (variables `cN`, `pN`). */
export function buildFilesQuery(commits: readonly { paths: readonly string[] }[]): string {
  let p = 0;
  const variables: string[] = ['$owner: String!', '$name: String!'];
  const selections = commits.map((commit, c) => {
    variables.push(`$c${c}: GitObjectID!`);
    const first = p;
    p += commit.paths.length;
    commit.paths.forEach((_, i) => {
      variables.push(`$p${first + i}: String!`);
    });
    return `c${c}: object(oid: $c${c}) { ... on Commit { ${fileSelections(commit.paths, (i) => `p${first + i}`)} } }`;
  });
  return `query SourceFiles(${variables.join(', ')}) {
  repository(owner: $owner, name: $name) {
    ${selections.join('\n    ')}
  }
}
${fileEntryFragment}`;
}

async function queryFiles(
  octokit: AppOctokit,
  repo: RepoRef,
  cache: SourceCache,
  wanted: readonly { sha: string; path: string }[],
): Promise<void> {
  const bySha = new Map<string, string[]>();
  for (const { sha, path } of wanted) bySha.set(sha, [...(bySha.get(sha) ?? []), path]);
  const commits = [...bySha].map(([sha, paths]) => ({ sha, paths }));
  const variables: Record<string, string> = { owner: repo.owner, name: repo.repo };
  let p = 0;
  commits.forEach((commit, c) => {
    variables[`c${c}`] = commit.sha;
    for (const path of commit.paths) variables[`p${p++}`] = path;
  });
  const answer = octokit.graphql<{ repository: Record<string, Record<string, unknown> | null> }>(
    buildFilesQuery(commits),
    variables,
  );
  // Each path's entry is known once the answer is: commit `cN`, its `fN` numbered from 0 in each commit.
  commits.forEach((commit, c) => {
    commit.paths.forEach((path, i) => {
      const key = `${commit.sha}:${path}`;
      const entry = answer.then(({ repository }) => {
        const found = repository[`c${c}`];
        if (!found) throw new CommitNotFoundError(repo, commit.sha);
        return toFileEntry(found[`f${i}`] as TreeEntryAnswer | null);
      });
      cache.entries.set(key, entry);
      // A failed read is forgotten: a later read asks again.
      entry.catch(() => cache.entries.delete(key));
    });
  });
  await answer;
}

/** A commit the job was asked to read is not in the repo (force-pushed away and collected): not retried. */
export class CommitNotFoundError extends Error {
  override readonly name = 'CommitNotFoundError';
  readonly status = 404;
  constructor(repo: RepoRef, sha: string) {
    super(`No commit found for SHA: ${sha} in ${formatRepoRef(repo)}`);
  }
}

export function createGitHubFileSource(
  octokit: AppOctokit,
  repo: RepoRef,
  sha: string,
  cache: SourceCache = createSourceCache(),
): FileSource {
  // Reads not yet answered and made in the same tick (e.g. both config locations) share one query.
  let batch: { paths: string[]; done: Promise<void> } | undefined;
  const lookup = (path: string): Promise<FileEntry | undefined> => {
    const key = `${sha}:${path}`;
    const known = cache.entries.get(key);
    if (known) return known;
    if (!batch) {
      const paths: string[] = [];
      const done = new Promise((resolve) => setImmediate(resolve)).then(() => {
        batch = undefined;
        return prefetchFiles(octokit, repo, cache, [{ sha, paths }]);
      });
      batch = { paths, done };
    }
    batch.paths.push(path);
    return batch.done.then(() => cache.entries.get(key));
  };
  const readBlob = (blobSha: string) => {
    let blob = cache.blobs.get(blobSha);
    if (!blob) {
      blob = octokit.rest.git
        .getBlob({ ...repo, file_sha: blobSha })
        .then(({ data }) => new Uint8Array(Buffer.from(data.content, 'base64')));
      cache.blobs.set(blobSha, blob);
      blob.catch(() => cache.blobs.delete(blobSha));
    }
    return blob;
  };
  return {
    description: `github:${formatRepoRef(repo)}@${sha.slice(0, 7)}`,
    async read(path) {
      const key = normalizePath(path);
      if (key === undefined) return undefined;
      const entry = await lookup(key);
      if (!entry) return undefined;
      return entry.bytes ?? readBlob(entry.oid);
    },
  };
}

/** `./a/b.yaml` → `a/b.yaml`; anything leaving the root is refused (defence in depth: the loader checks too). */
export function normalizePath(path: string): string | undefined {
  if (path.startsWith('/') || path.includes('\\')) return undefined;
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    parts.push(part);
  }
  return parts.length > 0 ? parts.join('/') : undefined;
}

/** Every shape of GraphQL document this module sends (the contract test validates them against GitHub's schema). */
export const graphqlDocuments: readonly string[] = [
  buildFilesQuery([{ paths: ['a.yaml'] }]),
  buildFilesQuery([{ paths: ['a.yaml', 'b/c.yaml'] }, { paths: ['d.json'] }]),
];
