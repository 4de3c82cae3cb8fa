import { describe, expect, it } from 'vitest';
import { parseBuiltinSetting } from '../../../shared/core/lint/ruleset.js';

function settle(id: string, value: unknown) {
  const reported: { id: string; pointer: string; severity: string | undefined }[] = [];
  const setting = parseBuiltinSetting(id, value, `/rules/${id}`, (findingId, pointer, _message, severity) =>
    reported.push({ id: findingId, pointer, severity }),
  );
  return { setting, reported };
}

describe("parseBuiltinSetting decides a built-in rule's setting from a rules entry", () => {
  it.each([
    ['off', 'off'],
    [false, 'off'],
    [-1, 'off'],
    ['error', 'error'],
    [0, 'error'],
    ['warn', 'warning'],
    ['hint', 'info'],
    [3, 'info'],
  ])('%j sets %s without a finding', (value, expected) => {
    expect(settle('info-contact', value)).toEqual({ setting: expected, reported: [] });
  });

  it('true keeps the rule on at its default severity (info-contact warns)', () => {
    expect(settle('info-contact', true)).toEqual({ setting: 'warning', reported: [] });
  });

  it.each([['loud'], [7], [null], [true]])('%j on an unknown rule is a warning, not a setting', (value) => {
    expect(settle('no-such-rule', value)).toEqual({
      setting: undefined,
      reported: [{ id: 'ruleset-unknown-rule', pointer: '/rules/no-such-rule', severity: 'warning' }],
    });
  });

  it.each([['loud'], [7], [null], [[]], ['Error']])(
    '%j on a built-in rule is an invalid setting',
    (value) => {
      expect(settle('info-contact', value)).toEqual({
        setting: undefined,
        reported: [{ id: 'ruleset-invalid', pointer: '/rules/info-contact', severity: undefined }],
      });
    },
  );

  it("never finds Object.prototype's members as built-in rules", () => {
    expect(settle('constructor', 'error').reported.map((r) => r.id)).toEqual(['ruleset-unknown-rule']);
  });
});
