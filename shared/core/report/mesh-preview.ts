/**
 * The plan in the PR: what merging would apply to the deploy repo — its problems joined to the report (they would
 * make the merge deploy nothing) and its "mesh changes" section of the sticky comment, within a size budget.
 * @module
 */
import { resolveGates } from '../config/repo-config.js';
import type { DeployPlan } from '../deploy/plan-deploy.js';
import { compareFindings, type Finding } from '../findings.js';
import { decideVerdict } from '../verdict.js';
import { clipText } from './clip-text.js';
import type { LaterEnvironmentPreview } from './environments-preview.js';
import { escapeHtmlText, escapeMarkdown, inlineCode } from './escape.js';
import { renderPlanMarkdown } from './render-plan-markdown.js';
import { plural } from './summarize.js';
import type { CheckReport } from './types.js';

/** What the PR shows of a deploy preview: the render's findings and the deploy's decision on them. */
export interface DeployPreviewResult {
  rendered: { findings: readonly Finding[] };
  decision: { status: 'rejected'; findings: Finding[] } | { status: 'planned'; plan: DeployPlan };
  /** Warnings about what the manifests need from their mesh (kuma-mesh-prerequisite). */
  prerequisites?: readonly Finding[];
}

export type MeshPreview =
  | {
      deployRepo: string;
      folder: string;
      preview: DeployPreviewResult;
      /** DEPLOY_ENVIRONMENTS: what promoting the commit would do to each later environment. */
      later?: readonly LaterEnvironmentPreview[];
    }
  /** Our side could not compute it (the deploy repo unreachable, the App not installed there): said, not fatal. */
  | { unavailable: string };

export function plannedOf(preview: DeployPreviewResult): DeployPlan | undefined {
  return preview.decision.status === 'planned' ? preview.decision.plan : undefined;
}

/** One line for the logs: planned (with its change count), refused, or not available (why). */
export function describeMesh(mesh: MeshPreview): string {
  if (!('preview' in mesh)) return `unavailable: ${mesh.unavailable}`;
  const plan = plannedOf(mesh.preview);
  if (!plan) return 'refused';
  const { added, changed, removed } = plan.summary;
  return `planned: ${added} added, ${changed} changed, ${removed} removed`;
}

/**
 * The render's and the deploy's problems join the report (those the check did not already find): tenancy
 * violations and render errors would make the merge deploy nothing, so they fail the check, on their lines.
 */
export function joinPreview(report: CheckReport, preview: DeployPreviewResult): CheckReport {
  const key = (f: Finding) => [f.kind, f.id, f.file, f.line, f.column, f.message].join('\u0000');
  const known = new Set(report.findings.map(key));
  const refused = preview.decision.status === 'rejected' ? preview.decision.findings : [];
  const added = new Map<string, Finding>();
  for (const finding of [...preview.rendered.findings, ...refused, ...(preview.prerequisites ?? [])]) {
    if (!known.has(key(finding))) added.set(key(finding), finding);
  }
  if (added.size === 0) return report;
  const extra = [...added.values()];
  // Tenancy and render findings have no gate of their own: errors fail, whatever the lint settings.
  const theirs = decideVerdict(extra, { gates: resolveGates(undefined) });
  const findings = [...report.findings, ...extra].sort(compareFindings);
  if (theirs.verdict === 'pass') return { ...report, findings };
  const reason =
    report.verdict === 'fail' ? `${report.reason}, ${theirs.reason.replace(/^failed: /, '')}` : theirs.reason;
  return { ...report, findings, verdict: 'fail', reason };
}

/** The "mesh changes" section within `room` characters. */
export function renderMeshSection(mesh: MeshPreview, room: number): string {
  if (!('preview' in mesh)) {
    return `### Mesh changes\n\nNot available: ${escapeMarkdown(clipText(mesh.unavailable, 300))}. The rest of the check is complete.\n`;
  }
  const { decision } = mesh.preview;
  const deployRepo = mesh.deployRepo;
  if (decision.status === 'rejected') {
    return `### Mesh changes\n\n⛔ Merging this would deploy nothing to ${inlineCode(mesh.folder)} in ${escapeHtmlText(deployRepo)}: the deploy refuses a render with ${plural(decision.findings.length, 'problem')} (listed above) and writes nothing until they are fixed.\n`;
  }
  const plan = decision.plan;
  for (const maxDiffLines of [300, 40]) {
    const text = renderPlanMarkdown(plan, { deployRepo, maxDiffLines });
    if (text.length <= room) return text;
  }
  // Fewer resources, each still whole: the largest prefix that fits with its note.
  let low = 0;
  let high = plan.resources.length;
  const render = (count: number) => {
    const text = renderPlanMarkdown(
      { ...plan, resources: plan.resources.slice(0, count) },
      { deployRepo, maxDiffLines: 40 },
    );
    const left = plan.resources.length - count;
    return `${text}\n> [!NOTE]\n> ${plural(left, 'more resource change')} not shown (GitHub's comment size limit); the merge applies all ${plan.resources.length}.\n`;
  };
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (render(mid).length <= room) low = mid;
    else high = mid - 1;
  }
  return clipText(render(low), Math.max(room, 0));
}
