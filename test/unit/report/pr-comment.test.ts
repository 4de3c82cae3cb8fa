import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../../shared/core/deploy/plan-deploy.js';
import { joinPreview, type MeshPreview } from '../../../shared/core/report/mesh-preview.js';
import { buildCommentBody, buildResolvedBody, planComment } from '../../../shared/core/report/pr-comment.js';
import { renderPlanMarkdown } from '../../../shared/core/report/render-plan-markdown.js';
import type { DeployPreview } from '../../../shared/use-cases/preview-deploy.js';
import { finding, marker, report } from './pr-report.js';

describe('the sticky comment', () => {
  it('has nothing to say without findings or notices, and something with either', () => {
    expect(buildCommentBody(report([]), marker)).toBeUndefined();
    expect(buildCommentBody(report([], { notices: ['gates changed'] }), marker)).toMatch(
      /^<!-- kuma-api-forge -->\n/,
    );
    expect(buildCommentBody(report([finding()]), marker)).toContain('<code>operation-description</code>');
  });

  it('is created, updated, left alone when unchanged, resolved when nothing is left, and never created empty', () => {
    const existing = { id: 5, body: `${marker}\nold` };
    expect(planComment(undefined, 'new', marker)).toEqual({
      write: 'create',
      body: 'new',
      outcome: 'created',
    });
    expect(planComment(existing, 'new', marker)).toEqual({
      write: 'update',
      body: 'new',
      outcome: 'updated',
    });
    // GitHub may hand the body back with CRLF line ends: still the same text.
    expect(planComment(existing, `${marker}\r\nold\n`, marker)).toEqual({
      write: 'none',
      outcome: 'unchanged',
    });
    expect(planComment(undefined, undefined, marker)).toEqual({ write: 'none', outcome: 'none' });
    expect(planComment(existing, undefined, marker)).toEqual({
      write: 'update',
      body: buildResolvedBody(marker),
      outcome: 'resolved',
    });
    const resolved = { id: 5, body: buildResolvedBody(marker) };
    expect(planComment(resolved, undefined, marker)).toEqual({ write: 'none', outcome: 'unchanged' });
  });
});

/** A deploy preview of `count` new routes of `lines` lines each, planned by the real plan code. */
function meshOf(count: number, lines = 20): MeshPreview {
  const files = Array.from({ length: count }, (_, i) => ({
    path: `meshhttproute-r${i}.yaml`,
    content: `apiVersion: kuma.io/v1alpha1\nkind: MeshHTTPRoute\nmetadata:\n  name: r${i}\n  namespace: kuma-system\n${Array.from({ length: lines }, (_, l) => `# line ${l}\n`).join('')}`,
  }));
  const plan = planDeploy({
    sourceRepo: 'acme/users',
    sourceSha: 'a'.repeat(40),
    rendered: [{ name: 'users', files }],
    current: [],
  });
  const preview: DeployPreview = {
    rendered: { configFound: true, apis: [], findings: [], inputs: [] },
    decision: { status: 'planned', plan },
    calls: 2,
  };
  return { deployRepo: 'platform/deploy', folder: 'apis/acme/users/', preview };
}

describe('the mesh changes in the sticky comment', () => {
  it('follows the report whole when it fits, and is something to say on its own', () => {
    const mesh = meshOf(2);
    const body = buildCommentBody(report([]), marker, {}, mesh)!;
    expect(body).toMatch(/^<!-- kuma-api-forge -->\n### ✅ Passed/);
    const decision = 'preview' in mesh ? mesh.preview.decision : undefined;
    if (decision?.status !== 'planned') throw new Error('expected a plan');
    expect(body.endsWith(renderPlanMarkdown(decision.plan, { deployRepo: 'platform/deploy' }))).toBe(true);
    expect(buildCommentBody(report([]), marker, {}, meshOf(0))).toBeUndefined();
  });

  it('stays within GitHub limit: the report keeps its share, the plan loses diff lines, then resources, with a note', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      finding({ line: i + 1, message: `m${i} ${'x'.repeat(80)}` }),
    );
    const body = buildCommentBody(report(many), marker, {}, meshOf(400, 60))!;
    expect(body.length).toBeLessThanOrEqual(65_536);
    // The report fills about half (cut at a finding, with its own note), the plan the rest.
    const reportPart = body.slice(0, body.indexOf('### Mesh changes'));
    expect(reportPart.length).toBeGreaterThan(30_000);
    expect(reportPart).toMatch(/findings of 2,000 are not shown here/);
    expect(body).toContain('**400 added, 0 changed, 0 removed**');
    expect(body).toMatch(
      /> \d+ more resource changes not shown \(GitHub's comment size limit\); the merge applies all 400\./,
    );
    // Whole resources only: every folded diff that is opened is closed.
    const mesh = body.slice(body.indexOf('### Mesh changes'));
    expect(mesh.split('<details>').length).toBe(mesh.split('</details>').length);
    expect(mesh.split('```').length % 2).toBe(1);
  });

  it('says when the merge would deploy nothing, and fails the check on tenancy findings', () => {
    const tenancy = finding({
      kind: 'tenancy',
      id: 'tenancy-hostname',
      severity: 'error',
      message: 'hostname pets.example.com is not granted',
      file: '.kuma-api-forge.yaml',
      line: 5,
    });
    const preview: DeployPreview = {
      rendered: { configFound: true, apis: [], findings: [], inputs: [] },
      decision: { status: 'rejected', findings: [tenancy] },
      calls: 3,
    };
    const joined = joinPreview(report([finding()]), preview);
    expect(joined).toMatchObject({ verdict: 'fail', reason: 'failed: 1 tenancy violation' });
    expect(joined.findings).toContainEqual(tenancy);
    const body = buildCommentBody(
      joined,
      marker,
      {},
      { deployRepo: 'platform/deploy', folder: 'apis/acme/pets/', preview },
    )!;
    expect(body).toContain('⛔ Merging this would deploy nothing to `apis/acme/pets/` in platform/deploy');
    // A finding the check already has is not repeated.
    expect(joinPreview(joined, preview).findings).toHaveLength(2);
  });
});
