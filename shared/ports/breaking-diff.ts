/**
 * Port: compute the breaking changes between two bundled OpenAPI documents (implemented by the oasdiff runner).
 * @module
 */
import { UpstreamError } from '../core/errors.js';

/** A place oasdiff reports; only present for YAML input, so we never rely on it (we map positions ourselves). */
export interface OasdiffSource {
  file: string;
  line?: number;
  column?: number;
}

/** One change as `oasdiff breaking -f json` (1.15.0) prints it. */
export interface OasdiffChange {
  /** Check id, e.g. `request-parameter-became-required`. */
  id: string;
  /** English text with the names in backticks, e.g. "the `query` request parameter `limit` became required". */
  text: string;
  /** A hint, for some checks. */
  comment?: string;
  /** 3 = error, 2 = warning, 1 = info. */
  level: 1 | 2 | 3;
  /** HTTP method, upper case. */
  operation?: string;
  /** The path template as written in the spec. */
  path?: string;
  operationId?: string;
  /** `paths`, `components`, … */
  section?: string;
  baseSource?: OasdiffSource;
  revisionSource?: OasdiffSource;
  /** 12 hex chars, SHA-256 of id, operation, path and text: independent of line numbers. */
  fingerprint?: string;
}

export interface BreakingDiff {
  /**
   * Breaking changes (levels 2 and 3) from `base` to `head`. Rejects with `OasdiffError` when the diff fails.
   * Starts its work without waiting for I/O, so a caller can overlap it with synchronous work. Aborting
   * `signal` stops the work (the oasdiff process is killed) and rejects with `OasdiffError`.
   */
  breaking(base: object, head: object, options?: { signal?: AbortSignal }): Promise<OasdiffChange[]>;
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
