/**
 * Stress, not part of the everyday suite (`npm run test:stress`; CI runs it once, on Node 20). 20 merges across
 * 5 source repos, their deploy jobs run concurrently and out of order against the local GitHub, which answers
 * a share of calls with ref-update conflicts, 5xx and secondary rate limits. The deploy repo must end with
 * exactly the newest render of each repo: nothing lost, nothing older on top, no duplicate commits. A job that
 * exhausts its CAS attempts is redelivered, as the queue would.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createContractValidator, type LocalGitHub, startLocalGitHub } from '../../dev/github/index.js';
import { type AppOctokit, createGitHubClients } from '../../shared/adapters/github/create-octokit.js';
import { createGitHubCodeHost } from '../../shared/adapters/github/github-code-host.js';
import {
  createGitHubDeployRepo,
  createGitHubSourceHistory,
} from '../../shared/adapters/github-deploy-repo.js';
import { parseSourceRecord } from '../../shared/core/deploy/source-record.js';
import type { DeployJob } from '../../shared/core/jobs.js';
import { type DeployOutcome, deployPush } from '../../shared/use-cases/deploy-push.js';
import { renderSource } from '../../shared/use-cases/preview-deploy.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const deployRef = { owner: 'acme', repo: 'deploy' };
const repos = ['svc0', 'svc1', 'svc2', 'svc3', 'svc4'];
let gh: LocalGitHub;
let octokit: AppOctokit;
let installationId: number;

beforeAll(async () => {
  gh = await startLocalGitHub();
  const app = gh.admin.createApp();
  installationId = (await gh.admin.installApp(app.id, 'acme')).installationId;
  octokit = createGitHubClients({
    appId: app.id,
    privateKey: app.privateKey!,
    baseUrl: gh.url,
    retries: 6,
    rateLimitRetries: 6,
    waitUnitMs: 1,
    spaceWrites: false,
  }).forInstallation(installationId);
});

afterAll(async () => {
  const validator = createContractValidator();
  const problems = gh.requests.flatMap((r) => [
    ...(r.requestBody === undefined ? [] : validator.validateRequest(r.operationId!, r.requestBody)),
    ...validator.validateResponse(r.operationId!, r.status, r.responseBody),
  ]);
  expect(problems).toEqual([]);
  await gh.stop();
});

it('ends with exactly the newest manifests of each repo, with no duplicate commits', async () => {
  const tenants = Object.fromEntries(
    repos.map((repo) => [
      `acme/${repo}`,
      { gateways: ['edge'], hostnames: [`${repo}.example.com`], basePaths: [`/${repo}`], namespaces: [repo] },
    ]),
  );
  await gh.admin.createRepo({ ...deployRef, files: { 'tenants.yaml': stringify({ tenants }) } });
  const jobs: DeployJob[] = [];
  const newest = new Map<string, string>();
  for (const repo of repos) {
    await gh.admin.createRepo({ owner: 'acme', repo, files: { 'README.md': `# ${repo}\n` } });
    for (let merge = 1; merge <= 4; merge += 1) {
      // Each merge adds an operation, so every merge renders differently from the one before.
      const paths = Array.from({ length: merge }, (_, i) => `/v${i}/{petId}`);
      const files = buildSourceFiles({
        name: repo,
        hostnames: [`${repo}.example.com`],
        basePath: `/${repo}`,
        namespace: repo,
        paths,
      });
      await gh.admin.push({ owner: 'acme', repo, branch: `m${merge}`, from: 'main', files, deliver: false });
      const pr = await gh.admin.openPullRequest({ owner: 'acme', repo, head: `m${merge}`, deliver: false });
      const { sha } = await gh.admin.mergePullRequest({
        owner: 'acme',
        repo,
        number: pr.number,
        deliver: false,
      });
      newest.set(repo, sha);
      jobs.push({
        type: 'deploy',
        deliveryId: `${repo}-${merge}`,
        event: 'push',
        installationId,
        repository: { owner: 'acme', repo },
        sha,
      });
    }
  }
  // Out of order: a fixed shuffle, then all at once.
  const order = [13, 2, 19, 7, 0, 11, 5, 16, 3, 9, 18, 1, 14, 6, 10, 17, 4, 12, 8, 15].map((i) => jobs[i]!);
  gh.admin.setFaults({
    seed: 7,
    rules: [
      { kind: 'not-fast-forward', share: 0.25 },
      { kind: 'server-error', share: 0.05, status: 502 },
      { kind: 'secondary-rate-limit', share: 0.05 },
    ],
  });
  const firstRequest = gh.requests.length;
  const outcomes: DeployOutcome[] = [];
  let pending = order;
  let redeliveries = 0;
  for (let round = 0; round < 4 && pending.length > 0; round += 1) {
    const settled = await Promise.allSettled(
      pending.map((job) =>
        deployPush(job, {
          source: createGitHubCodeHost(octokit, job.repository),
          history: createGitHubSourceHistory(octokit, job.repository),
          deployRepo: createGitHubDeployRepo(octokit, deployRef, { branch: 'main' }),
          backoffMs: 10,
          maxAttempts: 8,
        }),
      ),
    );
    const failed = pending.filter((_, i) => settled[i]!.status === 'rejected');
    for (const result of settled) if (result.status === 'fulfilled') outcomes.push(result.value);
    redeliveries += failed.length;
    pending = failed;
  }
  const faults = gh.admin.faultsInjected();
  gh.admin.setFaults(undefined);
  expect(pending).toEqual([]);

  // The deploy repo holds exactly the newest render of each repo (compared file by file with a fresh render).
  const files = (await gh.admin.listFiles({ ...deployRef, ref: 'main' })).filter((p) =>
    p.startsWith('apis/'),
  );
  const expected: string[] = [];
  for (const repo of repos) {
    const sha = newest.get(repo)!;
    const rendered = await renderSource(createGitHubCodeHost(octokit, { owner: 'acme', repo }).files(sha), {
      owner: 'acme',
      repo,
    });
    for (const api of rendered.apis) {
      for (const file of api.files) {
        const path = `apis/acme/${repo}/${api.name}/${file.path}`;
        expected.push(path);
        expect(await gh.admin.readFile({ ...deployRef, ref: 'main', path })).toBe(file.content);
      }
    }
    expected.push(`apis/acme/${repo}/.source.yaml`);
    const record = await gh.admin.readFile({
      ...deployRef,
      ref: 'main',
      path: `apis/acme/${repo}/.source.yaml`,
    });
    expect(parseSourceRecord(record ?? '')?.commit).toBe(sha);
  }
  expect(files.sort()).toEqual(expected.sort());

  // No duplicate commits: each source commit was committed at most once, and every commit is a deploy.
  const log = (await gh.admin.log({ ...deployRef, ref: 'main' })).slice(0, -1);
  const sources = log.map((c) => /Kuma-Api-Forge-Source: (\S+)/.exec(c.message)?.[1]);
  expect(sources.every(Boolean)).toBe(true);
  expect(new Set(sources).size).toBe(sources.length);
  // Along the history, each repo's deployed commits only move forward (merge order within the repo).
  for (const repo of repos) {
    const deployed = sources
      .filter((s) => s!.startsWith(`acme/${repo}@`))
      .map((s) => s!.split('@')[1]!)
      .reverse();
    const mergeOrder = jobs.filter((j) => j.repository.repo === repo).map((j) => j.sha);
    const positions = deployed.map((sha) => mergeOrder.indexOf(sha));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(deployed.at(-1)).toBe(newest.get(repo));
  }

  const requests = gh.requests.slice(firstRequest);
  const counts = {
    jobs: jobs.length,
    committed: outcomes.filter((o) => o.status === 'committed').length,
    superseded: outcomes.filter((o) => o.status === 'superseded').length,
    unchanged: outcomes.filter((o) => o.status === 'unchanged').length,
    deployCommits: log.length,
    // createCommitOnBranch refused: the branch was not at expectedHeadOid (GitHub's STALE_DATA).
    casConflicts: requests.filter(
      (r) => r.operationId === 'graphql' && JSON.stringify(r.responseBody ?? null).includes('"STALE_DATA"'),
    ).length,
    faults,
    redeliveries,
    requests: requests.length,
  };
  console.info(`deploy concurrency: ${JSON.stringify(counts)}`);
  expect(counts.committed).toBe(counts.deployCommits);
  expect(counts.committed + counts.superseded + counts.unchanged).toBe(jobs.length);
  expect(counts.casConflicts).toBeGreaterThan(0);
  expect(Object.values(faults).every((n) => n > 0)).toBe(true);
}, 480_000);
