/**
 * The GitHub adapters of the worker against the local GitHub over HTTP: the calls they make (counted from the
 * server's request log) and GitHub's limits they keep, every request validated against GitHub's description.
 */
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppCredentials, type LocalGitHub, startLocalGitHub } from '../../dev/github/index.js';
import { createGitHubClients, type GitHubClients } from '../../shared/adapters/github/create-octokit.js';
import { createGitHubCodeHost, createJobCodeHost } from '../../shared/adapters/github/github-code-host.js';
import type { Annotation } from '../../shared/ports/code-host.js';
import { createTestApp, githubContract } from '../helpers/local-github.js';

const repo = { owner: 'acme', repo: 'api' };
const validator = githubContract();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let gh: LocalGitHub;
let app: AppCredentials;
let installationId: number;
let clients: GitHubClients;

beforeEach(async () => {
  gh = await startLocalGitHub();
  app = createTestApp(gh);
  installationId = (await gh.admin.installApp(app.id, 'acme')).installationId;
  await gh.admin.createRepo({
    ...repo,
    files: { 'specs/shared.yaml': 'shared: 1\n', 'specs/api.yaml': 'v: 1\n', 'README.md': '# api\n' },
  });
  clients = createGitHubClients({
    appId: app.id,
    privateKey: app.privateKey!,
    baseUrl: gh.url,
    waitUnitMs: 1,
    // The local GitHub has no secondary rate limits: no need to space writes (GraphQL queries too) a second apart.
    spaceWrites: false,
  });
});

afterEach(async () => {
  const problems = gh.requests.flatMap((r) => [
    ...(r.requestBody === undefined ? [] : validator.validateRequest(r.operationId!, r.requestBody)),
    ...validator.validateResponse(r.operationId!, r.status, r.responseBody),
  ]);
  expect(problems).toEqual([]);
  await gh.stop();
});

const calls = (from: number) => gh.requests.slice(from).map((r) => r.operationId);

describe('GitHub FileSource', () => {
  it('reads many files at several commits in one query, then from memory; escaping paths make no call', async () => {
    const base = (await gh.admin.resolve({ ...repo, ref: 'main' }))!;
    const { sha: head } = await gh.admin.push({
      ...repo,
      branch: 'f',
      files: { 'specs/api.yaml': 'v: 2\n' },
      deliver: false,
    });
    const host = createGitHubCodeHost(clients.forInstallation(installationId), repo);
    const decode = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);
    await host.files(head).read('README.md'); // warms the token
    const from = gh.requests.length;

    const paths = ['specs/api.yaml', 'specs/shared.yaml', 'specs/missing.yaml', 'specs'];
    await host.prefetch([
      { sha: head, paths },
      { sha: base, paths: ['./specs/api.yaml', 'specs//shared.yaml'] },
    ]);
    expect(calls(from)).toEqual(['graphql']);
    expect(decode(await host.files(head).read('specs/api.yaml'))).toBe('v: 2\n');
    expect(decode(await host.files(base).read('./specs/api.yaml'))).toBe('v: 1\n');
    expect(decode(await host.files(head).read('specs/shared.yaml'))).toBe('shared: 1\n');
    expect(decode(await host.files(base).read('specs/shared.yaml'))).toBe('shared: 1\n');
    // Not a file there, a directory: answered by the same query.
    expect(await host.files(head).read('specs/missing.yaml')).toBeUndefined();
    expect(await host.files(head).read('specs')).toBeUndefined();
    // Outside the root: no call at all.
    expect(await host.files(head).read('../other/secret.yaml')).toBeUndefined();
    expect(await host.files(head).read('/etc/passwd')).toBeUndefined();
    expect(await host.files(head).read('specs/../../x')).toBeUndefined();
    expect(calls(from)).toEqual(['graphql']);

    // Reads not read ahead and made together share one query.
    const [a, b] = await Promise.all([
      host.files(base).read('README.md'),
      host.files(base).read('nothing.yaml'),
    ]);
    expect([decode(a), b]).toEqual(['# api\n', undefined]);
    expect(calls(from)).toEqual(['graphql', 'graphql']);
  });

  it('reads binary and non-UTF-8 blobs as their exact bytes (REST blob), once per blob', async () => {
    const binary = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 0xff]);
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]); // "café" in Latin-1: not UTF-8
    const { sha } = await gh.admin.push({
      ...repo,
      branch: 'f',
      files: { 'bin.png': binary, 'latin1.yaml': latin1 },
      deliver: false,
    });
    await gh.admin.push({ ...repo, branch: 'g', files: { 'bin.png': binary }, deliver: false });
    const other = (await gh.admin.resolve({ ...repo, ref: 'g' }))!;
    const host = createGitHubCodeHost(clients.forInstallation(installationId), repo);
    await host.files(sha).read('README.md');
    const from = gh.requests.length;

    expect(await host.files(sha).read('bin.png')).toEqual(binary);
    expect(await host.files(other).read('bin.png')).toEqual(binary);
    expect(await host.files(sha).read('latin1.yaml')).toEqual(latin1);
    // The binary blob is read once by its SHA, for both commits; the Latin-1 one too.
    expect(calls(from).filter((id) => id === 'git/get-blob')).toHaveLength(2);
  });
});

describe('GitHub clients', () => {
  it('mints one token per job scope and container, and reuses it across jobs', async () => {
    const from = gh.requests.length;
    const check = (deliveryId: string) =>
      createJobCodeHost(clients, {
        type: 'check',
        deliveryId,
        event: 'pull_request.opened',
        installationId,
        repository: repo,
        pullNumber: 1,
        headSha: 'a'.repeat(40),
      });
    const deploy = createJobCodeHost(clients, {
      type: 'deploy',
      deliveryId: 'd3',
      event: 'push',
      installationId,
      repository: repo,
      sha: 'a'.repeat(40),
    });
    for (const host of [check('d1'), check('d2'), deploy])
      await host.getPullRequest(1).catch(() => undefined);
    expect(calls(from)).toEqual([
      'apps/create-installation-access-token',
      'graphql',
      'graphql',
      'apps/create-installation-access-token',
      'graphql',
    ]);
    // The same scope listed in another order is the same token.
    const scope = { repositories: ['api'], permissions: { contents: 'read', checks: 'write' } } as const;
    const reordered = { repositories: ['api'], permissions: { checks: 'write', contents: 'read' } } as const;
    expect(clients.forInstallation(installationId, reordered)).toBe(
      clients.forInstallation(installationId, scope),
    );
  });
  it('answers FORBIDDEN (403, not retried) to a token without pull_requests asking for a PR', async () => {
    await gh.admin.push({ ...repo, branch: 'f', files: { 'a.txt': 'a' }, deliver: false });
    const { number } = await gh.admin.openPullRequest({ ...repo, head: 'f', deliver: false });
    const scope = { repositories: ['api'], permissions: { contents: 'read' } } as const;
    const reader = createGitHubCodeHost(clients.forInstallation(installationId, scope), repo);
    await expect(reader.getPullRequest(number)).rejects.toMatchObject({ status: 403, retryable: false });
    const allowed = {
      repositories: ['api'],
      permissions: { contents: 'read', pull_requests: 'read' },
    } as const;
    const host = createGitHubCodeHost(clients.forInstallation(installationId, allowed), repo);
    expect(await host.getPullRequest(number)).toMatchObject({ number, state: 'open' });
  });

  it('waits out a 401 on a token minted moments ago (not yet known to every GitHub server)', async () => {
    gh.admin.setFaults({
      rules: [{ kind: 'server-error', status: 401, operations: ['graphql'], times: 1 }],
    });
    const from = gh.requests.length;
    const host = createGitHubCodeHost(clients.forInstallation(installationId), repo);
    await expect(host.getPullRequest(1)).rejects.toMatchObject({ status: 404 });
    expect(gh.requests.slice(from).map((r) => `${r.operationId} ${r.status}`)).toEqual([
      'apps/create-installation-access-token 201',
      'graphql 401',
      'graphql 200',
    ]);
  });
});

describe('GitHub CodeHost', () => {
  it('creates a run with its result in ONE request, and with over 50 annotations completes it with the last batch', async () => {
    const { sha } = await gh.admin.push({ ...repo, branch: 'f', files: { 'a.txt': 'a' }, deliver: false });
    const host = createGitHubCodeHost(clients.forInstallation(installationId), repo);
    await host.files(sha).read('a.txt');
    const from = gh.requests.length;
    const annotation: Annotation = {
      path: 'a.txt',
      startLine: 1,
      endLine: 1,
      level: 'failure',
      message: 'm',
      title: 't',
    };
    const id = await host.createCheckRun(
      { name: 'kuma-api-forge', headSha: sha, externalId: 'd1' },
      { conclusion: 'failure', title: 'Failed', summary: 'sum', annotations: [annotation] },
    );
    expect(calls(from)).toEqual(['checks/create']);
    const [run] = gh.admin.checkRuns({ ...repo, sha });
    expect(run).toMatchObject({ id, status: 'completed', conclusion: 'failure', externalId: 'd1' });
    expect(run!.annotations).toHaveLength(1);
  });

  it('sends any number of annotations in requests of at most 50, completing the run with the last', async () => {
    const { sha } = await gh.admin.push({
      ...repo,
      branch: 'f',
      files: { 'specs/api.yaml': 'v: 2\n' },
      deliver: false,
    });
    const host = createGitHubCodeHost(clients.forInstallation(installationId), repo);
    const annotations: Annotation[] = Array.from({ length: 120 }, (_, i) => ({
      path: 'specs/api.yaml',
      startLine: i + 1,
      endLine: i + 1,
      level: 'warning',
      message: `finding ${i + 1}`,
      title: 'some-rule',
    }));
    const from = gh.requests.length;

    await host.createCheckRun(
      { name: 'kuma-api-forge', headSha: sha },
      { conclusion: 'failure', title: 'Failed', summary: 'sum', annotations },
    );

    const writes = gh.requests.slice(from).filter((r) => r.operationId?.startsWith('checks/'));
    expect(writes.map((r) => r.operationId)).toEqual(['checks/create', 'checks/update', 'checks/update']);
    const sizes = writes.map(
      (r) => (r.requestBody as { output: { annotations: unknown[] } }).output.annotations.length,
    );
    expect(sizes).toEqual([50, 50, 20]);
    expect(writes.map((r) => (r.requestBody as { conclusion?: string }).conclusion)).toEqual([
      undefined,
      undefined,
      'failure',
    ]);
    const [run] = gh.admin.checkRuns({ ...repo, sha });
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 'Failed' } });
    expect(run!.annotations.map((a) => a.start_line)).toEqual(annotations.map((a) => a.startLine));
  });

  it('finds its sticky comment behind pages of other comments, and nothing for another marker', async () => {
    await gh.admin.push({ ...repo, branch: 'f', files: { 'a.txt': 'a' }, deliver: false });
    const { number } = await gh.admin.openPullRequest({ ...repo, head: 'f', deliver: false });
    // Plain client (no throttling) to fill the thread fast.
    const filler = new Octokit({
      baseUrl: gh.url,
      authStrategy: createAppAuth,
      auth: { appId: app.id, privateKey: app.privateKey!, installationId },
      log: quiet,
    });
    const chatter = (i: number) =>
      filler.rest.issues.createComment({ ...repo, issue_number: number, body: `chatter ${i}` });
    await chatter(0); // mints the filler's token, then the rest at once
    await Promise.all(Array.from({ length: 129 }, (_, i) => chatter(i + 1)));
    const sticky = await filler.rest.issues.createComment({
      ...repo,
      issue_number: number,
      body: '<!-- kuma-api-forge -->\nreport',
    });
    const host = createGitHubCodeHost(clients.forInstallation(installationId), repo);
    const from = gh.requests.length;

    const read = async (marker: string) => (await host.getPullRequest(number, { marker })).comment;
    expect(await read('<!-- kuma-api-forge -->')).toEqual({
      id: sticky.data.id,
      body: '<!-- kuma-api-forge -->\nreport',
    });
    // 131 comments: the PR's query brings the first hundred, one more query the rest.
    expect(calls(from).filter((id) => id !== 'apps/create-installation-access-token')).toEqual([
      'graphql',
      'graphql',
    ]);
    expect(await read('<!-- other -->')).toBeUndefined();
  });

  it("takes over no one else's comment that starts with the marker", async () => {
    await gh.admin.push({ ...repo, branch: 'f', files: { 'a.txt': 'a' }, deliver: false });
    const { number } = await gh.admin.openPullRequest({ ...repo, head: 'f', deliver: false });
    // Another App's bot on the same repo posts a comment that looks like ours.
    const other = createTestApp(gh, { name: 'other' });
    const otherInstallation = (await gh.admin.installApp(other.id, 'acme')).installationId;
    const impostor = new Octokit({
      baseUrl: gh.url,
      authStrategy: createAppAuth,
      auth: { appId: other.id, privateKey: other.privateKey!, installationId: otherInstallation },
      log: quiet,
    });
    await impostor.rest.issues.createComment({
      ...repo,
      issue_number: number,
      body: '<!-- kuma-api-forge -->\nfake report',
    });
    const host = createGitHubCodeHost(clients.forInstallation(installationId), repo);
    const pr = await host.getPullRequest(number, { marker: '<!-- kuma-api-forge -->' });
    expect(pr.comment).toBeUndefined();
    expect(pr).toMatchObject({ number, state: 'open', baseRef: 'main', defaultBranch: 'main' });
  });
});
