import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGitSource } from '../../../shared/adapters/git-source.js';
import { createLocalDirSource } from '../../../shared/adapters/local-dir-source.js';
import { loadSpec } from '../../../shared/core/spec/load-spec.js';

const scratch = mkdtempSync(join(tmpdir(), 'kaf-sources-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

describe('createLocalDirSource', () => {
  const root = join(scratch, 'repo');
  mkdirSync(join(root, 'schemas'), { recursive: true });
  writeFileSync(join(scratch, 'secret.yaml'), 'secret: yes\n');
  writeFileSync(join(root, 'schemas', 'pet.yaml'), 'type: object\n');
  symlinkSync(join(scratch, 'secret.yaml'), join(root, 'schemas', 'leak.yaml'));
  symlinkSync(join(root, 'schemas', 'pet.yaml'), join(root, 'alias.yaml'));
  const source = createLocalDirSource(root);

  it('reads files under the root, following symlinks that stay inside', async () => {
    expect(text(await source.read('schemas/pet.yaml'))).toBe('type: object\n');
    expect(text(await source.read('alias.yaml'))).toBe('type: object\n');
    expect(await source.read('schemas/none.yaml')).toBeUndefined();
    expect(await source.read('schemas')).toBeUndefined();
  });

  it('refuses anything outside the root, symlinks included', async () => {
    expect(await source.read('schemas/leak.yaml')).toBeUndefined();
    expect(await source.read('../secret.yaml')).toBeUndefined();
    expect(await source.read(join(scratch, 'secret.yaml'))).toBeUndefined();
  });

  it('a spec whose $ref is a symlink out of the repo gets ref-not-found, not the content', async () => {
    writeFileSync(
      join(root, 'openapi.yaml'),
      "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    S:\n      $ref: schemas/leak.yaml\n",
    );
    const spec = await loadSpec(source, 'openapi.yaml');
    expect(spec.findings.map((f) => [f.id, f.line])).toEqual([['ref-not-found', 7]]);
    expect(JSON.stringify(spec.bundle)).not.toContain('secret');
  });
});

describe('createGitSource', () => {
  const repo = join(scratch, 'git');
  mkdirSync(join(repo, 'api'), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'api', 'openapi.yaml'), 'version: one\n');
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  writeFileSync(join(repo, 'api', 'openapi.yaml'), 'version: two\n');
  git('commit', '-q', '-am', 'two');
  writeFileSync(join(repo, 'api', 'openapi.yaml'), 'version: working tree\n');

  it('reads files as they were at the ref, relative to the given directory', async () => {
    expect(text(await createGitSource(repo, 'HEAD~1').read('api/openapi.yaml'))).toBe('version: one\n');
    expect(text(await createGitSource(repo, 'main').read('api/openapi.yaml'))).toBe('version: two\n');
    expect(text(await createGitSource(join(repo, 'api'), 'main').read('openapi.yaml'))).toBe(
      'version: two\n',
    );
    expect(await createGitSource(repo, 'main').read('api/none.yaml')).toBeUndefined();
    expect(await createGitSource(repo, 'main').read('api')).toBeUndefined();
    expect(await createGitSource(join(repo, 'api'), 'main').read('../api/openapi.yaml')).toBeUndefined();
  });

  it('an unknown ref is one clear error', async () => {
    await expect(createGitSource(repo, 'no-such-branch').read('api/openapi.yaml')).rejects.toThrow(
      /^git ref "no-such-branch" not found in /,
    );
    await expect(createGitSource(repo, '--output=/tmp/x').read('api/openapi.yaml')).rejects.toThrow(
      /invalid git ref/,
    );
  });
});
