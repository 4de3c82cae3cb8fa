/**
 * A check job's deadline. The worker Lambda is killed silently at its timeout (300 s), leaving the PR with a
 * check run "in progress" forever; so a check gets a deadline well below it, and past it the job stops: its
 * oasdiff process is killed, every later write of the abandoned work is refused (it can never overwrite the
 * verdict), and the check run fails saying which step took too long.
 *
 * What ran at the deadline is read off the ports the job was using: a deadline cannot interrupt synchronous
 * work (validation, lint, rendering), so when no I/O is in flight, that work is the step that took the time
 * (the timer fires as soon as it yields).
 * @module
 */
import type { BreakingDiff } from '../ports/breaking-diff.js';
import type { CodeHost } from '../ports/code-host.js';
import type { DeployRepo } from '../ports/deploy-repo.js';
import type { FileSource } from '../ports/file-source.js';

/** Default deadline of a check job: leaves a minute of the Lambda's 300 s to report it. */
export const defaultCheckDeadlineMs = 240_000;

/** A write of a job whose deadline has passed: refused, the deadline's own report stands. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

/** The ports of one check job, watched: what is in flight, and fenced once the deadline passes. */
export interface WatchedPorts {
  codeHost: CodeHost;
  breakingDiff: BreakingDiff;
  deployRepo?: () => Promise<DeployRepo>;
  /** The check run the job created, if it got that far. */
  checkRunId(): number | undefined;
  /** The step the job was in, in words ("… took too long" follows). */
  step(): string;
}

export function watchPorts(
  ports: { codeHost: CodeHost; breakingDiff: BreakingDiff; deployRepo?: () => Promise<DeployRepo> },
  signal: AbortSignal,
): WatchedPorts {
  const host = ports.codeHost;
  let checkRunId: number | undefined;
  let reads = 0;
  let diffs = 0;
  let previewStarted = false;
  let reporting = false;

  const tracked = async <T>(count: (delta: number) => void, work: () => Promise<T>): Promise<T> => {
    count(1);
    try {
      return await work();
    } finally {
      count(-1);
    }
  };
  const countReads = (delta: number) => {
    reads += delta;
  };
  const fenced = <T>(write: () => Promise<T>): Promise<T> => {
    reporting = true;
    if (signal.aborted) return Promise.reject(new DeadlineExceededError('the job is past its deadline'));
    return write();
  };
  const files = (sha: string): FileSource => {
    const source = host.files(sha);
    const extended = source.extendedRepos;
    return {
      description: source.description,
      read: (path) => tracked(countReads, () => source.read(path)),
      // The config's `_extends` reads (org defaults) are reads of the job too.
      ...(extended
        ? {
            extendedRepos: {
              ...extended,
              read: (repo, path) => tracked(countReads, () => extended.read(repo, path)),
            },
          }
        : {}),
    };
  };

  const codeHost: CodeHost = {
    description: host.description,
    getPullRequest: (number, read) => tracked(countReads, () => host.getPullRequest(number, read)),
    findMergedPullRequest: (sha) => tracked(countReads, () => host.findMergedPullRequest(sha)),
    readDefaultBranch: (read) => tracked(countReads, () => host.readDefaultBranch(read)),
    files,
    prefetch: (reads) => tracked(countReads, () => host.prefetch(reads)),
    createComment: (pullNumber, body) => fenced(() => host.createComment(pullNumber, body)),
    updateComment: (commentId, body) => fenced(() => host.updateComment(commentId, body)),
    createCheckRun: (input, result) =>
      fenced(async () => {
        checkRunId = await host.createCheckRun(input, result);
        return checkRunId;
      }),
    completeCheckRun: (id, result) => fenced(() => host.completeCheckRun(id, result)),
    permissionOf: (login) => tracked(countReads, () => host.permissionOf(login)),
    addLabel: (pullNumber, label) => fenced(() => host.addLabel(pullNumber, label)),
  };
  const breakingDiff: BreakingDiff = {
    breaking: (base, head) =>
      tracked(
        (delta) => {
          diffs += delta;
        },
        () => ports.breakingDiff.breaking(base, head, { signal }),
      ),
  };
  const deployRepo = ports.deployRepo;

  return {
    codeHost,
    breakingDiff,
    ...(deployRepo
      ? {
          deployRepo: () => {
            previewStarted = true;
            return deployRepo();
          },
        }
      : {}),
    checkRunId: () => checkRunId,
    step() {
      if (diffs > 0) return 'the breaking-change check (oasdiff)';
      if (reporting) return 'reporting the result to GitHub';
      if (previewStarted) return 'the deploy preview (the tenancy check and the render of the merge)';
      if (reads > 0) return "reading the pull request's files from GitHub";
      return 'loading, validating and linting the specs';
    },
  };
}
