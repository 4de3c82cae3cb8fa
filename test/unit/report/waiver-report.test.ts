/** A change waived by a line of the repo's waiver file, in every format: shown as waived, with the file and line. */
import { describe, expect, it } from 'vitest';
import { buildCheckRunResult } from '../../../shared/core/report/check-run.js';
import { renderGithub } from '../../../shared/core/report/render-github.js';
import { renderMarkdown } from '../../../shared/core/report/render-markdown.js';
import { renderText } from '../../../shared/core/report/render-text.js';
import type { CheckReport } from '../../../shared/core/report/types.js';
import { finding, waivedReport } from './reports.js';

const report: CheckReport = {
  ...waivedReport,
  findings: [
    finding({
      kind: 'breaking',
      id: 'api-removed-without-deprecation',
      severity: 'info',
      waivedBy: 'waiver',
      waiver: { file: '.oasdiff-err-ignore.txt', line: 3 },
      message: 'api removed without deprecation',
      line: 145,
      column: 5,
      pointer: '/paths/~1users~1{userId}/delete',
      operation: 'DELETE /users/{userId}',
      side: 'base',
      headPosition: { file: 'openapi/users.yaml', line: 140, column: 3, pointer: '/paths/~1users~1{userId}' },
    }),
    finding({
      kind: 'validation',
      id: 'breaking-waiver-unused',
      severity: 'warning',
      message:
        'this waiver matches no ERR-level breaking change: remove it, or fix it to name the method, path and change text exactly as reported',
      file: '.oasdiff-err-ignore.txt',
      line: 4,
    }),
  ],
};

describe('a waived change', () => {
  it('the PR comment says which waiver line accepted it (snapshot)', async () => {
    const markdown = renderMarkdown(report);
    await expect(markdown).toMatchFileSnapshot('./__snapshots__/waiver.md');
    expect(markdown).toContain('— **waived by .oasdiff-err-ignore.txt:3**');
    expect(markdown).toContain('<code>breaking-waiver-unused</code>');
  });

  it('the terminal, the check run and the workflow commands say it too', () => {
    expect(renderText(report)).toContain(
      '(DELETE /users/{userId}; in base; waived by .oasdiff-err-ignore.txt:3)',
    );
    const annotation = buildCheckRunResult(report).annotations?.find(
      (a) => a.title === 'api-removed-without-deprecation',
    );
    expect(annotation).toMatchObject({ level: 'notice', path: 'openapi/users.yaml', startLine: 140 });
    expect(annotation?.message).toContain('(waived by .oasdiff-err-ignore.txt:3)');
    expect(renderGithub(report)).toContain(
      '::warning file=.oasdiff-err-ignore.txt,line=4,col=1,title=breaking-waiver-unused::this waiver matches no ERR-level',
    );
  });
});
