import { describe, expect, it } from 'vitest';
import { renderJson } from '../../../shared/core/report/render-json.js';
import { cleanReport, failingReport } from './reports.js';

describe('renderJson', () => {
  it('prints the DESIGN.md §3 shape, contract fields first and in order', async () => {
    const json = renderJson(failingReport);
    await expect(json).toMatchFileSnapshot('./__snapshots__/failing.json');
    const parsed = JSON.parse(json);
    expect(Object.keys(parsed).slice(0, 2)).toEqual(['verdict', 'findings']);
    expect(parsed.verdict).toBe('fail');
    for (const f of parsed.findings) {
      expect(Object.keys(f).slice(0, 9)).toEqual([
        'kind',
        'id',
        'severity',
        'message',
        'file',
        'line',
        'column',
        'pointer',
        'operation',
      ]);
    }
  });

  it('sorts findings by file and line and keeps every contract field, operation null when there is none', () => {
    const { findings } = JSON.parse(
      renderJson({ ...failingReport, findings: [...failingReport.findings].reverse() }),
    );
    expect(findings.map((f: { file: string; line: number }) => `${f.file}:${f.line}`)).toEqual([
      '.kuma-api-forge.yaml:11',
      'billing/openapi.yaml:40',
      'openapi/schemas/user.yaml:23',
      'openapi/schemas/user.yaml:23',
      'openapi/users.yaml:105',
      'openapi/users.yaml:145',
    ]);
    expect(findings[0]).toMatchObject({
      kind: 'routing',
      operation: null,
      pointer: '/apis/0/basePath',
      column: 15,
    });
    expect(findings[5]).toMatchObject({ side: 'base', operation: 'DELETE /users/{userId}' });
  });

  it('prints an empty findings list for a clean report', () => {
    expect(JSON.parse(renderJson(cleanReport))).toMatchObject({ verdict: 'pass', findings: [] });
  });
});
