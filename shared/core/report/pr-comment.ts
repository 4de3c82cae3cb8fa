/**
 * The one sticky comment on a PR: its body (the report, then the mesh changes, within GitHub's size limit), the
 * note once everything is fixed, and whether to create, update or leave alone the comment already there.
 * @module
 */
import { renderLaterEnvironments } from './environments-preview.js';
import { type MeshPreview, plannedOf, renderMeshSection } from './mesh-preview.js';
import { githubCommentLimit, type MarkdownOptions, renderMarkdown } from './render-markdown.js';
import type { CheckReport } from './types.js';

/**
 * The comment's body, or undefined when there is nothing to say (no findings, no notices, no mesh changes).
 * With a deploy preview, its "mesh changes" section follows the report; when both do not fit GitHub's limit the
 * report keeps at least half, and the plan gets shorter diffs, then fewer resources with a note.
 */
export function buildCommentBody(
  report: CheckReport,
  marker: string,
  links: MarkdownOptions['links'] = {},
  mesh?: MeshPreview,
  limit = githubCommentLimit,
): string | undefined {
  const plan = mesh && 'preview' in mesh ? plannedOf(mesh.preview) : undefined;
  const hasChanges = plan !== undefined && plan.resources.length > 0;
  if (report.findings.length === 0 && report.notices.length === 0 && !hasChanges) return undefined;
  if (!mesh) return renderMarkdown(report, { maxLength: limit, marker, links });
  // Later environments (a few lines): after the mesh changes, taken off their room.
  const later = 'preview' in mesh && mesh.later ? renderLaterEnvironments(mesh.later) : '';
  const full = renderMeshSection(mesh, Number.POSITIVE_INFINITY) + later;
  const reportText = renderMarkdown(report, {
    maxLength: Math.max(limit - full.length - 1, Math.floor(limit / 2)),
    marker,
    links,
  });
  return `${reportText}\n${renderMeshSection(mesh, limit - reportText.length - 1 - later.length)}${later}`;
}

export function buildResolvedBody(marker: string): string {
  return `${marker}\n### ✅ Resolved\n\nEverything kuma-api-forge reported on this pull request earlier is fixed: no findings left.\n`;
}

export type CommentAction = 'created' | 'updated' | 'unchanged' | 'resolved' | 'none';

export type CommentPlan =
  | { write: 'create' | 'update'; body: string; outcome: CommentAction }
  | { write: 'none'; outcome: CommentAction };

/** Creates, updates or resolves the one comment (`existing`, found by its marker); nothing when the text would not change. */
export function planComment(
  existing: { body: string } | undefined,
  body: string | undefined,
  marker: string,
): CommentPlan {
  if (body === undefined) {
    if (!existing) return { write: 'none', outcome: 'none' };
    const resolved = buildResolvedBody(marker);
    return sameText(existing.body, resolved)
      ? { write: 'none', outcome: 'unchanged' }
      : { write: 'update', body: resolved, outcome: 'resolved' };
  }
  if (!existing) return { write: 'create', body, outcome: 'created' };
  return sameText(existing.body, body)
    ? { write: 'none', outcome: 'unchanged' }
    : { write: 'update', body, outcome: 'updated' };
}

/** GitHub stores comment bodies with CRLF line ends sometimes; compare the text, not the bytes. */
function sameText(a: string, b: string): boolean {
  return a.replace(/\r\n/g, '\n').trimEnd() === b.replace(/\r\n/g, '\n').trimEnd();
}
