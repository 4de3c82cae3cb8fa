/**
 * Port: the code host of one repository (GitHub, through an installation) in domain terms — pull requests,
 * the files at a commit, the sticky comment and the check run. The adapter owns the host's limits (pagination,
 * 50 annotations per request); the use case owns the decisions.
 * @module
 */
import type { CheckRunResult } from '../core/report/check-run.js';
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
}

export interface HostComment {
  id: number;
  body: string;
}

export interface CodeHost {
  /** Shown in logs, e.g. `acme/pets`. */
  readonly description: string;
  getPullRequest(number: number): Promise<PullRequestState>;
  /** The commit a branch points at now. */
  branchHead(branch: string): Promise<string>;
  /** The repo's files at a commit. */
  files(sha: string): FileSource;
  /**
   * The pull request merged into the default branch as commit `sha` (its merge, squash or rebase commit), as
   * the host records it; undefined for a direct push, whatever its commit message says.
   */
  findMergedPullRequest(sha: string): Promise<number | undefined>;
  /** The PR's comment whose body starts with `marker` (the oldest, if several). */
  findComment(pullNumber: number, marker: string): Promise<HostComment | undefined>;
  createComment(pullNumber: number, body: string): Promise<HostComment>;
  updateComment(commentId: number, body: string): Promise<void>;
  /** A check run on `headSha`, `in_progress`; returns its id. */
  startCheckRun(input: { name: string; headSha: string; externalId?: string }): Promise<number>;
  /** A person's access to the repo as the host words it (GitHub: `admin`, `write`, `read` or `none`). */
  permissionOf(login: string): Promise<string>;
  /** Adds a label to the pull request (created on first use); nothing when it is there already. */
  addLabel(pullNumber: number, label: string): Promise<void>;
  completeCheckRun(checkRunId: number, result: CheckRunResult): Promise<void>;
}
