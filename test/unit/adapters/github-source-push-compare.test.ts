/**
 * The deploy's source query asks GitHub how the default branch's head stands against the commit deployed last
 * (`Ref.compare(headRef:)`). GitHub may refuse only that field (a commit it cannot compare): the rest of the
 * answer is then used and the deploy asks the REST compare; any other error is the query's. GitHub's answers
 * are scripted here behind the App's real Octokit clients (their typed-error seam included); the local GitHub
 * serves the answered cases (test/integration/deploy-source-push.test.ts).
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createGitHubClients } from '../../../shared/adapters/github/create-octokit.js';
import { createGitHubCodeHost } from '../../../shared/adapters/github/github-code-host.js';
import { UpstreamError } from '../../../shared/core/errors.js';

const privateKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
const head = 'a'.repeat(40);
const deployed = 'b'.repeat(40);
const noPulls = { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } };
const data = {
  repository: {
    databaseId: 7,
    defaultBranchRef: { name: 'main', target: { oid: head, associatedPullRequests: noPulls }, compare: null },
  },
};

/** A code host whose GraphQL endpoint answers `body` (status 200, as GitHub answers its errors). */
function hostAnswering(body: unknown) {
  const json = (status: number, value: unknown) =>
    new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
  const clients = createGitHubClients({
    appId: 1,
    privateKey,
    baseUrl: 'https://github.test',
    waitUnitMs: 1,
    retries: 0,
    spaceWrites: false,
    fetch: async (input) =>
      String(input).endsWith('/access_tokens')
        ? json(201, { token: 't', expires_at: new Date(Date.now() + 3_600_000).toISOString() })
        : json(200, body),
  });
  const octokit = clients.forInstallation(5, { repositories: ['pets'], permissions: { contents: 'read' } });
  return createGitHubCodeHost(octokit, { owner: 'acme', repo: 'pets' });
}

const errorAt = (path: (string | number)[], type = 'NOT_FOUND') => ({
  type,
  path,
  message: `Could not resolve to a commit with the oid ${deployed}`,
  locations: [{ line: 4, column: 7 }],
});

describe('Ref.compare refused alone', () => {
  it('the rest of the answer stands: the head, no order (the deploy asks the REST compare)', async () => {
    const host = hostAnswering({ data, errors: [errorAt(['repository', 'defaultBranchRef', 'compare'])] });
    expect(await host.readDefaultBranch({ compareWith: deployed })).toEqual({ branch: 'main', sha: head });
  });

  it.each([
    ['an error elsewhere', [errorAt(['repository'])]],
    [
      'an error beside the comparison’s',
      [errorAt(['repository', 'defaultBranchRef', 'compare']), errorAt(['repository'])],
    ],
    [
      'an error without a path (the whole query)',
      [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded' }],
    ],
  ])('%s fails the query, typed', async (_, errors) => {
    const host = hostAnswering({ data, errors });
    await expect(host.readDefaultBranch({ compareWith: deployed })).rejects.toBeInstanceOf(UpstreamError);
  });

  it('a comparison refused without the repository in the answer fails the query', async () => {
    const host = hostAnswering({
      data: { repository: null },
      errors: [errorAt(['repository', 'defaultBranchRef', 'compare'])],
    });
    await expect(host.readDefaultBranch({ compareWith: deployed })).rejects.toBeInstanceOf(UpstreamError);
  });
});
