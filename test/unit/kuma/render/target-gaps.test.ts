/**
 * x-kuma keys the kuma-gateway target cannot express are warnings that name the target that can (gateway-api),
 * once per place they are written, and nothing is rendered for them.
 */
import { describe, expect, it } from 'vitest';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';

const spec = `openapi: 3.0.3
info: {title: t, version: "1"}
x-kuma:
  faultInjection: {abort: {status: 503, percentage: 10}}
paths:
  /a:
    get: {responses: {"200": {description: ok}}}
  /b:
    get: {responses: {"200": {description: ok}}}
  /login:
    post:
      x-kuma:
        rateLimit: {requests: 5, interval: 1s, scope: global}
        faultInjection: {delay: {duration: 1s}}
      responses: {"200": {description: ok}}
`;

describe('kuma-gateway: keys it cannot express', () => {
  it('warns on the line of each faultInjection and global rateLimit, once each, and renders no fault', async () => {
    const loaded = await loadSpecFromFiles({ 'openapi.yaml': spec }, 'openapi.yaml');
    const result = renderApi({ spec: loaded, api: { name: 'shop', spec: 'openapi.yaml' } });
    const gaps = result.findings.filter((f) => f.id === 'x-kuma-target-unsupported');
    expect(gaps.map((f) => [f.severity, f.pointer, f.line, f.operation])).toEqual([
      ['warning', '/x-kuma/faultInjection', 4, undefined],
      ['warning', '/paths/~1login/post/x-kuma/faultInjection', 14, 'POST /login'],
      ['warning', '/paths/~1login/post/x-kuma/rateLimit', 13, 'POST /login'],
    ]);
    expect(gaps.every((f) => f.message.includes('gateway-api'))).toBe(true);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.resources.map((r) => r.kind)).not.toContain('MeshFaultInjection');
    // The global limit is still enforced, per replica, as the warning says.
    expect(result.resources.filter((r) => r.kind === 'MeshRateLimit')).toHaveLength(1);
  });
});
