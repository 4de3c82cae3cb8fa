/**
 * The GitHub adapter of `_extends`: the other repo's default branch, each folder on the file's path and the file
 * read in one GraphQL query, so that a symbolic link (mode 120000) anywhere on the path is answered as one and
 * its target never read; a repo the token cannot read is "no-repo"; a failure that may pass (5xx) is thrown, so
 * the job is retried.
 */
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { githubSchema } from '../../../dev/github/graphql/index.js';
import type { GitHubClients } from '../../../shared/adapters/github/create-octokit.js';
import {
  createGitHubExtendedRepos,
  graphqlDocuments,
} from '../../../shared/adapters/github/github-extended-repos.js';
import { UpstreamError } from '../../../shared/core/errors.js';

type Entry = { mode: number; type: 'blob' | 'tree'; oid: string; text?: string | null; byteSize?: number };

/** A repo of acme whose default branch has these entries (by full path); blobs by oid for the REST fallback. */
function fakeClients(entries: Record<string, Entry>, blobs: Record<string, Uint8Array> = {}, fail?: Error) {
  const calls: string[] = [];
  const scopes: unknown[] = [];
  const octokit = {
    graphql: async (query: string, variables: Record<string, string>) => {
      expect(validate(githubSchema(), parse(query))).toEqual([]);
      calls.push(
        `graphql ${variables.name} ${Object.keys(variables).filter((k) => k.startsWith('p')).length}`,
      );
      if (fail) throw fail;
      const target: Record<string, unknown> = {};
      for (const [key, path] of Object.entries(variables)) {
        if (!key.startsWith('p')) continue;
        const entry = entries[path];
        target[`e${key.slice(1)}`] = entry
          ? {
              type: entry.type,
              mode: entry.mode,
              oid: entry.oid,
              object:
                entry.type === 'blob'
                  ? {
                      text: entry.text ?? null,
                      byteSize: entry.byteSize,
                      isBinary: entry.text === null,
                      isTruncated: false,
                    }
                  : {},
            }
          : null;
      }
      return { repository: { defaultBranchRef: { target } } };
    },
    rest: {
      git: {
        getBlob: async ({ file_sha }: { file_sha: string }) => {
          calls.push(`getBlob ${file_sha}`);
          return { data: { content: Buffer.from(blobs[file_sha] ?? new Uint8Array()).toString('base64') } };
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

const folder = (oid: string): Entry => ({ mode: 0o040000, type: 'tree', oid });
const file = (text: string, oid = 'b1'): Entry => ({
  mode: 0o100644,
  type: 'blob',
  oid,
  text,
  byteSize: Buffer.byteLength(text),
});
const link = (type: 'blob' | 'tree' = 'blob'): Entry => ({
  mode: 0o120000,
  type,
  oid: 'l',
  text: 'elsewhere',
});

describe('createGitHubExtendedRepos', () => {
  it('reads the file from the default branch in one query with a contents:read token for that repo only, once per job', async () => {
    const { repos, calls, scopes } = fakeClients({
      '.github': folder('gh'),
      '.github/kuma-api-forge.yaml': file('mesh: org\n'),
    });
    const read = await repos.read('.github', '.github/kuma-api-forge.yaml');
    expect(read.found === 'file' && new TextDecoder().decode(read.bytes)).toBe('mesh: org\n');
    expect(calls).toEqual(['graphql .github 2']);
    expect(scopes).toEqual([{ repositories: ['.github'], permissions: { contents: 'read' } }]);
    expect(repos.self).toEqual({ owner: 'acme', repo: 'pets' });
    await repos.read('.github', '.github/kuma-api-forge.yaml');
    expect(calls).toHaveLength(1);
  });

  it('reads a file whose text is not its exact bytes (not UTF-8) by blob id', async () => {
    const latin1 = new Uint8Array([0x6d, 0x3a, 0x20, 0xe9, 0x0a]);
    const { repos, calls } = fakeClients(
      { 'conf.yaml': { mode: 0o100644, type: 'blob', oid: 'b2', text: 'm: \ufffd\n', byteSize: 5 } },
      { b2: latin1 },
    );
    const read = await repos.read('x', 'conf.yaml');
    expect(read.found === 'file' && [...read.bytes]).toEqual([...latin1]);
    expect(calls).toEqual(['graphql x 1', 'getBlob b2']);
  });

  it('answers a symlinked file or folder as a link and reads no blob', async () => {
    const linkedFile = fakeClients({ '.kuma-api-forge.yaml': link() });
    expect(await linkedFile.repos.read('.github', '.kuma-api-forge.yaml')).toEqual({ found: 'symlink' });
    const linkedFolder = fakeClients({
      '.github': link('tree'),
      '.github/kuma-api-forge.yaml': file('x: 1\n'),
    });
    expect(await linkedFolder.repos.read('.github', '.github/kuma-api-forge.yaml')).toEqual({
      found: 'symlink',
    });
    expect([...linkedFile.calls, ...linkedFolder.calls].filter((c) => c.startsWith('getBlob'))).toEqual([]);
  });

  it('no such file, a folder where the file should be, a file where a folder should be: none', async () => {
    const { repos } = fakeClients({ '.github': file('x', 'x'), 'conf.yaml': folder('t') });
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
    expect(calls).toEqual(['graphql x 1', 'graphql x 1']); // a failure that may pass is not remembered
  });

  it('sends only documents GitHub’s schema accepts', () => {
    for (const document of graphqlDocuments) expect(validate(githubSchema(), parse(document))).toEqual([]);
  });
});
