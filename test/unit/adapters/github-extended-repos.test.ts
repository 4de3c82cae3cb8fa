/**
 * The GitHub adapter of `_extends`: the other repo's default branch, walked one folder at a time so that a
 * symbolic link (mode 120000) anywhere on the path is answered as one and its target never read; a repo the
 * token cannot read is "no-repo"; a failure that may pass (5xx) is thrown, so the job is retried.
 */
import { describe, expect, it } from 'vitest';
import type { GitHubClients } from '../../../shared/adapters/github/create-octokit.js';
import { createGitHubExtendedRepos } from '../../../shared/adapters/github/github-extended-repos.js';
import { UpstreamError } from '../../../shared/core/errors.js';

type Entry = { path: string; mode: string; type: 'blob' | 'tree'; sha: string };

/** A repo `.github` of acme whose default branch `trunk` has these trees (by sha) and blobs. */
function fakeClients(trees: Record<string, Entry[]>, blobs: Record<string, string>, fail?: Error) {
  const calls: string[] = [];
  const scopes: unknown[] = [];
  const octokit = {
    rest: {
      repos: {
        get: async ({ repo }: { repo: string }) => {
          calls.push(`repos.get ${repo}`);
          if (fail) throw fail;
          return { data: { default_branch: 'trunk' } };
        },
        getBranch: async ({ branch }: { branch: string }) => {
          calls.push(`getBranch ${branch}`);
          return { data: { commit: { commit: { tree: { sha: 'root' } } } } };
        },
      },
      git: {
        getTree: async ({ tree_sha }: { tree_sha: string }) => {
          calls.push(`getTree ${tree_sha}`);
          return { data: { tree: trees[tree_sha] ?? [] } };
        },
        getBlob: async ({ file_sha }: { file_sha: string }) => {
          calls.push(`getBlob ${file_sha}`);
          return { data: { content: Buffer.from(blobs[file_sha] ?? '').toString('base64') } };
        },
      },
    },
  };
  const clients = {
    forInstallation: (_id: number, scope: unknown) => {
      scopes.push(scope);
      return octokit;
    },
  } as unknown as GitHubClients;
  const repos = createGitHubExtendedRepos(clients, {
    installationId: 7,
    repository: { owner: 'acme', repo: 'pets' },
  });
  return { repos, calls, scopes };
}

const file = (path: string, sha: string): Entry => ({ path, mode: '100644', type: 'blob', sha });
const link = (path: string, type: 'blob' | 'tree' = 'blob'): Entry => ({
  path,
  mode: '120000',
  type,
  sha: 'l',
});

describe('createGitHubExtendedRepos', () => {
  it('reads the file from the default branch with a contents:read token for that repo only, once per job', async () => {
    const { repos, calls, scopes } = fakeClients(
      {
        root: [{ path: '.github', mode: '040000', type: 'tree', sha: 'gh' }],
        gh: [file('kuma-api-forge.yaml', 'b1')],
      },
      { b1: 'mesh: org\n' },
    );
    const read = await repos.read('.github', '.github/kuma-api-forge.yaml');
    expect(read.found === 'file' && new TextDecoder().decode(read.bytes)).toBe('mesh: org\n');
    expect(calls).toEqual([
      'repos.get .github',
      'getBranch trunk',
      'getTree root',
      'getTree gh',
      'getBlob b1',
    ]);
    expect(scopes).toEqual([{ repositories: ['.github'], permissions: { contents: 'read' } }]);
    expect(repos.self).toEqual({ owner: 'acme', repo: 'pets' });
    await repos.read('.github', '.github/kuma-api-forge.yaml');
    expect(calls).toHaveLength(5);
  });

  it('answers a symlinked file or folder as a link and reads no blob', async () => {
    const linkedFile = fakeClients({ root: [link('.kuma-api-forge.yaml')] }, {});
    expect(await linkedFile.repos.read('.github', '.kuma-api-forge.yaml')).toEqual({ found: 'symlink' });
    const linkedFolder = fakeClients({ root: [link('.github', 'tree')] }, {});
    expect(await linkedFolder.repos.read('.github', '.github/kuma-api-forge.yaml')).toEqual({
      found: 'symlink',
    });
    expect([...linkedFile.calls, ...linkedFolder.calls].filter((c) => c.startsWith('getBlob'))).toEqual([]);
  });

  it('no such file, a folder where the file should be, a file where a folder should be: none', async () => {
    const { repos } = fakeClients(
      { root: [file('.github', 'x'), { path: 'conf.yaml', mode: '040000', type: 'tree', sha: 't' }] },
      {},
    );
    expect(await repos.read('.github', 'missing.yaml')).toEqual({ found: 'none' });
    expect(await repos.read('.github', 'conf.yaml')).toEqual({ found: 'none' });
    expect(await repos.read('.github', '.github/kuma-api-forge.yaml')).toEqual({ found: 'none' });
  });

  it('a repo that is missing or not readable (404, 403, 422) is no-repo; a 502 is thrown to be retried', async () => {
    for (const status of [404, 403, 422]) {
      const error = new UpstreamError('no', { service: 'GitHub', status, retryable: false });
      expect(await fakeClients({}, {}, error).repos.read('x', 'a.yaml')).toEqual({ found: 'no-repo' });
    }
    const transient = new UpstreamError('bad gateway', { service: 'GitHub', status: 502, retryable: true });
    const { repos, calls } = fakeClients({}, {}, transient);
    await expect(repos.read('x', 'a.yaml')).rejects.toThrow('bad gateway');
    await expect(repos.read('x', 'a.yaml')).rejects.toThrow('bad gateway');
    expect(calls).toEqual(['repos.get x', 'repos.get x']); // a failure that may pass is not remembered
  });
});
