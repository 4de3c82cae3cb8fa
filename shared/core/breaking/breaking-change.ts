/**
 * A breaking change between two bundled OpenAPI documents, in the core's words. The breaking-diff adapter
 * (oasdiff) translates its own output into this; nothing of oasdiff's wire format reaches the core.
 * @module
 */
import type { Severity } from '../findings.js';

export interface BreakingChange {
  /** Check id, e.g. `request-parameter-became-required`. */
  id: string;
  /** English text with the names in backticks, e.g. "the `query` request parameter `limit` became required". */
  text: string;
  severity: Severity;
  /** A hint, for some checks. */
  hint?: string;
  /** HTTP method, upper case. */
  operation?: string;
  /** The path template as written in the spec. */
  path?: string;
  /** 12 hex chars, independent of line numbers. */
  fingerprint?: string;
}

/** What the core asks of a breaking diff (the `BreakingDiff` port extends it). */
export interface BreakingChangeSource {
  /**
   * The changes from `base` to `head`, both OpenAPI 3.x, as oasdiff's `changelog` reports them: breaking ones
   * (severity error or warning) and the others (severity info). A source may return only the breaking ones.
   */
  breaking(base: object, head: object): Promise<BreakingChange[]>;
}
