/**
 * Kuma ranks regex matches by pattern length only; the renderer must still route every request the way
 * OpenAPI's "concrete beats templated" says. Checked through the route simulator (a port of Kuma's sorter).
 */
import { describe, expect, it } from 'vitest';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import { proveNoShadowing, routeRequest } from '../../../../shared/core/kuma/validate/route-simulator.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';

async function renderPaths(paths: string[], method = 'get') {
  const lines = ['openapi: 3.0.3', 'info: {title: t, version: "1"}', 'paths:'];
  for (const path of paths)
    lines.push(`  ${path}:`, `    ${method}: {responses: {"200": {description: ok}}}`);
  const spec = await loadSpecFromFiles({ 'api.yaml': lines.join('\n') }, 'api.yaml');
  return renderApi({ spec, api: { name: 'api', spec: 'api.yaml' } });
}

/** The template of the operation Kuma would send `GET path` to. */
function served(result: Awaited<ReturnType<typeof renderPaths>>, path: string) {
  const target = routeRequest(result.resources, { method: 'GET', path });
  return result.operations.find(
    (operation) => operation.route === target?.route && operation.ruleIndex === target?.ruleIndex,
  )?.pathTemplate;
}

describe('regex order', () => {
  it('sends a literal segment to its own operation even when its regex is shorter (GitHub /gists)', async () => {
    const result = await renderPaths([
      '/gists/{gist_id}/{sha}',
      '/gists/{gist_id}/star',
      '/gists/{gist_id}/forks',
    ]);
    expect(served(result, '/gists/1/star')).toBe('/gists/{gist_id}/star');
    expect(served(result, '/gists/1/forks')).toBe('/gists/{gist_id}/forks');
    expect(served(result, '/gists/1/abc123')).toBe('/gists/{gist_id}/{sha}');
    expect(proveNoShadowing(result.resources, result.operations)).toEqual([]);
    // Only the overlapping literal templates are padded, with a group around their literal segment.
    expect(JSON.stringify(result.resources)).toContain('"^/gists/[^/]+/(?:star)$"');
    expect(JSON.stringify(result.resources)).toContain('"^/gists/[^/]+/[^/]+$"');
  });

  it('prefers the literal at the first segment where two templates differ, and pads in chains', async () => {
    const result = await renderPaths(['/{a}/{b}/{c}', '/x/{b}/{c}', '/x/y/{c}', '/{a}/y/z', '/x/{b}/z']);
    expect(served(result, '/x/y/z')).toBe('/x/y/{c}');
    expect(served(result, '/x/q/z')).toBe('/x/{b}/z');
    expect(served(result, '/q/y/z')).toBe('/{a}/y/z');
    expect(served(result, '/x/q/q')).toBe('/x/{b}/{c}');
    expect(served(result, '/q/q/q')).toBe('/{a}/{b}/{c}');
    expect(proveNoShadowing(result.resources, result.operations)).toEqual([]);
  });

  it('lets a narrowed parameter win over a bare one, and ignores a literal it cannot match', async () => {
    const spec = await loadSpecFromFiles(
      {
        'api.yaml': [
          'openapi: 3.0.3',
          'info: {title: t, version: "1"}',
          'paths:',
          '  /items/{id}/{view}:',
          '    parameters: [{name: id, in: path, required: true, schema: {type: integer}}, {name: view, in: path, required: true, schema: {type: string}}]',
          '    get: {responses: {"200": {description: ok}}}',
          '  /items/{name}/full:',
          '    parameters: [{name: name, in: path, required: true, schema: {type: string}}]',
          '    get: {responses: {"200": {description: ok}}}',
          '  /items/{key}/{v}:',
          '    parameters: [{name: key, in: path, required: true, schema: {type: string, enum: [aa, bb]}}, {name: v, in: path, required: true, schema: {type: string}}]',
          '    get: {responses: {"200": {description: ok}}}',
        ].join('\n'),
      },
      'api.yaml',
    );
    const result = renderApi({ spec, api: { name: 'api', spec: 'api.yaml' } });
    expect(served(result, '/items/7/x')).toBe('/items/{id}/{view}');
    expect(served(result, '/items/aa/x')).toBe('/items/{key}/{v}');
    expect(served(result, '/items/7/full')).toBe('/items/{id}/{view}');
    expect(served(result, '/items/q/full')).toBe('/items/{name}/full');
    expect(proveNoShadowing(result.resources, result.operations)).toEqual([]);
  });

  it('does not pad templates of other methods or other segment counts', async () => {
    const result = await renderPaths(['/a/{x}', '/a/{x}/{y}', '/a/{x}/b/{z}']);
    expect(JSON.stringify(result.resources)).not.toContain('(?:');
  });
});
