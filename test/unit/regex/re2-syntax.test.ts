import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import {
  acceptsString,
  compileRegex,
  findCommonString,
  literalNfa,
  prefixesNfa,
} from '../../../shared/core/regex/automaton.js';
import { parseRe2, serializeRe2 } from '../../../shared/core/regex/re2-syntax.js';

/** Every string over `alphabet` up to `length` characters. */
function strings(alphabet: string[], length: number): string[] {
  let layer = [''];
  const all = [''];
  for (let i = 0; i < length; i += 1) {
    layer = layer.flatMap((prefix) => alphabet.map((char) => prefix + char));
    all.push(...layer);
  }
  return all;
}

const alphabet = ['a', 'b', 'Z', '0', '7', '/', '.', '-', '_', '|', ' ', '\n', 'é'];
const probes = strings(alphabet, 3);

/** Patterns our parser must accept, and whose language must be RE2's exactly. */
const accepted = [
  'abc',
  'a|b|',
  '(?:ab|cd)+',
  '(?P<name>a|b)*?',
  '(?<n>[a-z]){2,3}',
  'a{0}b',
  'a{2,}',
  '[^a]',
  '[^/]+',
  '[a-z0-9_.-]+',
  '[]a]',
  '[-a]',
  '[a-]',
  '[[:alpha:]]',
  '[[:^digit:]/]',
  '[[:punct:]]',
  '\\d\\D',
  '\\s+',
  '\\w*\\W',
  '[\\d\\s]',
  '[^\\w]',
  '\\Q|.\\E',
  '\\Qab\\E*',
  '\\x{2f}\\x61',
  '.',
  '.*',
  '\\.|\\||\\-',
  'é+',
  '\\t\\n',
  '()',
];

/** Patterns we refuse (flags, Unicode classes, \C, word boundaries, anchors inside, octal, literal `{`). */
const refused = [
  '(?i)abc',
  '(?s).',
  '(?m)^a$',
  '(?U)a*',
  'a(?i:b)',
  '\\C',
  '\\pN',
  '\\p{Any}',
  '\\PL',
  '\\p{Greek}',
  '\\bab',
  '\\B',
  'a^b',
  'a$b',
  '(^a)',
  '\\1',
  '\\0',
  'a{',
  '{2}',
  'a**',
  'a{1001}',
  '[b-a]',
  '(a',
  'a)',
  '[a',
];

describe('parseRe2', () => {
  it.each(accepted)('accepts %j with exactly the language RE2 gives it', (pattern) => {
    const parsed = parseRe2(pattern);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const nfa = compileRegex(parsed.node);
    const re2 = RE2JS.compile(`^(?:${pattern})$`);
    const serialized = RE2JS.compile(`^${serializeRe2(parsed.node)}$`);
    for (const probe of probes) {
      const expected = re2.matches(probe);
      expect(acceptsString(nfa, probe), `${pattern} on ${JSON.stringify(probe)}`).toBe(expected);
      expect(serialized.matches(probe), `serialized ${pattern} on ${JSON.stringify(probe)}`).toBe(expected);
    }
  });

  it.each(refused)('refuses %j', (pattern) => {
    expect(parseRe2(pattern).ok).toBe(false);
  });

  it('accepts nothing RE2 refuses', () => {
    for (const pattern of ['a{2,1}', '[[:nope:]]', '\\x{110000}', '(?P<>a)', '*a', 'a|*']) {
      let re2Accepts = true;
      try {
        RE2JS.compile(pattern);
      } catch {
        re2Accepts = false;
      }
      if (!re2Accepts) expect(parseRe2(pattern).ok, pattern).toBe(false);
    }
  });

  it('serialises without any of the text it was given, wrapped so it cannot alter what surrounds it', () => {
    const parsed = parseRe2('x\\Q)|(\\E[^/]');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const text = serializeRe2(parsed.node);
    expect(text.startsWith('(?:') && text.endsWith(')')).toBe(true);
    // A top-level `|` in the serialised form would alternate with whatever surrounds it.
    expect(RE2JS.compile(`^/a/${text}$`).matches('/a/x)|(b')).toBe(true);
    expect(RE2JS.compile(`^/a/${text}$`).matches('(b')).toBe(false);
  });

  it('counts top-level alternatives, not those inside a group', () => {
    expect(parseRe2('a|b')).toMatchObject({ ok: true, branches: 2 });
    expect(parseRe2('(?:a|b)')).toMatchObject({ ok: true, branches: 1 });
    expect(parseRe2('\\Q|\\E')).toMatchObject({ ok: true, branches: 1 });
  });

  it('keeps anchors only at the edges of a whole-match regex', () => {
    expect(parseRe2('^/a$|^/b$', { edgeAnchors: true }).ok).toBe(true);
    expect(parseRe2('\\A/a\\z', { edgeAnchors: true }).ok).toBe(true);
    expect(parseRe2('/a^/b', { edgeAnchors: true }).ok).toBe(false);
    expect(parseRe2('(?:^/a)', { edgeAnchors: true }).ok).toBe(false);
  });
});

describe('automata', () => {
  const nfa = (pattern: string) => {
    const parsed = parseRe2(pattern, { edgeAnchors: true });
    if (!parsed.ok) throw new Error(parsed.reason);
    return compileRegex(parsed.node);
  };

  it('finds the shortest string two languages share, or none', () => {
    expect(findCommonString(nfa('^/a/(?:x|[0-9]+)$'), nfa('^/a/(?:y|[0-9]+)$'))).toBe('/a/0');
    expect(findCommonString(nfa('^/a/[a-z]+$'), nfa('^/a/[0-9]+$'))).toBeUndefined();
    expect(findCommonString(nfa('^/[^/]+/b$'), nfa('^/a/[^/]+$'))).toBe('/a/b');
    expect(findCommonString(literalNfa('/x'), nfa('^/x$'))).toBe('/x');
  });

  it('decides "under a prefix" by whole segments, and its complement', () => {
    const under = prefixesNfa(['/store', '/shop/']);
    const outside = prefixesNfa(['/store', '/shop/'], true);
    for (const [path, inside] of [
      ['/store', true],
      ['/store/', true],
      ['/store/a/b', true],
      ['/shop', true],
      ['/storefront', false],
      ['/stor', false],
      ['/', false],
      ['/pets/bob', false],
    ] as const) {
      expect(acceptsString(under, path), path).toBe(inside);
      expect(acceptsString(outside, path), path).toBe(!inside);
    }
    expect(acceptsString(prefixesNfa(['/']), '/anything/at/all')).toBe(true);
  });
});
