/**
 * Adapter: the deploy repo over GitHub's GraphQL API, in as few requests as GitHub allows.
 * - Snapshot: ONE query (`deploySnapshotQuery`) answers the branch head, its root tree and every file path and
 *   blob id down to the manifests (`apis/<owner>/<repo>/<api>/<file>`), with the texts the plan reads inline:
 *   the root files (`tenants.yaml` and its neighbours) and each tenant's `.source.yaml`; for a PR's preview, the
 *   first time this client reads that repo's folder, every text of it (the diffs read some). A tree deeper than
 *   the query reaches (files a platform team keeps elsewhere) falls back to one recursive REST tree read.
 * - Texts: every other text by blob id, the reads of one turn batched into one query (`deployTextsQuery`), cached
 *   by id (a text GitHub's GraphQL truncates is read whole from the REST blob); the texts a deploy commits are
 *   cached too, so the next deploy of a warm container reads none.
 * - Commit: ONE `createCommitOnBranch` mutation (`deployCommitMutation`) with the files inline (base64) on top
 *   of `expectedHeadOid`: GitHub's compare-and-swap — it answers `STALE_DATA` when the branch moved.
 * Pull-request mode commits the same way onto a branch per source repo, first force-moved to the deploy
 * branch's head (so it is recomputed each time), and opens or updates a PR.
 * Also the source repo's history: `compare`, for "never an older commit over a newer one" (the default branch's
 * head, and how it stands against the commit deployed last, come with the deploy's first source query:
 * `CodeHost.readDefaultBranch`; this REST compare answers the other pairs).
 * @module
 */
import { createHash } from 'node:crypto';
import type { Octokit } from '@octokit/rest';
import { buildRepoBranch, deployPullBranchPrefix } from '../core/deploy/deploy-paths.js';
import { graphqlErrorTypes, toUpstreamError, UpstreamError } from '../core/errors.js';
import { formatRepoRef, type RepoRef } from '../core/repo-ref.js';
import type {
  CommitOrder,
  DeployMode,
  DeployRepo,
  DeploySnapshot,
  SourceHistory,
} from '../ports/deploy-repo.js';
import { webUrlOf } from './github/web-url.js';

export interface GitHubDeployRepoOptions {
  /** Branch that the cluster agent syncs; default the repo's default branch (read with each snapshot). */
  branch?: string;
  /** `commit` (default): straight to the branch. `pull-request`: a PR per source repo for review. */
  mode?: DeployMode;
  /** Prefix of the PR branches in pull-request mode; default `kuma-api-forge/`. */
  branchPrefix?: string;
}

/**
 * The fragments `DeployLevel1`…`DeployLevel<depth>`: GraphQL has no recursion, so each tree level is spelled
 * out, each nesting the next; blobs at the `withTexts` levels carry their text.
 */
function deployTreeLevels(depth: number, withTexts: readonly number[]): string {
  const levels = Array.from({ length: depth }, (_, index) => index + 1);
  return levels
    .map((level) => {
      const text = withTexts.includes(level) ? ' ... on Blob { text isTruncated }' : '';
      const deeper = level < depth ? ` ... on Tree { entries { ...DeployLevel${level + 1} } }` : '';
      const object = text || deeper ? ` object {${text}${deeper} }` : '';
      return `  fragment DeployLevel${level} on TreeEntry { path oid type${object} }`;
    })
    .join('\n');
}

/**
 * The branch head and its files, six levels deep, with the texts of root files (level 1) and of each folder's
 * `.source.yaml` (level 4: `apis/<owner>/<repo>/.source.yaml`). `$named` picks `ref($branch)` or the default
 * branch. A tree still listed at level 6 means the repo is deeper than this query reads. With `$withFolder`,
 * also the texts of every file of the folder `$folder` (a source repo's `apis/<owner>/<repo>`: its manifests,
 * two levels), which a PR's preview diffs against.
 */
export const deploySnapshotQuery = /* GraphQL */ `
  query DeploySnapshot(
    $owner: String!
    $name: String!
    $branch: String!
    $named: Boolean!
    $folder: String!
    $withFolder: Boolean!
  ) {
    repository(owner: $owner, name: $name) {
      ref(qualifiedName: $branch) @include(if: $named) {
        name
        target {
          ...DeploySnapshotCommit
        }
      }
      defaultBranchRef @skip(if: $named) {
        name
        target {
          ...DeploySnapshotCommit
        }
      }
    }
  }
  fragment DeploySnapshotCommit on Commit {
    oid
    tree {
      oid
      entries {
        ...DeployLevel1
      }
    }
    folder: file(path: $folder) @include(if: $withFolder) {
      object {
        ... on Tree {
          entries {
            ...DeployFolderFile
            object {
              ... on Tree {
                entries {
                  ...DeployFolderFile
                }
              }
            }
          }
        }
      }
    }
  }
  fragment DeployFolderFile on TreeEntry {
    oid
    object {
      ... on Blob {
        text
        isTruncated
      }
    }
  }
${deployTreeLevels(6, [1, 4])}
`;

/** The selection of one blob's text; `deployTextsQuery` repeats it under an alias per blob. */
export const deployBlobTextSelection = /* GraphQL */ `object(oid: $oid) { ... on Blob { oid text isTruncated } }`;

/** Texts of `count` blobs by oid (`$o0`…), in one request. */
export function deployTextsQuery(count: number): string {
  const indexes = Array.from({ length: count }, (_, index) => index);
  const variables = indexes.map((index) => `$o${index}: GitObjectID!`).join(', ');
  const fields = indexes
    .map((index) => `b${index}: ${deployBlobTextSelection.replace('$oid', `$o${index}`)}`)
    .join('\n      ');
  return `query DeployTexts($owner: String!, $name: String!, ${variables}) {
    repository(owner: $owner, name: $name) {
      ${fields}
    }
  }`;
}

/** One commit on top of `expectedHeadOid`, or `STALE_DATA` when the branch moved. */
export const deployCommitMutation = /* GraphQL */ `
  mutation DeployCommit($input: CreateCommitOnBranchInput!) {
    createCommitOnBranch(input: $input) {
      commit {
        oid
        url
      }
    }
  }
`;

/** Every GraphQL document shape this adapter sends (the contract test validates each against GitHub's schema). */
export const graphqlDocuments: readonly string[] = [
  deploySnapshotQuery,
  deployTextsQuery(1),
  deployTextsQuery(3),
  deployCommitMutation,
];

interface Entry {
  path: string;
  oid: string;
  type: string;
  object?: { text?: string | null; isTruncated?: boolean; entries?: Entry[] } | null;
}

interface SnapshotAnswer {
  repository: {
    ref?: {
      name: string;
      target: {
        oid: string;
        tree: { oid: string; entries: Entry[] };
        folder?: Omit<Entry, 'path' | 'type'> | null;
      };
    } | null;
    defaultBranchRef?: SnapshotAnswer['repository']['ref'];
  };
}

/** Blobs per texts request: GitHub's documented query limits leave ample room at this size. */
const textsPerQuery = 100;

export function createGitHubDeployRepo(
  octokit: Octokit,
  repo: RepoRef,
  options: GitHubDeployRepoOptions = {},
): DeployRepo {
  let calls = 0;
  let branch = options.branch;
  const name = formatRepoRef(repo);
  const texts = new Map<string, string>();
  let pending:
    | Map<string, { resolve: (text: string) => void; reject: (error: unknown) => void }[]>
    | undefined;
  const call = <T>(request: () => Promise<T>): Promise<T> => {
    calls += 1;
    return request();
  };
  // On the host the client talks to (github.com or a GitHub Enterprise server), not always github.com.
  const url = `${webUrlOf(octokit.request.endpoint.DEFAULTS.baseUrl)}/${name}`;

  /** The whole tree at a commit in one recursive REST call. */
  const readTreeAt = async (headSha: string): Promise<DeploySnapshot> => {
    const tree = await call(() =>
      octokit.rest.git.getTree({ ...repo, tree_sha: headSha, recursive: 'true' }),
    );
    if (tree.data.truncated) {
      throw new Error(`${name}: the tree at ${headSha} is too large to read in one call`);
    }
    const files = tree.data.tree
      .filter((entry) => entry.type === 'blob' && entry.path && entry.sha)
      .map((entry) => ({ path: entry.path!, sha: entry.sha! }));
    return { headSha, treeSha: tree.data.sha, files };
  };
  // Folders whose texts a snapshot of this client read already: later reads of them are of changed files only.
  const foldersRead = new Set<string>();
  const readSnapshot = async (commit?: string, read?: { textsOf?: string }): Promise<DeploySnapshot> => {
    // At a given commit (a drift report's push): its tree, no ref to read.
    if (commit !== undefined) return readTreeAt(commit);
    const folder = read?.textsOf?.replace(/\/+$/, '');
    const withFolder = folder !== undefined && !foldersRead.has(folder);
    const answer = await call(() =>
      octokit.graphql<SnapshotAnswer>(deploySnapshotQuery, {
        owner: repo.owner,
        name: repo.repo,
        branch: branch ? `refs/heads/${branch}` : '',
        named: branch !== undefined,
        folder: withFolder ? folder : '',
        withFolder,
      }),
    );
    const ref = answer.repository.ref ?? answer.repository.defaultBranchRef;
    if (!ref) {
      throw new UpstreamError(`${name} has no branch ${branch ?? '(empty repository)'}`, {
        service: 'GitHub',
        status: 404,
        retryable: false,
      });
    }
    branch ??= ref.name;
    const headSha = ref.target.oid;
    const treeSha = ref.target.tree.oid;
    const files: DeploySnapshot['files'] = [];
    let deeper = false;
    const walk = (entries: Entry[]) => {
      for (const entry of entries) {
        if (entry.type === 'blob') {
          files.push({ path: entry.path, sha: entry.oid });
          // A text GitHub cut short is read whole by oid when it is needed.
          const text = entry.object?.isTruncated ? undefined : entry.object?.text;
          if (typeof text === 'string') texts.set(entry.oid, text);
        } else if (entry.type === 'tree') {
          if (entry.object?.entries) walk(entry.object.entries);
          else deeper = true;
        }
      }
    };
    walk(ref.target.tree.entries);
    if (withFolder) {
      foldersRead.add(folder);
      const keep = (entries: Omit<Entry, 'path' | 'type'>[] | undefined): void => {
        for (const entry of entries ?? []) {
          const text = entry.object?.isTruncated ? undefined : entry.object?.text;
          if (typeof text === 'string') texts.set(entry.oid, text);
          keep(entry.object?.entries);
        }
      };
      keep(ref.target.folder?.object?.entries);
    }
    if (!deeper) return { headSha, treeSha, files };
    // Deeper than the query reads: the whole tree in one recursive call instead.
    return readTreeAt(headSha);
  };

  /** The deploy branch: configured, or the default branch the first snapshot found. */
  const deployBranch = async (): Promise<string> => {
    if (branch === undefined) await readSnapshot();
    return branch!;
  };

  const readBlob = async (oid: string): Promise<string> => {
    const { data } = await call(() => octokit.rest.git.getBlob({ ...repo, file_sha: oid }));
    return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
  };

  /** Reads every blob asked for in this turn in one request (aliases `b0`…, at most `textsPerQuery` each). */
  const flush = async () => {
    const batch = pending!;
    pending = undefined;
    const oids = [...batch.keys()];
    for (let start = 0; start < oids.length; start += textsPerQuery) {
      const chunk = oids.slice(start, start + textsPerQuery);
      try {
        const variables = Object.fromEntries(chunk.map((oid, index) => [`o${index}`, oid]));
        const answer = await call(() =>
          octokit.graphql<{
            repository: Record<string, { text?: string | null; isTruncated?: boolean } | null>;
          }>(deployTextsQuery(chunk.length), { owner: repo.owner, name: repo.repo, ...variables }),
        );
        for (const [index, oid] of chunk.entries()) {
          const blob = answer.repository[`b${index}`];
          const waiting = batch.get(oid) ?? [];
          // A text GitHub's GraphQL cut short (or not a text): the REST blob has it whole.
          const text =
            typeof blob?.text === 'string' && !blob.isTruncated
              ? blob.text
              : await readBlob(oid).catch((error: unknown) => {
                  for (const { reject } of waiting) reject(error);
                  return undefined;
                });
          if (text === undefined) continue;
          texts.set(oid, text);
          for (const { resolve } of waiting) resolve(text);
        }
      } catch (error) {
        for (const oid of chunk) for (const { reject } of batch.get(oid) ?? []) reject(error);
      }
    }
  };

  const commitOn = async (
    branchName: string,
    request: Parameters<DeployRepo['commit']>[0],
  ): Promise<{ sha: string; url: string } | 'conflict'> => {
    const [headline = 'Deploy', ...rest] = request.message.split('\n');
    const body = rest.join('\n').replace(/^\n+/, '');
    const additions = request.changes.flatMap((change) =>
      change.content === null
        ? []
        : [{ path: change.path, contents: Buffer.from(change.content, 'utf8').toString('base64') }],
    );
    const deletions = request.changes.flatMap((change) =>
      change.content === null ? [{ path: change.path }] : [],
    );
    try {
      const answer = await call(() =>
        octokit.graphql<{ createCommitOnBranch: { commit: { oid: string; url: string } } }>(
          deployCommitMutation,
          {
            input: {
              branch: { repositoryNameWithOwner: name, branchName },
              expectedHeadOid: request.parent.sha,
              message: body ? { headline, body } : { headline },
              fileChanges: { additions, deletions },
            },
          },
        ),
      );
      // What this commit wrote is what the next snapshot lists: its texts need no read.
      for (const change of request.changes) {
        if (change.content !== null) texts.set(gitBlobSha(change.content), change.content);
      }
      const { oid, url: commitUrl } = answer.createCommitOnBranch.commit;
      return { sha: oid, url: commitUrl || `${url}/commit/${oid}` };
    } catch (error) {
      if (graphqlErrorTypes(error).includes('STALE_DATA')) return 'conflict';
      throw error;
    }
  };

  return {
    description: `${name}${options.branch ? `@${options.branch}` : ''}`,
    url,
    get calls() {
      return calls;
    },
    readSnapshot,
    readText(blobSha) {
      const cached = texts.get(blobSha);
      if (cached !== undefined) return Promise.resolve(cached);
      return new Promise<string>((resolve, reject) => {
        if (!pending) {
          pending = new Map();
          // Every read asked for in this turn (a `Promise.all` over files) goes in the same request.
          queueMicrotask(() => void flush());
        }
        const waiting = pending.get(blobSha) ?? [];
        waiting.push({ resolve, reject });
        pending.set(blobSha, waiting);
      });
    },
    async commit(request) {
      if (options.mode !== 'pull-request') {
        const result = await commitOn(await deployBranch(), request);
        return result === 'conflict' ? { status: 'conflict' } : { status: 'committed', ...result };
      }
      const head = `${options.branchPrefix ?? deployPullBranchPrefix}${buildRepoBranch(request.sourceRepo)}`;
      await moveBranch(head, request.parent.sha);
      const result = await commitOn(head, request);
      if (result === 'conflict') return { status: 'conflict' };
      const pullRequestUrl = await openPullRequest(
        head,
        request.pullRequest ?? {
          title: request.message.split('\n')[0] ?? 'Deploy',
          body: request.message,
        },
      );
      return { status: 'committed', ...result, pullRequestUrl };
    },
  };

  /** Points the PR branch at `sha` (the deploy branch's head), creating it if needed. */
  async function moveBranch(head: string, sha: string): Promise<void> {
    try {
      await call(() => octokit.rest.git.updateRef({ ...repo, ref: `heads/${head}`, sha, force: true }));
    } catch (error) {
      if (statusOf(error) !== 422 && statusOf(error) !== 404) throw error;
      await call(() => octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${head}`, sha }));
    }
  }

  async function openPullRequest(head: string, pr: { title: string; body: string }): Promise<string> {
    const base = await deployBranch();
    const open = await call(() =>
      octokit.rest.pulls.list({ ...repo, state: 'open', head: `${repo.owner}:${head}`, base, per_page: 1 }),
    );
    const existing = open.data[0];
    if (existing) {
      await call(() => octokit.rest.pulls.update({ ...repo, pull_number: existing.number, ...pr }));
      return existing.html_url;
    }
    const created = await call(() => octokit.rest.pulls.create({ ...repo, head, base, ...pr }));
    return created.data.html_url;
  }
}

export function createGitHubSourceHistory(octokit: Octokit, repo: RepoRef): SourceHistory {
  return {
    async compare(base, head): Promise<CommitOrder> {
      if (base === head) return 'identical';
      try {
        const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
          ...repo,
          basehead: `${base}...${head}`,
          per_page: 1,
        });
        return data.status;
      } catch (error) {
        // A commit that no longer exists (history rewritten and collected): no order can be known.
        if (statusOf(error) === 404) return 'unknown';
        throw error;
      }
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return toUpstreamError(error)?.status;
}

/** Git's blob id of a text: what the deploy repo's tree will list for it. */
function gitBlobSha(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
