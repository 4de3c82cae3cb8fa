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
  deployCommitMutation,
  deploySnapshotQuery,
  deployTextsQuery,
  sourceBranchHeadQuery,
} from '../../shared/adapters/github-deploy-repo.js';
import { UpstreamError } from '../../shared/core/errors.js';
import { quiet, type Started, startWithApp } from '../contract/setup.js';

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
    const documents = [
      deploySnapshotQuery,
      deployCommitMutation,
      sourceBranchHeadQuery,
      deployTextsQuery(1),
      deployTextsQuery(3),
    ];
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
});
