/**
 * The comments a deploy leaves on the merged pull request: deployed (or proposed), not deployed because of
 * problems in the commit, and not deployed because of a failure on our side. Repo-controlled text (file paths,
 * finding messages, error messages that quote them) is escaped; the deploy repo's name comes from the operator.
 * @module
 */
import type { DriftedFile } from '../deploy/drift.js';
import type { Finding } from '../findings.js';
import { describeOverwrites } from './drift-report.js';
import { escapeMarkdown, escapeMessage, escapeUrl, inlineCode } from './escape.js';

/** Hidden first line of every deploy comment. */
export const deployCommentMarker = '<!-- kuma-api-forge:deploy -->';

/** Problems listed in a "not deployed" comment; the rest are counted. */
const maxListedProblems = 20;

export interface DeployedCommentInput {
  /** `owner/repo` (and `@branch`) of the deploy repo. */
  deployRepo: string;
  /** The repo's folder in the deploy repo. */
  folder: string;
  summary: { added: number; changed: number; removed: number };
  /** The deploy repo's commit, its URL, and the pull request that proposes it (pull-request mode). */
  commit: { sha: string; url: string; pullRequestUrl?: string };
  /** Hand edits of the folder the deploy overwrote (drift). */
  overwrote?: readonly DriftedFile[];
}

export function buildDeployedComment({
  deployRepo,
  folder,
  summary,
  commit,
  overwrote = [],
}: DeployedCommentInput): string {
  const { added, changed, removed } = summary;
  const link = `[\`${commit.sha.slice(0, 7)}\`](${escapeUrl(commit.url)})`;
  const where = commit.pullRequestUrl
    ? `proposed to ${deployRepo} in ${escapeUrl(commit.pullRequestUrl)} (commit ${link})`
    : `deployed to ${deployRepo} in commit ${link}`;
  return [
    deployCommentMarker,
    `🚀 Mesh changes ${where}: ${added} added, ${changed} changed, ${removed} removed under ${inlineCode(folder)}.`,
    '',
    ...(overwrote.length > 0 ? [...describeOverwrites(overwrote), ''] : []),
  ].join('\n');
}

/** The commit renders with problems (render or tenancy findings): nothing was written. */
export function buildNotDeployedComment(input: {
  deployRepo: string;
  sha: string;
  findings: readonly Finding[];
}): string {
  const { deployRepo, sha, findings } = input;
  const shown = findings
    .slice(0, maxListedProblems)
    .map((f) => `- ${inlineCode(`${f.file}:${f.line}`)} ${escapeMessage(f.message)}`);
  const more = findings.length > shown.length ? [`- … and ${findings.length - shown.length} more`] : [];
  return [
    deployCommentMarker,
    `⛔ **Not deployed** to ${deployRepo}: commit ${sha.slice(0, 7)} has ${findings.length} problem(s); nothing was written.`,
    '',
    ...shown,
    ...more,
    '',
  ].join('\n');
}

/** A deploy that failed on our side or in the setup and will not be retried; `reason` is the error's message. */
export function buildDeployFailedComment(input: { deployRepo: string; sha: string; reason: string }): string {
  const reason = (input.reason.split('\n')[0] ?? '').slice(0, 300);
  return [
    deployCommentMarker,
    `⛔ **Not deployed** to ${input.deployRepo}: kuma-api-forge could not deploy commit ${input.sha.slice(0, 7)} (${escapeMarkdown(reason)}). Nothing was written.`,
    '',
    'This is a problem on our side or in the setup, not in this pull request. Once it is fixed, the next push to the default branch deploys the latest commit (an empty commit will do).',
    '',
  ].join('\n');
}

/**
 * The pull request that proposes a deploy (pull-request mode): the commit message's first line as its title, the
 * whole message as its body in a code block whose fence no line of it (spec paths are repo-controlled) can close.
 */
export function buildDeployPullRequest(message: string): { title: string; body: string } {
  const longestRun = Math.max(0, ...[...message.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return { title: message.split('\n')[0]!, body: `${fence}\n${message}${fence}\n` };
}
