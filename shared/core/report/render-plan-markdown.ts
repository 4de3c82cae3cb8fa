/**
 * The "mesh changes" section of the PR comment: what merging would add, change and remove in the deploy repo,
 * with the YAML diff of each resource folded. It is rendered from the same plan the merge commits.
 * @module
 */
import { structuredPatch } from 'diff';
import type { ChangeKind, DeployPlan, ResourceChange } from '../deploy/plan-deploy.js';
import { escapeLineText } from '../yaml-output.js';
import { escapeHtmlText, inlineCode } from './escape.js';

export interface PlanMarkdownOptions {
  /** `owner/repo` of the deploy repo, for the wording. */
  deployRepo?: string;
  /** Diff lines shown per resource before the rest is cut with a note. Default 300. */
  maxDiffLines?: number;
}

const icon: Record<ChangeKind, string> = { added: '➕', changed: '✏️', removed: '➖' };

export function renderPlanMarkdown(plan: DeployPlan, options: PlanMarkdownOptions = {}): string {
  const where = `${inlineCode(plan.folder)}${options.deployRepo ? ` in ${escapeHtmlText(options.deployRepo)}` : ' in the deploy repo'}`;
  const lines = ['### Mesh changes', ''];
  if (plan.resources.length === 0) {
    lines.push(`No mesh changes: ${where} already holds exactly what this renders.`);
    return `${lines.join('\n')}\n`;
  }
  const { added, changed, removed } = plan.summary;
  lines.push(
    `Merging applies this to ${where}: **${added} added, ${changed} changed, ${removed} removed**.`,
    '',
  );
  for (const resource of plan.resources) lines.push(...renderResource(resource, options.maxDiffLines ?? 300));
  return `${lines.join('\n')}\n`;
}

function renderResource(resource: ResourceChange, maxLines: number): string[] {
  const file = resource.path.split('/').slice(-2).join('/');
  // Names read back from deploy-repo files may hold anything: one line, no HTML, percent-encoded like the commit.
  const text = (value: string) => escapeHtmlText(escapeLineText(value));
  const title = `${icon[resource.change]} ${resource.change} <code>${text(resource.resource)}</code> (<code>${text(file)}</code>)`;
  const diff = buildDiffLines(resource);
  if (diff.length === 0) return [`- ${title}`, ''];
  const shown =
    diff.length > maxLines ? [...diff.slice(0, maxLines), `… ${diff.length - maxLines} more lines`] : diff;
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(shown.join('\n')) + 1));
  return [
    '<details>',
    `<summary>${title}</summary>`,
    '',
    `${fence}diff`,
    ...shown,
    fence,
    '',
    '</details>',
    '',
  ];
}

/** Unified diff hunks without the file headers; whole file as `+`/`-` for an added or removed resource. */
function buildDiffLines(resource: ResourceChange): string[] {
  if (resource.before === undefined && resource.after === undefined) return [];
  if (resource.change === 'changed' && resource.before === undefined) return [];
  const patch = structuredPatch('a', 'b', resource.before ?? '', resource.after ?? '', undefined, undefined, {
    context: 3,
  });
  return patch.hunks.flatMap((hunk) => [
    `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`,
    ...hunk.lines.filter((line) => !line.startsWith('\\')),
  ]);
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
}
