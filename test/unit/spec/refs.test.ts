import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryFileSource } from '../../../shared/adapters/memory-file-source.js';
import { loadSpec } from '../../../shared/core/spec/load-spec.js';
import type { FileSource } from '../../../shared/ports/file-source.js';
import { type ConnectionCounter, startConnectionCounter } from '../../helpers/loopback.js';
import { lineOf } from './lines.js';

/** A FileSource that records every path asked for. */
function spySource(files: Record<string, string>): { source: FileSource; reads: string[] } {
  const inner = createMemoryFileSource(files);
  const reads: string[] = [];
  const read = (path: string) => {
    reads.push(path);
    return inner.read(path);
  };
  return { reads, source: { description: 'spy', read } };
}

const specWith = (refs: string[]) => `openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
${refs.map((ref, i) => `    S${i}:\n      type: object\n      properties:\n        p:\n          $ref: '${ref}'`).join('\n')}
`;

describe('$ref boundary', () => {
  let counter: ConnectionCounter;
  beforeAll(async () => {
    counter = await startConnectionCounter();
  });
  afterAll(() => counter.close());

  it('refuses URLs of any scheme at the $ref line, without connecting', async () => {
    const refs = [
      `http://127.0.0.1:${counter.port}/s.yaml#/S`,
      `https://127.0.0.1:${counter.port}/s.yaml`,
      `//127.0.0.1:${counter.port}/s.yaml`,
      'file:///etc/passwd',
    ];
    const text = specWith(refs);
    const { source, reads } = spySource({ 'openapi.yaml': text });
    const spec = await loadSpec(source, 'openapi.yaml');
    expect(spec.findings.map((f) => [f.id, f.line, f.column])).toEqual(
      refs.map((ref) => ['ref-remote', lineOf(text, `'${ref}'`), 11]),
    );
    expect(reads).toEqual(['openapi.yaml']);
    expect(counter.connections).toBe(0);
  });

  it('refuses absolute paths and ../ escapes without reading them', async () => {
    // The entry sits in api/: one `../` is still inside the root, two leave it.
    const refs = [
      '/etc/passwd',
      'C:\\secret.yaml',
      '../../outside.yaml#/S',
      'sub/../../../outside.yaml',
      'sub/%2e%2e/%2e%2e/%2e%2e/x.yaml',
    ];
    const text = specWith(refs);
    const { source, reads } = spySource({ 'api/openapi.yaml': text });
    const spec = await loadSpec(source, 'api/openapi.yaml');
    expect(spec.findings.map((f) => [f.id, f.file, f.line])).toEqual([
      ['ref-absolute', 'api/openapi.yaml', lineOf(text, `'${refs[0]}'`)],
      ['ref-absolute', 'api/openapi.yaml', lineOf(text, `'${refs[1]}'`)],
      ['ref-outside-root', 'api/openapi.yaml', lineOf(text, `'${refs[2]}'`)],
      ['ref-outside-root', 'api/openapi.yaml', lineOf(text, `'${refs[3]}'`)],
      ['ref-outside-root', 'api/openapi.yaml', lineOf(text, `'${refs[4]}'`)],
    ]);
    expect(reads).toEqual(['api/openapi.yaml']);
  });

  it('a refused ref leaves no external ref in the bundle', async () => {
    const spec = await loadSpec(
      spySource({ 'openapi.yaml': specWith(['https://x.test/s.yaml']) }).source,
      'openapi.yaml',
    );
    expect(JSON.stringify(spec.bundle)).not.toContain('x.test');
  });

  it('missing file and missing fragment are reported at the $ref, also inside referenced files', async () => {
    const entry = specWith([
      'schemas/none.yaml',
      'schemas/pet.yaml#/Nope',
      'schemas/pet.yaml#/Pet',
      '#/components/schemas/Gone',
    ]);
    const pet = 'Pet:\n  type: object\n  properties:\n    owner:\n      $ref: "owner.yaml"\n';
    const spec = await loadSpec(
      spySource({ 'openapi.yaml': entry, 'schemas/pet.yaml': pet }).source,
      'openapi.yaml',
    );
    expect(spec.findings.map((f) => [f.id, f.file, f.line, f.column])).toEqual([
      ['ref-not-found', 'openapi.yaml', lineOf(entry, 'schemas/none.yaml'), 11],
      ['ref-pointer-not-found', 'openapi.yaml', lineOf(entry, 'pet.yaml#/Nope'), 11],
      ['ref-pointer-not-found', 'openapi.yaml', lineOf(entry, 'Gone'), 11],
      ['ref-not-found', 'schemas/pet.yaml', lineOf(pet, 'owner.yaml'), 7],
    ]);
    expect(spec.findings[0]?.message).toContain('schemas/none.yaml');
  });

  it('stops at the file limit with a finding at the ref that would exceed it', async () => {
    const entry = specWith(['a.yaml', 'b.yaml', 'c.yaml']);
    const files = {
      'openapi.yaml': entry,
      'a.yaml': 'type: string\n',
      'b.yaml': 'type: string\n',
      'c.yaml': 'type: string\n',
    };
    const { source, reads } = spySource(files);
    const spec = await loadSpec(source, 'openapi.yaml', { maxFiles: 3 });
    expect(spec.findings.map((f) => [f.id, f.line])).toEqual([['too-many-files', lineOf(entry, 'c.yaml')]]);
    expect(reads).toEqual(['openapi.yaml', 'a.yaml', 'b.yaml']);
  });

  it('a broken referenced file is reported in that file', async () => {
    const entry = specWith(['bad.yaml']);
    const spec = await loadSpec(
      spySource({ 'openapi.yaml': entry, 'bad.yaml': 'a: [\n' }).source,
      'openapi.yaml',
    );
    expect(spec.findings.map((f) => [f.id, f.file])).toEqual([['yaml-syntax', 'bad.yaml']]);
    expect(spec.bundle).toBeDefined();
  });
});
