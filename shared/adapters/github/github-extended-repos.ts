/**
 * Adapter: ExtendedRepos over GitHub — the other repos of a job's owner at their default branches, for the repo
 * config's `_extends` (org defaults, core/config/extends.ts). Same installation as the job (an installation is
 * per owner), a token that can only read that one repo. One GraphQL query reads the default branch's entry of
 * the file and of each folder on its way, so a symbolic link anywhere on the path is seen as one (mode 120000)
 * rather than followed. Each answer is asked once per job: the head, base and default-branch configs of a check
 * share it.
 * @module
 */
import type { ExtendedRead, ExtendedRepos } from '../../core/config/extends.js';
import { toUpstreamError } from '../../core/errors.js';
import type { Job } from '../../core/jobs.js';
import type { CodeHost } from '../../ports/code-host.js';
import type { FileSource } from '../../ports/file-source.js';
import { withExtendedRepo } from '../with-extended-repo.js';
import type { AppOctokit, GitHubClients } from './create-octokit.js';
import { buildExtendedRepoScope } from './job-scopes.js';

export function createGitHubExtendedRepos(
  clients: GitHubClients,
  job: Pick<Job, 'installationId' | 'repository'>,
): ExtendedRepos {
  const { owner } = job.repository;
  const answers = new Map<string, Promise<ExtendedRead>>();
  return {
    self: { owner, repo: job.repository.repo },
    read(repo, path) {
      const key = `${repo}\0${path}`;
      let answer = answers.get(key);
      if (!answer) {
        const octokit = clients.forInstallation(job.installationId, buildExtendedRepoScope(repo));
        answer = readDefaultBranchFile(octokit, { owner, repo }, path);
        answers.set(key, answer);
        answer.catch(() => answers.delete(key)); // a failure that may pass is not remembered
      }
      return answer;
    },
  };
}

/** git's mode of a symbolic link (GitHub's GraphQL answers modes as decimal numbers). */
const SYMLINK_MODE = 0o120000;

/** The default branch's entries at `count` paths (`$p0`…: each folder on the way, then the file). */
export function buildExtendedFileQuery(count: number): string {
  const indexes = Array.from({ length: count }, (_, index) => index);
  const variables = indexes.map((index) => `$p${index}: String!`).join(', ');
  const entries = indexes
    .map(
      (index) =>
        `e${index}: file(path: $p${index}) { type mode oid object { ... on Blob { text byteSize isBinary isTruncated } } }`,
    )
    .join('\n          ');
  return `query ExtendedFile($owner: String!, $name: String!, ${variables}) {
    repository(owner: $owner, name: $name) {
      defaultBranchRef {
        target {
          ... on Commit {
          ${entries}
          }
        }
      }
    }
  }`;
}

/** Every GraphQL document shape this adapter sends (validated against GitHub's schema by the contract test). */
export const graphqlDocuments: readonly string[] = [buildExtendedFileQuery(1), buildExtendedFileQuery(2)];

interface ExtendedEntry {
  type: string;
  mode: number;
  oid: string;
  object?: {
    text?: string | null;
    byteSize?: number;
    isBinary?: boolean | null;
    isTruncated?: boolean;
  } | null;
}

async function readDefaultBranchFile(
  octokit: AppOctokit,
  repo: { owner: string; repo: string },
  path: string,
): Promise<ExtendedRead> {
  const parts = path.split('/');
  const prefixes = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
  try {
    const answer = await octokit.graphql<{
      repository: { defaultBranchRef: { target: Record<string, ExtendedEntry | null> } | null } | null;
    }>(buildExtendedFileQuery(prefixes.length), {
      owner: repo.owner,
      name: repo.repo,
      ...Object.fromEntries(prefixes.map((prefix, index) => [`p${index}`, prefix])),
    });
    const target = answer.repository?.defaultBranchRef?.target;
    if (!target) return { found: 'none' };
    for (const [index] of prefixes.entries()) {
      const entry = target[`e${index}`];
      if (!entry) return { found: 'none' };
      if (entry.mode === SYMLINK_MODE) return { found: 'symlink' };
      const last = index === prefixes.length - 1;
      if (!last && entry.type !== 'tree') return { found: 'none' };
      if (last && entry.type !== 'blob') return { found: 'none' };
    }
    const file = target[`e${prefixes.length - 1}`]!;
    const blob = file.object;
    const bytes = typeof blob?.text === 'string' ? new TextEncoder().encode(blob.text) : undefined;
    if (bytes && !blob?.isBinary && !blob?.isTruncated && bytes.length === blob?.byteSize)
      return { found: 'file', bytes };
    // Binary, cut short, or text that is not its exact bytes (not UTF-8): the bytes by blob id.
    const { data } = await octokit.rest.git.getBlob({ ...repo, file_sha: file.oid });
    return { found: 'file', bytes: new Uint8Array(Buffer.from(data.content, 'base64')) };
  } catch (error) {
    // No such repo, or not one the installation (hence the token) can read: said on the `_extends` line.
    const upstream = toUpstreamError(error);
    if (upstream && !upstream.retryable && [403, 404, 422].includes(upstream.status ?? 0)) {
      return { found: 'no-repo' };
    }
    throw error;
  }
}

/**
 * The job's code host whose file sources carry the other repos, so every reader of the repo config (check,
 * preview, deploy, the accept button) resolves its `_extends`. Built on the host and its sources as prototypes,
 * so whatever else they offer is kept; one wrapped source per commit (the spec loader caches by source).
 */
export function withExtendedRepos(host: CodeHost, repos: ExtendedRepos): CodeHost {
  const sources = new Map<string, FileSource>();
  const files = (sha: string): FileSource => {
    let source = sources.get(sha);
    if (!source) {
      source = withExtendedRepo(host.files(sha), repos);
      sources.set(sha, source);
    }
    return source;
  };
  return Object.assign(Object.create(host) as CodeHost, { files });
}
