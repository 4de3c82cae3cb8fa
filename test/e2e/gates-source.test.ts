/**
 * Gates come from the protected branch (`gates` of the check target: the default branch's head in the App), never
 * from the PR's base when that is another branch: its breaking gate, approval label, lint ruleset and the "lint
 * new" baseline. The breaking baseline stays the PR's base. Each attack puts a lenient setting on the base branch.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryFileSource } from '../../shared/adapters/memory-file-source.js';
import { createOasdiffRunner } from '../../shared/adapters/oasdiff-runner.js';
import { runCheck } from '../../shared/use-cases/check.js';

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
const config = (gates: string) => `apis:
  - name: orders
    spec: openapi.yaml
gates:
${gates}`;
const strict = config('  breaking: fail\n');

const oasdiff = createOasdiffRunner();
const files = (gates: string, paths: string, extra: Record<string, string> = {}) =>
  createMemoryFileSource({ '.kuma-api-forge.yaml': gates, 'openapi.yaml': spec(paths), ...extra });

async function check(input: {
  main: string;
  base: string;
  basePaths?: string;
  headPaths: string;
  labels?: string[];
  extra?: Record<string, string>;
}) {
  const report = await runCheck(
    {
      mode: 'repo',
      base: files(input.base, input.basePaths ?? list + undeclared, input.extra),
      head: files(input.base, input.headPaths),
      gates: files(input.main, list),
    },
    { labels: input.labels ?? [] },
    { breakingDiff: oasdiff },
  );
  return {
    verdict: report.verdict,
    ids: report.findings.filter((f) => f.severity === 'error').map((f) => f.id),
  };
}

describe('a PR into a branch with lenient gates is judged by the default branch', () => {
  it('breaking: off on the base branch does not hide a removal (baseline: the base branch)', async () => {
    const result = await check({ main: strict, base: config('  breaking: off\n'), headPaths: list });
    expect(result).toEqual({ verdict: 'fail', ids: ['api-path-removed-without-deprecation'] });
  });

  it('the base branch’s own approval label approves nothing; main’s does', async () => {
    const base = config('  approvalLabel: anything\n');
    expect((await check({ main: strict, base, headPaths: list, labels: ['anything'] })).verdict).toBe('fail');
    const approved = await check({
      main: strict,
      base,
      headPaths: list,
      labels: ['breaking-change-approved'],
    });
    expect(approved).toEqual({ verdict: 'pass', ids: [] });
  });

  it('lint "new" is judged against main: the base branch cannot pre-seed a finding to hide it', async () => {
    // The base branch already has the undeclared parameter; main does not: it is new.
    const result = await check({ main: strict, base: strict, headPaths: list + undeclared });
    expect(result).toEqual({ verdict: 'fail', ids: ['path-params'] });
  });

  it('a ruleset on the base branch that turns rules off is not used; main’s built-in rules are', async () => {
    const base = config('  lint:\n    ruleset: lenient.yaml\n    scope: all\n');
    const extra = { 'lenient.yaml': 'extends: [[spectral:oas, off]]\n' };
    const result = await check({ main: strict, base, basePaths: list, headPaths: list + undeclared, extra });
    expect(result).toEqual({ verdict: 'fail', ids: ['path-params'] });
  });

  it('the same PR with main as gates source and base (a PR into main) behaves the same (control)', async () => {
    const report = await runCheck(
      { mode: 'repo', base: files(strict, list + undeclared), head: files(strict, list + undeclared) },
      {},
      { breakingDiff: oasdiff },
    );
    // Into main, the finding main already has is not new.
    expect(report.verdict).toBe('pass');
  });
});
