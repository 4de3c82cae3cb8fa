/**
 * What the render says about a spec (auth it will not render, a key it cannot express, a resource it will not
 * write) is about routing, not about the spec's validity: the PR comment lists it under "Routing", never under
 * "Validation", and `--format json` gives it kind `routing`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const spec = `openapi: 3.0.3
info: {title: Pets, version: 1.0.0}
servers: [{url: 'https://api.example.com/pets'}]
security: [{apiKey: []}]
paths:
  /pets:
    get:
      operationId: listPets
      responses: {'200': {description: ok}}
components:
  securitySchemes:
    apiKey: {type: apiKey, in: header, name: X-API-Key, x-example: sk_live_0123456789abcdef}
`;

function repo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'render-kind-'));
  mkdirSync(path.join(dir, 'openapi'));
  writeFileSync(path.join(dir, 'openapi', 'pets.yaml'), spec);
  writeFileSync(
    path.join(dir, '.kuma-api-forge.yaml'),
    [
      'version: 1',
      'target: gateway-api',
      'parentRef: {namespace: envoy-gateway-system, name: eg}',
      'apis:',
      '  - name: pets',
      '    spec: openapi/pets.yaml',
      '    service: {name: pets, namespace: pets, port: 8080}',
      '    apiKeys: {apiKey: {secretRefs: [{name: pets-keys}]}}',
      '',
    ].join('\n'),
  );
  return dir;
}

describe('render findings are routing findings', () => {
  it('in the JSON report and under "Routing" in the PR comment', async () => {
    const dir = repo();
    const json = await runCli(['check', '--head', dir, '--format', 'json']);
    const findings = JSON.parse(json.stdout).findings as { id: string; kind: string }[];
    const literal = findings.filter((f) => f.id === 'gateway-api-apikey-literal');
    expect(literal).toHaveLength(1);
    expect(literal[0]!.kind).toBe('routing');
    expect(json.code).toBe(1);

    const markdown = (await runCli(['check', '--head', dir, '--format', 'markdown'])).stdout;
    const routing = markdown.indexOf('Routing');
    expect(routing).toBeGreaterThan(-1);
    expect(markdown.indexOf('gateway-api-apikey-literal')).toBeGreaterThan(routing);
    const validation = markdown.indexOf('Validation');
    if (validation >= 0) {
      // A Validation section, if any, holds none of them.
      const section = markdown.slice(validation, markdown.indexOf('###', validation + 1));
      expect(section).not.toContain('gateway-api-apikey-literal');
    }
  });
});
