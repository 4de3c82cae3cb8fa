/**
 * renderRepo: every API of a repo config rendered the same way for the CLI, the PR preview and the deploy, with
 * what one API claims checked against the others.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMemoryFileSource } from '../../../../shared/adapters/memory-file-source.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { renderRepo, renderSpec } from '../../../../shared/use-cases/render-repo.js';
import { readTree, repoRoot } from './helpers.js';

const spec = (paths: Record<string, string>) =>
  [
    'openapi: 3.0.3',
    'info: {title: t, version: "1"}',
    'paths:',
    ...Object.entries(paths).flatMap(([p, operation]) => [`  ${p}:`, `    get: ${operation}`]),
  ].join('\n');
const ok = '{responses: {"200": {description: ok}}}';

function repo(config: string, files: Record<string, string>) {
  return createMemoryFileSource({ '.kuma-api-forge.yaml': config, ...files });
}

const twoApis = (a: string, b: string) =>
  ['version: 1', 'apis:', `  - {name: a, spec: a.yaml, ${a}}`, `  - {name: b, spec: b.yaml, ${b}}`].join(
    '\n',
  );

describe('renderRepo', () => {
  it('renders every API of the fixture repo into its own folder, valid for Kuma', async () => {
    const source = createMemoryFileSource(readTree(path.join(repoRoot, 'fixtures/kuma/orders')));
    const result = await renderRepo(source, { repo: 'acme/shop', commit: 'abc123' });
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.apis.map((api) => api.name)).toEqual(['orders']);
    expect(result.files.length).toBeGreaterThan(3);
    expect(result.files.every((file) => file.path.startsWith('orders/'))).toBe(true);
    expect(result.files[0]!.content).toContain(
      '# Source: repo acme/shop, spec openapi/orders.yaml, commit abc123',
    );
    expect(validateKumaResources(result.apis[0]!.resources)).toEqual([]);
  });

  it('gives the backing service the "default" namespace on Kubernetes when the config names none', async () => {
    const source = repo('version: 1\napis:\n  - {name: a, spec: a.yaml}', { 'a.yaml': spec({ '/x': ok }) });
    const refs = (text: string) =>
      parse(text.split('---\n').find((doc) => doc.includes('MeshHTTPRoute'))!).spec.to[0].rules[0].default
        .backendRefs;
    const k8s = await renderRepo(source);
    expect(refs(k8s.files.map((f) => f.content).join('---\n'))).toEqual([
      { kind: 'MeshService', name: 'a', namespace: 'default', port: 80 },
    ]);
    const universal = await renderRepo(source, { format: 'universal' });
    expect(refs(universal.files.map((f) => f.content).join('---\n'))).toEqual([
      { kind: 'MeshService', name: 'a', port: 80 },
    ]);
  });

  it('reports two APIs claiming the same gateway, hostname, method and path, on the second one', async () => {
    const source = repo(twoApis('hostnames: [api.example.com]', 'hostnames: ["*.example.com"]'), {
      'a.yaml': spec({ '/users/{id}': ok }),
      'b.yaml': spec({ '/other': ok, '/users/{name}': ok }),
    });
    const { findings } = await renderRepo(source);
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'routing',
        id: 'kuma-api-collision',
        severity: 'error',
        file: 'b.yaml',
        line: 7,
        operation: 'GET /users/{name}',
      }),
    ]);
  });

  it('lets two APIs use the same path on different hostnames or gateways', async () => {
    for (const [a, b] of [
      ['hostnames: [a.example.com]', 'hostnames: [b.example.com]'],
      ['gateway: one', 'gateway: two'],
    ]) {
      const source = repo(twoApis(a!, b!), {
        'a.yaml': spec({ '/u/{id}': ok }),
        'b.yaml': spec({ '/u/{id}': ok }),
      });
      expect((await renderRepo(source)).findings, `${a} / ${b}`).toEqual([]);
    }
  });

  it('reports an operation that another API of the repo shadows under Kuma ordering', async () => {
    // Same regex length: Kuma orders them arbitrarily, so /v1/users/{id} may be served by API a.
    const source = repo(twoApis('basePath: /v1', 'basePath: /v1/users'), {
      'a.yaml': spec({ '/{x}/{y}': ok }),
      'b.yaml': spec({ '/{id}': ok }),
    });
    const { findings } = await renderRepo(source);
    expect(findings).toEqual([
      expect.objectContaining({ id: 'kuma-api-shadowed', severity: 'error', file: 'b.yaml', line: 5 }),
    ]);
    expect(findings[0]!.message).toContain('Kuma orders arbitrarily');
  });

  it('reports two APIs that render a resource of the same name', async () => {
    const source = repo(
      ['version: 1', 'apis:', '  - {name: shop, spec: a.yaml}', '  - {name: shop-create, spec: b.yaml}'].join(
        '\n',
      ),
      {
        'a.yaml': spec({
          '/a': '{operationId: create, x-kuma: {timeout: 5s}, responses: {"200": {description: ok}}}',
        }),
        'b.yaml': spec({ '/b': ok }),
      },
    );
    const { findings } = await renderRepo(source);
    expect(findings).toContainEqual(
      expect.objectContaining({ id: 'kuma-resource-name-collision', file: '.kuma-api-forge.yaml', line: 4 }),
    );
  });

  it('reports a missing spec and invalid defaults on their config lines, and renders the rest', async () => {
    const config = [
      'version: 1',
      'defaults:',
      '  timeout: soon',
      'apis:',
      '  - {name: a, spec: missing.yaml}',
      '  - {name: b, spec: b.yaml}',
    ].join('\n');
    const result = await renderRepo(repo(config, { 'b.yaml': spec({ '/b': ok }) }));
    expect(result.findings.map((f) => [f.id, f.file, f.line])).toEqual([
      ['config-schema', '.kuma-api-forge.yaml', 3],
      ['config-spec-not-found', '.kuma-api-forge.yaml', 5],
    ]);
    expect(result.apis.map((api) => api.name)).toEqual(['b']);
  });

  it('says when there is no config, and renders only the API asked for', async () => {
    expect((await renderRepo(createMemoryFileSource({ 'a.yaml': spec({ '/a': ok }) }))).configFound).toBe(
      false,
    );
    const source = repo(twoApis('gateway: one', 'gateway: two'), {
      'a.yaml': spec({ '/a': ok }),
      'b.yaml': spec({ '/b': ok }),
    });
    const result = await renderRepo(source, { only: 'b' });
    expect(result.declared).toEqual(['a', 'b']);
    expect(result.apis.map((api) => api.name)).toEqual(['b']);
  });
});

describe('renderSpec', () => {
  it('names a bare spec after its title and applies the overrides', async () => {
    const source = createMemoryFileSource({
      'openapi.yaml': spec({ '/a': ok }).replace('title: t', 'title: Users API'),
    });
    const result = await renderSpec(source, 'openapi.yaml', {
      overrides: { gateway: 'edge', service: { port: 8080 } },
    });
    expect(result.apis.map((api) => api.name)).toEqual(['users']);
    const route = result.apis[0]!.resources.find((r) => r.kind === 'MeshHTTPRoute')!;
    expect(route.spec.targetRef).toEqual({ kind: 'MeshGateway', name: 'edge' });
    expect(JSON.stringify(route.spec)).toContain('"name":"users","namespace":"default","port":8080');
  });
});
