/**
 * Adapter: a source repo's tags over GitHub's git refs (`git/get-ref`), through the job's installation token
 * (contents: read). An annotated tag's ref names a tag object, read (`git/get-tag`) down to its commit.
 * @module
 */
import type { Octokit } from '@octokit/rest';
import { toUpstreamError } from '../../core/errors.js';
import type { RepoRef } from '../../core/repo-ref.js';
import type { ReleaseTags } from '../../ports/release-tags.js';

/** A tag of a tag of … : git allows chains; a longer one than this is not a release tag. */
const maxTagDepth = 4;

export function createGitHubReleaseTags(octokit: Octokit, repo: RepoRef): ReleaseTags {
  return {
    async commitOfTag(tag) {
      let object: { type: string; sha: string };
      try {
        object = (await octokit.rest.git.getRef({ ...repo, ref: `tags/${tag}` })).data.object;
      } catch (error) {
        if (toUpstreamError(error)?.status === 404) return undefined;
        throw error;
      }
      for (let depth = 0; object.type === 'tag' && depth < maxTagDepth; depth += 1)
        object = (await octokit.rest.git.getTag({ ...repo, tag_sha: object.sha })).data.object;
      return object.type === 'commit' ? object.sha : undefined;
    },
  };
}
