/**
 * The gate is never silent: for every way one side of a check can fail to load (or to reach oasdiff), in repo
 * and single-spec mode, the verdict is never "pass" with no finding. A broken base is `breaking-base-unreadable`
 * on the base config entry (repo) or entry file (spec), failing unless the approval label waives it — and then
 * still shown. Runs the use case the CLI and the App both call, with the real oasdiff.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryFileSource } from '../../shared/adapters/memory-file-source.js';
import { createOasdiffRunner } from '../../shared/adapters/oasdiff-runner.js';
import type { Finding } from '../../shared/core/findings.js';
import { type CheckTarget, runCheck } from '../../shared/use-cases/check.js';
import { checkJson } from '../helpers/cli.js';

const valid = (extra = '') => `openapi: 3.0.3
info:
  title: Orders API
  version: 1.0.0
servers:
  - url: /orders-api
paths:
  /orders:
    get:
      operationId: listOrders
      responses:
        '200':
          description: the orders
${extra}`;
/** The head of every case: the base's `POST /orders` is gone, so a readable base gives a breaking change. */
const head = valid();
const withPost = valid(`    post:
      operationId: createOrder
      responses:
        '201':
          description: created
`);

const config = (spec: string) => `apis:
  - name: orders
    spec: ${spec}
    gateway: edge
`;

/** Ways an entry file fails to load, each as the files of the side (entry `openapi.yaml`). */
const broken: Record<string, Record<string, string>> = {
  'missing entry': {},
  'YAML syntax': { 'openapi.yaml': 'openapi: 3.0.3\ninfo: {title: x\n' },
  'duplicate key': { 'openapi.yaml': withPost.replace('info:', 'info:\n  title: dup\ninfo:') },
  'not OpenAPI': { 'openapi.yaml': 'hello: world\n' },
  'unsupported version': { 'openapi.yaml': withPost.replace('3.0.3', '4.0.0') },
  'invalid spec': { 'openapi.yaml': withPost.replace('  version: 1.0.0\n', '') },
  'ref outside root': {
    'openapi.yaml': withPost.replace('description: created', "$ref: '../outside.yaml'"),
  },
  'too large': { 'openapi.yaml': `${withPost}x-pad: '${'a'.repeat(17 * 1024 * 1024)}'\n` },
  'alias limit': {
    'openapi.yaml': `${withPost}x-a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nx-b: &b [${Array(11).fill('*a').join(', ')}]\nx-c: [${Array(11).fill('*b').join(', ')}]\n`,
  },
};

const oasdiff = createOasdiffRunner();

function target(mode: 'repo' | 'spec', base: Record<string, string>, headFiles: Record<string, string>) {
  const side = (files: Record<string, string>) =>
    createMemoryFileSource(
      mode === 'repo' ? { ...files, '.kuma-api-forge.yaml': config('openapi.yaml') } : files,
    );
  return (
    mode === 'repo'
      ? { mode, base: side(base), head: side(headFiles) }
      : {
          mode,
          base: { source: side(base), entry: 'openapi.yaml' },
          head: { source: side(headFiles), entry: 'openapi.yaml' },
        }
  ) as CheckTarget;
}

const errors = (findings: Finding[]) =>
  findings.filter((f) => f.severity === 'error').map((f) => [f.id, f.file, f.line, f.side ?? 'head']);

describe.each(['repo', 'spec'] as const)('%s mode: an unreadable side is never a silent pass', (mode) => {
  it.each(Object.keys(broken))(
    'base: %s → breaking-base-unreadable, failing unless approved',
    async (kind) => {
      const check = (approved: boolean) =>
        runCheck(
          target(mode, broken[kind]!, { 'openapi.yaml': head }),
          { approved },
          { breakingDiff: oasdiff },
        );
      const report = await check(false);
      expect(report.verdict).toBe('fail');
      // On the config entry naming the spec in repo mode (line 3: `spec:`), else on the entry file.
      const at = mode === 'repo' ? ['.kuma-api-forge.yaml', 3] : ['openapi.yaml', 1];
      expect(errors(report.findings)).toEqual([['breaking-base-unreadable', ...at, 'base']]);
      expect(report.findings[0]!.message).toMatch(
        /cannot be checked: the base version of openapi\.yaml did not load: ./,
      );

      const approved = await check(true);
      expect(approved.verdict).toBe('pass');
      expect(approved.findings).toContainEqual(
        expect.objectContaining({
          id: 'breaking-base-unreadable',
          severity: 'info',
          waivedBy: 'approved-flag',
        }),
      );
    },
  );

  it.each(Object.keys(broken))('head: %s → fails with an error finding', async (kind) => {
    const report = await runCheck(
      target(mode, { 'openapi.yaml': withPost }, broken[kind]!),
      { approved: true },
      { breakingDiff: oasdiff },
    );
    expect(report.verdict).toBe('fail');
    expect(errors(report.findings).length).toBeGreaterThan(0);
  });

  it('oasdiff failing → breaking-check-failed, failing unless approved', async () => {
    const broken = createOasdiffRunner({ binaryPath: '/nonexistent/oasdiff' });
    const files = target(mode, { 'openapi.yaml': withPost }, { 'openapi.yaml': head });
    const report = await runCheck(files, {}, { breakingDiff: broken });
    expect(report.verdict).toBe('fail');
    expect(errors(report.findings)).toEqual([['breaking-check-failed', 'openapi.yaml', 1, 'head']]);
    const approved = await runCheck(files, { approved: true }, { breakingDiff: broken });
    expect(approved.verdict).toBe('pass');
    expect(approved.findings.map((f) => [f.id, f.waivedBy])).toContainEqual([
      'breaking-check-failed',
      'approved-flag',
    ]);
  });

  it('a readable base gives the breaking change itself (the control case)', async () => {
    const report = await runCheck(
      target(mode, { 'openapi.yaml': withPost }, { 'openapi.yaml': head }),
      {},
      { breakingDiff: oasdiff },
    );
    expect(report.verdict).toBe('fail');
    expect(errors(report.findings).map((e) => e[0])).toEqual(['api-removed-without-deprecation']);
  });
});

describe('repo mode: an unreadable base config', () => {
  it.each([
    ['YAML syntax', 'apis: [\n', 2],
    ['schema', 'apis:\n  - name: orders\n    spec: openapi.yaml\n    bogus: 1\n', 4],
  ])('%s → breaking-base-unreadable on its line, not "every API is new"', async (_, text, line) => {
    const report = await runCheck(
      {
        mode: 'repo',
        base: createMemoryFileSource({ '.kuma-api-forge.yaml': text, 'openapi.yaml': withPost }),
        head: createMemoryFileSource({
          '.kuma-api-forge.yaml': config('openapi.yaml'),
          'openapi.yaml': head,
        }),
      },
      {},
      { breakingDiff: oasdiff },
    );
    expect(report.verdict).toBe('fail');
    expect(errors(report.findings)).toEqual([
      ['breaking-base-unreadable', '.kuma-api-forge.yaml', line, 'base'],
    ]);
  });
});

describe('through the CLI (the issue’s reproduction: a duplicate key in the base entry, an operation removed)', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'kaf-silent-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (dir: string, files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, dir, file)), { recursive: true });
      writeFileSync(path.join(root, dir, file), text);
    }
    return path.join(root, dir);
  };
  const baseFiles = {
    'openapi.yaml': broken['duplicate key']!['openapi.yaml']!,
    '.kuma-api-forge.yaml': config('openapi.yaml'),
  };
  const headFiles = { 'openapi.yaml': head, '.kuma-api-forge.yaml': config('openapi.yaml') };

  it('repo mode: exit 1, breaking-base-unreadable on the config line; --approved: exit 0 and still listed', async () => {
    const base = write('repo-base', baseFiles);
    const headDir = write('repo-head', headFiles);
    const { code, report } = await checkJson(['--base', base, '--head', headDir]);
    expect(code).toBe(1);
    const failing = report.findings.filter((f) => f.severity === 'error');
    expect(failing.map((f) => [f.id, f.file, f.line, f.side])).toEqual([
      ['breaking-base-unreadable', '.kuma-api-forge.yaml', 3, 'base'],
    ]);
    const approved = await checkJson(['--base', base, '--head', headDir, '--approved']);
    expect(approved.code).toBe(0);
    expect(approved.report.findings.filter((f) => f.waivedBy).map((f) => f.id)).toEqual([
      'breaking-base-unreadable',
    ]);
  });

  it('single-spec mode: exit 1, on the entry file', async () => {
    const base = path.join(write('spec-base', baseFiles), 'openapi.yaml');
    const headFile = path.join(write('spec-head', headFiles), 'openapi.yaml');
    const { code, report } = await checkJson(['--base', base, '--head', headFile]);
    expect(code).toBe(1);
    const failing = report.findings.filter((f) => f.severity === 'error');
    expect(failing.map((f) => [f.id, f.file, f.line])).toEqual([
      ['breaking-base-unreadable', 'openapi.yaml', 1],
    ]);
  });
});
