/**
 * Least privilege, end to end through the real worker, Octokit and the local GitHub: the deploy repo lives on the
 * same account as the source repos (the case where an installation-wide token could write everywhere), and every
 * token a job minted is then tried on what that job must NOT be able to do.
 */
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  type AppCredentials,
  type LocalGitHub,
  type RecordedRequest,
  startLocalGitHub,
} from '../../dev/github/index.js';
import { createGitHubClients } from '../../shared/adapters/github/create-octokit.js';
import { createJobCodeHost } from '../../shared/adapters/github/github-code-host.js';
import { createGitHubDeployTarget } from '../../shared/adapters/github/github-deploy-target.js';
import { createGitHubDeployedSources } from '../../shared/adapters/github/github-deployed-sources.js';
import { createOasdiffRunner } from '../../shared/adapters/oasdiff-runner.js';
import { createWorker, type Worker } from '../../shared/app/worker.js';
import type { CheckJob, DeployJob, DriftJob, GovernanceJob } from '../../shared/core/jobs.js';
import type { Logger } from '../../shared/ports/logger.js';
import { createTestApp, githubContract } from '../helpers/local-github.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const pets = { owner: 'acme', repo: 'pets' };
const other = { owner: 'acme', repo: 'other' };
const deploy = { owner: 'acme', repo: 'deploy' };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const errors: string[] = [];
const log: Logger = { ...quiet, error: (message) => errors.push(message), child: () => log };
const validator = githubContract();

let gh: LocalGitHub;
let app: AppCredentials;
let installationId: number;

beforeAll(async () => {
  gh = await startLocalGitHub();
  app = createTestApp(gh);
  installationId = (await gh.admin.installApp(app.id, 'acme')).installationId;
  const tenants = {
    tenants: {
      'acme/pets': {
        gateways: ['edge'],
        hostnames: ['pets.example.com'],
        basePaths: ['/pets-api'],
        namespaces: ['pets'],
      },
    },
  };
  await gh.admin.createRepo({ ...deploy, files: { 'tenants.yaml': stringify(tenants) } });
  await gh.admin.createRepo({ ...other, files: { 'secret.txt': 'not yours\n' } });
  await gh.admin.createRepo({ ...pets, files: { 'README.md': '# pets\n' } });
});

afterAll(async () => {
  const problems = gh.requests.flatMap((r) => [
    ...(r.requestBody === undefined ? [] : validator.validateRequest(r.operationId!, r.requestBody)),
    ...validator.validateResponse(r.operationId!, r.status, r.responseBody),
  ]);
  expect(problems).toEqual([]);
  await gh?.stop();
});

function startWorker(mode: 'commit' | 'pull-request' = 'commit'): Worker {
  const clients = createGitHubClients({
    appId: app.id,
    privateKey: app.privateKey!,
    baseUrl: gh.url,
    waitUnitMs: 1,
    spaceWrites: false,
  });
  return createWorker({
    codeHost: (job) => createJobCodeHost(clients, job),
    breakingDiff: createOasdiffRunner(),
    log,
    deploy: createGitHubDeployTarget(clients, { repo: deploy, mode }),
    deployedSources: createGitHubDeployedSources(clients),
  });
}

/** The requests of the last `tokensMintedBy` run. */
let lastRun: RecordedRequest[] = [];
const installationLookups = () =>
  lastRun.filter((r) => r.operationId === 'apps/get-repo-installation').map((r) => r.path);

/** Runs `work` and answers the tokens minted meanwhile: what each was granted, and a client using it. */
async function tokensMintedBy(work: () => Promise<void>) {
  const from = gh.requests.length;
  await work();
  expect(errors).toEqual([]);
  lastRun = gh.requests.slice(from);
  return lastRun
    .filter((r: RecordedRequest) => r.operationId === 'apps/create-installation-access-token')
    .map((r) => {
      const body = r.responseBody as {
        token: string;
        permissions: Record<string, string>;
        repositories?: { full_name: string }[];
      };
      return {
        repos: body.repositories?.map((repo) => repo.full_name),
        permissions: body.permissions,
        octokit: new Octokit({ baseUrl: gh.url, auth: body.token, log: quiet }),
      };
    });
}

/** The HTTP status a call ends with (2xx as 200). */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}

const tryWriteContents = async (octokit: Octokit, repo: typeof pets) => {
  const main = await gh.admin.resolve({ ...repo, ref: 'main' });
  return statusOf(
    octokit.rest.git.createRef({ ...repo, ref: `refs/heads/probe-${Math.random()}`, sha: main! }),
  );
};

describe('token scope per job', () => {
  let pullNumber: number;
  let headSha: string;

  it('a check job: two tokens, neither can write contents anywhere nor read a repo it does not need', async () => {
    await gh.admin.push({ ...pets, branch: 'add-api', files: buildSourceFiles(), deliver: false });
    const opened = await gh.admin.openPullRequest({ ...pets, head: 'add-api', title: 'API', deliver: false });
    pullNumber = opened.number;
    headSha = opened.headSha;
    const job: CheckJob = {
      type: 'check',
      deliveryId: 'd-check',
      event: 'pull_request.opened',
      installationId,
      repository: pets,
      pullNumber,
      headSha,
    };
    const worker = startWorker();
    const tokens = await tokensMintedBy(() => worker.processJob(job));

    // The job did its work with them: a comment with the mesh changes (read from the deploy repo), a check run.
    expect(gh.admin.checkRuns({ ...pets, sha: headSha }).at(-1)?.conclusion).toBe('success');
    expect(gh.admin.comments({ ...pets, number: pullNumber })[0]?.body).toContain('### Mesh changes');

    expect(tokens.map(({ repos, permissions }) => ({ repos, permissions }))).toEqual([
      {
        repos: ['acme/pets'],
        permissions: { contents: 'read', checks: 'write', pull_requests: 'write', metadata: 'read' },
      },
      { repos: ['acme/deploy'], permissions: { contents: 'read', metadata: 'read' } },
    ]);
    // The deploy repo is of the job's account: minted through the job's own installation, nothing looked up.
    expect(installationLookups()).toEqual([]);
    // Writing contents: refused (403) where the token reaches, not even found (404) where it does not.
    const writes = await Promise.all(
      tokens.map(async ({ octokit }) => [
        await tryWriteContents(octokit, pets),
        await tryWriteContents(octokit, deploy),
      ]),
    );
    expect(writes).toEqual([
      [403, 404],
      [404, 403],
    ]);
    for (const { octokit } of tokens) {
      expect(await statusOf(octokit.rest.git.getRef({ ...other, ref: 'heads/main' }))).toBe(404);
      const secret = await octokit
        .graphql(`query { repository(owner: "${other.owner}", name: "${other.repo}") {
          object(expression: "HEAD:secret.txt") { oid } } }`)
        .catch((error: { errors?: { type?: string }[] }) => error.errors?.[0]?.type);
      expect(secret).toBe('NOT_FOUND');
    }
    // The deploy reader cannot comment on the source PR.
    const [, deployReader] = tokens;
    expect(
      await statusOf(
        deployReader!.octokit.rest.issues.createComment({ ...pets, issue_number: pullNumber, body: 'x' }),
      ),
    ).toBe(404);
    // A second job in the same container mints nothing: the tokens are cached per repos and permissions.
    expect(await tokensMintedBy(() => worker.processJob({ ...job, deliveryId: 'd-check-2' }))).toEqual([]);
  });

  it('a deploy job: the deploy repo is the only repo it can write, and only the deploy repo', async () => {
    const merged = await gh.admin.mergePullRequest({ ...pets, number: pullNumber, deliver: false });
    const job: DeployJob = {
      type: 'deploy',
      deliveryId: 'd-deploy',
      event: 'push',
      installationId,
      repository: pets,
      sha: merged.sha,
    };
    const before = await gh.admin.resolve({ ...deploy, ref: 'main' });
    const tokens = await tokensMintedBy(() => startWorker().processJob(job));

    expect(await gh.admin.resolve({ ...deploy, ref: 'main' })).not.toBe(before);
    expect(gh.admin.comments({ ...pets, number: pullNumber }).at(-1)?.body).toContain(
      'deployed to acme/deploy',
    );
    // The deploy reads the deploy repo first (its record names the source files to read in one query).
    expect(tokens.map(({ repos, permissions }) => ({ repos, permissions }))).toEqual([
      { repos: ['acme/deploy'], permissions: { contents: 'write', metadata: 'read' } },
      { repos: ['acme/pets'], permissions: { contents: 'read', pull_requests: 'write', metadata: 'read' } },
    ]);
    expect(installationLookups()).toEqual([]);
    const [deployWriter, source] = tokens;
    expect(await tryWriteContents(source!.octokit, pets)).toBe(403);
    expect(await tryWriteContents(deployWriter!.octokit, deploy)).toBe(200);
    expect(await tryWriteContents(deployWriter!.octokit, pets)).toBe(404);
    expect(await statusOf(deployWriter!.octokit.rest.git.getRef({ ...other, ref: 'heads/main' }))).toBe(404);
    // Nor can the source token create a check run: a deploy job does not need one.
    expect(
      await statusOf(source!.octokit.rest.checks.create({ ...pets, name: 'x', head_sha: merged.sha })),
    ).toBe(403);
  });

  it('a deploy job in pull-request mode: the deploy token may also open the deploy PR', async () => {
    await gh.admin.push({
      ...pets,
      branch: 'main',
      files: buildSourceFiles({ paths: ['/pets', '/pets/{petId}', '/owners'] }),
      deliver: false,
    });
    const sha = (await gh.admin.resolve({ ...pets, ref: 'main' }))!;
    const job: DeployJob = {
      type: 'deploy',
      deliveryId: 'd-pr',
      event: 'push',
      installationId,
      repository: pets,
      sha,
    };
    const tokens = await tokensMintedBy(() => startWorker('pull-request').processJob(job));

    expect(tokens.map(({ repos, permissions }) => ({ repos, permissions }))).toEqual([
      {
        repos: ['acme/deploy'],
        permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' },
      },
      { repos: ['acme/pets'], permissions: { contents: 'read', pull_requests: 'write', metadata: 'read' } },
    ]);
    const { data: pulls } = await tokens[0]!.octokit.rest.pulls.list({ ...deploy, state: 'open' });
    expect(pulls.map((pull) => pull.head.ref)).toEqual(['kuma-api-forge/acme/pets']);
  });

  it('a governance job (a PR on the deploy repo): reads it and writes its check run, reads each deployed repo, writes no contents', async () => {
    await gh.admin.push({
      ...deploy,
      branch: 'tighten',
      files: { 'governance/limits.yaml': 'all:\n  maxTimeout: 1s\n' },
      deliver: false,
    });
    const opened = await gh.admin.openPullRequest({
      ...deploy,
      head: 'tighten',
      title: 'tighten',
      deliver: false,
    });
    const job: GovernanceJob = {
      type: 'governance',
      deliveryId: 'd-governance',
      event: 'pull_request.opened',
      installationId,
      repository: deploy,
      pullNumber: opened.number,
      headSha: opened.headSha,
    };
    const tokens = await tokensMintedBy(() => startWorker().processJob(job));

    expect(
      gh.admin
        .checkRuns({ ...deploy, sha: opened.headSha })
        .find((run) => run.name === 'kuma-api-forge governance')?.output.summary,
    ).toContain('`acme/pets`');
    expect(tokens.map(({ repos, permissions }) => ({ repos, permissions }))).toEqual([
      {
        repos: ['acme/deploy'],
        permissions: { contents: 'read', checks: 'write', pull_requests: 'read', metadata: 'read' },
      },
      { repos: ['acme/deploy'], permissions: { contents: 'read', metadata: 'read' } },
      { repos: ['acme/pets'], permissions: { contents: 'read', metadata: 'read' } },
    ]);
    // Every repo read is of the job's account: its installation minted them all, nothing looked up.
    expect(installationLookups()).toEqual([]);
    for (const { octokit } of tokens) {
      expect(await tryWriteContents(octokit, deploy)).not.toBe(200);
      expect(await tryWriteContents(octokit, pets)).not.toBe(200);
      expect(await statusOf(octokit.rest.git.getRef({ ...other, ref: 'heads/main' }))).toBe(404);
    }
    // The PR-side token cannot comment on it: the check run is all it writes.
    expect(
      await statusOf(
        tokens[0]!.octokit.rest.issues.createComment({ ...deploy, issue_number: opened.number, body: 'x' }),
      ),
    ).toBe(403);
  });

  it('a drift job (a push to the deploy repo): reads it and writes a check run there, nothing else', async () => {
    const folder = (await gh.admin.listFiles({ ...deploy, ref: 'main' })).find((p) =>
      p.startsWith('apis/acme/pets/pets/'),
    )!;
    const text = (await gh.admin.readFile({ ...deploy, ref: 'main', path: folder }))!;
    const pushed = await gh.admin.push({
      ...deploy,
      branch: 'main',
      files: { [folder]: `${text}# by hand\n` },
      deliver: false,
    });
    const job: DriftJob = {
      type: 'drift',
      deliveryId: 'd-drift',
      event: 'push',
      installationId,
      repository: deploy,
      sha: pushed.sha,
      before: pushed.before!,
    };
    const tokens = await tokensMintedBy(() => startWorker().processJob(job));

    expect(gh.admin.checkRuns({ ...deploy, sha: pushed.sha }).map((run) => run.name)).toEqual([
      'kuma-api-forge/drift',
    ]);
    expect(tokens.map(({ repos, permissions }) => ({ repos, permissions }))).toEqual([
      { repos: ['acme/deploy'], permissions: { contents: 'read', metadata: 'read' } },
      { repos: ['acme/deploy'], permissions: { contents: 'read', checks: 'write', metadata: 'read' } },
    ]);
    for (const { octokit } of tokens) {
      expect(await tryWriteContents(octokit, deploy)).toBe(403);
      expect(await statusOf(octokit.rest.git.getRef({ ...pets, ref: 'heads/main' }))).toBe(404);
    }
  });
});
