/**
 * Path rules at the CLI, `render` and `check` alike: a path parameter's `pattern` enters the route regex only
 * when it provably stays inside one non-empty segment (else `[^/]+` and a `path-pattern-ignored` warning on the
 * pattern's line), and paths a proxy cannot route as written are a `path-unroutable` error on the path's line,
 * with nothing rendered.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RE2JS } from 're2js';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkJson, runCli } from '../helpers/cli.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'kaf-paths-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A spec with one GET per path; `patterns[i]` (YAML-quoted) narrows `{v}` of `/store/p<i>/{v}`. */
function writeSpec(name: string, paths: { path: string; pattern?: string }[]) {
  const lines = ['openapi: 3.0.3', 'info: {title: Store, version: 1.0.0}', 'paths:'];
  const at: { path: number; pattern?: number }[] = [];
  paths.forEach((entry, index) => {
    const pathLine = lines.length + 1;
    lines.push(`  ${JSON.stringify(entry.path)}:`, '    get:', `      operationId: op${index}`);
    let patternLine: number | undefined;
    if (entry.path.includes('{v}')) {
      lines.push('      parameters:', '        - name: v', '          in: path', '          required: true');
      lines.push('          schema:', '            type: string');
      if (entry.pattern !== undefined) {
        patternLine = lines.length + 1;
        lines.push(`            pattern: ${JSON.stringify(entry.pattern)}`);
      }
    }
    lines.push("      responses: {'200': {description: ok}}");
    at.push({ path: pathLine, ...(patternLine ? { pattern: patternLine } : {}) });
  });
  const file = path.join(scratch, `${name}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, at };
}

/** The route regex of each `/store/p<i>/{v}` operation in the rendered stream. */
function routeRegexes(stdout: string): string[] {
  const docs = stdout
    .split(/^---$/m)
    .map((doc) => parse(doc))
    .filter(Boolean);
  return docs
    .filter((doc) => doc.kind === 'MeshHTTPRoute')
    .flatMap((doc) => doc.spec.to.flatMap((to: { rules: unknown[] }) => to.rules))
    .map((rule: { matches: { path: { value: string } }[] }) => rule.matches[0]!.path.value);
}

describe('a path parameter pattern', () => {
  const attacks: [string, string][] = [
    [
      '\\Q…\\E hiding a top-level |, as the issue reproduced',
      '^[a-z]+)|(?:\\x{2f}pets\\x{2f}bob)|(?:[a-z]+$',
    ],
    ['a top-level | anchoring each side once', '^[a-z]+|/pets/bob$'],
    ['(?i), a flag we do not model', '^(?i)[a-z]+$'],
    ['(?s) making . take a newline', '^(?s).+$'],
    ['a negated class, which takes "/"', '^[^a]+$'],
    ['"/" written \\x{2f}', '^a\\x{2f}b$'],
    ['\\C, any byte', '^\\C+$'],
    ['\\pN, a Unicode class', '^\\pN+$'],
    ['\\p{Any}', '^\\p{Any}+$'],
    ['an empty match', '^[a-z]*$'],
    ['an unanchored pattern', '[a-z]+'],
  ];
  const spec = writeSpec('patterns', [
    ...attacks.map(([, pattern], index) => ({ path: `/store/p${index}/{v}`, pattern })),
    // Accepted: provably one non-empty segment; the quoted text only ever matches itself.
    { path: `/store/p${attacks.length}/{v}`, pattern: '^\\Q)|(?:x\\E$' },
    { path: `/store/p${attacks.length + 1}/{v}`, pattern: '^[A-Z]{3}-[0-9]+$' },
  ]);

  it('is ignored with a warning on its line by render, the segment falling back to [^/]+', async () => {
    const run = await runCli(['render', spec.file]);
    expect(run.code).toBe(0);
    const warnings = run.stderr.trimEnd().split('\n');
    const file = path.basename(spec.file);
    attacks.forEach(([name], index) => {
      const line = spec.at[index]!.pattern!;
      expect(
        warnings.some((w) => w.startsWith(`${file}:${line}:`) && w.endsWith('[path-pattern-ignored]')),
        name,
      ).toBe(true);
    });
    expect(warnings).toHaveLength(attacks.length);
    const regexes = routeRegexes(run.stdout);
    attacks.forEach(([name], index) => {
      expect(regexes, name).toContain(`^/store/p${index}/[^/]+$`);
    });
    // Nothing rendered takes another tenant's path, and no raw pattern text reached the output.
    for (const regex of regexes) expect(RE2JS.compile(regex).matches('/pets/bob'), regex).toBe(false);
    expect(run.stdout).not.toContain('\\Q');
    expect(run.stdout).not.toContain('(?i)');
    const quoted = regexes.find((r) => r.startsWith(`^/store/p${attacks.length}/`))!;
    expect(RE2JS.compile(quoted).matches(`/store/p${attacks.length}/)|(?:x`)).toBe(true);
    expect(RE2JS.compile(quoted).matches(`/store/p${attacks.length}/x`)).toBe(false);
    const narrowed = regexes.find((r) => r.startsWith(`^/store/p${attacks.length + 1}/`))!;
    expect(RE2JS.compile(narrowed).matches(`/store/p${attacks.length + 1}/ABC-12`)).toBe(true);
    expect(RE2JS.compile(narrowed).matches(`/store/p${attacks.length + 1}/abc-12`)).toBe(false);
  });

  it('gets the same warning, on the same line, from check', async () => {
    const { code, report } = await checkJson(['--head', spec.file]);
    expect(code).toBe(0);
    const ignored = report.findings.filter((f) => f.id === 'path-pattern-ignored');
    expect(ignored.map((f) => [f.kind, f.severity, f.file, f.line])).toEqual(
      attacks.map((_, index) => ['routing', 'warning', path.basename(spec.file), spec.at[index]!.pattern]),
    );
  });
});

describe('a path a proxy cannot route as written', () => {
  const attacks = [
    '/store/../pets',
    '/store/./a',
    '/store//a',
    '/store%2F..%2Fpets',
    '/store/%2e%2e/pets',
    '/store/%41',
    '/store/a b',
    '/store/a?x=1',
    '/store/a#frag',
    '/store/\u0007bell',
    '/store/{v}/..',
  ];
  const spec = writeSpec('unroutable', [...attacks.map((p) => ({ path: p })), { path: '/store/ok' }]);

  it('is an error on the path line of render, and nothing is written', async () => {
    const run = await runCli(['render', spec.file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const errors = run.stderr.trimEnd().split('\n');
    const file = path.basename(spec.file);
    attacks.forEach((attack, index) => {
      expect(
        errors.some(
          (e) => e.startsWith(`${file}:${spec.at[index]!.path}:`) && e.endsWith('[path-unroutable]'),
        ),
        attack,
      ).toBe(true);
    });
    expect(errors).toHaveLength(attacks.length);
  });

  it('is the same error from check, which fails', async () => {
    const { code, report } = await checkJson(['--head', spec.file]);
    expect(code).toBe(1);
    const unroutable = report.findings.filter((f) => f.id === 'path-unroutable');
    expect(unroutable.map((f) => [f.kind, f.severity, f.line])).toEqual(
      attacks.map((_, index) => ['routing', 'error', spec.at[index]!.path]),
    );
  });

  it('leaves the routable operations of a spec exposed', async () => {
    const ok = writeSpec('routable', [{ path: '/store/ok' }, { path: '/store/a-b_c~d/%20x/{v}' }]);
    const run = await runCli(['render', ok.file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(routeRegexes(run.stdout)).toEqual(['/store/ok', '^/store/a-b_c~d/%20x/[^/]+$']);
  });
});
