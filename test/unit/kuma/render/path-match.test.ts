import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { buildPathMatch } from '../../../../shared/core/kuma/render/path-match.js';

const params = (entries: Record<string, Record<string, unknown>>) => new Map(Object.entries(entries));
const matches = (regex: string, path: string) => RE2JS.compile(regex).matcher(path).matches();

describe('buildPathMatch', () => {
  it('keeps a literal path as an Exact match', () => {
    expect(buildPathMatch('/v1/users/me', params({}))).toEqual({ type: 'Exact', value: '/v1/users/me' });
  });

  it('turns a template into an anchored regex with literal parts escaped', () => {
    const match = buildPathMatch('/v1.0/files/{name}.json', params({}));
    expect(match.type).toBe('RegularExpression');
    expect(matches(match.value, '/v1.0/files/report.json')).toBe(true);
    expect(matches(match.value, '/v1x0/files/report.json')).toBe(false);
    expect(matches(match.value, '/v1.0/files/a/b.json')).toBe(false);
    expect(matches(match.value, '/prefix/v1.0/files/a.json')).toBe(false);
  });

  it('narrows a segment by integer, enum, uuid and an anchored RE2 pattern', () => {
    const match = buildPathMatch(
      '/o/{id}/{state}/{ref}/{code}',
      params({
        id: { name: 'id', in: 'path', schema: { type: 'integer', minimum: 1 } },
        state: { name: 'state', in: 'path', schema: { type: 'string', enum: ['open', 'on hold'] } },
        ref: { name: 'ref', in: 'path', schema: { type: 'string', format: 'uuid' } },
        code: { name: 'code', in: 'path', schema: { type: 'string', pattern: '^[A-Z]{3}$' } },
      }),
    );
    const uuid = '123e4567-e89b-12d3-a456-426614174000';
    expect(matches(match.value, `/o/42/open/${uuid}/ABC`)).toBe(true);
    expect(matches(match.value, `/o/42/on%20hold/${uuid}/ABC`)).toBe(true);
    expect(matches(match.value, `/o/x/open/${uuid}/ABC`)).toBe(false);
    expect(matches(match.value, `/o/42/closed/${uuid}/ABC`)).toBe(false);
    expect(matches(match.value, '/o/42/open/not-a-uuid/ABC')).toBe(false);
    expect(matches(match.value, `/o/42/open/${uuid}/abcd`)).toBe(false);
  });

  it('reads Swagger 2 parameters, which carry type and enum themselves', () => {
    const match = buildPathMatch(
      '/pets/{petId}',
      params({ petId: { name: 'petId', in: 'path', type: 'integer' } }),
    );
    expect(matches(match.value, '/pets/-3')).toBe(true);
    expect(matches(match.value, '/pets/cat')).toBe(false);
  });

  it('falls back to one generic segment when a pattern is unanchored, could match "/", or is not RE2', () => {
    for (const pattern of ['[a-z]+', '^.+$', '^(?=a)[a-z]+$', '^[^x]+$', '^[a-z]*$']) {
      const match = buildPathMatch(
        '/a/{p}',
        params({ p: { name: 'p', in: 'path', schema: { type: 'string', pattern } } }),
      );
      expect(match.value, pattern).toBe('^/a/[^/]+$');
    }
  });

  it('keeps the generic segment for label and matrix styles', () => {
    const match = buildPathMatch(
      '/a/{p}',
      params({ p: { name: 'p', in: 'path', style: 'matrix', schema: { type: 'integer' } } }),
    );
    expect(match.value).toBe('^/a/[^/]+$');
  });
});
