import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../../shared/core/findings.js';
import {
  type OperationContext,
  renderOperation,
} from '../../../../shared/core/kuma/render/render-operation.js';
import type { ApiConfig } from '../../../../shared/core/kuma/render/types.js';
import { readServerPaths } from '../../../../shared/core/routing/server-paths.js';
import { listOperations } from '../../../../shared/core/spec/operations.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';

const spec = `openapi: 3.0.3
info: {title: Shop, version: 1.0.0}
servers: [{url: /shop}]
x-kuma: {timeout: 5s}
paths:
  /items:
    x-kuma: {timeout: 7s}
    get:
      operationId: listItems
      x-kuma: {timeout: 9s}
      responses: {'200': {description: ok}}
    post:
      x-kuma: {disabled: true}
      responses: {'200': {description: ok}}
  /items/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
    delete:
      x-kuma:
        requestHeaders: {set: {':authority': evil}}
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: ok}}
`;

/** Prepare: the context renderApi builds for one API, over a spec loaded like the CLI loads it. */
async function renderEach(api: Partial<ApiConfig> = {}) {
  const loaded = await loadSpecFromFiles({ 'openapi.yaml': spec }, 'openapi.yaml');
  const bundle = loaded.bundle!;
  const config: ApiConfig = { name: 'shop', spec: 'openapi.yaml', ...api };
  const findings: Finding[] = [];
  const context: OperationContext = {
    spec: loaded,
    bundle,
    api: config,
    inherited: [{ value: config.defaults }, { value: bundle['x-kuma'], pointer: '/x-kuma' }],
    block: (_pointer, owner) => owner['x-kuma'],
    bases: readServerPaths(loaded, config.basePath).bases,
    service: { name: 'shop', port: 80, versions: [] },
    findings,
  };
  const byLabel = new Map(
    listOperations(bundle).map((operation) => {
      const rendered = renderOperation(context, operation);
      return [`${operation.method.toUpperCase()} ${operation.path}`, rendered] as const;
    }),
  );
  return { byLabel, findings };
}

describe('renderOperation decides one rule, or why the operation is not exposed', () => {
  it("takes the nearest x-kuma: the operation's over its path item's over the spec root's", async () => {
    const { byLabel } = await renderEach();
    expect(byLabel.get('GET /items')?.routeSettings.timeout).toBe('9s');
    expect(byLabel.get('GET /items/{id}')?.routeSettings.timeout).toBe('5s');
  });

  it('skips a disabled operation without a finding', async () => {
    const { byLabel, findings } = await renderEach();
    expect(byLabel.get('POST /items')).toBeUndefined();
    expect(findings.filter((f) => f.operation === 'POST /items')).toEqual([]);
  });

  it('refuses a header Envoy would reject, on the line of the header', async () => {
    const { byLabel, findings } = await renderEach();
    expect(byLabel.get('DELETE /items/{id}')).toBeUndefined();
    const refused = findings.filter((f) => f.operation === 'DELETE /items/{id}');
    expect(refused.map((f) => [f.id, f.line])).toEqual([
      ['x-kuma-header-refused', spec.split('\n').findIndex((line) => line.includes(':authority')) + 1],
    ]);
  });

  it('rewrites a literal path in full, and refuses to rewrite a templated one', async () => {
    const { byLabel, findings } = await renderEach({ rewrite: '/api/' });
    expect(byLabel.get('GET /items')?.ruleDefault.filters).toEqual([
      {
        type: 'URLRewrite',
        urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/api/items' } },
      },
    ]);
    expect(byLabel.get('GET /items/{id}')).toBeUndefined();
    expect(findings.filter((f) => f.operation === 'GET /items/{id}').map((f) => f.id)).toEqual([
      'kuma-rewrite-templated-path',
    ]);
  });

  it('matches the path under the server base, one match per base', async () => {
    const { byLabel } = await renderEach();
    expect(byLabel.get('GET /items')?.matches.map((m) => [m.pathTemplate, m.match])).toEqual([
      ['/shop/items', { type: 'Exact', value: '/shop/items' }],
    ]);
  });
});
