import { describe, expect, it } from 'vitest';
import { createBundleState, followRef } from '../../../shared/core/spec/bundle-spec.js';
import type { SourceFile } from '../../../shared/core/spec/types.js';

/** A parsed file whose positions are all line 1: this step decides which finding, not where. */
function sourceFile(path: string, value: unknown): SourceFile {
  return { path, format: 'yaml', value, locate: (pointer) => ({ line: 1, column: 1, pointer }) };
}

const entry = sourceFile('api/openapi.yaml', { openapi: '3.0.3', components: { schemas: { Local: {} } } });
const user = sourceFile('api/user.yaml', { User: { type: 'object' } });

function stateWithFiles() {
  // Prepare: what prefetching would have read for this spec
  const state = createBundleState(entry, '3.0');
  state.loaded.set('api/user.yaml', { kind: 'ok', file: user });
  state.loaded.set('api/gone.yaml', { kind: 'missing' });
  state.loaded.set('api/extra.yaml', { kind: 'limit', message: 'this spec $refs more than 1 files' });
  state.loaded.set('api/broken.yaml', { kind: 'unusable' });
  return state;
}

describe('followRef decides where a ref leads or which finding says why not', () => {
  it('leads into a read file, and into the entry itself, without a finding', () => {
    const state = stateWithFiles();
    expect(followRef(state, 'user.yaml#/User', entry, '/paths/~1a/$ref')).toEqual({
      file: user,
      pointer: '/User',
    });
    expect(followRef(state, '#/components/schemas/Local', entry, '/x/$ref')).toEqual({
      file: entry,
      pointer: '/components/schemas/Local',
    });
    expect(state.findings).toEqual([]);
  });

  it.each([
    ['gone.yaml', 'ref-not-found'],
    ['extra.yaml#/A', 'too-many-files'],
    ['user.yaml#/Nobody', 'ref-pointer-not-found'],
    ['#/components/schemas/Nobody', 'ref-pointer-not-found'],
    ['https://example.com/user.yaml', undefined],
  ])('refuses %s with a finding on the ref', (ref, id) => {
    const state = stateWithFiles();
    expect(followRef(state, ref, entry, '/paths/~1a/$ref')).toBeUndefined();
    expect(state.findings).toHaveLength(1);
    if (id) expect(state.findings[0]?.id).toBe(id);
    expect(state.findings[0]?.file).toBe('api/openapi.yaml');
  });

  it('adds no finding of its own for a file whose own findings say why', () => {
    const state = stateWithFiles();
    expect(followRef(state, 'broken.yaml#/A', entry, '/x/$ref')).toBeUndefined();
    expect(state.findings).toEqual([]);
  });

  it('never reads: a file prefetching did not load counts as missing', () => {
    const state = stateWithFiles();
    expect(followRef(state, 'unread.yaml', entry, '/x/$ref')).toBeUndefined();
    expect(state.findings.map((f) => f.id)).toEqual(['ref-not-found']);
  });
});
