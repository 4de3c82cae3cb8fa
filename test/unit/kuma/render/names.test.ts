import { describe, expect, it } from 'vitest';
import { buildName, buildSlug } from '../../../../shared/core/kuma/render/names.js';

describe('buildName', () => {
  it('slugs operation ids and paths into DNS-1123 labels', () => {
    expect(buildSlug('getUserByID')).toBe('get-user-by-id');
    expect(buildName('users', 'GET /users/{id}')).toBe('users-get-users-id');
  });

  it('cuts long names to 63 characters with a stable hash that keeps them apart', () => {
    const a = buildName('payments', 'x'.repeat(80), 'timeout');
    const b = buildName('payments', 'x'.repeat(80), 'retry');
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(a).not.toBe(b);
    expect(buildName('payments', 'x'.repeat(80), 'timeout')).toBe(a);
  });
});
