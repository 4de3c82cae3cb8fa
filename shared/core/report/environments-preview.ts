/**
 * The PR comment's part on later environments (DEPLOY_ENVIRONMENTS): the mesh changes above are what the merge
 * applies to the first environment; this says, per later environment, what promoting this commit there would
 * change against what it runs now, whether its grants would refuse it, and which tag promotes it. Counts only
 * (the diff is the first environment's, above), so the comment stays within its size.
 * @module
 */
import { clipText } from './clip-text.js';
import { escapeHtmlText, escapeMarkdown, inlineCode } from './escape.js';
import { plural } from './summarize.js';

export interface LaterEnvironmentPreview {
  name: string;
  /** `owner/repo@branch` of its deploy repo (operator text). */
  deployRepo: string;
  /** The tag pattern that promotes into it; neither it nor `after`: the approved merge of the deploy PR before it. */
  tag?: string;
  /** The soak that promotes into it (`24h`), and the status that must have succeeded on the deploy, if any. */
  after?: string;
  status?: string;
  /** The environment a commit must run in first. */
  previous: string;
  result:
    | { status: 'planned'; summary: { added: number; changed: number; removed: number } }
    | { status: 'rejected'; problems: number }
    | { status: 'unavailable'; reason: string };
}

export function renderLaterEnvironments(later: readonly LaterEnvironmentPreview[]): string {
  if (later.length === 0) return '';
  const lines = later.map((env) => {
    const where = `**${escapeMarkdown(env.name)}** (${escapeHtmlText(env.deployRepo)})`;
    const when =
      env.after !== undefined
        ? `once it has run in ${escapeMarkdown(env.previous)} for ${escapeMarkdown(env.after)} after its deploy there${env.status === undefined ? '' : ` and ${inlineCode(env.status)} succeeded on it`}, with no failing status`
        : env.tag === undefined
          ? `once its deploy PR to ${escapeMarkdown(env.previous)} is approved and merged`
          : `once it runs in ${escapeMarkdown(env.previous)} and a tag matching ${inlineCode(env.tag)} is pushed on it`;
    const { result } = env;
    if (result.status === 'unavailable')
      return `- ${where}: not available (${escapeMarkdown(clipText(result.reason, 200))}).`;
    if (result.status === 'rejected')
      return `- ${where}: ⛔ would refuse it, ${plural(result.problems, 'problem')} against its own tenants.yaml: a promotion writes nothing there until they are fixed.`;
    const { added, changed, removed } = result.summary;
    if (added + changed + removed === 0) return `- ${where}: no changes against what it runs now.`;
    return `- ${where}: ${added} added, ${changed} changed, ${removed} removed against what it runs now, ${when}.`;
  });
  return `\n#### Later environments\n\nThe changes above are what merging deploys to the first environment. Promotion carries this commit on:\n\n${lines.join('\n')}\n`;
}
