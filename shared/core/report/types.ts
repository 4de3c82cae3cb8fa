/**
 * The result of one `check`: the input of every report format (terminal text, JSON, the PR comment markdown,
 * the check-run summary).
 * @module
 */
import type { Finding } from '../findings.js';

export type Verdict = 'pass' | 'fail';

export interface ApiSummary {
  /** API name from the repo config, or the spec's file name in single-spec mode. */
  name: string;
  /** Entry file of the head spec (or base when the API was removed). */
  spec: string;
  /** `info.version` on each side; undefined when the side has no such API. */
  baseVersion?: string;
  headVersion?: string;
  /**
   * Every file of this API's spec (entry first), so the reports can attribute findings in shared `$ref`'d files
   * to their API. Optional: without it a finding belongs to the API whose entry `spec` it is in (or to the only API).
   */
  files?: string[];
  /** added: only in head; removed: only in base. */
  status: 'added' | 'changed' | 'unchanged' | 'removed';
}

export interface CheckReport {
  verdict: Verdict;
  /** Every finding, sorted with compareFindings. Findings of all APIs, each with its own file. */
  findings: Finding[];
  apis: ApiSummary[];
  /** Things the reader must know that are not findings (e.g. "gate settings changed in this PR: they apply after merge"). */
  notices: string[];
  /**
   * The non-breaking changes between base and head (oasdiff's changelog level INFO: added operations, new
   * optional parameters, …), located like findings (severity info); they never gate. Sorted with compareFindings.
   */
  changelog?: Finding[];
  /** Why the verdict is what it is, one short sentence (e.g. "2 breaking changes without approval"). */
  reason: string;
}
