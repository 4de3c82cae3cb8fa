/**
 * Every name derived from a source repo's `owner/repo` — its deploy folder, its deploy-PR branch, its Argo CD
 * Application — is valid and unique for every name GitHub allows (owner: letters, digits and single hyphens, at
 * most 39; repo: letters, digits, `-`, `_`, `.`, at most 100; both case-insensitive), on a generated set of
 * tricky names. The Application name is rendered from infra/argocd/applicationset.yaml's own Go template by Go's
 * text/template (test/infra/argocd-template/main.go), as Argo CD's goTemplate mode does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildRepoBranch, buildRepoFolder } from '../../shared/core/deploy/deploy-paths.js';
import type { RepoRef } from '../../shared/core/repo-ref.js';

const infra = (path: string) => fileURLToPath(new URL(`../../infra/${path}`, import.meta.url));
const appSet = parse(readFileSync(infra('argocd/applicationset.yaml'), 'utf8'));
const nameTemplate: string = appSet.spec.template.metadata.name;

/** A small seeded generator (mulberry32), so the set is the same on every run. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isGitHubOwner = (owner: string) => /^[a-z0-9](?:-?[a-z0-9])*$/i.test(owner) && owner.length <= 39;
const isGitHubRepo = (repo: string) =>
  /^[a-z0-9_.-]{1,100}$/i.test(repo) && repo !== '.' && repo !== '..' && repo !== '.git';

/** Hand-picked collisions and edge cases, then random names biased towards the special characters. */
function trickyNames(): string[] {
  const owner39 = `${'o'.repeat(19)}-${'w'.repeat(19)}`;
  const names = [
    'acme/pets',
    'a-b/c',
    'a/b-c',
    'a/b_c',
    'a/b.c',
    'a/b--c',
    'a-b/-c',
    'a/b__c',
    'a/b_-c',
    'a/b-_c',
    'a/_',
    'a/-',
    'a/...',
    'a/.github',
    'a/github',
    'a/.github.io',
    'a/x.lock',
    'a/x.',
    'a/x-',
    'a/x_',
    'a/-x',
    'a/_x',
    'a/1',
    '1/1',
    `${owner39}/${'r'.repeat(100)}`,
    `${owner39}/${'r'.repeat(99)}s`,
    `${owner39}/${'_'.repeat(100)}`,
    `${owner39}/${'.'.repeat(100)}`,
    `${'a'.repeat(39)}/${'b'.repeat(12)}`, // 52 characters: the longest readable name
    `${'a'.repeat(39)}/${'b'.repeat(13)}`, // 53: hashed
    `${'a'.repeat(39)}/${'b'.repeat(11)}-`,
  ];
  const next = random(20261206);
  const pick = (alphabet: string) => alphabet[Math.floor(next() * alphabet.length)]!;
  for (let i = 0; i < 1500; i += 1) {
    const ownerLength = 1 + Math.floor(next() * (next() < 0.2 ? 39 : 6));
    let owner = '';
    while (owner.length < ownerLength) {
      const char = pick('ab1-');
      if (char === '-' && (owner === '' || owner.endsWith('-') || owner.length === ownerLength - 1)) continue;
      owner += char;
    }
    const repoLength = 1 + Math.floor(next() * (next() < 0.2 ? 100 : 8));
    let repo = '';
    while (repo.length < repoLength) repo += pick('ab1-_.');
    names.push(`${owner}/${repo}`);
  }
  return [...new Set(names)].filter((name) => {
    const [owner = '', repo = ''] = name.split('/');
    return isGitHubOwner(owner) && isGitHubRepo(repo);
  });
}

/** The Application names Argo CD would generate for these folders (without the trailing slash). */
function renderApplicationNames(folders: string[]): string[] {
  const run = spawnSync('go', ['run', fileURLToPath(new URL('argocd-template/main.go', import.meta.url))], {
    input: JSON.stringify({ template: nameTemplate, paths: folders }),
    encoding: 'utf8',
    // Go's caches in the repo's git-ignored .cache/, kept between runs: CI's environment may have no HOME for
    // go's defaults, and the run's temp folder is removed after it (test/setup/run-tmpdir.ts).
    env: {
      ...process.env,
      GOFLAGS: '-mod=mod',
      GO111MODULE: 'off',
      GOCACHE: process.env.GOCACHE ?? fileURLToPath(new URL('../../.cache/go-build', import.meta.url)),
      GOPATH: process.env.GOPATH ?? fileURLToPath(new URL('../../.cache/gopath', import.meta.url)),
    },
  });
  if (run.status !== 0) throw new Error(`go run failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

const hasGo = (() => {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const names = trickyNames();
/** `owner/repo` split at its first slash, whatever it holds: what the builders get for names no parser checked. */
const ref = (name: string): RepoRef => {
  const [owner = '', ...rest] = name.split('/');
  return { owner, repo: rest.join('/') };
};
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('derived names of a source repo', () => {
  it('covers collisions, `_`, `.`, `.github`, maximum lengths and case variants', () => {
    expect(names.length).toBeGreaterThan(1000);
    expect(names).toEqual(expect.arrayContaining(['a-b/c', 'a/b-c', 'a/.github', 'a/b_c', 'a/b.c']));
    expect(names.some((name) => name.length === 140)).toBe(true);
  });

  it('deploy folder: one per repo whatever its case, a plain path, never shared', () => {
    const folders = new Map<string, string>();
    for (const name of names) {
      const folder = buildRepoFolder(ref(name));
      expect(folder).toMatch(/^apis\/[a-z0-9_.-]+\/[a-z0-9_.-]+\/$/);
      expect(
        folder
          .split('/')
          .slice(1, 3)
          .every((part) => part !== '.' && part !== '..'),
      ).toBe(true);
      expect(buildRepoFolder(ref(name.toUpperCase()))).toBe(folder);
      const other = folders.get(folder);
      expect(other === undefined || other === name.toLowerCase(), `${name} and ${other}`).toBe(true);
      folders.set(folder, name.toLowerCase());
    }
    expect(buildRepoFolder(ref('Acme/.GitHub'))).toBe('apis/acme/.github/');
    for (const bad of ['a/.', 'a/..', 'a/.git', 'a/.GIT', 'a/b/c', 'a', '/b', 'a/', 'a/b c', 'a/ü']) {
      expect(() => buildRepoFolder(ref(bad)), bad).toThrow(/not a repository name/);
    }
  });

  it('deploy-PR branch: a valid git ref for every name, never shared', () => {
    const branches = new Map<string, string>();
    const refs = names.map((name) => `refs/heads/kuma-api-forge/${buildRepoBranch(ref(name))}`);
    // git itself judges the ref names: one transaction creating them all in a scratch repo fails on any invalid.
    const dir = mkdtempSync(join(tmpdir(), 'derived-names-'));
    try {
      const git = (args: string[], input?: string) =>
        execFileSync('git', ['--git-dir', dir, ...args], { input, encoding: 'utf8' }).trim();
      git(['init', '--bare', '--quiet']);
      const tree = git(['hash-object', '-w', '-t', 'tree', '--stdin'], '');
      const commit = git(
        ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit-tree', tree, '-m', 'refs'],
        undefined,
      );
      git(['update-ref', '--stdin'], refs.map((ref) => `create ${ref} ${commit}\n`).join(''));
      expect(git(['for-each-ref', '--format=%(refname)', 'refs/heads/']).split('\n').sort()).toEqual(
        [...new Set(refs)].sort(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    names.forEach((name, index) => {
      const other = branches.get(refs[index]!);
      expect(other === undefined || other === name.toLowerCase(), `${name} and ${other}`).toBe(true);
      branches.set(refs[index]!, name.toLowerCase());
    });
  });

  it.skipIf(!hasGo)(
    'Argo CD Application: a DNS-1123 label of at most 63 characters, one per folder, readable when short',
    () => {
      const folders = names.map((name) => buildRepoFolder(ref(name)).slice(0, -1));
      const unique = [...new Set(folders)];
      // An environment that is a folder of the deploy branch (infra/argocd/folders/<name>) names its folders
      // alike: the name is made of the last two segments, `<owner>/<repo>`, whatever the path before them.
      const both = renderApplicationNames([...unique, ...unique.map((folder) => `envs/staging/${folder}`)]);
      const rendered = both.slice(0, unique.length);
      expect(both.slice(unique.length)).toEqual(rendered);
      const invalid = rendered.filter((name) => name.length > 63 || !dnsLabel.test(name));
      expect(invalid).toEqual([]);
      const byName = new Map<string, string>();
      unique.forEach((folder, index) => {
        const other = byName.get(rendered[index]!);
        expect(other, `${folder} and ${other} are both ${rendered[index]}`).toBeUndefined();
        byName.set(rendered[index]!, folder);
      });
      // Readable where it can be; the two forms never overlap (at most 62 characters vs exactly 63).
      const [pets, ab, b, github, longest, hashed] = renderApplicationNames([
        'apis/acme/pets',
        'apis/a-b/c',
        'apis/a/b-c',
        'apis/a/.github',
        `apis/${'a'.repeat(39)}/${'b'.repeat(12)}`,
        `apis/${'a'.repeat(39)}/${'b'.repeat(13)}`,
      ]);
      expect(pets).toBe('kuma-api-acme--pets');
      expect([ab, b]).toEqual(['kuma-api-a-b--c', 'kuma-api-a--b-c']);
      expect(github).toHaveLength(63);
      expect(github).toMatch(/^kuma-api-a-github-[0-9a-f]{45}$/);
      expect(longest).toHaveLength(62);
      expect(hashed).toHaveLength(63);
      expect(rendered.every((name) => name.length <= 62 || /-[0-9a-f]{32,}$/.test(name))).toBe(true);
    },
    120_000,
  );

  it('Flux: one GitRepository and one Kustomization for every repo, so no name is derived from a repo', () => {
    for (const file of ['flux/gitrepository.yaml', 'flux/kustomization-apis.yaml']) {
      const text = readFileSync(infra(file), 'utf8');
      expect(text).not.toContain('{{');
      expect(parse(text).metadata.name).toMatch(dnsLabel);
    }
  });

  it('Argo CD Application: rendered in goTemplate mode with missingkey=error, each annotated with its folder', () => {
    expect(appSet.spec.goTemplate).toBe(true);
    expect(appSet.spec.goTemplateOptions).toEqual(['missingkey=error']);
    expect(appSet.spec.template.metadata.annotations).toEqual({
      'kuma-api-forge/folder': '{{ .path.path }}',
    });
  });
});
