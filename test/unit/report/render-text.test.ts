import { describe, expect, it } from 'vitest';
import { renderText } from '../../../shared/core/report/render-text.js';
import type { CheckReport } from '../../../shared/core/report/types.js';
import { cleanReport, failingReport, finding, waivedReport } from './reports.js';

describe('renderText', () => {
  it('prints one clickable line per finding, grouped per file, then the summary and the verdict', async () => {
    const text = renderText(failingReport);
    await expect(text).toMatchFileSnapshot('./__snapshots__/failing.txt');
    const lines = text.split('\n');
    expect(lines).toContain(
      'openapi/users.yaml:145:5  error    api removed without deprecation (DELETE /users/{userId}; in base)  [api-removed-without-deprecation]',
    );
    // Files in order, a blank line between files.
    const files = lines.filter((l) => l.includes(':') && !l.startsWith(' ')).map((l) => l.split(':')[0]);
    expect([...new Set(files)].slice(0, 4)).toEqual([
      '.kuma-api-forge.yaml',
      'billing/openapi.yaml',
      'openapi/schemas/user.yaml',
      'openapi/users.yaml',
    ]);
    expect(lines.at(-2)).toBe('Failed: 2 breaking changes, 1 routing problem');
  });

  it('shows the fan-out of one cause', () => {
    expect(renderText(failingReport)).toContain(
      '(affects 4 operations: GET /users, GET /users/me, GET /users/{userId}, POST /users)',
    );
  });

  it('marks a waived breaking change as accepted and passes', async () => {
    const text = renderText(waivedReport);
    await expect(text).toMatchFileSnapshot('./__snapshots__/waived.txt');
    expect(text).toContain('accepted: major version bump');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Passed; 1 breaking change accepted');
  });

  it('says "No problems found." for a clean report', () => {
    expect(renderText(cleanReport)).toBe('No problems found.\nPassed\n');
  });

  it('never says "No problems found." when the check failed', () => {
    const text = renderText({
      ...cleanReport,
      verdict: 'fail',
      reason: 'failed: the head spec could not be read',
    });
    expect(text).toBe('Failed: the head spec could not be read\n');
  });

  it('colors only when asked', () => {
    expect(renderText(failingReport)).not.toContain('\u001b[');
    const colored = renderText(failingReport, { color: true });
    expect(colored).toContain('\u001b[31merror  \u001b[39m');
    expect(colored.replace(new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g'), '')).toBe(
      renderText(failingReport),
    );
  });

  it('sends no escape sequence or line break from a spec to the terminal', () => {
    const report: CheckReport = {
      ...cleanReport,
      verdict: 'fail',
      reason: 'failed',
      findings: [
        finding({
          id: 'x',
          message: 'evil\u001b]0;owned\u0007 title\nFAKE LINE\r',
          file: 'a\u001b[2Jb.yaml',
        }),
      ],
    };
    const text = renderText(report);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
    expect(text).toContain('evil\\x1b]0;owned\\x07 title FAKE LINE');
    expect(text.split('\n').filter((l) => l.includes('FAKE LINE'))).toHaveLength(1);
  });
});
