/**
 * The config where GitHub users look for it: `.kuma-api-forge.yaml` at the root or `.github/kuma-api-forge.yaml`,
 * one of them. Both is an error finding (the root file is read); the trust rule holds wherever the file is: the
 * API list from the PR head, the gates from the default branch, so moving or doubling the config loosens nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGitHubFileSource } from '../../shared/adapters/github/github-file-source.js';
import { createMemoryFileSource } from '../../shared/adapters/memory-file-source.js';
import { createOasdiffRunner } from '../../shared/adapters/oasdiff-runner.js';
import { loadRepoConfigFile } from '../../shared/core/config/config-location.js';
import { runCheck } from '../../shared/use-cases/check.js';
import { checkJson, runCli } from '../helpers/cli.js';

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
const list = `  /orders:
    get:
      operationId: listOrders
      summary: List orders
      description: Every order.
      tags: [orders]
      responses:
        '200':
          description: the orders
`;
/** A path parameter that is not declared: the built-in `path-params` rule, an error. */
const undeclared = `  /orders/{orderId}:
    get:
      operationId: getOrder
      summary: Get an order
      description: One order.
      tags: [orders]
      responses:
        '200':
          description: the order
`;
const config = (name: string, gates = '  breaking: fail\n') =>
  `apis:\n  - name: ${name}\n    spec: openapi.yaml\ngates:\n${gates}`;
const lax = config('orders', '  breaking: off\n');
const root = '.kuma-api-forge.yaml';
const github = '.github/kuma-api-forge.yaml';

const scratch = mkdtempSync(path.join(tmpdir(), 'kaf-config-location-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let dirs = 0;
function repoDir(files: Record<string, string>): string {
  const dir = path.join(scratch, `repo-${++dirs}`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('the CLI finds .github/kuma-api-forge.yaml', () => {
  it('check reads the APIs it lists (their findings are reported)', async () => {
    const dir = repoDir({ [github]: config('orders'), 'openapi.yaml': spec(list + undeclared) });
    const { code, report } = await checkJson(['--head', dir]);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.id, f.file])).toContainEqual(['path-params', 'openapi.yaml']);
    // Control: the same folder without the config is not a repo at all.
    rmSync(path.join(dir, github));
    const bare = await runCli(['check', '--head', dir]);
    expect(bare.code).not.toBe(0);
    expect(bare.code).not.toBe(1);
  });

  it('render renders the APIs it lists, spec paths relative to the repo root', async () => {
    const dir = repoDir({ [github]: config('orders'), 'openapi.yaml': spec(list) });
    const run = await runCli(['render', dir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('/orders-api/orders');
  });

  it('both files: an error on .github/kuma-api-forge.yaml, and the root file is the one read', async () => {
    const dir = repoDir({
      [root]: config('orders'),
      // Were this one read, its missing spec would be an error too.
      [github]: config('orders').replace('openapi.yaml', 'missing.yaml'),
      'openapi.yaml': spec(list),
    });
    const { code, report } = await checkJson(['--head', dir]);
    expect(code).toBe(1);
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => [f.id, f.file, f.line])).toEqual([
      ['config-in-two-places', github, 1],
    ]);
    const run = await runCli(['render', dir]);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('config-in-two-places');
  });

  it('a config spelled .yml (either place) is an error naming the file to rename, not "nothing to check"', async () => {
    for (const misnamed of ['.kuma-api-forge.yml', '.github/kuma-api-forge.yml']) {
      const dir = repoDir({ [misnamed]: config('orders'), 'openapi.yaml': spec(list) });
      const { code, report } = await checkJson(['--head', dir]);
      expect(code).toBe(1);
      expect(report.findings.map((f) => [f.id, f.file, f.line])).toEqual([['config-misnamed', misnamed, 1]]);
      // Control: under its .yaml name the same repo passes.
      const fixed = repoDir({
        [misnamed.replace(/yml$/, 'yaml')]: config('orders'),
        'openapi.yaml': spec(list),
      });
      expect((await checkJson(['--head', fixed])).code).toBe(0);
    }
  });

  it('a .github symlink leading out of the repo is not followed: no config is read through it', async () => {
    const elsewhere = repoDir({ 'kuma-api-forge.yaml': config('orders') });
    const dir = repoDir({ 'openapi.yaml': spec(list + undeclared) });
    symlinkSync(elsewhere, path.join(dir, '.github'));
    const run = await runCli(['check', '--head', dir]);
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBe(1); // "no config": a usage error, not a check of the outside file's APIs
    expect(run.stdout + run.stderr).not.toContain('path-params');
  });
});

describe('the App reads no config through a symlink (GitHub’s TreeEntry has mode 120000)', () => {
  /**
   * A commit's files as GitHub's GraphQL answers `Commit.file(path)`: the entry at exactly that path (git does
   * not walk through a symlinked directory), with its git mode as a decimal Int; every REST blob read is recorded.
   */
  function githubCommit(tree: { path: string; mode: string; text: string }[]) {
    const read: string[] = [];
    const entry = (path: string) => {
      const e = tree.find((t) => t.path === path);
      if (!e) return null;
      return {
        mode: Number.parseInt(e.mode, 8),
        type: 'blob',
        oid: `sha-${e.path}`,
        object: { text: e.text, isTruncated: false, byteSize: Buffer.byteLength(e.text) },
      };
    };
    const octokit = {
      graphql: async (_query: string, variables: Record<string, string>) => {
        const files = Object.fromEntries(
          Object.entries(variables)
            .filter(([name]) => /^p\d+$/.test(name))
            .map(([name, path]) => [`f${name.slice(1)}`, entry(path)]),
        );
        return { repository: { c0: files } };
      },
      rest: {
        git: {
          getBlob: async ({ file_sha }: { file_sha: string }) => {
            read.push(file_sha);
            const e = tree.find((t) => `sha-${t.path}` === file_sha)!;
            return { data: { content: Buffer.from(e.text).toString('base64') } };
          },
        },
      },
    };
    const source = createGitHubFileSource(octokit as never, { owner: 'acme', repo: 'pets' }, 'c'.repeat(40));
    return { source, read };
  }

  it('a .github/kuma-api-forge.yaml that is a symlink is not read: no config', async () => {
    const { source, read } = githubCommit([
      { path: github, mode: '120000', text: '../lax.yaml' },
      { path: 'lax.yaml', mode: '100644', text: lax },
    ]);
    expect((await loadRepoConfigFile(source)).loaded).toBeUndefined();
    expect(read).toEqual([]);
  });

  it('a .github symlink next to a root config: the root config, no two-places finding', async () => {
    const { source } = githubCommit([
      { path: '.github', mode: '120000', text: 'elsewhere' },
      { path: 'elsewhere/kuma-api-forge.yaml', mode: '100644', text: lax },
      { path: root, mode: '100644', text: config('orders') },
    ]);
    const located = await loadRepoConfigFile(source);
    expect(located.findings).toEqual([]);
    expect(located.loaded).toMatchObject({ path: root });
  });

  it('control: a regular .github/kuma-api-forge.yaml is read', async () => {
    const { source } = githubCommit([{ path: github, mode: '100644', text: config('orders') }]);
    expect((await loadRepoConfigFile(source)).loaded).toMatchObject({ path: github });
  });
});

describe('moving or doubling the config never loosens the gate (gates from the default branch)', () => {
  const oasdiff = createOasdiffRunner();
  /** main = the default branch (gates) and the PR's base; the PR removes GET /orders/{orderId}. */
  async function check(main: Record<string, string>, head: Record<string, string>) {
    const mainSource = createMemoryFileSource({ ...main, 'openapi.yaml': spec(list + undeclared) });
    const report = await runCheck(
      {
        mode: 'repo',
        base: mainSource,
        head: createMemoryFileSource({ ...head, 'openapi.yaml': spec(list) }),
        gates: mainSource,
      },
      {},
      { breakingDiff: oasdiff },
    );
    return {
      verdict: report.verdict,
      ids: report.findings
        .filter((f) => f.severity === 'error')
        .map((f) => f.id)
        .sort(),
    };
  }
  const removal = 'api-path-removed-without-deprecation';

  it('a PR adding .github/kuma-api-forge.yaml with breaking: off next to the strict root file', async () => {
    const result = await check({ [root]: config('orders') }, { [root]: config('orders'), [github]: lax });
    expect(result).toEqual({ verdict: 'fail', ids: ['config-in-two-places', removal].sort() });
  });

  it('a PR moving the config to .github/ and turning breaking off in the same change', async () => {
    const result = await check({ [root]: config('orders') }, { [github]: lax });
    expect(result).toEqual({ verdict: 'fail', ids: [removal] });
  });

  it('a PR adding a lax root file while the default branch keeps its config in .github/', async () => {
    const result = await check({ [github]: config('orders') }, { [github]: config('orders'), [root]: lax });
    expect(result).toEqual({ verdict: 'fail', ids: ['config-in-two-places', removal].sort() });
  });

  it('the default branch’s strict .github/ config gates a PR that only edits it to breaking: off', async () => {
    expect(await check({ [github]: config('orders') }, { [github]: lax })).toEqual({
      verdict: 'fail',
      ids: [removal],
    });
    // Control: once breaking: off is on the default branch, the same PR passes.
    expect(await check({ [github]: lax }, { [github]: lax })).toEqual({ verdict: 'pass', ids: [] });
  });

  it('a ruleset the default branch’s .github/ config names but lacks: the finding is on that file', async () => {
    const named = config('orders', '  lint:\n    ruleset: rules.yaml\n');
    const mainSource = createMemoryFileSource({ [github]: named, 'openapi.yaml': spec(list) });
    const report = await runCheck(
      { mode: 'repo', base: mainSource, head: mainSource, gates: mainSource },
      {},
      { breakingDiff: oasdiff },
    );
    expect(report.findings.map((f) => [f.id, f.file])).toEqual([['ruleset-not-found', github]]);
    expect(report.findings[0]!.message).toContain(`named in ${github}`);
  });
});
