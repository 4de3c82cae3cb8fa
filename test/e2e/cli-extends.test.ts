/**
 * `_extends` in the CLI: `--extends-dir <checkout>` reads the org defaults as the App reads the other repo's
 * default branch; without it the check says so (a warning on the `_extends` line) and goes on with the repo's
 * own keys. With `--repo`, a different owner or the repo itself is refused as in the App.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readUserProfile } from '../../dev/start.js';
import { checkJson, runCli } from '../helpers/cli.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'kaf-cli-extends-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let dirs = 0;
function writeDir(files: Record<string, string | Buffer>): string {
  const dir = path.join(scratch, `dir-${++dirs}`);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

/** The user-profile repo (a revision's spec if given), its own gates removed, `_extends` on line 1. */
async function userRepo(extendsLine: string, revision?: string) {
  const files = await readUserProfile();
  const own = String(files['.kuma-api-forge.yaml']).replace(/\ngates:\n(?: {2}.*\n)*/, '\n');
  const { '.kuma-api-forge.yaml': _, ...spec } = revision ? await readUserProfile(revision) : files;
  return writeDir({ ...files, ...spec, '.kuma-api-forge.yaml': `${extendsLine}\n${own}` });
}

const org = writeDir({
  '.github/kuma-api-forge.yaml': 'gates:\n  breaking: warn\ndefaults:\n  idleTimeout: 17s\n',
});

describe('render and check with --extends-dir', () => {
  it('render applies the org x-kuma defaults; without --extends-dir it warns on line 1 and renders without them', async () => {
    const repo = await userRepo('_extends: .github');
    const withOrg = await runCli(['render', repo, '--extends-dir', org]);
    expect(withOrg.code).toBe(0);
    expect(withOrg.stdout).toContain('17s');

    const offline = await runCli(['render', repo]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).not.toContain('17s');
    expect(offline.stderr).toContain('config-extends-offline');
    expect(offline.stderr).toContain('--extends-dir');
  });

  it("check: the org's breaking: warn lets a removed operation pass; offline, the default gate fails it and says why", async () => {
    const base = await userRepo('_extends: .github');
    const head = await userRepo('_extends: .github', 'removed-operation');
    const withOrg = await checkJson(['--base', base, '--head', head, '--extends-dir', org]);
    expect(withOrg.code).toBe(0);
    expect(withOrg.report.findings).toContainEqual(
      expect.objectContaining({ id: 'api-removed-without-deprecation', severity: 'warning' }),
    );

    const offline = await checkJson(['--base', base, '--head', head]);
    expect(offline.code).toBe(1);
    expect(offline.report.findings).toContainEqual(
      expect.objectContaining({ id: 'config-extends-offline', file: '.kuma-api-forge.yaml', line: 1 }),
    );
  });

  it.each([
    ['_extends: other-org/.github', 'another owner'],
    ['_extends: users', 'this repo itself'],
    ['_extends: .github:../x.yaml', 'leaves the root'],
    ['_extends: .github:/etc/passwd', 'absolute path'],
    ['_extends: .github:nope.yaml', 'has no nope.yaml'],
  ])('with --repo acme/users, "%s" is an error on line 1 (%s)', async (line, message) => {
    const repo = await userRepo(line);
    const { code, report } = await checkJson(['--head', repo, '--extends-dir', org, '--repo', 'acme/users']);
    expect(code).toBe(1);
    const found = report.findings.filter((f) => f.id.startsWith('config-extends'));
    expect(found).toEqual([
      expect.objectContaining({ severity: 'error', file: '.kuma-api-forge.yaml', line: 1 }),
    ]);
    expect(found[0]?.message).toContain(message);
  });

  it('a symlinked config (or folder) in the extended checkout is refused, not followed', async () => {
    const elsewhere = writeDir({ 'kuma-api-forge.yaml': 'gates:\n  breaking: warn\n' });
    const linkedFolder = writeDir({});
    symlinkSync(elsewhere, path.join(linkedFolder, '.github'));
    const linkedFile = writeDir({});
    symlinkSync(path.join(elsewhere, 'kuma-api-forge.yaml'), path.join(linkedFile, '.kuma-api-forge.yaml'));
    for (const dir of [linkedFolder, linkedFile]) {
      const { code, report } = await checkJson([
        '--head',
        await userRepo('_extends: .github'),
        '--extends-dir',
        dir,
      ]);
      expect(code).toBe(1);
      expect(report.findings).toContainEqual(
        expect.objectContaining({ id: 'config-extends-refused', line: 1, severity: 'error' }),
      );
    }
  });

  it('--extends-dir that is not a directory is a usage error (exit 2)', async () => {
    const run = await runCli([
      'check',
      '--head',
      await userRepo('_extends: .github'),
      '--extends-dir',
      path.join(scratch, 'nope'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--extends-dir');
  });
});
