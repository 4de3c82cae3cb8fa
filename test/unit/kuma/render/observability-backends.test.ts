/**
 * Access-log and trace backends that the x-kuma schema lets through but Kuma's webhook refuses (its checks in
 * meshaccesslog/meshtrace validator.go, tested against Kuma's own cases in test/conformance): render must stop
 * with an error on the x-kuma line and emit nothing, instead of a manifest Kuma rejects at deploy time.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../helpers/cli.js';

async function render(xKuma: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'observability-'));
  writeFileSync(
    path.join(dir, 'api.yaml'),
    [
      'openapi: 3.0.3',
      'info: {title: t, version: "1"}',
      'x-kuma:',
      `  ${xKuma}`,
      'paths:',
      '  /orders:',
      '    get:',
      '      responses: {"200": {description: ok}}',
    ].join('\n'),
  );
  return runCli(['render', 'api.yaml'], dir);
}

describe('observability backends Kuma refuses', () => {
  it.each([
    [
      'a TCP log address that is not a host:port URL',
      'accessLog: {tcp: "logs!host:5000"}',
      /tcp\.address: tcp backend requires valid address/,
    ],
    [
      'an OpenTelemetry endpoint with a query',
      'trace: {openTelemetry: "collector?x:4317"}',
      // rendered as a MeshOpenTelemetryBackend (the form Kuma 3.0 keeps), whose address Kuma checks
      /endpoint\.address: address has to be a valid IP or hostname/,
    ],
    ['a Zipkin URL without a host', 'trace: {zipkin: "http://#frag"}', /zipkin\.url: must be a valid url/],
  ])('%s exits 1 with the finding on the x-kuma line and prints no manifests', async (_, xKuma, message) => {
    const run = await render(xKuma);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^api\.yaml:3:\d+: error: rendered Mesh(AccessLog|Trace|OpenTelemetryBackend)\/.*\[kuma-invalid-resource\]$/m,
    );
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('renders valid backends', async () => {
    for (const xKuma of [
      'accessLog: {tcp: "logs.example.com:5000"}',
      'accessLog: {file: /dev/stdout}',
      'trace: {openTelemetry: "otel-collector.observability:4317", sampling: 10}',
      'trace: {zipkin: "http://zipkin.observability:9411/api/v2/spans"}',
    ]) {
      const run = await render(xKuma);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/kind: Mesh(AccessLog|Trace)/);
    }
  });
});
