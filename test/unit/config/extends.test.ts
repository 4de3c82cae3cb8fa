import { describe, expect, it } from 'vitest';
import { createMemoryFileSource } from '../../../shared/adapters/memory-file-source.js';
import { loadRepoConfigFile } from '../../../shared/core/config/config-location.js';
import { type ExtendedRead, type ExtendedRepos, mergeConfig } from '../../../shared/core/config/extends.js';
import { parseRepoConfig } from '../../../shared/core/config/repo-config.js';
import type { FileSource } from '../../../shared/core/spec/file-source.js';
import type { SourceFile } from '../../../shared/core/spec/types.js';

const self = { owner: 'acme', repo: 'pets' };

/** Other repos of `acme`: repo → path → content ('symlink' for a link). */
function reposOf(files: Record<string, Record<string, string>>, withSelf = true) {
  const reads: string[] = [];
  const repos: ExtendedRepos = {
    ...(withSelf ? { self } : {}),
    async read(repo, path): Promise<ExtendedRead> {
      reads.push(`${repo}:${path}`);
      const tree = files[repo];
      if (!tree) return { found: 'no-repo' };
      const content = tree[path];
      if (content === undefined) return { found: 'none' };
      if (content === 'symlink') return { found: 'symlink' };
      return { found: 'file', bytes: new TextEncoder().encode(content) };
    },
  };
  return { repos, reads };
}

function repoWith(config: string, repos?: ExtendedRepos): FileSource {
  const source = createMemoryFileSource({ '.kuma-api-forge.yaml': config, 'pets.yaml': 'openapi: 3.1.0' });
  return repos ? Object.assign(source, { extendedRepos: repos }) : source;
}

async function load(config: string, repos?: ExtendedRepos) {
  const located = await loadRepoConfigFile(repoWith(config, repos));
  const file = located.loaded as SourceFile;
  return { file, findings: located.findings, parsed: parseRepoConfig(file) };
}

const orgDefaults = `
mesh: org-mesh
gates:
  breaking: warn
  lint: { failOn: warning }
defaults:
  timeout: 5s
  retries: { attempts: 2, perTryTimeout: 1s }
apis:
  - name: pets
    gateway: org-gateway
    hostnames: [org.example.com]
  - name: billing
    spec: billing.yaml
`;

const ownConfig = `# the pets repo
_extends: .github
gates:
  lint: { scope: all }
defaults:
  retries: { attempts: 4 }
apis:
  - name: pets
    spec: pets.yaml
    hostnames: [pets.example.com]
`;

describe('_extends: org defaults merged under the repo config', () => {
  it('deep-merges objects with the repo winning, replaces arrays, merges apis by name and never inherits an org-only API', async () => {
    const { repos } = reposOf({ '.github': { '.github/kuma-api-forge.yaml': orgDefaults } });
    const { parsed, findings } = await load(ownConfig, repos);
    expect(findings).toEqual([]);
    expect(parsed.findings).toEqual([]);
    expect(parsed.config?.mesh).toBe('org-mesh');
    expect(parsed.config?.gates).toMatchObject({
      breaking: 'warn',
      lint: { failOn: 'warning', scope: 'all' },
    });
    expect(parsed.config?.defaults).toEqual({ timeout: '5s', retries: { attempts: 4, perTryTimeout: '1s' } });
    // `pets` takes the org entry's gateway, but its own hostnames whole; `billing` is the org's only.
    expect(parsed.config?.apis).toEqual([
      { name: 'pets', spec: 'pets.yaml', gateway: 'org-gateway', hostnames: ['pets.example.com'] },
    ]);
  });

  it('looks in .github/kuma-api-forge.yaml, then .kuma-api-forge.yaml; a path given is the only place read', async () => {
    const root = reposOf({ '.github': { '.kuma-api-forge.yaml': 'mesh: from-root' } });
    expect((await load(ownConfig, root.repos)).parsed.config?.mesh).toBe('from-root');
    expect(root.reads).toEqual(['.github:.github/kuma-api-forge.yaml', '.github:.kuma-api-forge.yaml']);

    const named = reposOf({
      platform: { 'config/api.yaml': 'mesh: named', '.kuma-api-forge.yaml': 'mesh: no' },
    });
    const config = ownConfig.replace('_extends: .github', '_extends: platform:./config/api.yaml');
    expect((await load(config, named.repos)).parsed.config?.mesh).toBe('named');
    expect(named.reads).toEqual(['platform:config/api.yaml']);
  });

  it('accepts the owner spelled out when it is the same (any case)', async () => {
    const { repos } = reposOf({ '.github': { '.kuma-api-forge.yaml': 'mesh: org-mesh' } });
    const config = ownConfig.replace('_extends: .github', '_extends: ACME/.github');
    expect((await load(config, repos)).parsed.config?.mesh).toBe('org-mesh');
  });

  it('an invalid inherited value fails the schema on the _extends line; a wrong own value on its own line', async () => {
    const { repos } = reposOf({ '.github': { '.kuma-api-forge.yaml': 'gates: { breaking: sometimes }' } });
    const { parsed } = await load(ownConfig, repos);
    expect(parsed.config).toBeUndefined();
    expect(parsed.findings).toEqual([
      expect.objectContaining({ id: 'config-schema', file: '.kuma-api-forge.yaml', line: 2 }),
    ]);
    const own = await load(`${ownConfig}mesh: NOT_A_LABEL\n`, repos);
    expect(own.parsed.findings.map((f) => f.line)).toContain(11);
  });

  it('a config without _extends is read as before, and nothing else is read', async () => {
    const { repos, reads } = reposOf({ '.github': { '.kuma-api-forge.yaml': 'mesh: org' } });
    const { parsed } = await load(ownConfig.replace('_extends: .github\n', ''), repos);
    expect(parsed.config?.mesh).toBe('default');
    expect(reads).toEqual([]);
  });

  it('keeps a __proto__ key a key', () => {
    const merged = mergeConfig(JSON.parse('{"defaults":{"__proto__":{"polluted":1}}}'), { apis: [] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(merged.defaults)).toBe(Object.prototype);
  });
});

describe('_extends refused or unreadable: a finding on its line, the repo checked with its own keys', () => {
  const cases: [string, string, RegExp][] = [
    ['other-org/.github', 'config-extends-refused', /another owner/],
    ['pets', 'config-extends-refused', /this repo itself/],
    ['acme/pets', 'config-extends-refused', /this repo itself/],
    ['.github:../pets/.kuma-api-forge.yaml', 'config-extends-refused', /leaves the root/],
    ['.github:config/../../x.yaml', 'config-extends-refused', /leaves the root/],
    ['.github:/etc/passwd', 'config-extends-refused', /absolute path/],
    ['.github:C:/x.yaml', 'config-extends-refused', /absolute path/],
    ['.github:', 'config-extends-refused', /empty/],
    ['..', 'config-extends-refused', /not a repo name/],
    ['a/b/c', 'config-extends-refused', /not a repo name/],
    ['.github:link.yaml', 'config-extends-refused', /symbolic link/],
    ['missing', 'config-extends-not-found', /does not exist or kuma-api-forge cannot read it/],
    ['.github:nope.yaml', 'config-extends-not-found', /has no nope\.yaml/],
    ['empty', 'config-extends-not-found', /has no \.github\/kuma-api-forge\.yaml or \.kuma-api-forge\.yaml/],
    ['broken', 'config-extends-invalid', /cannot be read: line 1/],
    ['list', 'config-extends-invalid', /not a mapping/],
  ];
  const { repos } = reposOf({
    '.github': { 'link.yaml': 'symlink', '.kuma-api-forge.yaml': 'mesh: org' },
    empty: {},
    broken: { '.kuma-api-forge.yaml': 'mesh: [unclosed' },
    list: { '.kuma-api-forge.yaml': '- a\n- b' },
  });
  it.each(cases)('_extends: %s → %s', async (value, id, message) => {
    const { findings, parsed } = await load(ownConfig.replace('.github', JSON.stringify(value)), repos);
    expect(findings).toEqual([
      expect.objectContaining({ id, severity: 'error', file: '.kuma-api-forge.yaml', line: 2, column: 1 }),
    ]);
    expect(findings[0]?.message).toMatch(message);
    // The repo's own keys still parse: nothing inherited.
    expect(parsed.config?.mesh).toBe('default');
  });

  it('an _extends in the extended file is a warning and is not followed', async () => {
    const nested = reposOf({ '.github': { '.kuma-api-forge.yaml': 'mesh: org\n_extends: other' } });
    const { findings, parsed } = await load(ownConfig, nested.repos);
    expect(findings).toEqual([
      expect.objectContaining({ id: 'config-extends-nested', severity: 'warning', line: 2 }),
    ]);
    expect(findings[0]?.message).toMatch(/line 2.*not followed/);
    expect(nested.reads).toEqual(['.github:.github/kuma-api-forge.yaml', '.github:.kuma-api-forge.yaml']);
    expect(parsed.config?.mesh).toBe('org');
  });

  it('without the other repos (offline) it is a warning naming --extends-dir, and the own keys apply', async () => {
    const { findings, parsed } = await load(ownConfig);
    expect(findings).toEqual([
      expect.objectContaining({ id: 'config-extends-offline', severity: 'warning', line: 2 }),
    ]);
    expect(findings[0]?.message).toMatch(/--extends-dir/);
    expect(parsed.config?.gates.lint.scope).toBe('all');
    expect(parsed.config?.gates.breaking).toBe('fail');
  });

  it('a non-string _extends is a schema finding, not followed', async () => {
    const { repos, reads } = reposOf({});
    const { parsed } = await load(ownConfig.replace('_extends: .github', '_extends: [a, b]'), repos);
    expect(parsed.findings).toEqual([expect.objectContaining({ id: 'config-schema', line: 2 })]);
    expect(reads).toEqual([]);
  });
});
