import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Started, startWithApp } from '../contract/setup.js';

// The local GitHub's GraphQL endpoint runs queries against GitHub's published schema through the same
// `octokit.graphql` the App uses: what the real API rejects is rejected here, and a token sees only its repos.
let s: Started;
beforeEach(async () => {
  s = await startWithApp();
});
afterEach(() => s.gh.stop());

const FILES = `query($owner: String!, $name: String!, $head: String!) {
  repository(owner: $owner, name: $name) {
    nameWithOwner
    defaultBranchRef { name target { oid } }
    spec: object(expression: $head) { __typename ... on Blob { text byteSize isBinary } }
    missing: object(expression: "main:no/such/file.yaml") { oid }
    root: object(expression: "main:") { ... on Tree { entries { name path type mode oid } } }
  }
}`;

describe('GraphQL', () => {
  it('reads files, trees and the default branch at a commit', async () => {
    const head = (await s.octokit.rest.git.getRef({ owner: 'acme', repo: 'pets', ref: 'heads/main' })).data
      .object.sha;
    const data = await s.octokit.graphql<{ repository: Record<string, unknown> }>(FILES, {
      owner: 'acme',
      name: 'pets',
      head: `${head}:openapi.yaml`,
    });
    const spec = (await s.gh.admin.readFile({
      owner: 'acme',
      repo: 'pets',
      ref: 'main',
      path: 'openapi.yaml',
    })) as string;
    expect(data.repository).toMatchObject({
      nameWithOwner: 'acme/pets',
      defaultBranchRef: { name: 'main', target: { oid: head } },
      spec: { __typename: 'Blob', text: spec, byteSize: Buffer.byteLength(spec), isBinary: false },
      missing: null,
    });
    expect((data.repository.root as { entries: { path: string; mode: number }[] }).entries).toContainEqual(
      expect.objectContaining({ path: 'openapi.yaml', type: 'blob', mode: 0o100644 }),
    );
    expect(s.gh.requests.at(-1)).toMatchObject({ operationId: 'graphql', status: 200 });
  });

  it('answers NOT_FOUND for a repo of another account, and rejects what the schema does not have', async () => {
    const other = s.gh.admin.createApp({ name: 'other' });
    await s.gh.admin.installApp(other.id, 'globex');
    await s.gh.admin.createRepo({ owner: 'globex', repo: 'secret', files: { 'a.txt': 'a' } });
    const notFound = await s.octokit
      .graphql(
        'query { repository(owner: "globex", name: "secret") { object(expression: "HEAD:a.txt") { oid } } }',
      )
      .catch((error: { errors?: { type?: string }[] }) => error.errors);
    expect(notFound).toEqual([expect.objectContaining({ type: 'NOT_FOUND', path: ['repository'] })]);
    const unknownField = await s.octokit
      .graphql('query { repository(owner: "acme", name: "pets") { secretField } }')
      .catch((error: { errors?: { message: string }[] }) => error.errors);
    expect(unknownField).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Cannot query field "secretField"') }),
    ]);
  });
});
