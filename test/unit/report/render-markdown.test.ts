import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/core/findings.js';
import { renderMarkdown } from '../../../shared/core/report/render-markdown.js';
import type { CheckReport } from '../../../shared/core/report/types.js';
import { cleanReport, failingReport, finding, waivedReport } from './reports.js';

const fileUrl = (file: string, line: number, side: 'base' | 'head') =>
  `https://github.com/acme/users/blob/${side === 'base' ? 'b4se' : 'h3ad'}/${file}#L${line}`;

/** The finding lines of the details, in order. */
function findingLines(markdown: string): string[] {
  return markdown.split('\n').filter((line) => line.startsWith('- '));
}

function manyFindings(count: number): Finding[] {
  return Array.from({ length: count }, (_, i) =>
    finding({
      kind: i % 100 === 0 ? 'breaking' : 'lint',
      severity: i % 100 === 0 ? 'error' : 'warning',
      id: i % 100 === 0 ? 'response-property-type-changed' : 'operation-description',
      message: `Finding number ${i} explains at some length what is wrong with this part of the spec.`,
      line: i + 1,
      operation: `GET /things/${i}`,
    }),
  );
}

describe('renderMarkdown', () => {
  it('renders a failing PR: marker, verdict, summary table, folded details per kind', async () => {
    const markdown = renderMarkdown(failingReport, { links: { fileUrl } });
    await expect(markdown).toMatchFileSnapshot('./__snapshots__/failing.md');
    expect(markdown.split('\n')[0]).toBe('<!-- kuma-api-forge -->');
    // The table comes before any detail.
    expect(markdown.indexOf('| API |')).toBeLessThan(markdown.indexOf('<details>'));
    expect(markdown.match(/<details>/g)).toHaveLength(4);
  });

  it('shows a breaking change accepted by a major version bump as accepted, and passes', async () => {
    const markdown = renderMarkdown(waivedReport, { links: { fileUrl } });
    await expect(markdown).toMatchFileSnapshot('./__snapshots__/waived.md');
    expect(markdown).toContain('### ✅');
    expect(markdown).toContain('1.4.0 → 2.0.0');
    expect(markdown).toContain('accepted: major version bump');
  });

  it('says "No problems found" for a clean report and has no details', async () => {
    const markdown = renderMarkdown(cleanReport);
    await expect(markdown).toMatchFileSnapshot('./__snapshots__/clean.md');
    expect(markdown).toContain('No problems found.');
    expect(markdown).not.toContain('<details>');
  });

  it('never says "No problems found" when the check failed', () => {
    const markdown = renderMarkdown({
      ...cleanReport,
      verdict: 'fail',
      reason: 'failed: the head spec could not be read',
    });
    expect(markdown).toContain('### ❌ Failed: the head spec could not be read');
    expect(markdown).not.toContain('No problems found');
  });

  it('links file:line to the base commit for findings that only exist in base', () => {
    const markdown = renderMarkdown(failingReport, { links: { fileUrl } });
    expect(markdown).toContain(
      '[openapi/users.yaml:145](https://github.com/acme/users/blob/b4se/openapi/users.yaml#L145) (base)',
    );
    expect(markdown).toContain('(https://github.com/acme/users/blob/h3ad/openapi/schemas/user.yaml#L23)');
  });

  it('uses a custom marker as the first line', () => {
    expect(renderMarkdown(cleanReport, { marker: 'kuma-api-forge:users' }).split('\n')[0]).toBe(
      '<!-- kuma-api-forge:users -->',
    );
  });

  it('lists errors before warnings before notes, accepted changes last, then by position', () => {
    const report: CheckReport = {
      ...cleanReport,
      verdict: 'fail',
      reason: 'failed: 2 breaking changes',
      findings: [
        finding({ kind: 'breaking', severity: 'info', id: 'endpoint-added', message: 'note', line: 1 }),
        finding({ kind: 'breaking', severity: 'warning', id: 'w', message: 'warning', line: 2 }),
        finding({
          kind: 'breaking',
          severity: 'info',
          waivedBy: 'approval',
          id: 'x',
          message: 'accepted',
          line: 3,
        }),
        finding({ kind: 'breaking', severity: 'error', id: 'e', message: 'late error', line: 90 }),
        finding({ kind: 'breaking', severity: 'error', id: 'e', message: 'early error', line: 9 }),
      ],
    };
    const order = findingLines(renderMarkdown(report)).map((line) => /· ([a-z ]+)(?: —| ·)/.exec(line)?.[1]);
    expect(order).toEqual(['early error', 'late error', 'warning', 'note', 'accepted']);
  });

  describe('length cap', () => {
    const big: CheckReport = { ...failingReport, findings: manyFindings(10_000) };

    it('stays within 65,536 characters with 10,000 findings and says how many are left out and where to see them', () => {
      const markdown = renderMarkdown(big);
      expect(markdown.length).toBeLessThanOrEqual(65_536);
      const shown = findingLines(markdown).length;
      expect(shown).toBeGreaterThan(100);
      expect(markdown).toContain(
        `${(10_000 - shown).toLocaleString('en-US')} findings of 10,000 are not shown here`,
      );
      expect(markdown).toContain('npx kuma-api-forge check');
      expect(markdown).toContain('check run');
      // The summary table still counts everything.
      expect(markdown).toContain('| 0 | 9,900 | 100 |');
      // Every section is closed, so the rest of the comment still renders.
      expect(markdown.match(/<details>/g)?.length).toBe(markdown.match(/<\/details>/g)?.length);
    });

    it('keeps the errors when warnings have to go', () => {
      const lines = findingLines(renderMarkdown(big));
      expect(lines.filter((line) => line.startsWith('- ❌'))).toHaveLength(100);
      expect(lines.filter((line) => line.startsWith('- ⚠️')).length).toBe(lines.length - 100);
    });

    it('honours a small maxLength (check-run summary, tests) and hostile sizes', () => {
      for (const maxLength of [65_535, 5_000, 1_000, 200]) {
        expect(renderMarkdown(big, { maxLength }).length).toBeLessThanOrEqual(maxLength);
      }
      const huge: CheckReport = {
        ...failingReport,
        notices: Array.from({ length: 2000 }, () => 'n'.repeat(100)),
        findings: [finding({ id: 'x', message: 'm'.repeat(1_000_000), operation: 'GET /'.repeat(10_000) })],
      };
      const markdown = renderMarkdown(huge);
      expect(markdown.length).toBeLessThanOrEqual(65_536);
      expect(markdown.split('\n')[0]).toBe('<!-- kuma-api-forge -->');
    });

    it('ends with every section closed when the findings of all kinds compete for room', () => {
      const kinds = ['breaking', 'validation', 'lint', 'routing', 'tenancy'] as const;
      const mixed = manyFindings(5000).map((f, i) => ({ ...f, kind: kinds[i % kinds.length] ?? 'lint' }));
      const markdown = renderMarkdown({ ...failingReport, findings: mixed });
      expect(markdown.length).toBeLessThanOrEqual(65_536);
      expect(markdown.match(/<\/details>/g)).toHaveLength(5);
      expect(markdown.trimEnd().endsWith('</details>')).toBe(true);
    });

    it('shows everything without a note when it fits', () => {
      const markdown = renderMarkdown(failingReport);
      expect(findingLines(markdown)).toHaveLength(failingReport.findings.length);
      expect(markdown).not.toContain('not shown');
    });
  });

  describe('escaping user-controlled text', () => {
    const hostile: CheckReport = {
      verdict: 'fail',
      reason: 'failed: 1 lint finding',
      apis: [
        { name: 'evil|api', spec: 'specs/<b>x</b>|y.yaml', status: 'added', headVersion: '1.0.0 @admin' },
      ],
      notices: ['</details><script>alert(1)</script>'],
      findings: [
        finding({
          severity: 'error',
          id: 'custom-<rule>',
          message:
            'Bad <img src=x onerror=alert(1)> ping @octocat and @acme/admins, closes #12, see https://evil.example/x and www.evil.example, **bold** [click](javascript:alert(1)) | pipe ~~strike~~ $x$\n# heading\n</details>',
          file: 'specs/`weird` |file.yaml',
          operation: 'GET /a|b/<script>',
        }),
      ],
    };
    const markdown = renderMarkdown(hostile, {
      links: { fileUrl: (f, l) => `https://github.com/o/r/blob/sha/${f} (x)#L${l}` },
    });

    it('lets no HTML through', () => {
      expect(markdown).not.toMatch(/<(img|script)\b|<b>x/);
      expect(markdown.match(/<\/details>/g)).toHaveLength(1);
    });

    it('pings nobody, links no issue, autolinks no URL', () => {
      expect(markdown).not.toMatch(/@octocat|@acme|#12|https:\/\/evil|www\.evil/);
      expect(markdown).toContain('@&#8203;octocat');
    });

    it('makes no markdown out of it and keeps the table shape', () => {
      expect(markdown).not.toMatch(/[^\\]\*\*bold|[^\\]\[click\]|[^\\]~~strike/);
      expect(markdown).not.toMatch(/\n# heading/);
      const row = markdown.split('\n').find((line) => line.includes('evil'));
      expect(row?.replace(/\\\|/g, '').split('|')).toHaveLength(8);
    });

    it('keeps a link target from being ended early', () => {
      expect(markdown).toContain(
        '(https://github.com/o/r/blob/sha/specs/%60weird%60%20%7Cfile.yaml%20%28x%29#L1)',
      );
    });
  });
});
