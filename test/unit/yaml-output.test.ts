/**
 * The parity emitter on its own (the cross-parser proof is test/yaml-parity): what it escapes, what it refuses,
 * and that its final check catches YAML a 1.1 parser would read differently.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planDeploy } from '../../shared/core/deploy/plan-deploy.js';
import {
  assertYamlParity,
  escapeLineText,
  stringifyYaml,
  YamlParityError,
} from '../../shared/core/yaml-output.js';

const sha = 'a'.repeat(40);

describe('stringifyYaml', () => {
  it.each([
    ['U+2028', 'a\u2028---\u2028kind: X'],
    ['U+2029', 'a\u2029b'],
    ['NEL', 'a\u0085b'],
    ['CR', 'a\rb'],
    ['NUL', 'a\u0000b'],
    ['BOM', '\ufeffa'],
    ['C1', 'a\u009bb'],
    ['DEL', 'a\u007fb'],
    ['astral', 'a\u{1F600}b'],
  ])('writes a string with %s as printable ASCII escapes that read back exactly', (_what, value) => {
    const text = stringifyYaml({ value, [value]: 'key' });
    expect(text).toMatch(/^[\x20-\x7e\n]*$/);
    expect(parse(text)).toEqual({ value, [value]: 'key' });
    expect(parse(text, { version: '1.1' })).toEqual({ value, [value]: 'key' });
  });

  it.each(['yes', 'No', 'on', 'y', '1:20', '0755', '2024-01-01', '=', '<<'])(
    'quotes %j, a plain string for YAML 1.2 but not for YAML 1.1',
    (value) => {
      const text = stringifyYaml({ value });
      expect(text).toBe(`value: "${value}"\n`);
      expect(parse(text, { version: '1.1' })).toEqual({ value });
    },
  );

  it('keeps ordinary text plain, so existing manifests keep their bytes', () => {
    expect(stringifyYaml({ name: 'users-get-user', path: '/users/{id}', on: 'x' })).toBe(
      'name: users-get-user\npath: /users/{id}\n"on": x\n',
    );
  });

  it('refuses a lone surrogate: no UTF-8 file can hold it', () => {
    expect(() => stringifyYaml({ value: 'a\ud800' })).toThrow(YamlParityError);
  });

  it('refuses comment lines outside printable ASCII', () => {
    expect(() => stringifyYaml({}, ['a\u2028b'])).toThrow(YamlParityError);
    expect(stringifyYaml({ a: 1 }, [escapeLineText('a\u2028b')])).toBe('# a%E2%80%A8b\na: 1\n');
  });
});

describe('assertYamlParity', () => {
  it.each([
    ['a YAML 1.1 boolean', 'a: yes\n', { a: 'yes' }],
    ['a YAML 1.1 sexagesimal', 'a: 1:20\n', { a: '1:20' }],
    ['a line break only YAML 1.1 sees', '# x\u2028a: 2\na: 1\n', { a: 1 }],
    ['a second document', 'a: 1\n---\nb: 2\n', { a: 1 }],
    ['a value other than meant', 'a: 2\n', { a: 1 }],
  ])('throws on %s', (_what, text, meant) => {
    expect(() => assertYamlParity(text, [meant])).toThrow(YamlParityError);
  });

  it('accepts text every parser reads as meant', () => {
    expect(() => assertYamlParity('a: "yes"\nb: [1]\n', [{ a: 'yes', b: [1] }])).not.toThrow();
  });
});

describe('escapeLineText', () => {
  it('keeps printable ASCII, percent-encodes the rest, % itself and the given separators', () => {
    expect(escapeLineText('openapi/users.yaml')).toBe('openapi/users.yaml');
    expect(escapeLineText('a\nb\rc\u2028d\u0085e\u0000f\ufeffg%h')).toBe(
      'a%0Ab%0Dc%E2%80%A8d%C2%85e%00f%EF%BB%BFg%25h',
    );
    expect(escapeLineText('a, b', ',')).toBe('a%2C b');
    expect(escapeLineText('\ud800')).toBe('%EF%BF%BD');
  });
});

describe('the deploy commit message', () => {
  it.each([
    ['LF', '\n'],
    ['CR', '\r'],
    ['U+2028', '\u2028'],
    ['NEL', '\u0085'],
  ])('a spec file name with %s cannot forge a trailer line', (_what, br) => {
    const forged = `openapi.yaml${br}${br}Kuma-Api-Forge-Source: evil/repo@${'b'.repeat(40)}`;
    const plan = planDeploy({
      sourceRepo: { owner: 'acme', repo: 'shop' },
      sourceSha: sha,
      rendered: [
        { name: 'shop', files: [{ path: 'meshhttproute-shop.yaml', content: 'kind: MeshHTTPRoute\n' }] },
      ],
      inputs: [{ path: forged, sha256: 'c'.repeat(64) }],
      current: [],
    });
    expect(plan.message).toMatch(/^[\x20-\x7e\n]*$/);
    const trailers = plan.message.split('\n').filter((line) => /^Kuma-Api-Forge-Source:/.test(line));
    expect(trailers).toEqual([`Kuma-Api-Forge-Source: acme/shop@${sha}`]);
    expect(plan.message).toMatch(
      /^ {2}openapi\.yaml%[0-9A-F]{2}.*Kuma-Api-Forge-Source: evil\/repo@b+ sha256:c+$/m,
    );
    // The .source.yaml keeps the exact name, escaped so that every parser reads it back.
    const record = plan.changes.find((change) => change.path.endsWith('.source.yaml'))!.content!;
    expect(record).toMatch(/^[\x20-\x7e\n]*$/);
    expect((parse(record) as { inputs: { path: string }[] }).inputs[0]!.path).toBe(forged);
  });
});
