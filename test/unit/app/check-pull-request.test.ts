import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../../shared/core/deploy/plan-deploy.js';
import { renderPlanMarkdown } from '../../../shared/core/deploy/render-plan-markdown.js';
import type { Finding } from '../../../shared/core/findings.js';
import type { CheckReport } from '../../../shared/core/report/types.js';
import {
  buildAnnotations,
  buildCheckRunResult,
  buildCommentBody,
  buildFailureResult,
  buildResolvedBody,
  buildUnannotatedText,
  isRetryable,
  joinPreview,
  type MeshPreview,
  planComment,
} from '../../../shared/use-cases/check-pull-request.js';
import type { DeployPreview } from '../../../shared/use-cases/deploy-push.js';

const marker = '<!-- kuma-api-forge -->';
const finding = (over: Partial<Finding> = {}): Finding => ({
  kind: 'lint',
  id: 'operation-description',
  severity: 'warning',
  message: 'Operation must have a description.',
  file: 'openapi/users.yaml',
  line: 10,
  column: 7,
  pointer: '/paths/~1users/get',
  ...over,
});
const report = (findings: Finding[], over: Partial<CheckReport> = {}): CheckReport => ({
  verdict: findings.some((f) => f.severity === 'error') ? 'fail' : 'pass',
  reason: findings.some((f) => f.severity === 'error') ? 'failed: 1 lint finding' : 'passed',
  findings,
  apis: [{ name: 'users', spec: 'openapi/users.yaml', status: 'changed' }],
  notices: [],
  ...over,
});

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

describe('annotations', () => {
  it('annotates head-side findings on their line with the finding id as title', () => {
    const { annotations, unannotated } = buildAnnotations([
      finding({
        severity: 'error',
        kind: 'breaking',
        id: 'new-required-request-parameter',
        line: 37,
        operation: 'GET /users',
        message: 'added a required parameter',
      }),
      finding({ severity: 'info', line: 3 }),
      finding({
        side: 'base',
        kind: 'breaking',
        id: 'api-removed-without-deprecation',
        severity: 'error',
        line: 145,
      }),
      finding({ kind: 'breaking', severity: 'info', waivedBy: 'approval', id: 'api-removed', line: 1 }),
    ]);
    expect(annotations).toEqual([
      {
        path: 'openapi/users.yaml',
        startLine: 37,
        endLine: 37,
        level: 'failure',
        message: 'GET /users: added a required parameter',
        title: 'new-required-request-parameter',
      },
      expect.objectContaining({ startLine: 3, level: 'notice' }),
      expect.objectContaining({
        startLine: 1,
        level: 'notice',
        message: expect.stringMatching(/accepted: approved by label/),
      }),
    ]);
    // A removal only exists in the base: no line in the head commit to put it on.
    expect(unannotated.map((f) => f.id)).toEqual(['api-removed-without-deprecation']);
  });

  it('annotates a removal at its head position, saying what was removed and where it was in the base', () => {
    const removal = finding({
      side: 'base',
      kind: 'breaking',
      id: 'api-removed-without-deprecation',
      severity: 'error',
      line: 145,
      operation: 'DELETE /users/{userId}',
      message: 'api removed without deprecation',
      headPosition: { file: 'openapi/users.yaml', line: 121, column: 3, pointer: '/paths/~1users~1{userId}' },
    });
    const { annotations, unannotated } = buildAnnotations([removal]);
    expect(annotations).toEqual([
      {
        path: 'openapi/users.yaml',
        startLine: 121,
        endLine: 121,
        level: 'failure',
        message:
          'removed here: DELETE /users/{userId} (was at openapi/users.yaml:145 in the base)\napi removed without deprecation',
        title: 'api-removed-without-deprecation',
      },
    ]);
    expect(unannotated).toEqual([]);
    // Beyond the limit it is listed for that reason, not as having no line in the head.
    const { unannotated: over } = buildAnnotations([finding({ severity: 'error' }), removal], 1);
    expect(buildUnannotatedText(over)).toContain('1 is beyond the 200 annotations shown.');
  });

  it('keeps the most severe ones within the limit and lists the rest in the text', () => {
    const many = [
      ...Array.from({ length: 3 }, (_, i) => finding({ severity: 'info', line: i + 1 })),
      ...Array.from({ length: 3 }, (_, i) => finding({ severity: 'error', line: i + 100 })),
    ];
    const { annotations, unannotated } = buildAnnotations(many, 4);
    expect(annotations.map((a) => a.level)).toEqual(['failure', 'failure', 'failure', 'notice']);
    expect(unannotated.map((f) => f.line)).toEqual([2, 3]);
    const text = buildUnannotatedText(unannotated);
    expect(text).toContain('2 findings are not annotated');
    expect(text).toContain(
      '- `openapi/users.yaml:2` info `operation-description`: Operation must have a description.',
    );
  });

  it('gives only the reasons that apply: base-side removals, annotations beyond the limit', () => {
    const removed = finding({ side: 'base', line: 145 });
    expect(buildUnannotatedText([removed])).toContain(
      '1 is in the base version (something removed has no line in this commit).',
    );
    expect(buildUnannotatedText([removed, finding({ line: 3 }), finding({ line: 4 })])).toContain(
      '1 is in the base version (something removed has no line in this commit); 2 are beyond the 200 annotations shown.',
    );
  });

  it('keeps the listing within the check run text limit', () => {
    const huge = Array.from({ length: 2000 }, (_, i) => finding({ line: i + 1, message: 'x'.repeat(300) }));
    const text = buildUnannotatedText(huge)!;
    expect(text.length).toBeLessThanOrEqual(65_535);
    expect(text).toMatch(/- … and \d+ more\n$/);
  });
});

describe('the check run', () => {
  it('concludes from the verdict with its reason as title', () => {
    const result = buildCheckRunResult(report([finding({ severity: 'error' })]));
    expect(result).toMatchObject({ conclusion: 'failure', title: 'Failed: 1 lint finding' });
    expect(result.summary.length).toBeLessThanOrEqual(65_535);
    expect(buildCheckRunResult(report([]))).toMatchObject({
      conclusion: 'success',
      title: 'Passed',
      annotations: [],
    });
  });

  it('says what went wrong on our side and whether it is retried', () => {
    const outage = Object.assign(new Error('Server Error'), { status: 502, response: { status: 502 } });
    expect(buildFailureResult(outage)).toMatchObject({
      conclusion: 'failure',
      summary: expect.stringMatching(/GitHub answered 502 \(Server Error\).*retried automatically/s),
    });
    const hung = Object.assign(new Error('The operation was aborted due to timeout'), { status: 500 });
    expect(buildFailureResult(hung).summary).toMatch(
      /GitHub did not answer \(The operation was aborted due to timeout\)/,
    );
    const notFound = Object.assign(new Error('Not Found'), { status: 404, response: { status: 404 } });
    expect(buildFailureResult(notFound).summary).toMatch(/Re-run the check/);
  });

  it('retries outages, rate limits and network failures, not refusals', () => {
    const http = (status: number, message = 'x') => Object.assign(new Error(message), { status });
    expect(isRetryable(http(502))).toBe(true);
    expect(isRetryable(http(429))).toBe(true);
    expect(isRetryable(http(403, 'You have exceeded a secondary rate limit'))).toBe(true);
    expect(isRetryable(http(403, 'Resource not accessible by integration'))).toBe(false);
    expect(isRetryable(http(404))).toBe(false);
    expect(isRetryable(new TypeError('fetch failed'))).toBe(true);
    expect(isRetryable(new Error('cannot read x of undefined'))).toBe(false);
  });
});
