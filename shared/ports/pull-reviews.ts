/**
 * Port: the reviews and commits of a pull request, for promotion by approval (core/deploy/approval-promotion.ts).
 * @module
 */
import type { ReviewState } from '../core/deploy/approval-promotion.js';

export interface PullReviews {
  /** Every review, in submission order: who, the state, and the commit it was submitted on. */
  reviews(pullNumber: number): Promise<{ login: string; state: ReviewState; commitId: string }[]>;
  /**
   * Who authored each commit of `base...head` (GitHub's account when it knows one, else the git author name); a
   * commit the host does not list is reported as `(unlisted)`, so it is never taken for the App's.
   */
  commitAuthors(base: string, head: string): Promise<string[]>;
}
