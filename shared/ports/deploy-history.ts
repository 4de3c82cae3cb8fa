/**
 * Port: the history of an environment's deploy branch as its host records it — which commit last changed a
 * file, who GitHub says made it and whether GitHub signed it, and the statuses and check runs on a commit — for
 * promotion after a time (core/deploy/time-promotion.ts).
 * @module
 */
import type { CommitSignal, DeployCommitFacts } from '../core/deploy/time-promotion.js';

export interface DeployHistory {
  /** The newest commit that changed `path` among `head` and its ancestors; undefined when none did. */
  lastChange(head: string, path: string): Promise<DeployCommitFacts | undefined>;
  /** The latest commit status of each context and check run of each name on `sha`. */
  signals(sha: string): Promise<CommitSignal[]>;
}
