import { describe, expect, it } from 'vitest';
import tenantsSchema from '../../schemas/tenants.schema.json' with { type: 'json' };
import { formatRepoRef, parseRepoRef, repoKey, sameRepo } from '../../shared/core/repo-ref.js';

const rejected = [
  // empty parts
  '',
  '/',
  'acme/',
  '/pets',
  // extra or missing slashes
  'acme',
  'acme/pets/extra',
  'acme//pets',
  '/acme/pets',
  'acme/pets/',
  // what no GitHub name holds: spaces, line breaks, other characters, a URL
  ' acme/pets',
  'acme/pets\n',
  'acme/pe ts',
  'ac\u2028me/pets',
  'acme/pets@main',
  'https://github.com/acme/pets',
];

describe('parseRepoRef', () => {
  it('reads owner and repo, keeping their case', () => {
    expect(parseRepoRef('Acme-Corp/Pets.API_v2')).toEqual({ owner: 'Acme-Corp', repo: 'Pets.API_v2' });
    expect(parseRepoRef('.github/.github')).toEqual({ owner: '.github', repo: '.github' });
  });

  it.each(rejected)('refuses %j', (text) => {
    expect(parseRepoRef(text)).toBeUndefined();
  });

  it('formats back to the same text, byte for byte', () => {
    for (const text of ['Acme/Pets', 'acme/pets', 'a-b.c_d/e.f-g_h']) {
      expect(formatRepoRef(parseRepoRef(text)!)).toBe(text);
    }
  });

  it("accepts exactly the tenants file's keys (its schema's pattern), so every granted repo parses", () => {
    const pattern = new RegExp(tenantsSchema.properties.tenants.propertyNames.pattern);
    for (const text of [...rejected, 'Acme/Pets', '.github/.github', 'a/b', '-/_']) {
      expect([text, pattern.test(text)]).toEqual([text, parseRepoRef(text) !== undefined]);
    }
  });
});

describe('sameRepo and repoKey', () => {
  it('compare names as GitHub does, without regard to case', () => {
    expect(sameRepo({ owner: 'Acme', repo: 'Pets' }, { owner: 'acme', repo: 'PETS' })).toBe(true);
    expect(repoKey({ owner: 'Acme', repo: 'Pets' })).toBe('acme/pets');
  });

  it('tell different repos apart', () => {
    expect(sameRepo({ owner: 'acme', repo: 'pets' }, { owner: 'acme', repo: 'shop' })).toBe(false);
    expect(sameRepo({ owner: 'acme', repo: 'pets' }, { owner: 'globex', repo: 'pets' })).toBe(false);
  });
});
