/**
 * The deploy's GraphQL: its documents are valid against GitHub's published schema, and the local GitHub's
 * `createCommitOnBranch` keeps GitHub's semantics — the compare-and-swap on `expectedHeadOid` (STALE_DATA, in
 * GitHub's words), base64 contents, deletions, paths GitHub refuses, the App's bot as author, the token's
 * permission — so the deploy adapter is tested against what GitHub does. GraphQL errors reach the App typed.
 */
import { parse, validate } from 'graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubSchema } from '../../dev/github/graphql/index.js';
import { createGitHubClients } from '../../shared/adapters/github/create-octokit.js';
import {
  createGitHubDeployRepo,
  deployCommitMutation,
  deploySnapshotQuery,
  deployTextsQuery,
} from '../../shared/adapters/github-deploy-repo.js';
import { UpstreamError } from '../../shared/core/errors.js';
import { quiet, type Started, startWithApp } from '../contract/setup.js';
import { callsTo } from '../helpers/github-calls.js';

let s: Started;
beforeEach(async () => {
  s = await startWithApp();
});
afterEach(() => s.gh.stop());

const repo = { owner: 'acme', repo: 'pets' };
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Runs createCommitOnBranch on acme/pets@main; answers the commit or GitHub's errors. */
async function commit(input: Record<string, unknown>, octokit = s.octokit) {
  try {
    const data = await octokit.graphql<{ createCommitOnBranch: { commit: { oid: string; url: string } } }>(
      deployCommitMutation,
      {
        input: {
          branch: { repositoryNameWithOwner: 'acme/pets', branchName: 'main' },
          message: { headline: 'Deploy' },
          ...input,
        },
      },
    );
    return { commit: data.createCommitOnBranch.commit };
  } catch (error) {
    return { errors: (error as { errors?: { type?: string; message: string }[] }).errors ?? [] };
  }
}

const headOf = async () => (await s.gh.admin.resolve({ ...repo, ref: 'main' }))!;

describe("the deploy's GraphQL documents", () => {
  it("validate against GitHub's published schema", () => {
    const documents = [deploySnapshotQuery, deployCommitMutation, deployTextsQuery(1), deployTextsQuery(3)];
    for (const document of documents) expect(validate(githubSchema(), parse(document))).toEqual([]);
    // The check itself can fail: a field GitHub does not have.
    expect(
      validate(githubSchema(), parse('query { repository(owner: "a", name: "b") { files } }')),
    ).not.toEqual([]);
  });
});

describe('createCommitOnBranch on the local GitHub', () => {
  it('commits additions (base64) and deletions on top of expectedHeadOid, authored by the App', async () => {
    const head = await headOf();
    const result = await commit({
      expectedHeadOid: head,
      message: { headline: 'Deploy acme/pets', body: 'Source: acme/pets\n' },
      fileChanges: {
        additions: [{ path: 'apis/acme/pets/route.yaml', contents: b64('kind: MeshHTTPRoute\n') }],
        deletions: [{ path: 'openapi.yaml' }],
      },
    });
    expect(result.errors).toBeUndefined();
    const now = await headOf();
    expect(result.commit?.oid).toBe(now);
    expect(result.commit?.url).toContain(`/acme/pets/commit/${now}`);
    expect(await s.gh.admin.listFiles({ ...repo, ref: 'main' })).toEqual([
      'README.md',
      'apis/acme/pets/route.yaml',
    ]);
    expect(await s.gh.admin.readFile({ ...repo, ref: 'main', path: 'apis/acme/pets/route.yaml' })).toBe(
      'kind: MeshHTTPRoute\n',
    );
    const made = await s.gh.admin.commit({ ...repo, ref: 'main' });
    expect(made.parents).toEqual([head]);
    expect(made.message.trimEnd()).toBe('Deploy acme/pets\n\nSource: acme/pets');
    expect(made.author.name).toContain('[bot]');
  });

  it('refuses a stale expectedHeadOid with STALE_DATA in GitHub’s words, and writes nothing', async () => {
    const before = await headOf();
    const { sha: theirs } = await s.gh.admin.push({ ...repo, branch: 'main', files: { 'x.txt': 'x' } });
    const result = await commit({
      expectedHeadOid: before,
      fileChanges: { additions: [{ path: 'a.yaml', contents: b64('a') }] },
    });
    expect(result.errors).toEqual([
      expect.objectContaining({
        type: 'STALE_DATA',
        message: `Expected branch to point to "${before}" but it did not. Pull and try again.`,
      }),
    ]);
    expect(await headOf()).toBe(theirs);
    // Re-applied on the new tip, it goes through.
    const again = await commit({
      expectedHeadOid: theirs,
      fileChanges: { additions: [{ path: 'a.yaml', contents: b64('a') }] },
    });
    expect(again.commit?.oid).toBe(await headOf());
  });

  it('refuses paths GitHub refuses (.., .git, a leading slash, empty parts), bad base64 and missing deletions', async () => {
    const head = await headOf();
    const refused = [
      { additions: [{ path: '../escape.yaml', contents: b64('x') }] },
      { additions: [{ path: 'apis/../../x.yaml', contents: b64('x') }] },
      { additions: [{ path: '.git/config', contents: b64('x') }] },
      { additions: [{ path: '/etc/passwd', contents: b64('x') }] },
      { additions: [{ path: 'apis//x.yaml', contents: b64('x') }] },
      { additions: [{ path: 'x.yaml', contents: 'not base64!' }] },
      { deletions: [{ path: 'no/such/file.yaml' }] },
    ];
    for (const fileChanges of refused) {
      const result = await commit({ expectedHeadOid: head, fileChanges });
      expect(result.errors, JSON.stringify(fileChanges)).toEqual([
        expect.objectContaining({ type: 'UNPROCESSABLE' }),
      ]);
    }
    expect(await headOf()).toBe(head);
  });

  it('needs contents write: a read-only token is FORBIDDEN, another account’s repo NOT_FOUND', async () => {
    const head = await headOf();
    const { data } = await s.appOctokit.request('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: s.installationId,
      repositories: ['pets'],
      permissions: { contents: 'read' },
    });
    const { Octokit } = await import('@octokit/rest');
    const reader = new Octokit({ baseUrl: s.gh.url, auth: data.token, log: quiet });
    const forbidden = await commit({ expectedHeadOid: head }, reader);
    expect(forbidden.errors).toEqual([expect.objectContaining({ type: 'FORBIDDEN' })]);
    const other = await commit({
      expectedHeadOid: head,
      branch: { repositoryNameWithOwner: 'globex/secret', branchName: 'main' },
    });
    expect(other.errors).toEqual([expect.objectContaining({ type: 'NOT_FOUND' })]);
    expect(await headOf()).toBe(head);
  });

  it("reaches the App's clients as typed errors: NOT_FOUND a 404, STALE_DATA not retryable", async () => {
    const clients = createGitHubClients({
      appId: s.app.id,
      privateKey: s.app.privateKey!,
      baseUrl: s.gh.url,
      waitUnitMs: 1,
      spaceWrites: false,
    });
    const octokit = clients.forInstallation(s.installationId);
    const missing = await octokit
      .graphql('query { repository(owner: "globex", name: "secret") { id } }')
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(UpstreamError);
    expect(missing).toMatchObject({ service: 'GitHub', status: 404, retryable: false });
    const stale = await octokit
      .graphql(deployCommitMutation, {
        input: {
          branch: { repositoryNameWithOwner: 'acme/pets', branchName: 'main' },
          expectedHeadOid: '0'.repeat(40),
          message: { headline: 'Deploy' },
        },
      })
      .catch((error: unknown) => error);
    expect(stale).toMatchObject({ name: 'UpstreamError', retryable: false });
  });

  it('the deploy repo adapter: one snapshot query lists every file (a deeper tree through one REST read) and the texts of one turn come in one query', async () => {
    const files: Record<string, string> = {
      'tenants.yaml': 'tenants: {}\n',
      'apis/acme/pets/.source.yaml': 'repo: acme/pets\n',
      'apis/acme/pets/pets/a.yaml': 'a: 1\n',
      'apis/acme/pets/pets/b.yaml': 'b: 2\n',
      'apis/acme/pets/pets/c.yaml': 'c: 3\n',
    };
    await s.gh.admin.createRepo({ owner: 'acme', repo: 'deploy', files });
    const octokit = createGitHubClients({
      appId: s.app.id,
      privateKey: s.app.privateKey!,
      baseUrl: s.gh.url,
      waitUnitMs: 1,
      spaceWrites: false,
    }).forInstallation(s.installationId);
    const deployRepo = createGitHubDeployRepo(octokit, { owner: 'acme', repo: 'deploy' });
    const from = s.gh.requests.length;
    const snapshot = await deployRepo.readSnapshot();
    expect(snapshot.files.map((f) => f.path).sort()).toEqual(Object.keys(files).sort());
    const texts = async (paths: string[]) =>
      Promise.all(paths.map((path) => deployRepo.readText(snapshot.files.find((f) => f.path === path)!.sha)));
    // tenants.yaml and the .source.yaml came with the snapshot; the three manifests in one query.
    expect(await texts(['tenants.yaml', 'apis/acme/pets/.source.yaml'])).toEqual([
      files['tenants.yaml'],
      files['apis/acme/pets/.source.yaml'],
    ]);
    const manifests = ['a', 'b', 'c'].map((name) => `apis/acme/pets/pets/${name}.yaml`);
    expect(await texts(manifests)).toEqual(manifests.map((path) => files[path]));
    expect(await texts(manifests)).toEqual(manifests.map((path) => files[path])); // cached
    expect(callsTo(s.gh.requests.slice(from), 'acme/deploy')).toEqual([
      'graphql DeploySnapshot',
      'graphql DeployTexts',
    ]);
    expect(deployRepo.calls).toBe(2);

    // Deeper than the query reads: the files still all listed, through one recursive tree read.
    await s.gh.admin.push({
      owner: 'acme',
      repo: 'deploy',
      branch: 'main',
      files: { 'clusters/eu/one/two/three/four/deep.yaml': 'deep: true\n' },
    });
    const deeper = s.gh.requests.length;
    const again = await deployRepo.readSnapshot();
    expect(again.files.map((f) => f.path)).toContain('clusters/eu/one/two/three/four/deep.yaml');
    expect(again.files).toHaveLength(Object.keys(files).length + 1);
    expect(callsTo(s.gh.requests.slice(deeper), 'acme/deploy')).toEqual([
      'graphql DeploySnapshot',
      'git/get-tree',
    ]);
  });
});
