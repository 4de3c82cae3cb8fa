/**
 * Port: the code host of one repository (GitHub, through an installation) in domain terms — pull requests,
 * the files at a commit, the sticky comment and the check run. The adapter owns the host's limits (pagination,
 * 50 annotations per request); the use case owns the decisions.
 * @module
 */
import type { FileSource } from './file-source.js';

export interface PullRequestState {
  number: number;
  state: 'open' | 'closed';
  headSha: string;
  baseSha: string;
  /** Label names. */
  labels: string[];
  /** The repository's web address, for links to files (e.g. `https://github.com/acme/pets`). */
  repoUrl: string;
}

export interface HostComment {
  id: number;
  body: string;
}

export type AnnotationLevel = 'failure' | 'warning' | 'notice';

/** A note on a line of a file at the check run's head commit. */
export interface Annotation {
  path: string;
  startLine: number;
  endLine: number;
  level: AnnotationLevel;
  message: string;
  title: string;
}

export type CheckConclusion = 'success' | 'failure' | 'neutral';

export interface CheckRunResult {
  conclusion: CheckConclusion;
  /** One line: the verdict's reason. */
  title: string;
  /** Markdown within the host's limit. */
  summary: string;
  text?: string;
  /** Any number: the adapter sends them in batches the host accepts. */
  annotations?: Annotation[];
}

export interface CodeHost {
  /** Shown in logs, e.g. `acme/pets`. */
  readonly description: string;
  getPullRequest(number: number): Promise<PullRequestState>;
  /** The repo's files at a commit. */
  files(sha: string): FileSource;
  /** The PR's comment whose body starts with `marker` (the oldest, if several). */
  findComment(pullNumber: number, marker: string): Promise<HostComment | undefined>;
  createComment(pullNumber: number, body: string): Promise<HostComment>;
  updateComment(commentId: number, body: string): Promise<void>;
  deleteComment(commentId: number): Promise<void>;
  /** A check run on `headSha`, `in_progress`; returns its id. */
  startCheckRun(input: { name: string; headSha: string; externalId?: string }): Promise<number>;
  completeCheckRun(checkRunId: number, result: CheckRunResult): Promise<void>;
}
