/**
 * The non-breaking changes (oasdiff's changelog level INFO) in every human format: folded last in the PR comment
 * (within GitHub's limit, after the findings), compact in the terminal, listed in full in `--format json`.
 */
import { describe, expect, it } from 'vitest';
import { renderJson } from '../../../shared/core/report/render-json.js';
import { renderMarkdown } from '../../../shared/core/report/render-markdown.js';
import { renderText } from '../../../shared/core/report/render-text.js';
import type { CheckReport } from '../../../shared/core/report/types.js';
import { failingReport, finding } from './reports.js';

const fileUrl = (file: string, line: number, side: 'base' | 'head') =>
  `https://github.com/acme/users/blob/${side === 'base' ? 'b4se' : 'h3ad'}/${file}#L${line}`;

const changelog = [
  finding({
    kind: 'breaking',
    severity: 'info',
    id: 'endpoint-added',
    message: 'endpoint added',
    line: 160,
    column: 5,
    pointer: '/paths/~1users~1export/get',
    operation: 'GET /users/export',
  }),
  finding({
    kind: 'breaking',
    severity: 'info',
    id: 'new-optional-request-parameter',
    message: 'added the new optional `query` request parameter `@org/team #1 <b>`',
    line: 31,
    column: 11,
    pointer: '/paths/~1users/get/parameters/2',
    operation: 'GET /users',
  }),
  finding({
    kind: 'breaking',
    severity: 'info',
    id: 'response-optional-property-added',
    message: 'added the optional property `nickname` to the response with the `200` status',
    file: 'openapi/schemas/user.yaml',
    line: 40,
    column: 5,
    pointer: '/User/properties/nickname',
    operations: ['GET /users', 'GET /users/me', 'GET /users/{userId}'],
  }),
];

const withChangelog: CheckReport = { ...failingReport, changelog };

describe('the changelog in the PR comment', () => {
  it('is a folded section after the findings, each change on its line with its operations', async () => {
    const markdown = renderMarkdown(withChangelog, { links: { fileUrl } });
    await expect(markdown).toMatchFileSnapshot('./__snapshots__/changelog.md');
    const open = markdown.indexOf('<summary><b>Non-breaking changes</b> (3)</summary>');
    expect(open).toBeGreaterThan(markdown.indexOf('<summary><b>Breaking changes</b>'));
    expect(markdown.slice(open)).toContain(
      '- [openapi/users.yaml:160](https://github.com/acme/users/blob/h3ad/openapi/users.yaml#L160) · GET /users/export · endpoint added · <code>endpoint-added</code>',
    );
    expect(markdown).toContain('affects 3 operations: GET /users, GET /users/me, GET /users/{userId}');
    // Names from the spec cannot mention, reference or inject.
    expect(markdown).not.toContain('@org');
    expect(markdown).not.toContain('<b>`');
    // Nothing of it changes the verdict or the counts.
    expect(markdown.split('\n')[1]).toBe(renderMarkdown(failingReport).split('\n')[1]);
  });

  it('takes only the room the findings leave, says how many it shows, and never breaks the limit', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      finding({
        kind: 'breaking',
        severity: 'info',
        id: 'endpoint-added',
        message: 'endpoint added',
        line: i + 1,
        operation: `GET /things/${i}`,
      }),
    );
    const full = renderMarkdown({ ...failingReport, changelog: many });
    expect(full.length).toBeLessThanOrEqual(65_536);
    expect(full).toMatch(
      /<summary><b>Non-breaking changes<\/b> \(2,000, \d{1,3}(,\d{3})? shown\)<\/summary>/,
    );
    // Every finding is still there: the changelog never pushes one out.
    expect(full).toContain('api removed without deprecation');
    const small = renderMarkdown({ ...failingReport, changelog: many }, { maxLength: 3000 });
    expect(small.length).toBeLessThanOrEqual(3000);
  });

  it('adds nothing when there are no non-breaking changes', () => {
    expect(renderMarkdown({ ...failingReport, changelog: [] })).toBe(renderMarkdown(failingReport));
  });
});

describe('the changelog in the terminal and in JSON', () => {
  it('text: one compact line per change after the findings, at most 20', () => {
    const text = renderText(withChangelog);
    expect(text).toContain(
      'Non-breaking changes (3):\n  GET /users/export: endpoint added  [endpoint-added]\n',
    );
    const many = Array.from({ length: 25 }, (_, i) =>
      finding({
        kind: 'breaking',
        severity: 'info',
        id: 'endpoint-added',
        message: 'endpoint added',
        line: i + 1,
      }),
    );
    const long = renderText({ ...failingReport, changelog: many });
    expect(long).toContain('  … and 5 more (--format json lists them all)');
    expect(long.match(/\[endpoint-added\]/g)).toHaveLength(20);
  });

  it('json: every change with its level, place and operations; findings unchanged', () => {
    const json = JSON.parse(renderJson(withChangelog));
    expect(json.changelog).toHaveLength(3);
    expect(json.changelog[0]).toEqual({
      id: 'response-optional-property-added',
      level: 'info',
      message: 'added the optional property `nickname` to the response with the `200` status',
      file: 'openapi/schemas/user.yaml',
      line: 40,
      column: 5,
      pointer: '/User/properties/nickname',
      operation: null,
      operations: ['GET /users', 'GET /users/me', 'GET /users/{userId}'],
    });
    expect(json.findings).toEqual(JSON.parse(renderJson(failingReport)).findings);
  });
});
