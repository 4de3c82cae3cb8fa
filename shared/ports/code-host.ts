/**
 * Port: the code host of one repository (GitHub, through an installation) in domain terms — pull requests,
 * the files at a commit, the sticky comment and the check run. The adapter owns the host's limits (pagination,
 * 50 annotations per request); the use case owns the decisions.
 * @module
 */
import type { CheckRunResult } from '../core/report/check-run.js';
import type { CommitOrder } from './deploy-repo.js';
import type { FileSource } from './file-source.js';

// The check run's result is the core's (it builds it); re-exported as the words of this port.
export type {
  Annotation,
  AnnotationLevel,
  CheckConclusion,
  CheckRunResult,
} from '../core/report/check-run.js';

export interface PullRequestState {
  number: number;
  state: 'open' | 'closed';
  headSha: string;
  baseSha: string;
  /** The branch the PR merges into, e.g. `main`. */
  baseRef: string;
  /** The repository's default branch: the one branch protection guards, whose gates every check obeys. */
  defaultBranch: string;
  /** Label names. */
  labels: string[];
  /** The repository's web address, for links to files (e.g. `https://github.com/acme/pets`). */
  repoUrl: string;
  /** The commit the default branch points at now (read with the PR): where the gates come from. */
  defaultBranchHead: string;
  /** The sticky comment (our own comment starting with the marker), when asked for and there is one. */
  comment?: HostComment;
}

/** What else to read with a pull request, in the same request when the host allows. */
export interface PullRequestRead {
  /**
   * Files (paths from the repo root) to read at `head`, at the PR's base branch and at the default branch's
   * head; `files(sha)` then answers them without asking the host again.
   */
  files?: { head: string; paths: readonly string[] };
  /** Find the sticky comment: our own comment whose body starts with `marker` (the oldest, if several). */
  marker?: string;
}

export interface CheckRunInput {
  name: string;
  headSha: string;
  externalId?: string;
}

export interface HostComment {
  id: number;
  body: string;
}

export interface CodeHost {
  /** Shown in logs, e.g. `acme/pets`. */
  readonly description: string;
  getPullRequest(number: number, read?: PullRequestRead): Promise<PullRequestState>;
  /** The repo's files at a commit. */
  files(sha: string): FileSource;
  /**
   * Reads these files ahead, in as few requests as the host allows, so that `files(sha).read` of them answers
   * from memory. Only a hint: any other path can still be read.
   */
  prefetch(reads: readonly { sha: string; paths: readonly string[] }[]): Promise<void>;
  /**
   * The default branch now (its name and head commit), read with what a deploy asks next in the same request
   * when the host allows: the PR merged as each of `commits` and as the head (`findMergedPullRequest` then
   * answers them from memory), `paths` at each of `commits` (as `prefetch`), and how the head stands against
   * `compareWith` (the commit last deployed): `order`, as `SourceHistory.compare(compareWith, sha)` answers it,
   * absent when the host could not tell in the same request.
   */
  readDefaultBranch(read?: {
    commits?: readonly string[];
    paths?: readonly string[];
    compareWith?: string;
  }): Promise<{ branch: string; sha: string; order?: CommitOrder }>;
  /**
   * The pull request merged into the default branch as commit `sha` (its merge, squash or rebase commit), as
   * the host records it; undefined for a direct push, whatever its commit message says.
   */
  findMergedPullRequest(sha: string): Promise<number | undefined>;
  createComment(pullNumber: number, body: string): Promise<HostComment>;
  updateComment(commentId: number, body: string): Promise<void>;
  /** A check run on `headSha` created with its final result (one request up to 50 annotations); its id. */
  createCheckRun(input: CheckRunInput, result: CheckRunResult): Promise<number>;
  /** Completes a check run created earlier (e.g. in progress) with its result. */
  completeCheckRun(checkRunId: number, result: CheckRunResult): Promise<void>;
  /** A person's access to the repo as the host words it (GitHub: `admin`, `write`, `read` or `none`). */
  permissionOf(login: string): Promise<string>;
  /** Adds a label to the pull request (created on first use); nothing when it is there already. */
  addLabel(pullNumber: number, label: string): Promise<void>;
}
