import { describe, expect, it } from 'vitest';
import { validateXKuma } from '../../../../shared/core/kuma/render/x-kuma.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';

const spec = (xKumaLines: string[]) =>
  loadSpecFromFiles(
    {
      'api.yaml': [
        'openapi: 3.0.3',
        'info: {title: t, version: "1"}',
        'paths:',
        '  /a:',
        '    get:',
        '      responses: {"200": {description: ok}}',
        '      x-kuma:',
        ...xKumaLines.map((line) => `        ${line}`),
      ].join('\n'),
    },
    'api.yaml',
  );

describe('validateXKuma', () => {
  it('accepts a valid operation block', async () => {
    expect(validateXKuma(await spec(['timeout: 5s', 'rateLimit: {requests: 10, interval: 1s}']))).toEqual([]);
  });

  it('reports each problem on the line of the offending key', async () => {
    const findings = validateXKuma(
      await spec([
        'timeout: soon',
        'retries:',
        '  attempts: 2',
        '  on: [5XX]',
        'rateLimit: {requests: 1, interval: 50ms}',
        'auth: {}',
      ]),
    );
    expect(findings.map((f) => [f.line, f.id, f.severity, f.operation])).toEqual(
      expect.arrayContaining([
        [8, 'x-kuma-invalid', 'error', 'GET /a'],
        [11, 'x-kuma-invalid', 'error', 'GET /a'],
        [13, 'x-kuma-invalid', 'error', 'GET /a'],
      ]),
    );
    const messages = findings.map((f) => f.message).join('\n');
    expect(messages).toContain('x-kuma.timeout must be a duration');
    expect(messages).toContain('not allowed on an operation');
  });

  it('enforces Kuma rate-limit interval > 50ms, which JSON Schema cannot say', async () => {
    const [finding] = validateXKuma(await spec(['rateLimit: {requests: 1, interval: 50ms}']));
    expect(finding).toMatchObject({ line: 8, message: expect.stringContaining('longer than 50ms') });
  });
});
