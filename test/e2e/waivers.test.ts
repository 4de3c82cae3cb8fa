/**
 * Waivers: oasdiff's `--err-ignore` / `--warn-ignore` files, named by `gates.errIgnore` / `gates.warnIgnore` and
 * read from the default branch. A waived change is shown with the waiver's file and line and does not gate; a
 * waiver that matches nothing is a warning on its line. Attacks: the PR waives its own change, a line that looks
 * broad, files that are huge, binary, not UTF-8 or hold Unicode line separators.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryFileSource } from '../../shared/adapters/memory-file-source.js';
import { createOasdiffRunner } from '../../shared/adapters/oasdiff-runner.js';
import { runCheck } from '../../shared/use-cases/check.js';
import { runCli } from '../helpers/cli.js';

const spec = (paths: string) => `openapi: 3.0.3
info:
  title: Orders API
  version: 1.0.0
  description: Orders.
  contact: { name: Orders team }
servers:
  - url: /orders-api
tags:
  - name: orders
paths:
${paths}`;
const operation = (method: string, id: string) => `    ${method}:
      operationId: ${id}
      summary: ${id}
      description: ${id}.
      tags: [orders]
      responses:
        '200':
          description: ok
`;
const orders = `  /orders:\n${operation('get', 'listOrders')}${operation('post', 'createOrder')}`;
const items = `  /items:\n${operation('get', 'listItems')}`;
/** The head removes GET and POST /orders: two ERR changes `api path removed without deprecation`. */
const headPaths = items;
const basePaths = orders + items;

const config = (gates = '') =>
  `apis:\n  - name: orders\n    spec: openapi.yaml\ngates:\n  breaking: fail\n${gates}`;
const withWaivers = config('  errIgnore: .oasdiff-err-ignore.txt\n');
const removedGet = 'GET /orders api path removed without deprecation';
const removedPost = 'POST /orders api path removed without deprecation';

const oasdiff = createOasdiffRunner();

async function check(input: {
  /** The default branch (gates source): its config and extra files. */
  main: string;
  mainFiles?: Record<string, string | Uint8Array>;
  /** The PR head's config and extra files (the base is main's config with the base paths). */
  head?: string;
  headFiles?: Record<string, string | Uint8Array>;
}) {
  const side = (cfg: string, paths: string, extra: Record<string, string | Uint8Array> = {}) =>
    createMemoryFileSource({ '.kuma-api-forge.yaml': cfg, 'openapi.yaml': spec(paths), ...extra });
  const report = await runCheck(
    {
      mode: 'repo',
      base: side(input.main, basePaths, input.mainFiles),
      head: side(input.head ?? input.main, headPaths, input.headFiles ?? input.mainFiles),
      gates: side(input.main, basePaths, input.mainFiles),
    },
    {},
    { breakingDiff: oasdiff },
  );
  const removals = report.findings.filter((f) => f.id === 'api-path-removed-without-deprecation');
  return { report, removals };
}

describe('a waiver on the default branch', () => {
  it('waives exactly the change it names: shown as waived with its file and line, not gating', async () => {
    const ignore = `# removals agreed with the clients (TICKET-1)\n- ${removedGet}\n`;
    const { report, removals } = await check({
      main: withWaivers,
      mainFiles: { '.oasdiff-err-ignore.txt': ignore },
    });
    const waived = removals.find((f) => f.operation === 'GET /orders');
    const open = removals.find((f) => f.operation === 'POST /orders');
    expect(waived).toMatchObject({
      waivedBy: 'waiver',
      waiver: { file: '.oasdiff-err-ignore.txt', line: 2 },
    });
    expect(waived?.severity).toBe('info');
    // The other operation of the same cause is not waived: it still fails.
    expect(open).toMatchObject({ severity: 'error' });
    expect(open?.waivedBy).toBeUndefined();
    expect(report.verdict).toBe('fail');
  });

  it('with both operations waived the check passes, and each finding names its line', async () => {
    const ignore = `${removedGet}\n${removedPost.toUpperCase()}\r\n`;
    const { report, removals } = await check({
      main: withWaivers,
      mainFiles: { '.oasdiff-err-ignore.txt': ignore },
    });
    expect(report.verdict).toBe('pass');
    expect(removals.map((f) => [f.operation, f.waiver?.line])).toEqual([
      ['GET /orders', 1],
      ['POST /orders', 2],
    ]);
    expect(report.findings.filter((f) => f.id === 'breaking-waiver-unused')).toEqual([]);
  });

  it('a waiver that matches nothing is a warning on its own line; it does not fail the check', async () => {
    const ignore = `${removedGet}\n${removedPost}\nDELETE /orders api path removed without deprecation\n`;
    const { report } = await check({ main: withWaivers, mainFiles: { '.oasdiff-err-ignore.txt': ignore } });
    expect(report.verdict).toBe('pass');
    expect(report.findings.filter((f) => f.id === 'breaking-waiver-unused')).toMatchObject([
      { severity: 'warning', file: '.oasdiff-err-ignore.txt', line: 3 },
    ]);
  });

  it('an --err-ignore line does not waive a WARN change, and warnIgnore does not waive an ERR one', async () => {
    const { removals } = await check({
      main: config('  warnIgnore: .oasdiff-err-ignore.txt\n'),
      mainFiles: { '.oasdiff-err-ignore.txt': `${removedGet}\n` },
    });
    expect(removals.every((f) => f.severity === 'error' && !f.waivedBy)).toBe(true);
  });
});

describe('attacks', () => {
  it('a PR cannot waive its own breaking change: a waiver file and key added in the PR are not read', async () => {
    const { report, removals } = await check({
      main: config(),
      head: withWaivers,
      headFiles: { '.oasdiff-err-ignore.txt': `${removedGet}\n${removedPost}\n` },
    });
    expect(report.verdict).toBe('fail');
    expect(removals.filter((f) => f.waivedBy)).toEqual([]);
    expect(report.notices.join('\n')).toMatch(/edits the gate settings/);
  });

  it('nor by adding lines to the default branch’s waiver file in the PR (the PR is told)', async () => {
    const { report, removals } = await check({
      main: withWaivers,
      mainFiles: { '.oasdiff-err-ignore.txt': '# nothing waived yet\n' },
      headFiles: { '.oasdiff-err-ignore.txt': `${removedGet}\n${removedPost}\n` },
    });
    expect(report.verdict).toBe('fail');
    expect(removals.filter((f) => f.waivedBy)).toEqual([]);
    expect(report.notices.join('\n')).toMatch(
      /edits the breaking-change waivers in \.oasdiff-err-ignore\.txt/,
    );
  });

  it('a waiver file named on the default branch but only present in the PR: an error, nothing waived', async () => {
    const { report, removals } = await check({
      main: withWaivers,
      headFiles: { '.oasdiff-err-ignore.txt': `${removedGet}\n${removedPost}\n` },
    });
    expect(report.verdict).toBe('fail');
    expect(removals.filter((f) => f.waivedBy)).toEqual([]);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        id: 'breaking-waivers-not-found',
        severity: 'error',
        file: '.kuma-api-forge.yaml',
      }),
    );
  });

  it('a line that looks broad waives nothing: the whole change text and `METHOD /path` must be on it', async () => {
    const broad = [
      '/orders', // only the path
      'GET /orders', // no change text
      'api path removed without deprecation', // no path field: a comment to oasdiff
      'GET /orders/extra api path removed without deprecation', // another path (exact path field)
      'get  /orders api path removed without deprecation', // two spaces between method and path
    ].join('\n');
    const { report, removals } = await check({
      main: withWaivers,
      mainFiles: { '.oasdiff-err-ignore.txt': broad },
    });
    expect(report.verdict).toBe('fail');
    expect(removals.filter((f) => f.waivedBy)).toEqual([]);
    // Each line with a path field is unused (line 3 has none: it is not a waiver).
    expect(report.findings.filter((f) => f.id === 'breaking-waiver-unused').map((f) => f.line)).toEqual([
      1, 2, 4, 5,
    ]);
  });

  it('one line naming two change texts waives both for its operation only (as oasdiff): never another operation', async () => {
    const { removals } = await check({
      main: withWaivers,
      mainFiles: {
        '.oasdiff-err-ignore.txt': `${removedGet} / api path removed without deprecation and more text\n`,
      },
    });
    expect(removals.filter((f) => f.waivedBy).map((f) => f.operation)).toEqual(['GET /orders']);
  });

  it('a NUL byte, a file that is not UTF-8 or one over 1 MiB is refused whole: an error on it, nothing waived', async () => {
    const valid = `${removedGet}\n${removedPost}\n`;
    const files: [string, Uint8Array, number][] = [
      ['NUL byte', new TextEncoder().encode(`${removedGet}\n\u0000${removedPost}\n`), 2],
      ['not UTF-8', Uint8Array.from([...new TextEncoder().encode(valid), 0xff, 0xfe]), 1],
      ['huge', new TextEncoder().encode(`${valid}${'#'.repeat(1024 * 1024)}\n`), 1],
    ];
    for (const [what, bytes, line] of files) {
      const { report, removals } = await check({
        main: withWaivers,
        mainFiles: { '.oasdiff-err-ignore.txt': bytes },
      });
      expect(report.verdict, what).toBe('fail');
      expect(
        removals.filter((f) => f.waivedBy),
        what,
      ).toEqual([]);
      expect(report.findings, what).toContainEqual(
        expect.objectContaining({
          id: 'breaking-waivers-unreadable',
          severity: 'error',
          file: '.oasdiff-err-ignore.txt',
          line,
        }),
      );
    }
  });

  it('Unicode line separators do not split a line (oasdiff splits at LF only)', async () => {
    // U+2028 between the two waivers: one line, which holds `GET /orders` and the text: it waives GET only,
    // and POST's text is on the same line but without `POST /orders`.
    const ignore = `${removedGet}\u2028POST /orders\u2029api path removed without deprecation\n`;
    const { removals } = await check({ main: withWaivers, mainFiles: { '.oasdiff-err-ignore.txt': ignore } });
    expect(removals.filter((f) => f.waivedBy).map((f) => [f.operation, f.waiver?.line])).toEqual([
      ['GET /orders', 1],
    ]);
  });
});

describe('on the command line', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'kaf-waivers-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('prints the waived change with its waiver line and exits 0 (the base directory supplies the gates)', async () => {
    for (const [side, paths] of [
      ['base', basePaths],
      ['head', headPaths],
    ] as const) {
      mkdirSync(path.join(scratch, side), { recursive: true });
      writeFileSync(path.join(scratch, side, '.kuma-api-forge.yaml'), withWaivers);
      writeFileSync(path.join(scratch, side, 'openapi.yaml'), spec(paths));
      writeFileSync(path.join(scratch, side, '.oasdiff-err-ignore.txt'), `${removedGet}\n${removedPost}\n`);
    }
    const run = await runCli([
      'check',
      '--base',
      path.join(scratch, 'base'),
      '--head',
      path.join(scratch, 'head'),
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(GET /orders; in base; waived by .oasdiff-err-ignore.txt:1)');
    const sarif = await runCli([
      'check',
      '--base',
      path.join(scratch, 'base'),
      '--head',
      path.join(scratch, 'head'),
      '--format',
      'sarif',
    ]);
    const results = JSON.parse(sarif.stdout).runs[0].results;
    expect(results[0].suppressions).toEqual([
      { kind: 'external', justification: 'waived by .oasdiff-err-ignore.txt:1' },
    ]);
  });
});
