/**
 * An environment that is a folder of a deploy branch (adapters/folder-deploy-repo.ts): it sees only its folder,
 * with the folder off the paths, and everything it commits lands under the folder — a path that would climb out
 * of it is refused before anything is written.
 */
import { describe, expect, it } from 'vitest';
import { withinFolder, withinFolderHistory } from '../../../shared/adapters/folder-deploy-repo.js';
import { fromEnvironmentPath, toEnvironmentPath } from '../../../shared/core/deploy/deploy-paths.js';
import { InvariantError } from '../../../shared/core/errors.js';
import type { DeployCommitRequest, DeployRepo } from '../../../shared/ports/deploy-repo.js';

function fakeRepo(paths: string[]) {
  const commits: DeployCommitRequest[] = [];
  const repo: DeployRepo = {
    description: 'platform/deploy@main',
    url: 'https://github.test/platform/deploy',
    calls: 0,
    readSnapshot: async (_commit, read) => ({
      ...(read?.textsOf ? { textsOf: read.textsOf } : {}),
      headSha: 'h'.repeat(40),
      treeSha: 't'.repeat(40),
      files: paths.map((path, index) => ({ path, sha: String(index).padStart(40, '0') })),
    }),
    readText: async (sha) => `text of ${sha}`,
    commit: async (request) => {
      commits.push(request);
      return { status: 'committed', sha: 'c'.repeat(40), url: 'u' };
    },
  };
  return { repo, commits };
}

const request = (paths: string[]): DeployCommitRequest => ({
  sourceRepo: { owner: 'acme', repo: 'users' },
  parent: { sha: 'h'.repeat(40), treeSha: 't'.repeat(40) },
  message: 'Deploy',
  changes: paths.map((path) => ({ path, content: 'x' })),
});

describe('withinFolder', () => {
  const branch = [
    'tenants.yaml',
    'envs/staging/tenants.yaml',
    'envs/staging/governance/limits.yaml',
    'envs/staging/apis/acme/users/.source.yaml',
    'envs/staging2/apis/acme/users/.source.yaml',
    'envs/production/tenants.yaml',
    'envs/production/apis/acme/users/users/route.yaml',
  ];

  it("lists only the folder's files, relative to it (a sibling whose name starts the same is not in it)", async () => {
    const staging = withinFolder(fakeRepo(branch).repo, 'envs/staging');
    const snapshot = await staging.readSnapshot();
    expect(snapshot.files.map((file) => file.path)).toEqual([
      'tenants.yaml',
      'governance/limits.yaml',
      'apis/acme/users/.source.yaml',
    ]);
    expect(snapshot.files[0]!.sha).toBe('1'.padStart(40, '0'));
    expect(staging.description).toBe('platform/deploy@main:envs/staging');
  });

  it('commits under the folder, the same parent', async () => {
    const { repo, commits } = fakeRepo(branch);
    await withinFolder(repo, 'envs/production').commit(
      request(['apis/acme/users/.source.yaml', 'apis/acme/users/users/route.yaml']),
    );
    expect(commits[0]!.changes.map((change) => change.path)).toEqual([
      'envs/production/apis/acme/users/.source.yaml',
      'envs/production/apis/acme/users/users/route.yaml',
    ]);
    expect(commits[0]!.parent.sha).toBe('h'.repeat(40));
  });

  it.each([
    ['../staging/tenants.yaml'],
    ['apis/../../staging/apis/acme/users/x.yaml'],
    ['apis/acme/../../../tenants.yaml'],
    ['/tenants.yaml'],
    ['apis//x.yaml'],
    ['./tenants.yaml'],
    [''],
  ])('refuses to write %j, which would leave the folder, and writes nothing', async (path) => {
    const { repo, commits } = fakeRepo(branch);
    await expect(
      withinFolder(repo, 'envs/production').commit(request(['apis/acme/users/ok.yaml', path])),
    ).rejects.toThrow(InvariantError);
    expect(commits).toEqual([]);
  });
});

describe('environment paths', () => {
  it('maps a path into and out of a folder', () => {
    expect(toEnvironmentPath('envs/a', 'apis/o/r/x.yaml')).toBe('envs/a/apis/o/r/x.yaml');
    expect(fromEnvironmentPath('envs/a', 'envs/a/apis/o/r/x.yaml')).toBe('apis/o/r/x.yaml');
    expect(fromEnvironmentPath('envs/a', 'envs/ab/tenants.yaml')).toBeUndefined();
    expect(fromEnvironmentPath('envs/a', 'envs/a')).toBeUndefined();
  });

  it('refuses a folder that is not one', () => {
    for (const folder of ['../x', '/x', 'x/', 'x//y', '.git', ''])
      expect(() => toEnvironmentPath(folder, 'tenants.yaml')).toThrow(InvariantError);
  });
});

describe('a folder environment asked for more than its files', () => {
  it("the preview's texts are read from the folder's own apis/ path", async () => {
    const asked: (string | undefined)[] = [];
    const { repo } = fakeRepo([]);
    const spy: DeployRepo = {
      ...repo,
      readSnapshot: async (commit, read) => {
        asked.push(read?.textsOf);
        return repo.readSnapshot(commit, read);
      },
    };
    await withinFolder(spy, 'envs/staging').readSnapshot(undefined, { textsOf: 'apis/acme/users' });
    await withinFolder(spy, 'envs/staging').readSnapshot(undefined, { textsOf: 'apis/acme/users/' });
    await withinFolder(spy, 'envs/staging').readSnapshot();
    expect(asked).toEqual(['envs/staging/apis/acme/users', 'envs/staging/apis/acme/users', undefined]);
  });

  it("the time promotion's soak is dated by the folder's own .source.yaml, never the branch root's", async () => {
    const paths: string[] = [];
    const history = withinFolderHistory(
      {
        lastChange: async (_head, path) => {
          paths.push(path);
          return undefined;
        },
        signals: async () => [],
      },
      'envs/staging',
    );
    await history.lastChange('h'.repeat(40), 'apis/acme/users/.source.yaml');
    expect(paths).toEqual(['envs/staging/apis/acme/users/.source.yaml']);
    await expect(
      history.lastChange('h'.repeat(40), '../production/apis/acme/users/.source.yaml'),
    ).rejects.toThrow(InvariantError);
  });
});
