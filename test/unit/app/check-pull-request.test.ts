import { describe, expect, it } from 'vitest';
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
  planComment,
} from '../../../shared/use-cases/check-pull-request.js';

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
