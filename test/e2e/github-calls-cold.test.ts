/**
 * What a container's FIRST event costs in GitHub calls (no token, no installation known yet), counted from the
 * local GitHub's request log, for the two ways a deploy repo is set up: of the API repos' own account (one
 * installation covers both: the event's installation id mints the deploy repo's token, nothing is looked up), and
 * of another account with `DEPLOY_REPO_INSTALLATION_ID` (the configured id mints it). Each token still covers ONE
 * repo with the job's least permissions (asserted on every mint's request). A wrong id costs the lookup back,
 * never the deploy repo's safety. Targets (issue #15): ≤ 8 calls per PR event, ≤ 3 content-generating; ≤ 6 per
 * deploy.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type LocalGitHub, type RecordedRequest, startLocalGitHub } from '../../dev/github/index.js';
import { type LocalApp, startApp } from '../../dev/start.js';
import type { RepoRef } from '../../shared/core/repo-ref.js';
import type { Logger } from '../../shared/ports/logger.js';
import { nameCall } from '../helpers/github-calls.js';
import { createTestApp } from '../helpers/local-github.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const pets = { owner: 'acme', repo: 'pets' };
const sameAccount = { owner: 'acme', repo: 'deploy' };
const otherAccount = { owner: 'platform', repo: 'deploy' };
const marker = '<!-- kuma-api-forge -->';
const deployMarker = '<!-- kuma-api-forge:deploy -->';
const tenants = stringify({
  tenants: {
    'acme/pets': {
      gateways: ['edge'],
      hostnames: ['pets.example.com'],
      basePaths: ['/pets-api'],
      namespaces: ['pets'],
    },
  },
});

let gh: LocalGitHub;
let credentials: ReturnType<typeof createTestApp>;
let acmeInstallation: number;
let platformInstallation: number;
let app: LocalApp | undefined;
const warnings: { message: string; fields: unknown }[] = [];
const log: Logger = {
  debug() {},
  info() {},
  warn: (message, fields) => warnings.push({ message, fields }),
  error: (message, fields) => warnings.push({ message: `error: ${message}`, fields }),
  child: () => log,
};

beforeAll(async () => {
  gh = await startLocalGitHub();
  credentials = createTestApp(gh);
  acmeInstallation = (await gh.admin.installApp(credentials.id, 'acme')).installationId;
  platformInstallation = (await gh.admin.installApp(credentials.id, 'platform')).installationId;
  for (const deploy of [sameAccount, otherAccount])
    await gh.admin.createRepo({ ...deploy, files: { 'tenants.yaml': tenants } });
  await gh.admin.createRepo({ ...pets, files: buildSourceFiles() });
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
});

afterAll(async () => {
  await gh?.stop();
});

/** A new worker container (nothing cached), the App's webhooks delivered to it. */
async function startContainer(deployRepo: RepoRef, deployRepoInstallationId?: number): Promise<LocalApp> {
  await app?.stop();
  warnings.length = 0;
  app = await startApp({
    settings: {
      appId: credentials.id,
      privateKey: credentials.privateKey,
      webhookSecret: credentials.webhookSecret,
      githubApiUrl: gh.url,
      deployRepo,
      ...(deployRepoInstallationId === undefined ? {} : { deployRepoInstallationId }),
    },
    log,
    queue: { backoffMs: () => 1 },
    waitUnitMs: 1,
    spaceWrites: false,
    deployRetry: { backoffMs: 5 },
  });
  gh.admin.setWebhook(credentials.id, { url: app.webhookUrl });
  return app;
}

/** The requests `act` caused, once the container is idle again. */
async function during(act: () => Promise<unknown>): Promise<RecordedRequest[]> {
  const from = gh.requests.length;
  await act();
  await app!.queue.idle();
  expect(app!.queue.deadLetters).toEqual([]);
  return gh.requests.slice(from);
}

/** Each call as `installation-token <id> <repos> <permissions>` for a mint, else `owner/name operation`. */
const describeCalls = (requests: RecordedRequest[]) =>
  requests.map((r) => {
    if (r.operationId === 'apps/create-installation-access-token') {
      const body = r.requestBody as { repositories: string[]; permissions: Record<string, string> };
      const id = /installations\/(\d+)/.exec(r.path)![1];
      return `mint ${id} ${body.repositories.join(',')} ${JSON.stringify(body.permissions)} → ${r.status}`;
    }
    const call = nameCall(r);
    return call.repo ? `${call.repo} ${call.operation}` : call.operation;
  });
/** GitHub's content-generating requests: writes made with an installation token (a mint is the App's own). */
const contentGenerating = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.installationId !== undefined && r.method !== 'GET' && r.operationId !== 'graphql');

function report(label: string, requests: RecordedRequest[]) {
  console.log(
    `${label}: ${requests.length} GitHub calls (${contentGenerating(requests).length} content-generating)\n  ` +
      describeCalls(requests).join('\n  '),
  );
}

const checkScope = JSON.stringify({ checks: 'write', contents: 'read', pull_requests: 'write' });
const deployScope = JSON.stringify({ contents: 'read', pull_requests: 'write' });
const read = JSON.stringify({ contents: 'read' });
const write = JSON.stringify({ contents: 'write' });

let branches = 0;
/** The operation PR number `n` of this file adds (letters: the helper's operationIds keep only letters). */
const addedPath = (n: number) => `/added${'abcdefghijklmnop'[n - 1]}`;
/** A PR changing the spec; `deliver: false` keeps its check job out of the container (a deploy comes first). */
async function openPull(deliver = true) {
  branches += 1;
  // Each PR adds one operation to all before it: never a breaking change, whichever were merged.
  const paths = ['/pets', '/pets/{petId}', ...Array.from({ length: branches }, (_, i) => addedPath(i + 1))];
  await gh.admin.push({
    ...pets,
    branch: `b${branches}`,
    files: buildSourceFiles({ paths }),
    deliver: false,
  });
  return gh.admin.openPullRequest({ ...pets, head: `b${branches}`, title: `Change ${branches}`, deliver });
}

const expectOneStickyAndCompletedRun = async (number: number, headSha: string) => {
  const comments = gh.admin.comments({ ...pets, number }).filter((c) => c.body.startsWith(marker));
  expect(comments).toHaveLength(1);
  expect(comments[0]!.body).toContain('### Mesh changes');
  expect(gh.admin.checkRuns({ ...pets, sha: headSha })).toEqual([
    expect.objectContaining({ status: 'completed', conclusion: 'success' }),
  ]);
};

describe('a deploy repo of the API repos’ own account: the event’s installation covers it', () => {
  it("a container's first PR event: 8 calls, 2 content-generating, no installation lookup", async () => {
    await startContainer(sameAccount);
    let pull: { number: number; headSha: string } | undefined;
    const requests = await during(async () => {
      pull = await openPull();
    });
    report('first PR event of a container, deploy repo of the same account', requests);
    expect(describeCalls(requests)).toEqual([
      `mint ${acmeInstallation} pets ${checkScope} → 201`,
      'acme/pets graphql PullRequest',
      'acme/pets graphql SourceFiles',
      `mint ${acmeInstallation} deploy ${read} → 201`, // the event's installation: no lookup
      'acme/deploy graphql DeploySnapshot',
      'acme/pets graphql PullRequest', // the stale-head guard and the sticky comment
      'acme/pets issues/create-comment',
      'acme/pets checks/create',
    ]);
    expect(contentGenerating(requests)).toHaveLength(2);
    await expectOneStickyAndCompletedRun(pull!.number, pull!.headSha);
    // Deployed by a merge in this (now warm) container: the folder's record exists for the next test.
    await during(() => gh.admin.mergePullRequest({ ...pets, number: pull!.number }));
    expect((await gh.admin.listFiles({ ...sameAccount, ref: 'main' })).join()).toContain('apis/acme/pets/');
  });

  it("a container's first deploy: 6 calls — the two tokens, one query each side, the commit, the comment", async () => {
    const pull = await openPull(false);
    await startContainer(sameAccount);
    let merged: { sha: string } | undefined;
    const requests = await during(async () => {
      merged = await gh.admin.mergePullRequest({ ...pets, number: pull.number });
    });
    report('first deploy of a container, deploy repo of the same account', requests);
    expect(describeCalls(requests)).toEqual([
      `mint ${acmeInstallation} deploy ${write} → 201`,
      'acme/deploy graphql DeploySnapshot', // its .source.yaml: the files and the commit the last deploy read
      `mint ${acmeInstallation} pets ${deployScope} → 201`,
      // The head, the PR merged as the commit, the config and the recorded files, and how the head stands
      // against the deployed commit (never an older commit over a newer one): no REST compare.
      'acme/pets graphql SourcePush',
      'acme/deploy graphql DeployCommit',
      'acme/pets issues/create-comment',
    ]);
    const [head] = await gh.admin.log({ ...sameAccount, ref: 'main' });
    expect(head!.message).toContain(`Kuma-Api-Forge-Source: acme/pets@${merged!.sha}`);
    const notes = gh.admin
      .comments({ ...pets, number: pull.number })
      .filter((c) => c.body.startsWith(deployMarker));
    expect(notes).toHaveLength(1);
  });
});

describe('a deploy repo of another account', () => {
  it('with DEPLOY_REPO_INSTALLATION_ID: a first PR event is 8 calls too, its deploy token minted by that id', async () => {
    await startContainer(otherAccount, platformInstallation);
    let pull: { number: number; headSha: string } | undefined;
    const requests = await during(async () => {
      pull = await openPull();
    });
    report(
      'first PR event of a container, deploy repo of another account, its installation configured',
      requests,
    );
    expect(describeCalls(requests)).toEqual([
      `mint ${acmeInstallation} pets ${checkScope} → 201`,
      'acme/pets graphql PullRequest',
      'acme/pets graphql SourceFiles',
      `mint ${platformInstallation} deploy ${read} → 201`,
      'platform/deploy graphql DeploySnapshot',
      'acme/pets graphql PullRequest',
      'acme/pets issues/create-comment',
      'acme/pets checks/create',
    ]);
    expect(contentGenerating(requests)).toHaveLength(2);
    await expectOneStickyAndCompletedRun(pull!.number, pull!.headSha);
    await during(() => gh.admin.mergePullRequest({ ...pets, number: pull!.number }));
    expect(warnings).toEqual([]);
  });

  it("with DEPLOY_REPO_INSTALLATION_ID: a container's first deploy is 6 calls", async () => {
    const pull = await openPull(false);
    await startContainer(otherAccount, platformInstallation);
    const requests = await during(() => gh.admin.mergePullRequest({ ...pets, number: pull.number }));
    report(
      'first deploy of a container, deploy repo of another account, its installation configured',
      requests,
    );
    expect(describeCalls(requests)).toEqual([
      `mint ${platformInstallation} deploy ${write} → 201`,
      'platform/deploy graphql DeploySnapshot',
      `mint ${acmeInstallation} pets ${deployScope} → 201`,
      'acme/pets graphql SourcePush',
      'platform/deploy graphql DeployCommit',
      'acme/pets issues/create-comment',
    ]);
  });

  it('without it: one lookup more (9 calls)', async () => {
    await startContainer(otherAccount);
    let pull: { number: number; headSha: string } | undefined;
    const requests = await during(async () => {
      pull = await openPull();
    });
    report('first PR event of a container, deploy repo of another account, looked up', requests);
    expect(describeCalls(requests)).toEqual([
      `mint ${acmeInstallation} pets ${checkScope} → 201`,
      'acme/pets graphql PullRequest',
      'acme/pets graphql SourceFiles',
      'platform/deploy apps/get-repo-installation',
      `mint ${platformInstallation} deploy ${read} → 201`,
      // With the texts of the repo's deployed manifests, which the preview's diff shows: no DeployTexts query.
      'platform/deploy graphql DeploySnapshot',
      'acme/pets graphql PullRequest',
      'acme/pets issues/create-comment',
      'acme/pets checks/create',
    ]);
    const [comment] = gh.admin.comments({ ...pets, number: pull!.number });
    expect(comment!.body).toContain('**0 added, 1 changed, 0 removed**');
    // A hunk of the old manifest (its text came with the snapshot) with the new operation's route in it.
    expect(comment!.body).toMatch(/@@ -\d+,\d+ \+\d+,\d+ @@\n {9}- matches:\n/);
    expect(comment!.body).toContain(`+                value: /pets-api${addedPath(branches)}\n`);
  });

  it('a stale id (no such installation): its refused mint, then the lookup; the check is whole and says nothing of it', async () => {
    await startContainer(otherAccount, 987654);
    let pull: { number: number; headSha: string } | undefined;
    const requests = await during(async () => {
      pull = await openPull();
    });
    expect(describeCalls(requests).slice(3, 6)).toEqual([
      `mint 987654 deploy ${read} → 404`,
      'platform/deploy apps/get-repo-installation',
      `mint ${platformInstallation} deploy ${read} → 201`,
    ]);
    await expectOneStickyAndCompletedRun(pull!.number, pull!.headSha);
    expect(warnings).toContainEqual(
      expect.objectContaining({
        message: 'the App installation assumed for a repo does not cover it: looking it up',
      }),
    );
    // Forgotten for the container: the next event neither tries it again nor looks up again.
    const next = await during(() => openPull());
    expect(
      describeCalls(next).filter((call) => call.includes('987654') || call.includes('installation')),
    ).toEqual([]);
  });

  it('the id of the API repos’ installation (another account, which has a repo of that name): never minted for', async () => {
    // acme has a repo named `deploy` too: a token minted by acme's installation for `deploy` would be acme/deploy's.
    await startContainer(otherAccount, acmeInstallation);
    let pull: { number: number; headSha: string } | undefined;
    const requests = await during(async () => {
      pull = await openPull();
    });
    expect(describeCalls(requests).filter((call) => call.startsWith('mint'))).toEqual([
      `mint ${acmeInstallation} pets ${checkScope} → 201`,
      `mint ${platformInstallation} deploy ${read} → 201`,
    ]);
    expect(describeCalls(requests)).toContain('platform/deploy apps/get-repo-installation');
    await expectOneStickyAndCompletedRun(pull!.number, pull!.headSha);
    expect(warnings.map((w) => w.message)).toEqual([
      'the installation configured for a repo is that of another account: looking it up',
    ]);
  });

  it('the id of an installation without the deploy repo: refused (422), then looked up', async () => {
    const other = await gh.admin.installApp(credentials.id, 'elsewhere', { deliver: false });
    await startContainer(otherAccount, other.installationId);
    let pull: { number: number; headSha: string } | undefined;
    const requests = await during(async () => {
      pull = await openPull();
    });
    expect(describeCalls(requests).slice(3, 6)).toEqual([
      `mint ${other.installationId} deploy ${read} → 422`,
      'platform/deploy apps/get-repo-installation',
      `mint ${platformInstallation} deploy ${read} → 201`,
    ]);
    await expectOneStickyAndCompletedRun(pull!.number, pull!.headSha);
  });
});
