/**
 * Merge-to-deploy against the local GitHub over HTTP with the real Octokit clients: the deploy commit's tree
 * and message, the deploy-repo calls it costs, no-op pushes, pruning, CAS conflicts and pull-request mode. Every
 * request and response is validated against GitHub's description. The deploy's decisions alone (tenancy, no
 * config, which commit wins) are unit-tested against fakes in test/unit/use-cases/; 20 merges delivered
 * concurrently under injected faults are the stress test test/stress/deploy-concurrency.test.ts.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type AppCredentials, type LocalGitHub, startLocalGitHub } from '../../dev/github/index.js';
import { type AppOctokit, createGitHubClients } from '../../shared/adapters/github/create-octokit.js';
import { createGitHubCodeHost } from '../../shared/adapters/github/github-code-host.js';
import {
  createGitHubDeployRepo,
  createGitHubSourceHistory,
} from '../../shared/adapters/github-deploy-repo.js';
import type { DeployJob } from '../../shared/core/jobs.js';
import type { DeployMode } from '../../shared/ports/deploy-repo.js';
import { deployPush } from '../../shared/use-cases/deploy-push.js';
import { renderSource } from '../../shared/use-cases/preview-deploy.js';
import { renderRepo } from '../../shared/use-cases/render-repo.js';
import { callsTo, isRest } from '../helpers/github-calls.js';
import { createTestApp, githubContract } from '../helpers/local-github.js';
import { type ApiOptions, buildSourceFiles } from '../unit/deploy/helpers.js';

const validator = githubContract();
const deployRef = { owner: 'acme', repo: 'deploy' };
let gh: LocalGitHub;
let app: AppCredentials;
let installationId: number;
let clients: { forInstallation(id: number): AppOctokit };

/**
 * The worker's clients (retry + throttling plugins) with waits in milliseconds and without the one-write-per-
 * second spacing, which the local GitHub does not need and would only make these tests slow.
 */
function createFastClients(): typeof clients {
  return createGitHubClients({
    appId: app.id,
    privateKey: app.privateKey!,
    baseUrl: gh.url,
    retries: 6,
    rateLimitRetries: 6,
    waitUnitMs: 1,
    spaceWrites: false,
  });
}

beforeEach(async () => {
  gh = await startLocalGitHub();
  app = createTestApp(gh);
  installationId = (await gh.admin.installApp(app.id, 'acme')).installationId;
  clients = createFastClients();
});

afterEach(async () => {
  const problems = gh.requests
    .filter(isRest)
    .flatMap((r) => [
      ...(r.requestBody === undefined ? [] : validator.validateRequest(r.operationId!, r.requestBody)),
      ...validator.validateResponse(r.operationId!, r.status, r.responseBody),
    ]);
  expect(gh.requests.filter((r) => r.operationId === undefined).map((r) => r.path)).toEqual([]);
  expect(problems).toEqual([]);
  await gh.stop();
});

interface Tenant {
  repo: string;
  hostnames: string[];
  basePaths: string[];
  namespaces: string[];
}

async function createDeployRepo(tenants: Tenant[]) {
  const grants = Object.fromEntries(
    tenants.map((t) => [
      `acme/${t.repo}`,
      { gateways: ['edge'], hostnames: t.hostnames, basePaths: t.basePaths, namespaces: t.namespaces },
    ]),
  );
  await gh.admin.createRepo({
    ...deployRef,
    files: { 'tenants.yaml': stringify({ tenants: grants }), 'README.md': '# deploy\n' },
  });
}

/** A PR on `repo` that sets the source files for `options`, merged; returns the merge commit and PR number. */
async function merge(repo: string, options: ApiOptions, branch: string) {
  await gh.admin.push({
    owner: 'acme',
    repo,
    branch,
    from: 'main',
    files: buildSourceFiles(options),
    deliver: false,
  });
  const pr = await gh.admin.openPullRequest({ owner: 'acme', repo, head: branch, deliver: false });
  const { sha } = await gh.admin.mergePullRequest({ owner: 'acme', repo, number: pr.number, deliver: false });
  return { sha, number: pr.number };
}

let delivery = 0;
function jobFor(repo: string, sha: string): DeployJob {
  return {
    type: 'deploy',
    deliveryId: `d-${++delivery}`,
    event: 'push',
    installationId,
    repository: { owner: 'acme', repo },
    sha,
  };
}

function depsFor(job: DeployJob, options: { mode?: DeployMode; maxAttempts?: number } = {}) {
  const octokit = clients.forInstallation(job.installationId);
  const deployRepo = createGitHubDeployRepo(octokit, deployRef, {
    branch: 'main',
    ...(options.mode ? { mode: options.mode } : {}),
  });
  return {
    deployRepo,
    deps: {
      source: createGitHubCodeHost(octokit, job.repository),
      history: createGitHubSourceHistory(octokit, job.repository),
      deployRepo,
      backoffMs: 5,
      maxAttempts: options.maxAttempts ?? 6,
    },
  };
}

const run = (job: DeployJob, options?: Parameters<typeof depsFor>[1]) =>
  deployPush(job, depsFor(job, options).deps);

const deployLog = () => gh.admin.log({ ...deployRef, ref: 'main' });
const deployFiles = async (prefix = 'apis/') =>
  (await gh.admin.listFiles({ ...deployRef, ref: 'main' })).filter((p) => p.startsWith(prefix)).sort();
const deployCalls = (from: number) => callsTo(gh.requests.slice(from), 'acme/deploy');

const pets: Tenant = {
  repo: 'pets',
  hostnames: ['pets.example.com', '*.pets.example.com'],
  basePaths: ['/pets-api'],
  namespaces: ['pets'],
};

// Several merges and deploys per case over real git and HTTP: generous on a busy machine.
describe('merge to deploy', { timeout: 90_000 }, () => {
  it('commits the render as one commit with provenance, then nothing for an identical push, then prunes', async () => {
    await createDeployRepo([pets]);
    await gh.admin.createRepo({ owner: 'acme', repo: 'pets', files: { 'README.md': '# pets\n' } });
    const first = await merge('pets', {}, 'add-api');
    const before = gh.requests.length;
    const outcome = await run(jobFor('pets', first.sha));
    expect(outcome.status).toBe('committed');
    // One query reads the branch head, its files and the texts the plan needs (tenants.yaml, .source.yaml
    // files); one mutation commits every file inline. Nothing per file.
    expect(deployCalls(before)).toEqual(['graphql DeploySnapshot', 'graphql DeployCommit']);
    expect(await deployFiles()).toEqual([
      'apis/acme/pets/.source.yaml',
      'apis/acme/pets/pets/meshhttproute-pets.yaml',
      'apis/acme/pets/pets/meshtrafficpermission-pets-pets-from-gateway.yaml',
    ]);
    const head = await gh.admin.commit({ ...deployRef, ref: 'main' });
    expect(head.message).toContain(
      `Deploy acme/pets@${first.sha.slice(0, 7)} (#${first.number}): 2 added, 0 changed, 0 removed`,
    );
    expect(head.message).toContain(
      `Source: acme/pets commit ${first.sha}\nPull request: acme/pets#${first.number}`,
    );
    expect(head.message).toMatch(/ {2}openapi\.yaml sha256:[0-9a-f]{64}/);
    const route = await gh.admin.readFile({
      ...deployRef,
      ref: 'main',
      path: 'apis/acme/pets/pets/meshhttproute-pets.yaml',
    });
    const expected = await renderSource(
      createGitHubCodeHost(clients.forInstallation(installationId), { owner: 'acme', repo: 'pets' }).files(
        first.sha,
      ),
      { owner: 'acme', repo: 'pets' },
    );
    expect(route).toBe(expected.apis[0]!.files.find((f) => f.path === 'meshhttproute-pets.yaml')!.content);
    // The same bytes as `kuma-api-forge render` of that commit (both go through renderRepo).
    const cli = await renderRepo(
      createGitHubCodeHost(clients.forInstallation(installationId), { owner: 'acme', repo: 'pets' }).files(
        first.sha,
      ),
      { repo: 'acme/pets' },
    );
    expect(route).toBe(cli.files.find((f) => f.path === 'pets/meshhttproute-pets.yaml')?.content);
    const comments = gh.admin.comments({ owner: 'acme', repo: 'pets', number: first.number });
    expect(comments.map((c) => c.body)).toEqual([
      expect.stringContaining(`deployed to acme/deploy@main in commit [\`${head.sha.slice(0, 7)}\`](`),
    ]);

    // The same push again (a queue redelivery) and a push that changes no manifest: no commit.
    const commits = (await deployLog()).length;
    expect(await run(jobFor('pets', first.sha))).toEqual({
      status: 'superseded',
      deployed: first.sha,
    });
    const readme = await gh.admin.push({
      owner: 'acme',
      repo: 'pets',
      branch: 'main',
      files: { 'README.md': '# Pets\n' },
      deliver: false,
    });
    expect(await run(jobFor('pets', readme.sha))).toEqual({ status: 'unchanged', attempts: 1 });
    expect((await deployLog()).length).toBe(commits);

    // The API is renamed: the old folder is pruned in the same commit that adds the new one.
    const renamed = await merge('pets', { name: 'animals' }, 'rename');
    expect(await run(jobFor('pets', renamed.sha))).toMatchObject({ status: 'committed' });
    expect(await deployFiles()).toEqual([
      'apis/acme/pets/.source.yaml',
      'apis/acme/pets/animals/meshhttproute-animals.yaml',
      'apis/acme/pets/animals/meshtrafficpermission-animals-animals-from-gateway.yaml',
    ]);
    expect((await gh.admin.commit({ ...deployRef, ref: 'main' })).message).toContain(
      'Removed:\n  - apis/acme/pets/pets/meshhttproute-pets.yaml\n',
    );
    // The older merge delivered late never overwrites the newer one.
    expect(await run(jobFor('pets', first.sha))).toEqual({
      status: 'superseded',
      deployed: renamed.sha,
    });
    expect(await gh.admin.readFile({ ...deployRef, ref: 'main', path: 'tenants.yaml' })).toContain(
      'acme/pets',
    );
  });

  it('costs the same number of deploy-repo calls for 2 files as for 40', async () => {
    await createDeployRepo([pets]);
    await gh.admin.createRepo({ owner: 'acme', repo: 'pets', files: { 'README.md': '# pets\n' } });
    const counts: number[] = [];
    const files: number[] = [];
    for (const [index, copies] of [1, 20].entries()) {
      const merged = await merge('pets', { copies, name: `pets${index}` }, `b${index}`);
      const { deps, deployRepo } = depsFor(jobFor('pets', merged.sha));
      const before = gh.requests.length;
      const outcome = await deployPush(jobFor('pets', merged.sha), deps);
      expect(outcome.status).toBe('committed');
      counts.push(deployCalls(before).length);
      if (outcome.status === 'committed') files.push(outcome.plan.changes.length);
      expect(deployRepo.calls).toBe(deployCalls(before).length);
    }
    // 2 manifests + record, then 40 new + 2 pruned + record: the files travel inline in the one mutation, and
    // the folder's own .source.yaml (for the ancestry check) comes with the snapshot.
    expect(files).toEqual([3, 43]);
    expect(counts).toEqual([2, 2]);
  });

  it('retries a compare-and-swap conflict from a fresh read and succeeds', async () => {
    await createDeployRepo([pets]);
    await gh.admin.createRepo({ owner: 'acme', repo: 'pets', files: { 'README.md': '# pets\n' } });
    const merged = await merge('pets', {}, 'a');
    gh.admin.setFaults({ rules: [{ kind: 'not-fast-forward', times: 2 }] });
    const outcome = await run(jobFor('pets', merged.sha));
    expect(outcome).toMatchObject({ status: 'committed', attempts: 3 });
    expect(gh.admin.faultsInjected()['not-fast-forward']).toBe(2);
    expect(deployCalls(0).filter((call) => call === 'graphql DeploySnapshot')).toHaveLength(3);
    expect(deployCalls(0).filter((call) => call === 'graphql DeployCommit')).toHaveLength(3);
    expect(await deployFiles()).toHaveLength(3);
  });

  it('opens a pull request on the deploy repo in pull-request mode, and updates it on the next merge', async () => {
    await createDeployRepo([pets]);
    await gh.admin.createRepo({ owner: 'acme', repo: 'pets', files: { 'README.md': '# pets\n' } });
    const first = await merge('pets', {}, 'a');
    const outcome = await run(jobFor('pets', first.sha), { mode: 'pull-request' });
    expect(outcome).toMatchObject({
      status: 'committed',
      pullRequestUrl: expect.stringContaining('/pull/1'),
    });
    expect(await deployFiles()).toEqual([]);
    const branchFiles = await gh.admin.listFiles({ ...deployRef, ref: 'kuma-api-forge/acme/pets' });
    expect(branchFiles.filter((p) => p.startsWith('apis/'))).toHaveLength(3);
    const second = await merge('pets', { paths: ['/pets'] }, 'b');
    expect(await run(jobFor('pets', second.sha), { mode: 'pull-request' })).toMatchObject({
      pullRequestUrl: expect.stringContaining('/pull/1'),
    });
    expect(gh.admin.pullRequest({ ...deployRef, number: 1 }).title).toContain(second.sha.slice(0, 7));
  });
});
