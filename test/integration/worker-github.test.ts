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
  it('lists each commit once, reads each blob once, and answers missing or escaping paths without a call', async () => {
    const base = (await gh.admin.resolve({ ...repo, ref: 'main' }))!;
    const { sha: head } = await gh.admin.push({
      ...repo,
      branch: 'f',
      files: { 'specs/api.yaml': 'v: 2\n' },
      deliver: false,
    });
    const host = createGitHubCodeHost(clients.forInstallation(installationId), repo);
    const decode = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);
    await host.files(head).read('README.md'); // warms the token and the head tree
    const from = gh.requests.length;

    expect(decode(await host.files(head).read('specs/api.yaml'))).toBe('v: 2\n');
    expect(decode(await host.files(base).read('./specs/api.yaml'))).toBe('v: 1\n');
    // Unchanged between base and head: the same blob, read once.
    expect(decode(await host.files(head).read('specs/shared.yaml'))).toBe('shared: 1\n');
    expect(decode(await host.files(base).read('specs/shared.yaml'))).toBe('shared: 1\n');
    expect(decode(await host.files(head).read('specs/api.yaml'))).toBe('v: 2\n');
    // Not in the tree, a directory, outside the root: no call at all.
    expect(await host.files(head).read('specs/missing.yaml')).toBeUndefined();
    expect(await host.files(head).read('specs')).toBeUndefined();
    expect(await host.files(head).read('../other/secret.yaml')).toBeUndefined();
    expect(await host.files(head).read('/etc/passwd')).toBeUndefined();

    expect(calls(from)).toEqual(['git/get-blob', 'git/get-tree', 'git/get-blob', 'git/get-blob']);
  });

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
      'pulls/get',
      'pulls/get',
      'apps/create-installation-access-token',
      'pulls/get',
    ]);
    // The same scope listed in another order is the same token.
    const scope = { repositories: ['api'], permissions: { contents: 'read', checks: 'write' } } as const;
    const reordered = { repositories: ['api'], permissions: { checks: 'write', contents: 'read' } } as const;
    expect(clients.forInstallation(installationId, reordered)).toBe(
      clients.forInstallation(installationId, scope),
    );
  });
  it('waits out a 401 on a token minted moments ago (not yet known to every GitHub server)', async () => {
    gh.admin.setFaults({
      rules: [{ kind: 'server-error', status: 401, operations: ['pulls/get'], times: 1 }],
    });
    const from = gh.requests.length;
    const host = createGitHubCodeHost(clients.forInstallation(installationId), repo);
    await expect(host.getPullRequest(1)).rejects.toMatchObject({ status: 404 });
    expect(gh.requests.slice(from).map((r) => `${r.operationId} ${r.status}`)).toEqual([
      'apps/create-installation-access-token 201',
      'pulls/get 401',
      'pulls/get 404',
    ]);
  });
});

describe('GitHub CodeHost', () => {
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
    const id = await host.startCheckRun({ name: 'kuma-api-forge', headSha: sha });
    const from = gh.requests.length;

    await host.completeCheckRun(id, { conclusion: 'failure', title: 'Failed', summary: 'sum', annotations });

    const updates = gh.requests.slice(from).filter((r) => r.operationId === 'checks/update');
    const sizes = updates.map(
      (r) => (r.requestBody as { output: { annotations: unknown[] } }).output.annotations.length,
    );
    expect(sizes).toEqual([50, 50, 20]);
    expect(updates.map((r) => (r.requestBody as { conclusion?: string }).conclusion)).toEqual([
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
    for (let i = 0; i < 130; i++)
      await filler.rest.issues.createComment({ ...repo, issue_number: number, body: `chatter ${i}` });
    const sticky = await filler.rest.issues.createComment({
      ...repo,
      issue_number: number,
      body: '<!-- kuma-api-forge -->\nreport',
    });
    const host = createGitHubCodeHost(clients.forInstallation(installationId), repo);
    const from = gh.requests.length;

    expect(await host.findComment(number, '<!-- kuma-api-forge -->')).toEqual({
      id: sticky.data.id,
      body: '<!-- kuma-api-forge -->\nreport',
    });
    expect(calls(from).filter((id) => id === 'issues/list-comments')).toHaveLength(2);
    expect(await host.findComment(number, '<!-- other -->')).toBeUndefined();
  });
});
