/**
 * Every message about the config names the file the user has: `.github/kuma-api-forge.yaml` when the config is
 * there, `.kuma-api-forge.yaml` when it is at the root (each case runs with both, so neither name is hard-coded).
 * One message per place that names it: an API removed from the config, gate settings edited, a base config
 * that does not load, a waiver file that does not exist, `render --api` of an API the config lacks, and the
 * deploy's render (the tenancy and mesh-prerequisite findings' fallback file).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryFileSource } from '../../shared/adapters/memory-file-source.js';
import { renderSource } from '../../shared/use-cases/preview-deploy.js';
import { checkJson, runCli } from '../helpers/cli.js';

const spec = (title: string, base: string) => `openapi: 3.0.3
info:
  title: ${title}
  version: 1.0.0
  description: ${title}.
  contact: { name: team }
servers:
  - url: /${base}
tags:
  - name: things
paths:
  /things:
    get:
      operationId: list${title}
      summary: List
      description: Every thing.
      tags: [things]
      responses:
        '200':
          description: the things
`;
const api = (name: string) => `  - name: ${name}\n    spec: ${name}.yaml\n`;
const config = (names: string[], gates = '  breaking: fail\n') =>
  `apis:\n${names.map(api).join('')}gates:\n${gates}`;
const specs = { 'orders.yaml': spec('Orders', 'orders-api'), 'billing.yaml': spec('Billing', 'billing-api') };

const scratch = mkdtempSync(path.join(tmpdir(), 'kaf-config-wording-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
function repoDir(files: Record<string, string>): string {
  const dir = path.join(scratch, `repo-${++dirs}`);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

describe.each(['.github/kuma-api-forge.yaml', '.kuma-api-forge.yaml'])('with the config at %s', (where) => {
  it('an API removed from the config: named in the message and the finding', async () => {
    const base = repoDir({ [where]: config(['orders', 'billing']), ...specs });
    const head = repoDir({ [where]: config(['orders']), ...specs });
    const { report } = await checkJson(['--base', base, '--head', head]);
    const removed = report.findings.find((f) => f.id === 'api-removed');
    expect(removed).toMatchObject({ file: where, side: 'base' });
    expect(removed?.message).toContain(`API "billing" was removed from ${where}:`);
  });

  it('gate settings edited: the notice names the file', async () => {
    const base = repoDir({ [where]: config(['orders']), ...specs });
    const head = repoDir({ [where]: config(['orders'], '  breaking: off\n'), ...specs });
    const { report } = await checkJson(['--base', base, '--head', head]);
    expect(report.notices).toContain(
      `This change edits the gate settings in ${where}; they take effect after it is merged.`,
    );
  });

  it('a base config that does not load: the finding is on that file', async () => {
    const base = repoDir({ [where]: 'apis: [\n', ...specs });
    const head = repoDir({ [where]: config(['orders']), ...specs });
    const { report } = await checkJson(['--base', base, '--head', head]);
    const unreadable = report.findings.find((f) => f.id === 'breaking-base-unreadable');
    expect(unreadable).toMatchObject({ file: where });
    expect(unreadable?.message).toContain(`the base version of ${where} did not load`);
  });

  it('a waiver file that does not exist: on the config line that names it', async () => {
    const gates = '  breaking: fail\n  errIgnore: waivers/missing.txt\n';
    const base = repoDir({ [where]: config(['orders'], gates), ...specs });
    const { report } = await checkJson(['--base', base, '--head', base]);
    const missing = report.findings.find((f) => f.id === 'breaking-waivers-not-found');
    expect(missing).toMatchObject({ file: where, line: 6, pointer: '/gates/errIgnore' });
    expect(missing?.message).toContain(`waiver file waivers/missing.txt named in ${where} (gates.errIgnore)`);
  });

  it('render --api of an API the config does not list', async () => {
    const dir = repoDir({ [where]: config(['orders']), ...specs });
    const run = await runCli(['render', dir, '--api', 'nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${where} has no API named "nope"`);
  });

  it('the deploy’s render carries the path (the tenancy and mesh findings fall back to it)', async () => {
    const source = createMemoryFileSource({ [where]: config(['orders']), ...specs });
    const rendered = await renderSource(source, { owner: 'acme', repo: 'orders' });
    expect(rendered.configPath).toBe(where);
  });
});
