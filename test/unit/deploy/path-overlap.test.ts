import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import {
  coversHostname,
  findOutsidePrefixes,
  findPathOverlap,
  hostnamesOverlap,
  type PathMatchValue,
} from '../../../shared/core/deploy/path-overlap.js';

const regex = (value: string): PathMatchValue => ({ type: 'RegularExpression', value });
const exact = (value: string): PathMatchValue => ({ type: 'Exact', value });
const prefix = (value: string): PathMatchValue => ({ type: 'PathPrefix', value });

/** Whether Envoy's engine (RE2, here re2js) or Kuma's Exact/PathPrefix semantics take `path`. */
function takes(match: PathMatchValue, path: string): boolean {
  if (match.type === 'Exact') return match.value === path;
  if (match.type === 'PathPrefix') {
    const base = match.value.replace(/\/+$/, '');
    return base === '' || path === base || path.startsWith(`${base}/`);
  }
  return RE2JS.compile(match.value).matches(path);
}

describe('findPathOverlap', () => {
  // The first four pairs share requests that the sample each side's regex generates does not show: the
  // one-sample check this replaces (one side's sample tried against the other, both ways) missed them.
  it.each([
    ['alternatives whose first branches differ', regex('^/a/(?:x|[0-9]+)$'), regex('^/a/(?:y|[0-9]+)$')],
    ['an enum and a narrower pattern', regex('^/shared/(?:alpha|7)$'), regex('^/shared/(?:[0-9])$')],
    ['two templates crossing', regex('^/a/[^/]+/b$'), regex('^/a/c/[^/]+$')],
    ['a bounded repetition and an alternative', regex('^/x/(?:[a-z]{2})$'), regex('^/x/(?:q|zz)$')],
    ['templates crossing further right', regex('^/[^/]+/b/[0-9]+$'), regex('^/a/[^/]+/(?:x|1)$')],
    ['a regex and an Exact path it takes', regex('^/pets/(?:[a-z]+)$'), exact('/pets/bob')],
    ['a regex and a PathPrefix', regex('^/(?:x|y)/(?:[a-z]+|[0-9]+)$'), prefix('/y/')],
    ['a repetition', regex('^/v(?:[0-9]{2,3})/a$'), regex('^/v1(?:[0-9])+/a$')],
  ])('finds what %s share, with a request both really take', (_, a, b) => {
    const overlap = findPathOverlap(a, b);
    expect(overlap).toBeDefined();
    expect(overlap && 'path' in overlap).toBe(true);
    if (!overlap || !('path' in overlap)) return;
    expect(takes(a, overlap.path)).toBe(true);
    expect(takes(b, overlap.path)).toBe(true);
    expect(findPathOverlap(b, a)).toBeDefined();
  });

  it.each([
    ['disjoint segment classes', regex('^/a/[a-z]+$'), regex('^/a/[0-9]+$')],
    ['another base path', regex('^/store/[^/]+$'), regex('^/storefront/[^/]+$')],
    ['an Exact path the regex does not take', regex('^/pets/[0-9]+$'), exact('/pets/bob')],
    ['a prefix by whole segments', prefix('/store'), exact('/storefront')],
  ])('finds nothing for %s', (_, a, b) => {
    expect(findPathOverlap(a, b)).toBeUndefined();
  });

  it('fails closed when the product of two regexes grows past its bound', () => {
    const big = (n: number) => regex(`^/a/(?:[a-z]?){${n}}(?:[a-z]{${n}})$`);
    expect(findPathOverlap(big(900), big(899))).toMatchObject({
      unknown: expect.stringContaining('too large to compare exactly'),
    });
  });

  it('fails closed on a regex it cannot analyse, and says so', () => {
    const overlap = findPathOverlap(regex('^/a/(?i)x$'), exact('/zzz'));
    expect(overlap).toMatchObject({ unknown: expect.stringContaining('taken to match every path') });
  });
});

describe('findOutsidePrefixes', () => {
  it.each([
    ['a top-level alternative', regex('^/store/[^/]+$|^/pets/bob$'), '/pets/bob'],
    ['a longer first segment', regex('^/storefront/[^/]+$'), '/storefront/a'],
    ['a class that takes "/"', regex('^/store(?:[^a]+)$'), '/store0'],
    ['an optional slash', regex('^/store/?[a-z]+$'), '/storea'],
    ['a PathPrefix above the grant', prefix('/'), '/a'],
  ])('finds the request that escapes through %s', (_, match, expected) => {
    const outside = findOutsidePrefixes(match, ['/store']);
    expect(outside).toBeDefined();
    if (!outside || !('path' in outside)) throw new Error('no witness');
    expect(takes(match, outside.path)).toBe(true);
    expect(outside.path === '/store' || outside.path.startsWith('/store/')).toBe(false);
    expect(outside.path.length).toBeLessThanOrEqual(expected.length);
  });

  it('accepts what stays inside, by whole segments and across several granted prefixes', () => {
    expect(findOutsidePrefixes(regex('^/store/(?:[0-9]+)$'), ['/store'])).toBeUndefined();
    expect(findOutsidePrefixes(regex('^/(?:store|shop)/[^/]+$'), ['/store', '/shop'])).toBeUndefined();
    expect(findOutsidePrefixes(exact('/store'), ['/store/'])).toBeUndefined();
    expect(findOutsidePrefixes(regex('^/anything$'), ['/'])).toBeUndefined();
  });

  it('fails closed on a regex it cannot analyse', () => {
    expect(findOutsidePrefixes(regex('^/store/\\pN+$'), ['/store'])).toMatchObject({
      unknown: expect.stringContaining('cannot be analysed'),
    });
  });
});

describe('hostnames', () => {
  it('compare case-insensitively and a wildcard takes several labels, as Envoy does', () => {
    expect(coversHostname('*.example.com', 'a.b.example.com')).toBe(true);
    expect(coversHostname('*.Example.COM', 'API.example.com')).toBe(true);
    expect(coversHostname('*.example.com', 'example.com')).toBe(false);
    expect(hostnamesOverlap(['*.example.com'], ['a.b.EXAMPLE.com'])).toBe(true);
    expect(hostnamesOverlap(['*.b.example.com'], ['*.example.com'])).toBe(true);
    expect(hostnamesOverlap(['PETS.example.com'], ['pets.example.com'])).toBe(true);
    expect(hostnamesOverlap(['*.shop.example.com'], ['*.pets.example.com'])).toBe(false);
  });
});
