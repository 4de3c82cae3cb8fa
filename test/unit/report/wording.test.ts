/**
 * The report's words agree with each other: the summary's count of breaking changes and the verdict's reason,
 * and an approval says how it was given (`--approved` on the CLI, the label on a PR).
 * @module
 */
import { describe, expect, it } from 'vitest';
import { defaultGates } from '../../../shared/core/config/repo-config.js';
import type { Finding } from '../../../shared/core/findings.js';
import { renderText } from '../../../shared/core/report/render-text.js';
import type { CheckReport } from '../../../shared/core/report/types.js';
import { decideVerdict, gateBreaking } from '../../../shared/core/verdict.js';

const breaking = (severity: Finding['severity'], line: number): Finding => ({
  kind: 'breaking',
  id: 'response-property-removed',
  severity,
  message: `change on line ${line}`,
  file: 'openapi.yaml',
  line,
  column: 1,
  pointer: '/paths',
});

const report = (findings: Finding[]): CheckReport => {
  const { verdict, reason } = decideVerdict(findings, { gates: defaultGates });
  return { verdict, reason, findings, apis: [], notices: [] };
};

describe('wording', () => {
  it('2 failing breaking changes and 1 warning: the reason says 2 of the 3, and why', () => {
    const text = renderText(report([breaking('error', 1), breaking('error', 2), breaking('warning', 3)]));
    expect(text).toContain('3 breaking changes');
    expect(text).toMatch(/2 of the 3 breaking changes \(the others are warnings\)/);
  });

  it('all breaking changes fail: one count, said once the same way', () => {
    const text = renderText(report([breaking('error', 1), breaking('error', 2)]));
    expect(text).toContain('2 breaking changes');
    expect(text).not.toContain(' of the ');
  });

  it('--approved is named as such, the label as the label', () => {
    const flag = gateBreaking([breaking('error', 1)], {}, defaultGates, { approved: true });
    const label = gateBreaking([breaking('error', 1)], {}, defaultGates, {
      labels: [defaultGates.approvalLabel],
    });
    expect(renderText(report(flag))).toContain('approved with --approved');
    expect(renderText(report(flag))).not.toContain('by label');
    expect(renderText(report(label))).toContain('approved by label');
  });
});
