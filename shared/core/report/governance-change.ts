/**
 * The check run of a governance change (a pull request on the deploy repo that changes `governance/`): which
 * deployed APIs the proposed rules would now fail, listed per source repo with each finding on its file and line
 * at the deployed commit; or, when the proposed files cannot be used, those problems annotated on their lines.
 * Pure: the use case gathers the results.
 * @module
 */
import type { Finding } from '../findings.js';
import { formatRepoRef, type RepoRef } from '../repo-ref.js';
import { buildAnnotations, type CheckRunResult } from './check-run.js';
import { clipText } from './clip-text.js';
import { escapeMarkdown, inlineCode } from './escape.js';
import { githubCheckSummaryLimit } from './render-markdown.js';

export const governanceCheckRunName = 'kuma-api-forge governance';

/** One deployed source repo under the proposed governance. */
export interface DeployedRepoResult {
  repo: RepoRef;
  /** The deployed commit (`.source.yaml`). */
  commit: string;
  /** What the proposed governance finds in its render at that commit. */
  findings: Finding[];
  /** Finding keys (see {@link findingKey}) the current governance already finds: shown as not new. */
  before: ReadonlySet<string>;
  /** Why the repo could not be checked (the App cannot read it, its render failed): never a silent pass. */
  unreadable?: string;
}

export function findingKey(finding: Finding): string {
  return [finding.id, finding.file, finding.line, finding.message].join('\u0000');
}

/** The proposed governance files do not parse or validate: nothing is checked, every problem on its line. */
export function buildInvalidGovernanceResult(findings: readonly Finding[]): CheckRunResult {
  const { annotations } = buildAnnotations(findings);
  const lines = findings.map((f) => `- ${inlineCode(`${f.file}:${f.line}`)} ${escapeMarkdown(f.message)}`);
  return {
    conclusion: 'failure',
    title: 'The proposed governance files are invalid',
    summary: clipText(
      `Merging this would refuse every deploy until the governance files are fixed:\n\n${lines.join('\n')}\n`,
      githubCheckSummaryLimit,
    ),
    annotations,
  };
}

/** `links.file` links a finding to its line in the source repo at the deployed commit. */
export function buildGovernanceChangeResult(
  repos: readonly DeployedRepoResult[],
  links: { file(repo: RepoRef, commit: string, file: string, line: number): string },
): CheckRunResult {
  const failing = repos.filter((r) => r.findings.some((f) => f.severity === 'error'));
  const unreadable = repos.filter((r) => r.unreadable !== undefined);
  const newly = failing.filter((r) =>
    r.findings.some((f) => f.severity === 'error' && !r.before.has(findingKey(f))),
  );
  const conclusion = failing.length > 0 ? 'failure' : unreadable.length > 0 ? 'neutral' : 'success';
  const title =
    failing.length > 0
      ? `${failing.length} of ${repos.length} deployed ${repos.length === 1 ? 'repo' : 'repos'} would fail the proposed governance (${newly.length} newly)`
      : unreadable.length > 0
        ? `${unreadable.length} deployed ${unreadable.length === 1 ? 'repo' : 'repos'} could not be checked; the others pass`
        : `Every deployed API (${repos.length} ${repos.length === 1 ? 'repo' : 'repos'}) passes the proposed governance`;
  const sections = repos.map((result) => renderRepo(result, links));
  const head = `## Deployed APIs under the proposed governance\n\nEach deployed source repo, rendered at the commit its \`.source.yaml\` records, checked against the governance files of this pull request. After the merge, their next pull request and deploy are held to these rules.\n\n`;
  return { conclusion, title, summary: clipText(`${head}${sections.join('\n')}`, githubCheckSummaryLimit) };
}

function renderRepo(
  result: DeployedRepoResult,
  links: { file(repo: RepoRef, commit: string, file: string, line: number): string },
): string {
  const name = `${inlineCode(formatRepoRef(result.repo))} at ${inlineCode(result.commit.slice(0, 7))}`;
  if (result.unreadable !== undefined)
    return `### ⚠️ ${name}\n\nCould not be checked: ${escapeMarkdown(result.unreadable)}\n`;
  const errors = result.findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) return `### ✅ ${name}\n\nPasses.\n`;
  const items = errors.map((f) => {
    const where = `[${inlineCode(`${f.file}:${f.line}`)}](${links.file(result.repo, result.commit, f.file, f.line)})`;
    const already = result.before.has(findingKey(f)) ? ' (already failing today)' : '';
    return `- ${where} ${inlineCode(f.id)}${already}: ${escapeMarkdown(f.message)}`;
  });
  return `### ❌ ${name}\n\n${items.join('\n')}\n`;
}
