import { describe, expect, it } from 'vitest';
import { pathsOverlap } from '../../../shared/core/deploy/path-overlap.js';
import { findGrant, parseTenants } from '../../../shared/core/deploy/tenants.js';
import { parseSourceFile } from '../../../shared/core/spec/parse-source-file.js';
import { defaultLoadLimits } from '../../../shared/core/spec/types.js';

const parse = (text: string) =>
  parseTenants(parseSourceFile('tenants.yaml', Buffer.from(text), defaultLoadLimits).file!);

describe('tenants.yaml', () => {
  it('grants by owner/repo, case-insensitively', () => {
    const { tenants, findings } = parse(
      [
        'tenants:',
        '  Acme/Pets:',
        '    gateways: [edge]',
        "    hostnames: ['*.pets.example.com']",
        '    basePaths: [/pets]',
        '    namespaces: [pets]',
        '',
      ].join('\n'),
    );
    expect(findings).toEqual([]);
    expect(findGrant(tenants, { owner: 'acme', repo: 'pets' })?.gateways).toEqual(['edge']);
    expect(findGrant(tenants, { owner: 'acme', repo: 'other' })).toBeUndefined();
  });

  it('reports an invalid file on its lines and grants nothing', () => {
    const { tenants, findings } = parse(
      [
        'tenants:',
        '  acme/pets:',
        '    gateways: [edge]',
        "    hostnames: ['https://pets.example.com']",
        '    basePaths: [pets]',
        '    namespaces: [pets]',
        '    color: blue',
        '',
      ].join('\n'),
    );
    expect(tenants).toBeUndefined();
    expect(findings.map((f) => `${f.line} ${f.id}`).sort()).toEqual([
      '4 tenants-file-invalid',
      '5 tenants-file-invalid',
      '7 tenants-file-invalid',
    ]);
    expect(findings.find((f) => f.line === 7)?.message).toContain('unknown key "color"');
  });
});

describe('pathsOverlap', () => {
  const exact = (value: string) => ({ type: 'Exact' as const, value });
  const prefix = (value: string) => ({ type: 'PathPrefix' as const, value });
  const regex = (value: string) => ({ type: 'RegularExpression' as const, value });
  it('compares prefixes by whole segments and regexes by the requests they take', () => {
    expect(pathsOverlap(exact('/a/b'), prefix('/a'))).toBe(true);
    expect(pathsOverlap(exact('/ab'), prefix('/a'))).toBe(false);
    expect(pathsOverlap(prefix('/a/b'), prefix('/a/'))).toBe(true);
    expect(pathsOverlap(regex('^/a/[^/]+$'), exact('/a/me'))).toBe(true);
    expect(pathsOverlap(regex('^/a/[0-9]+$'), exact('/a/me'))).toBe(false);
    expect(pathsOverlap(regex('^/a/[^/]+$'), regex('^/a/[0-9]+$'))).toBe(true);
    expect(pathsOverlap(regex('^/a/[^/]+$'), regex('^/b/[^/]+$'))).toBe(false);
    expect(pathsOverlap(regex('^/a/[^/]+/x$'), prefix('/a'))).toBe(true);
  });
});
