import { describe, expect, it } from 'vitest';
import { isMajorBump } from '../../../shared/core/breaking/is-major-bump.js';

describe('isMajorBump', () => {
  it.each([
    ['1.4.0', '2.0.0', true],
    ['v1.9.3', 'v2.0.0-rc.1', true],
    ['1', '2', true],
    ['1.2', '3.0', true],
    ['0.3.1', '0.4.0', true],
    ['1.4.0', '1.5.0', false],
    ['0.3.1', '0.3.2', false],
    ['2.0.0', '1.0.0', false],
    ['1.0.0', '1.0.0', false],
    ['2024-01-01', '2025-01-01', false],
    ['latest', '2.0.0', false],
    ['1.0.0', 'next', false],
  ])('%s → %s: %s', (base, head, expected) => {
    expect(isMajorBump(base, head)).toBe(expected);
  });

  it('is false when a side has no version', () => {
    expect(isMajorBump(undefined, '2.0.0')).toBe(false);
    expect(isMajorBump('1.0.0', undefined)).toBe(false);
  });
});
