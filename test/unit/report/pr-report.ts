/** A finding and a report as the PR builders get them from a check (one lint warning on openapi/users.yaml). */
import type { Finding } from '../../../shared/core/findings.js';
import type { CheckReport } from '../../../shared/core/report/types.js';

export const marker = '<!-- kuma-api-forge -->';
export const finding = (over: Partial<Finding> = {}): Finding => ({
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
export const report = (findings: Finding[], over: Partial<CheckReport> = {}): CheckReport => ({
  verdict: findings.some((f) => f.severity === 'error') ? 'fail' : 'pass',
  reason: findings.some((f) => f.severity === 'error') ? 'failed: 1 lint finding' : 'passed',
  findings,
  apis: [{ name: 'users', spec: 'openapi/users.yaml', status: 'changed' }],
  notices: [],
  ...over,
});
