/**
 * `kuma-api-forge check` on every fixture revision (fixtures/specs/README.md): the verdict, the exit code and
 * the gating findings with their file and line. Real loader, real swagger-parser, real oasdiff binary.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkJson, type JsonFinding } from '../helpers/cli.js';

const userProfile = 'fixtures/specs/user-profile';
const petstore = 'fixtures/specs/petstore';

/** The findings that decide the verdict (and the accepted ones), as `id file:line` — the rest is advisory. */
const gating = (findings: JsonFinding[]) =>
  findings
    .filter((f) => f.severity === 'error' || f.waivedBy)
    .map(
      (f) =>
        `${f.id} ${f.file}:${f.line}${f.side === 'base' ? ' (base)' : ''}${f.waivedBy ? ` waived:${f.waivedBy}` : ''}`,
    );

describe('check: user-profile repo revisions (repo mode)', () => {
  const cases: [string, 0 | 1, string[]][] = [
    ['compatible', 0, []],
    ['removed-operation', 1, ['api-removed-without-deprecation openapi/users.yaml:145 (base)']],
    ['new-required-param', 1, ['new-required-request-parameter openapi/users.yaml:37']],
    ['narrowed-enum', 1, ['request-property-enum-value-removed openapi/schemas/user.yaml:23']],
    [
      'changed-base-path',
      1,
      ['base-path-changed .kuma-api-forge.yaml:11', 'server-url-changed openapi/users.yaml:15'],
    ],
    ['broken-ref', 1, ['ref-pointer-not-found openapi/users.yaml:118']],
    ['remote-ref', 1, ['ref-remote openapi/users.yaml:206']],
    ['invalid-spec', 1, ['oas-schema openapi/users.yaml:152']],
    ['major-bump', 0, ['api-removed-without-deprecation openapi/users.yaml:145 (base) waived:major-version']],
  ];
  it.each(cases)('%s → exit %i', async (revision, exitCode, expected) => {
    const { code, report } = await checkJson([
      '--base',
      userProfile,
      '--head',
      `${userProfile}/revisions/${revision}`,
    ]);
    expect(gating(report.findings)).toEqual(expected);
    expect(code).toBe(exitCode);
    expect(report.verdict).toBe(exitCode === 0 ? 'pass' : 'fail');
  });

  it('a removal carries where it was in the base and where it would sit in the head', async () => {
    const { report } = await checkJson([
      '--base',
      userProfile,
      '--head',
      `${userProfile}/revisions/removed-operation`,
    ]);
    const [removal] = report.findings.filter((f) => f.kind === 'breaking');
    expect(removal).toMatchObject({
      side: 'base',
      line: 145,
      headPosition: { file: 'openapi/users.yaml', line: 121, pointer: '/paths/~1users~1{userId}' },
    });
  });

  it('the grouped breaking change names its operation and a line-independent fingerprint', async () => {
    const { report } = await checkJson([
      '--base',
      userProfile,
      '--head',
      `${userProfile}/revisions/narrowed-enum`,
    ]);
    const [finding] = report.findings.filter((f) => f.kind === 'breaking');
    expect(finding).toMatchObject({ operation: 'POST /users', pointer: '/UserRole/enum', column: 3 });
  });
});

describe('check: petstore single-spec revisions', () => {
  const cases: [string, 0 | 1, string[]][] = [
    ['compatible', 0, []],
    ['removed-operation', 1, ['api-path-removed-without-deprecation petstore.yaml:398 (base)']],
    ['new-required-param', 1, ['new-required-request-parameter new-required-param.yaml:242']],
    ['narrowed-enum', 1, ['request-property-enum-value-removed narrowed-enum.yaml:655']],
    ['changed-base-path', 1, ['base-path-changed changed-base-path.yaml:17']],
    ['broken-ref', 1, ['ref-pointer-not-found broken-ref.yaml:584']],
    ['remote-ref', 1, ['ref-remote remote-ref.yaml:593']],
    ['invalid-spec', 1, ['oas-schema invalid-spec.yaml:645']],
    ['major-bump', 0, ['api-path-removed-without-deprecation petstore.yaml:398 (base) waived:major-version']],
  ];
  it.each(cases)('%s → exit %i', async (revision, exitCode, expected) => {
    const { code, report } = await checkJson([
      '--base',
      `${petstore}/petstore.yaml`,
      '--head',
      `${petstore}/revisions/${revision}.yaml`,
    ]);
    expect(gating(report.findings)).toEqual(expected);
    expect(code).toBe(exitCode);
  });

  it('Swagger 2.0 and OpenAPI 3.1 versions of the same API check clean against themselves', async () => {
    for (const file of ['petstore-swagger2.yaml', 'petstore-openapi31.yaml']) {
      const spec = `${petstore}/${file}`;
      const { code, report } = await checkJson(['--base', spec, '--head', spec]);
      expect(gating(report.findings)).toEqual([]);
      expect(code).toBe(0);
    }
  });
});

describe('check: every Kuma fixture repo (fixtures/kuma/*) checks clean against itself', () => {
  const repos = readdirSync(path.resolve(import.meta.dirname, '../../fixtures/kuma')).sort();
  it('finds them', () => expect(repos).toEqual(expect.arrayContaining(['orders', 'showcase'])));
  it.each(repos)('%s → exit 0, nothing that gates', async (name) => {
    const repo = `fixtures/kuma/${name}`;
    const { code, report } = await checkJson(['--base', repo, '--head', repo]);
    expect(gating(report.findings)).toEqual([]);
    expect(code).toBe(0);
  });

  it('the showcase has no finding at all, every lint rule included', async () => {
    const repo = 'fixtures/kuma/showcase';
    const { code, report } = await checkJson(['--base', repo, '--head', repo, '--lint', 'all']);
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });
});
