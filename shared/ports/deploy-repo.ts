/**
 * Ports of the deploy: the platform team's deploy repo (read its tree at the branch head, read files, commit a
 * plan as one compare-and-swap commit) and the source repo's history (which of two commits is newer).
 * @module
 */
import type { DeployJob, Job } from '../core/jobs.js';
import type { RepoRef } from '../core/repo-ref.js';

/**
 * How a deploy lands: `commit` straight to the deploy branch, or `pull-request`: a branch per source repo and a
 * PR there, for a platform team that reviews every change.
 */
export type DeployMode = 'commit' | 'pull-request';

/** Read-only for a check's preview, writable for a deploy: the token of each can do only that. */
export type DeployRepoAccess = 'read' | 'write';

/** A file of the deploy repo at the head commit, with its git blob id. */
export interface DeployTreeFile {
  path: string;
  sha: string;
}

export interface DeploySnapshot {
  /** The deploy branch's head commit: the parent of the next deploy commit and the CAS's expected value. */
  headSha: string;
  /** Its root tree (the base tree of the next commit). */
  treeSha: string;
  /** Every file of the repo at that commit. */
  files: DeployTreeFile[];
}

export interface DeployCommitRequest {
  /** The source repo (names the branch in pull-request mode). */
  sourceRepo: RepoRef;
  /** The snapshot the plan was made against. */
  parent: { sha: string; treeSha: string };
  message: string;
  /** Deploy-repo paths; null deletes. */
  changes: { path: string; content: string | null }[];
  /** Pull-request mode: title and body of the deploy PR. */
  pullRequest?: { title: string; body: string };
}

export type DeployCommitResult =
  | { status: 'committed'; sha: string; url: string; pullRequestUrl?: string }
  /** The branch moved since the snapshot (not a fast-forward): re-read, re-plan, retry. */
  | { status: 'conflict' };

export interface DeployRepo {
  /** `owner/repo@branch`, for logs and messages. */
  readonly description: string;
  /** Web address of the repo, for links. */
  readonly url: string;
  /**
   * The branch head's snapshot; or, given `commit`, that commit's (a drift report judges a push's two ends).
   * `textsOf`: a folder whose files' texts the caller reads next (a preview's diffs), read with it when the
   * host can, so that `readText` of them answers from memory.
   */
  readSnapshot(commit?: string, read?: { textsOf?: string }): Promise<DeploySnapshot>;
  /** A file's text by blob id (immutable, so cached). */
  readText(blobSha: string): Promise<string>;
  /** One commit with exactly `changes` on top of `parent`, then a compare-and-swap move of the branch. */
  commit(request: DeployCommitRequest): Promise<DeployCommitResult>;
  /** API calls made so far (each logical call once, whatever the transport retried). */
  readonly calls: number;
}

/**
 * Where `head` stands relative to `base` in the source repo's history: `ahead` (head is a descendant of base),
 * `behind` (an ancestor), `identical`, `diverged` (neither), or `unknown` (one of them is not a commit of the
 * repo any more, e.g. force-pushed away and collected).
 */
export type CommitOrder = 'ahead' | 'behind' | 'identical' | 'diverged' | 'unknown';

/** The default branch's head is the code host's (`CodeHost.readDefaultBranch`), read with the deploy's files. */
export interface SourceHistory {
  compare(base: string, head: string): Promise<CommitOrder>;
}

/** Where merges deploy to: the platform team's deploy repo, and the history of each source repo. */
export interface DeployTarget {
  /** `owner/repo` of the deploy repo, for messages. */
  readonly description: string;
  /** How deploys land (default `commit`); in pull-request mode a batch lands as one commit and PR per source repo. */
  readonly mode?: DeployMode;
  /**
   * The deploy repo client for reading (a check's preview) or writing (a deploy); an implementation may build
   * each once, so its blob cache and default branch outlive a job. `asker`: the job that asks, whose own
   * installation of the App also covers a deploy repo of its account (GitHub: no lookup needed then).
   */
  repo(access: DeployRepoAccess, asker?: Pick<Job, 'installationId' | 'repository'>): Promise<DeployRepo>;
  /** The source repo's history, to never deploy an older commit over a newer one. */
  history(job: DeployJob): SourceHistory;
}
