/**
 * The repo config keys of the traffic plug-ins (`envoyGateway`, `service.podLabels`) and the new x-kuma keys,
 * through the CLI as a user meets them: a bad value is a config-schema finding on its line, and nothing renders.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../helpers/cli.js';

const spec = {
  openapi: '3.0.3',
  info: { title: 'Orders', version: '1' },
  paths: { '/orders': { get: { responses: { 200: { description: 'ok' } } } } },
};

async function render(api: Record<string, unknown>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gapi-traffic-'));
  writeFileSync(path.join(dir, 'api.yaml'), stringify(spec));
  const entry = { name: 'orders', spec: 'api.yaml', service: { name: 'orders', namespace: 'shop' }, ...api };
  writeFileSync(path.join(dir, '.kuma-api-forge.yaml'), stringify({ version: 1, apis: [entry] }));
  return runCli(['render', '.'], dir);
}

describe('config keys of the gateway-api traffic policies', () => {
  it('accepts them (the kuma-gateway target does not use them)', async () => {
    const run = await render({
      service: { name: 'orders', namespace: 'shop', podLabels: { 'app.kubernetes.io/name': 'orders' } },
      envoyGateway: {
        globalRateLimit: true,
        routingType: 'EnvoyProxy',
        namespace: 'edge-system',
        proxyLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'edge' },
      },
      defaults: { rateLimit: { requests: 5, interval: '1s', scope: 'local' } },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it.each([
    ['a routing type Envoy Gateway does not have', { envoyGateway: { routingType: 'Service' } }],
    ['an unknown envoyGateway key', { envoyGateway: { globalRatelimit: true } }],
    [
      'empty proxy labels (they would select every proxy of the namespace)',
      { envoyGateway: { proxyLabels: {} } },
    ],
    ['a label key Kubernetes refuses', { envoyGateway: { proxyLabels: { 'bad key': 'x' } } }],
    ['a label value Kubernetes refuses', { service: { name: 'orders', podLabels: { app: 'no spaces' } } }],
    ['empty pod labels (every pod of the namespace)', { service: { name: 'orders', podLabels: {} } }],
  ])('refuses %s with a config finding and renders nothing', async (_, api) => {
    const run = await render(api);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^\.kuma-api-forge\.yaml:\d+:\d+: error: .*\[config-schema\]$/m);
    expect(run.stdout).toBe('');
  });

  it('refuses a rate-limit scope that does not exist, on its line in the defaults', async () => {
    const run = await render({ defaults: { rateLimit: { requests: 5, interval: '1s', scope: 'cluster' } } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/scope.*"local", "global"/);
    expect(run.stdout).toBe('');
  });
});
