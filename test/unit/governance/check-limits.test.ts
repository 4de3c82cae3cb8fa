/**
 * Each limit of governance/limits.yaml against one API's effective x-kuma: at the bound passes, past it fails on
 * the line the value is written; the schema and the `Limits` type list the same keys.
 */
import { describe, expect, it } from 'vitest';
import schema from '../../../schemas/governance-limits.schema.json' with { type: 'json' };
import { createMemoryFileSource } from '../../../shared/adapters/memory-file-source.js';
import { checkLimits } from '../../../shared/core/governance/check-limits.js';
import type { Limits } from '../../../shared/core/governance/governance.js';
import { loadSpec } from '../../../shared/core/spec/load-spec.js';

async function findings(xKuma: string[], limits: Limits) {
  const text = [
    'openapi: 3.0.3',
    'info: {title: t, version: 1.0.0}',
    'paths:',
    '  /a:',
    '    get:',
    "      responses: {'200': {description: ok}}",
    '      x-kuma:',
    ...xKuma.map((line) => `        ${line}`),
    '',
  ].join('\n');
  const spec = await loadSpec(createMemoryFileSource({ 'openapi.yaml': text }), 'openapi.yaml');
  const api = { name: 't', spec: 'openapi.yaml', gateway: 'edge', hostnames: ['t.example.com'] };
  return checkLimits({ name: 't', spec, api }, { limits, scope: 'all', pointer: '/all' }).map(
    (f) => `${f.id}:${f.line}`,
  );
}

describe('checkLimits', () => {
  it('maxRetries, maxIdleTimeout: at the bound passes, past it fails on its line', async () => {
    expect(await findings(['retries: {attempts: 3}'], { maxRetries: 3 })).toEqual([]);
    expect(await findings(['retries: {attempts: 4}'], { maxRetries: 3 })).toEqual(['platform-max-retries:8']);
    expect(await findings(['idleTimeout: 1m'], { maxIdleTimeout: '60s' })).toEqual([]);
    expect(await findings(['idleTimeout: 1m1s'], { maxIdleTimeout: '60s' })).toEqual([
      'platform-max-idle-timeout:8',
    ]);
  });

  it('maxRateLimit compares rates, whatever the intervals', async () => {
    const max = { maxRateLimit: { requests: 100, interval: '1m' } };
    expect(await findings(['rateLimit: {requests: 10, interval: 6s}'], max)).toEqual([]);
    expect(await findings(['rateLimit: {requests: 2, interval: 1s}'], max)).toEqual([
      'platform-max-rate-limit:8',
    ]);
    expect(await findings(['rateLimit: {requests: 6000, interval: 1h}'], max)).toEqual([]);
  });

  it('a disabled operation is not exposed and not held to the limits', async () => {
    expect(
      await findings(['disabled: true', 'timeout: 1h'], { maxTimeout: '1s', requireRateLimit: true }),
    ).toEqual([]);
  });

  it('the schema and the Limits type name the same keys', () => {
    const keys = {
      ruleset: true,
      maxTimeout: true,
      maxIdleTimeout: true,
      maxRetries: true,
      requireRateLimit: true,
      maxRateLimit: true,
      requireAuth: true,
      jwksHosts: true,
    } satisfies Record<keyof Limits, true>;
    const described = Object.keys(schema.definitions.limits.properties).filter(
      (key) => key !== 'description',
    );
    expect(described.sort()).toEqual(Object.keys(keys).sort());
  });
});
