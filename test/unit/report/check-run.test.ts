import { describe, expect, it } from 'vitest';
import {
  buildAnnotations,
  buildCheckRunResult,
  buildUnannotatedText,
} from '../../../shared/core/report/check-run.js';
import { finding, report } from './pr-report.js';

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
});
