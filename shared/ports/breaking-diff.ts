/**
 * Port: compute the breaking changes between two bundled OpenAPI documents (implemented by the oasdiff runner).
 * @module
 */
import type { BreakingChange, BreakingChangeSource } from '../core/breaking/breaking-change.js';
import { UpstreamError } from '../core/errors.js';

export type { BreakingChange };

export interface BreakingDiff extends BreakingChangeSource {
  /**
   * Every change from `base` to `head` that oasdiff's `changelog` reports: levels 3 and 2 (breaking: error,
   * warning) and 1 (info), from one run. Rejects with `OasdiffError` when the diff fails.
   * Starts its work without waiting for I/O, so a caller can overlap it with synchronous work. Aborting
   * `signal` stops the work (the oasdiff process is killed) and rejects with `OasdiffError`.
   */
  breaking(base: object, head: object, options?: { signal?: AbortSignal }): Promise<BreakingChange[]>;
}

/**
 * The diff could not be computed (bad input, timeout, missing binary). `message` is one line. Never retried: the
 * same specs fail the same way, and the check reports it instead.
 */
export class OasdiffError extends UpstreamError {
  override readonly name: string = 'OasdiffError';
  constructor(
    message: string,
    /** Process exit code, when the binary ran and failed. */
    readonly exitCode?: number,
    /** First line of the binary's stderr, when there was one. */
    readonly stderr?: string,
  ) {
    super(message, { service: 'oasdiff', retryable: false });
  }
}
