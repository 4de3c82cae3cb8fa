/**
 * A bad value in an `x-kuma` block costs only its own key: the block's valid keys still apply (a bad `timeout`
 * must not drop the retries or the auth written next to it), and the bad key is reported on its line.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';
import { lineOf } from '../../spec/lines.js';

const render = async (text: string) =>
  renderApi({
    spec: await loadSpecFromFiles({ 'api.yaml': text }, 'api.yaml'),
    api: { name: 'pets', spec: 'api.yaml' },
  });
const kinds = (resources: { kind: string }[]) => resources.map((r) => r.kind);

const spec = (root: string, operation = '') => `openapi: 3.0.3
info: {title: pets, version: '1'}
${root}paths:
  /pets:
    get:
      operationId: listPets
${operation}      responses: {'200': {description: ok}}
`;

describe('x-kuma: a bad key does not take the valid ones with it', () => {
  it('root: a bad timeout is reported on its line; the retries next to it are rendered', async () => {
    const text = spec('x-kuma:\n  timeout: banana\n  retries: {attempts: 2}\n');
    const { findings, resources } = await render(text);
    expect(findings.filter((f) => f.id === 'x-kuma-invalid').map((f) => [f.file, f.line])).toEqual([
      ['api.yaml', lineOf(text, 'timeout: banana')],
    ]);
    expect(kinds(resources)).toContain('MeshRetry');
    expect(kinds(resources)).not.toContain('MeshTimeout');
  });

  it('operation: an unknown key is reported; the operation keeps its valid timeout', async () => {
    const text = spec('', '      x-kuma:\n        timeot: 5s\n        timeout: 5s\n');
    const { findings, resources } = await render(text);
    expect(findings.filter((f) => f.id === 'x-kuma-invalid').map((f) => f.line)).toEqual([
      lineOf(text, 'timeot: 5s'),
    ]);
    expect(kinds(resources)).toContain('MeshTimeout');
  });

  it('a block that is not an object is dropped whole, with one finding', async () => {
    const text = spec('x-kuma: nope\n');
    const { findings, resources } = await render(text);
    expect(findings.filter((f) => f.id === 'x-kuma-invalid').map((f) => f.line)).toEqual([
      lineOf(text, 'x-kuma: nope'),
    ]);
    expect(kinds(resources)).not.toContain('MeshRetry');
  });

  it('two bad keys: both reported, the good one kept', async () => {
    const text = spec('x-kuma:\n  timeout: banana\n  idleTimeout: -1\n  retries: {attempts: 2}\n');
    const { findings, resources } = await render(text);
    expect(findings.filter((f) => f.id === 'x-kuma-invalid').map((f) => f.line)).toEqual([
      lineOf(text, 'timeout: banana'),
      lineOf(text, 'idleTimeout'),
    ]);
    expect(kinds(resources)).toContain('MeshRetry');
  });
});
