import { describe, expect, it } from 'vitest';
import { defaultGates, type GateSettings } from '../../shared/core/config/repo-config.js';
import type { Finding } from '../../shared/core/findings.js';
import { applyBreakingGate, decideVerdict, waiveBreaking } from '../../shared/core/verdict.js';

const at = { file: 'openapi.yaml', line: 3, column: 5, pointer: '/paths' };
const breakingError: Finding = {
  kind: 'breaking',
  id: 'api-removed-without-deprecation',
  severity: 'error',
  message: 'api removed',
  ...at,
};
const lintWarning: Finding = {
  kind: 'lint',
  id: 'operation-description',
  severity: 'warning',
  message: 'no description',
  ...at,
};
const lintError: Finding = {
  kind: 'lint',
  id: 'path-params',
  severity: 'error',
  message: 'undeclared',
  ...at,
};
const gates = (over: Partial<GateSettings> = {}): GateSettings => ({ ...defaultGates, ...over });

describe('decideVerdict', () => {
  it('fails on an unapproved breaking change and says why', () => {
    expect(decideVerdict([breakingError, lintWarning], { gates: gates() })).toEqual({
      verdict: 'fail',
      reason: 'failed: 1 breaking change',
    });
  });

  it('passes warnings by default, fails them with --fail-on warning', () => {
    expect(decideVerdict([lintWarning], { gates: gates() }).verdict).toBe('pass');
    expect(decideVerdict([lintWarning], { gates: gates(), failOn: 'warning' }).verdict).toBe('fail');
  });

  it('honours the lint gate: failOn never lets lint errors through, but not validation errors', () => {
    const lintNever = gates({ lint: { failOn: 'never', scope: 'new' } });
    expect(decideVerdict([lintError], { gates: lintNever }).verdict).toBe('pass');
    const invalid: Finding = { ...lintError, kind: 'validation', id: 'oas-schema' };
    expect(decideVerdict([invalid], { gates: lintNever }).verdict).toBe('fail');
  });

  it('a waived breaking change passes and the reason says it was accepted', () => {
    const waived = waiveBreaking([breakingError], 'approval');
    expect(waived[0]).toMatchObject({ severity: 'info', waivedBy: 'approval' });
    expect(decideVerdict(waived, { gates: gates() })).toEqual({
      verdict: 'pass',
      reason: 'passed; 1 breaking change accepted',
    });
  });
});

describe('applyBreakingGate', () => {
  it('warn demotes breaking errors to warnings, off drops them, lint is untouched', () => {
    expect(
      applyBreakingGate([breakingError, lintError], gates({ breaking: 'warn' })).map((f) => f.severity),
    ).toEqual(['warning', 'error']);
    expect(applyBreakingGate([breakingError, lintError], gates({ breaking: 'off' }))).toEqual([lintError]);
  });
});
