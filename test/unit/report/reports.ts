/** Report inputs for the report tests: what `check` produces for the user-profile fixtures, written out by hand. */
import type { Finding } from '../../../shared/core/findings.js';
import type { CheckReport } from '../../../shared/core/report/types.js';

export function finding(overrides: Partial<Finding> & Pick<Finding, 'id' | 'message'>): Finding {
  return {
    kind: 'lint',
    severity: 'warning',
    file: 'openapi/users.yaml',
    line: 1,
    column: 1,
    pointer: '',
    ...overrides,
  };
}

/** A PR on fixtures/specs/user-profile that removes an operation, narrows an enum and has lint and routing problems. */
export const failingReport: CheckReport = {
  verdict: 'fail',
  reason: 'failed: 2 breaking changes, 1 routing problem',
  apis: [
    {
      name: 'users',
      spec: 'openapi/users.yaml',
      files: ['openapi/users.yaml', 'openapi/schemas/user.yaml'],
      baseVersion: '1.4.0',
      headVersion: '1.5.0',
      status: 'changed',
    },
    { name: 'billing', spec: 'billing/openapi.yaml', headVersion: '0.1.0', status: 'added' },
  ],
  notices: ['The gate settings in .kuma-api-forge.yaml changed in this PR: they apply after merge.'],
  findings: [
    finding({
      kind: 'breaking',
      id: 'api-removed-without-deprecation',
      severity: 'error',
      message: 'api removed without deprecation',
      line: 145,
      column: 5,
      pointer: '/paths/~1users~1{userId}/delete',
      operation: 'DELETE /users/{userId}',
      side: 'base',
    }),
    finding({
      kind: 'breaking',
      id: 'request-property-enum-value-removed',
      severity: 'error',
      message: 'removed the enum value `viewer` of the request property `role`',
      file: 'openapi/schemas/user.yaml',
      line: 23,
      column: 3,
      pointer: '/UserRole/enum',
      operation: 'POST /users',
    }),
    finding({
      kind: 'breaking',
      id: 'response-property-enum-value-removed',
      severity: 'info',
      message: 'removed the `viewer` enum value from the `role` response property',
      file: 'openapi/schemas/user.yaml',
      line: 23,
      column: 3,
      pointer: '/UserRole/enum',
      operations: ['GET /users', 'GET /users/me', 'GET /users/{userId}', 'POST /users'],
    }),
    finding({
      kind: 'lint',
      id: 'operation-description',
      message: 'Operation `getCurrentUser` has no description.',
      line: 105,
      column: 5,
      pointer: '/paths/~1users~1me/get',
      operation: 'GET /users/me',
      hint: 'Say what the operation returns and when it fails.',
    }),
    finding({
      kind: 'routing',
      id: 'base-path-changed',
      severity: 'error',
      message: 'The base path changes from /users-api to /profiles: every client URL changes.',
      file: '.kuma-api-forge.yaml',
      line: 11,
      column: 15,
      pointer: '/apis/0/basePath',
    }),
    finding({
      kind: 'validation',
      id: 'oas3-schema',
      severity: 'error',
      message: 'must have required property `description`',
      file: 'billing/openapi.yaml',
      line: 40,
      column: 9,
      pointer: '/paths/~1invoices/get/responses/200',
      operation: 'GET /invoices',
    }),
  ],
};

/** The `major-bump` revision: the removal is accepted because info.version goes 1.4.0 → 2.0.0. */
export const waivedReport: CheckReport = {
  verdict: 'pass',
  reason: 'passed; 1 breaking change accepted',
  apis: [
    {
      name: 'users',
      spec: 'openapi/users.yaml',
      files: ['openapi/users.yaml', 'openapi/schemas/user.yaml'],
      baseVersion: '1.4.0',
      headVersion: '2.0.0',
      status: 'changed',
    },
  ],
  notices: [],
  findings: [
    finding({
      kind: 'breaking',
      id: 'api-removed-without-deprecation',
      severity: 'info',
      waivedBy: 'major-version',
      message: 'api removed without deprecation',
      line: 145,
      column: 5,
      pointer: '/paths/~1users~1{userId}/delete',
      operation: 'DELETE /users/{userId}',
      side: 'base',
    }),
  ],
};

export const cleanReport: CheckReport = {
  verdict: 'pass',
  reason: 'passed',
  apis: [
    {
      name: 'users',
      spec: 'openapi/users.yaml',
      baseVersion: '1.4.0',
      headVersion: '1.4.0',
      status: 'unchanged',
    },
  ],
  notices: [],
  findings: [],
};
