/**
 * `service.versions` without `x-kuma.weights`: one version is the default and takes all traffic, or every version
 * has a weight; never an even split by omission. Each declaration shape → the backendRefs the gateway gets for an
 * operation without weights (and one with), or an error on the config line and nothing rendered.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { createMemoryFileSource } from '../../../../shared/adapters/memory-file-source.js';
import { renderRepo } from '../../../../shared/use-cases/render-repo.js';
import { runCli } from '../../../helpers/cli.js';

const ok = '{ responses: { "200": { description: ok } } }';
const spec = [
  'openapi: 3.0.3',
  'info: { title: Shop, version: "1" }',
  'paths:',
  `  /plain: { get: ${ok} }`,
].join('\n');
/** Plus an operation with its own split. */
const withSplit = [
  spec,
  '  /split:',
  '    get:',
  '      x-kuma: { weights: { v1: 30, v2: 70 } }',
  '      responses: { "200": { description: ok } }',
].join('\n');

/** A config whose one API declares `versions` (YAML lines under `versions:`, already indented). */
function config(versions: string[] | undefined, more: string[] = []) {
  return [
    'version: 1',
    'apis:',
    '  - name: shop',
    '    spec: api.yaml',
    '    service:',
    '      name: svc',
    '      namespace: shop',
    '      port: 8080',
    ...(versions ? ['      versions:', ...versions] : []),
    ...more,
  ].join('\n');
}

async function render(text: string, files: Record<string, string> = {}) {
  return renderRepo(createMemoryFileSource({ '.kuma-api-forge.yaml': text, 'api.yaml': spec, ...files }));
}

/** `name:weight` of the backendRefs of the rule matching `path`, e.g. `svc-v1:100` (weight omitted: `svc`). */
function backends(result: Awaited<ReturnType<typeof render>>, path: string): string[] {
  for (const resource of result.apis.flatMap((api) => api.resources)) {
    if (resource.kind !== 'MeshHTTPRoute') continue;
    for (const to of resource.spec.to as {
      rules: {
        matches: { path: { value: string } }[];
        default: { backendRefs: { name: string; weight?: number }[] };
      }[];
    }[]) {
      for (const rule of to.rules) {
        if (rule.matches[0]!.path.value !== path) continue;
        return rule.default.backendRefs.map((ref) =>
          ref.weight === undefined ? ref.name : `${ref.name}:${ref.weight}`,
        );
      }
    }
  }
  throw new Error(`no rule for ${path}`);
}

describe('traffic of operations without x-kuma.weights', () => {
  it.each([
    ['no versions: the service itself', undefined, ['svc']],
    ['one version, nothing else said: all to it', ['        - name: v1'], ['svc-v1:100']],
    [
      'the version marked default, even when it is not listed first',
      ['        - name: v1', '        - name: v2', '          default: true', '        - name: v3'],
      ['svc-v2:100'],
    ],
    [
      'the default version under its own service name',
      [
        '        - name: v1',
        '        - name: v2',
        '          service: svc-canary',
        '          default: true',
      ],
      ['svc-canary:100'],
    ],
    [
      'weights on every version: their split',
      ['        - { name: v1, weight: 90 }', '        - { name: v2, weight: 10 }'],
      ['svc-v1:90', 'svc-v2:10'],
    ],
    [
      'weights with a zero: the zero is dropped (blue/green switch)',
      ['        - { name: v1, weight: 0 }', '        - { name: v2, weight: 5 }'],
      ['svc-v2:5'],
    ],
  ])('%s', async (_, versions, expected) => {
    const result = await render(config(versions));
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(backends(result, '/plain')).toEqual(expected);
  });

  it('x-kuma.weights still split the operations that have them, whatever the default', async () => {
    const versions = ['        - name: v1', '          default: true', '        - name: v2'];
    const result = await render(config(versions), { 'api.yaml': withSplit });
    expect(result.findings).toEqual([]);
    expect(backends(result, '/plain')).toEqual(['svc-v1:100']);
    expect(backends(result, '/split')).toEqual(['svc-v1:30', 'svc-v2:70']);
  });
});

describe('an ambiguous declaration is an error on its config line, and the API is not rendered', () => {
  it.each([
    [
      'two versions, neither weights nor a default',
      ['        - name: v1', '        - name: v2'],
      9,
      /"v1", "v2" have no weights and none is marked default.*Mark it default: true/,
    ],
    [
      'weights on only some versions',
      ['        - { name: v1, weight: 50 }', '        - name: v2'],
      11,
      /version "v2" has no weight while "v1" has one/,
    ],
    [
      'two defaults',
      ['        - { name: v1, default: true }', '        - name: v2', '          default: true'],
      12,
      /"v1", "v2" are all marked default/,
    ],
    [
      'a default and weights',
      [
        '        - { name: v1, weight: 100 }',
        '        - name: v2',
        '          weight: 0',
        '          default: true',
      ],
      13,
      /"v2" is marked default but "v1", "v2" have weights/,
    ],
  ])('%s', async (_, versions, line, message) => {
    const result = await render(config(versions));
    expect(result.findings).toEqual([
      expect.objectContaining({
        id: 'kuma-service-versions',
        severity: 'error',
        file: '.kuma-api-forge.yaml',
        line,
        message: expect.stringMatching(message),
      }),
    ]);
    expect(result.apis).toEqual([]);
    expect(result.files).toEqual([]);
  });

  it('even when x-kuma.weights covers every operation (the default is the fallback when they go)', async () => {
    const weighted = spec.replace('paths:', 'x-kuma: { weights: { v1: 50, v2: 50 } }\npaths:');
    const result = await render(config(['        - name: v1', '        - name: v2']), {
      'api.yaml': weighted,
    });
    expect(result.findings.map((f) => `${f.id} ${f.line}`)).toEqual(['kuma-service-versions 9']);
  });

  it('only that API: the other APIs of the repo still render', async () => {
    const text = config(
      ['        - name: v1', '        - name: v2'],
      ['  - name: other', '    spec: api.yaml', '    basePath: /other'],
    );
    const result = await render(text);
    expect(result.findings.map((f) => `${f.id} ${f.line}`)).toEqual(['kuma-service-versions 9']);
    expect(result.apis.map((api) => api.name)).toEqual(['other']);
  });

  it('`render` exits 1 with the finding on the config line and writes no manifests', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'kaf-versions-'));
    writeFileSync(
      path.join(dir, '.kuma-api-forge.yaml'),
      config(['        - name: v1', '        - name: v2']),
    );
    writeFileSync(path.join(dir, 'api.yaml'), spec);
    const run = await runCli(['render', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^\.kuma-api-forge\.yaml:9:7: error: apis\[0\]\.service\.versions: .* \[kuma-service-versions\]$/m,
    );
    expect(run.stdout).toBe('');
  });
});
