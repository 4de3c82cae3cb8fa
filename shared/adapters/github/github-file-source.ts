/**
 * Adapter: a FileSource over one commit of a GitHub repo, with as few calls as possible — ONE recursive tree
 * listing per commit, then one blob read per file actually asked for. A path that is not a file in the tree
 * answers `undefined` without a call. Blobs are cached by their SHA, so a file that did not change between the
 * base and the head of a PR is read once.
 * @module
 */
import { toUpstreamError } from '../../core/errors.js';
import { formatRepoRef, type RepoRef } from '../../core/repo-ref.js';
import type { FileSource } from '../../ports/file-source.js';
import type { AppOctokit } from './create-octokit.js';

/** Blob contents by blob SHA, shared by the sources of one job. */
export type BlobCache = Map<string, Promise<Uint8Array>>;

interface TreeListing {
  /** path → blob SHA, regular files only (no symlinks, no submodules). */
  files: Map<string, string>;
  /** GitHub cut the listing short (over 100,000 entries or 7 MB): unknown paths are asked for one by one. */
  truncated: boolean;
}

export function createGitHubFileSource(
  octokit: AppOctokit,
  repo: RepoRef,
  sha: string,
  blobs: BlobCache = new Map(),
): FileSource {
  let tree: Promise<TreeListing> | undefined;
  const listTree = () => {
    tree ??= octokit.rest.git.getTree({ ...repo, tree_sha: sha, recursive: '1' }).then(({ data }) => ({
      files: new Map(
        data.tree
          // 100644/100755 are files; 120000 is a symlink, which could point outside the repo: never followed.
          .filter((e) => e.type === 'blob' && e.path && e.sha && e.mode !== '120000')
          .map((e) => [e.path as string, e.sha as string]),
      ),
      truncated: data.truncated,
    }));
    // A failed listing is not cached: the next read tries again.
    tree.catch(() => {
      tree = undefined;
    });
    return tree;
  };
  const readBlob = (blobSha: string) => {
    let blob = blobs.get(blobSha);
    if (!blob) {
      blob = octokit.rest.git
        .getBlob({ ...repo, file_sha: blobSha })
        .then(({ data }) => new Uint8Array(Buffer.from(data.content, 'base64')));
      blobs.set(blobSha, blob);
      blob.catch(() => blobs.delete(blobSha));
    }
    return blob;
  };
  return {
    description: `github:${formatRepoRef(repo)}@${sha.slice(0, 7)}`,
    async read(path) {
      const key = normalize(path);
      if (key === undefined) return undefined;
      const listing = await listTree();
      const blobSha = listing.files.get(key);
      if (blobSha) return readBlob(blobSha);
      return listing.truncated ? readContent(octokit, repo, sha, key) : undefined;
    },
  };
}

/** Only for truncated trees: the contents API, which answers 404 for a missing file. */
async function readContent(
  octokit: AppOctokit,
  repo: RepoRef,
  sha: string,
  path: string,
): Promise<Uint8Array | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path, ref: sha });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
    return new Uint8Array(Buffer.from(data.content, 'base64'));
  } catch (error) {
    if (toUpstreamError(error)?.status === 404) return undefined;
    throw error;
  }
}

/** `./a/b.yaml` → `a/b.yaml`; anything leaving the root is refused (defence in depth: the loader checks too). */
function normalize(path: string): string | undefined {
  if (path.startsWith('/') || path.includes('\\')) return undefined;
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    parts.push(part);
  }
  return parts.length > 0 ? parts.join('/') : undefined;
}
