/**
 * What a pull_request event costs in GitHub calls, counted from the local GitHub's request log, with the mesh
 * preview on (a deploy repo of another account, its installation NOT configured: looked up once per container;
 * github-calls-cold.test.ts has a container's first events without that lookup): a container's first event
 * (tokens minted) and a later push (tokens cached for their hour). The source repo's reads are GraphQL queries
 * (the PR, the default branch and the configs in one; the files they name in one more; a round per level of
 * `$ref`ed files; the stale-head guard with the sticky comment); its writes are the comment and ONE check-run
 * request. What the user sees is the same: one sticky comment, one completed check run on the head with its
 * annotations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub, RecordedRequest } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { nameCall } from '../helpers/github-calls.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const pets = { owner: 'acme', repo: 'pets' };
const marker = '<!-- kuma-api-forge -->';
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

beforeAll(async () => {
  harness = await startAppOnLocalGitHub({
    deploy: {
      owner: 'platform',
      repo: 'deploy',
      files: {
        'tenants.yaml': stringify({
          tenants: {
            'acme/pets': {
              gateways: ['edge'],
              hostnames: ['pets.example.com'],
              basePaths: ['/pets-api'],
              namespaces: ['pets'],
            },
          },
        }),
      },
    },
  });
  ({ gh, app } = harness);
  await gh.admin.createRepo({ ...pets, files: buildSourceFiles() });
});

afterAll(async () => {
  await harness?.stop();
});

/** The requests `act` caused, once the App is idle again. */
async function during(act: () => Promise<unknown>): Promise<RecordedRequest[]> {
  const from = gh.requests.length;
  await act();
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
  return gh.requests.slice(from);
}

const isDeployRepo = (r: RecordedRequest) =>
  r.path.includes('/platform/deploy') ||
  (r.operationId === 'graphql' &&
    (r.requestBody as { variables?: { owner?: string } } | undefined)?.variables?.owner === 'platform');
const isToken = (r: RecordedRequest) => r.operationId === 'apps/create-installation-access-token';
/**
 * Content-generating, as the local GitHub's limits count it: REST writes with an installation token (GraphQL
 * queries are not, nor is a token mint, the App's own request).
 */
const isContentGenerating = (r: RecordedRequest) =>
  r.operationId !== 'graphql' && r.method !== 'GET' && r.installationId !== undefined;
const describeCalls = (requests: RecordedRequest[]) =>
  requests.map((r) => `${r.operationId} ${r.method} ${r.path.split('?')[0]}`);

function report(label: string, requests: RecordedRequest[]) {
  // The deploy repo's: its reads, its installation's lookup and its token (the mint after the lookup).
  const lookup = requests.findIndex((r) => r.operationId === 'apps/get-repo-installation');
  const deploy = requests.filter(
    (r, i) => isDeployRepo(r) || (lookup >= 0 && i === lookup + 1 && isToken(r)),
  );
  console.log(
    `${label}: ${requests.length} GitHub calls (${requests.filter(isContentGenerating).length} content-generating, ` +
      `${requests.filter(isToken).length} of them token mints), ${deploy.length} of them for the deploy repo\n  ` +
      describeCalls(requests).join('\n  '),
  );
}

/** The source repo's calls: its token, and every request made with it (the deploy repo's token mint excluded). */
function sourceCalls(requests: RecordedRequest[], installationId: number) {
  return requests
    .filter((r) => !isDeployRepo(r))
    .filter((r) => !isToken(r) || r.path.includes(`/installations/${installationId}/`))
    .filter((r) => r.operationId !== 'apps/get-repo-installation')
    .map((r) => r.operationId);
}

describe('GitHub calls per pull_request event', () => {
  let number: number;
  let installationId: number;

  it("a container's first event: one token, three queries, the comment and one check-run request", async () => {
    await gh.admin.push({
      ...pets,
      branch: 'more',
      files: buildSourceFiles({ paths: ['/pets', '/pets/{petId}', '/owners'] }),
    });
    let opened: { number: number } | undefined;
    const requests = await during(async () => {
      opened = await gh.admin.openPullRequest({ ...pets, head: 'more', title: 'More' });
    });
    number = opened!.number;
    report('first pull_request event of a container (cold)', requests);
    installationId = requests.find((r) => r.operationId === 'graphql')!.installationId!;

    expect(sourceCalls(requests, installationId)).toEqual([
      'apps/create-installation-access-token',
      'graphql', // the PR, the default branch's head, the config at head, base and default branch
      'graphql', // the specs the configs name, at the three commits
      'graphql', // the stale-head guard and the sticky comment
      'issues/create-comment',
      'checks/create', // created completed, with its output and annotations
    ]);
    // The whole event: the deploy repo's installation looked up (DEPLOY_REPO_INSTALLATION_ID is not set here),
    // its read-only token, ONE query (the snapshot with its tenants file and records).
    expect(requests.map((r) => r.operationId)).toEqual([
      'apps/create-installation-access-token',
      'graphql',
      'graphql',
      'apps/get-repo-installation',
      'apps/create-installation-access-token',
      'graphql',
      'graphql',
      'issues/create-comment',
      'checks/create',
    ]);
    expect(requests.filter(isContentGenerating)).toHaveLength(2);
    // What the user sees: one sticky comment, one completed check run on the head.
    const comments = gh.admin.comments({ ...pets, number }).filter((c) => c.body.startsWith(marker));
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('### Mesh changes');
    const head = (await gh.admin.resolve({ ...pets, ref: 'more' }))!;
    expect(gh.admin.checkRuns({ ...pets, sha: head })).toEqual([
      expect.objectContaining({ status: 'completed', conclusion: 'success' }),
    ]);
  });

  it('a push to the PR in a warm container: no token, three queries, the comment update and one check run', async () => {
    const requests = await during(() =>
      gh.admin.push({
        ...pets,
        branch: 'more',
        files: buildSourceFiles({ paths: ['/pets', '/pets/{petId}', '/owners', '/toys'] }),
      }),
    );
    report('a push to the PR in a warm container', requests);
    expect(requests.filter(isToken)).toEqual([]);
    expect(sourceCalls(requests, installationId)).toEqual([
      'graphql',
      'graphql',
      'graphql',
      'issues/update-comment',
      'checks/create',
    ]);
    expect(requests.filter((r) => !isDeployRepo(r)).filter(isContentGenerating)).toHaveLength(2);
    const head = (await gh.admin.resolve({ ...pets, ref: 'more' }))!;
    expect(gh.admin.checkRuns({ ...pets, sha: head })).toEqual([
      expect.objectContaining({ status: 'completed', conclusion: 'success' }),
    ]);
    expect(gh.admin.comments({ ...pets, number }).filter((c) => c.body.startsWith(marker))).toHaveLength(1);
  });

  it('a spec split over $ref files: one more query per level of files, with annotations on the referenced file', async () => {
    const files = buildSourceFiles();
    await gh.admin.push({
      ...pets,
      branch: 'split',
      files: {
        ...files,
        'openapi.yaml': [
          'openapi: 3.0.3',
          'info: {title: Pets, version: 1.0.0}',
          'paths:',
          '  /pets:',
          "    $ref: './paths/pets.yaml'",
          '',
        ].join('\n'),
        'paths/pets.yaml': [
          'get:',
          '  operationId: getpets',
          "  responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '../schemas/pet.yaml'}}}}}",
          '',
        ].join('\n'),
        'schemas/pet.yaml': 'type: object\nproperties: {name: {type: string}}\n',
      },
    });
    let opened: { number: number } | undefined;
    const requests = await during(async () => {
      opened = await gh.admin.openPullRequest({ ...pets, head: 'split', title: 'Split' });
    });
    report('a PR whose spec $refs two levels of files', requests);
    expect(sourceCalls(requests, installationId)).toEqual([
      'graphql',
      'graphql', // the spec
      'graphql', // paths/pets.yaml, found by its $ref
      'graphql', // schemas/pet.yaml, $ref'ed from there
      'graphql', // the stale-head guard and the sticky comment
      'issues/create-comment',
      'checks/create',
    ]);
    const head = (await gh.admin.resolve({ ...pets, ref: 'split' }))!;
    const [run] = gh.admin.checkRuns({ ...pets, sha: head });
    expect(run).toMatchObject({ status: 'completed' });
    // GET /pets/{petId} is gone: a breaking change, read through the split files like from one.
    expect(run).toMatchObject({ conclusion: 'failure' });
    expect(gh.admin.comments({ ...pets, number: opened!.number })[0]?.body).toContain('api-path-removed');
  });
});

/** Each call `owner/name operation`, in order (a token mint by its operation alone). */
const namedCalls = (requests: RecordedRequest[]) =>
  requests.map(nameCall).map((call) => (call.repo ? `${call.repo} ${call.operation}` : call.operation));
const deployMarker = '<!-- kuma-api-forge:deploy -->';
const deployHead = async () => (await gh.admin.log({ owner: 'platform', repo: 'deploy', ref: 'main' }))[0]!;

describe('GitHub calls per deploy (a push to the default branch)', () => {
  /** The PR the warm deploy merged: a later direct push's subject names it. */
  let mergedNumber = 0;
  it("a repo's first deploy, in a container that checked PRs: the two deploy tokens, then five calls", async () => {
    await gh.admin.push({
      ...pets,
      branch: 'deploy-one',
      files: buildSourceFiles({ paths: ['/pets', '/a'] }),
    });
    const pull = await gh.admin.openPullRequest({ ...pets, head: 'deploy-one', title: 'Deploy one' });
    await app.queue.idle();
    const requests = await during(() => gh.admin.mergePullRequest({ ...pets, number: pull.number }));
    report('first deploy of a container (after PR events)', requests);
    expect(namedCalls(requests)).toEqual([
      'apps/create-installation-access-token', // the deploy repo, writable
      'platform/deploy graphql DeploySnapshot',
      'apps/create-installation-access-token', // the source repo, with the deploy job's permissions
      'acme/pets graphql SourcePush', // the default branch's head, the PR merged as the commit, the config
      'acme/pets graphql SourceFiles', // the spec the config names (a first deploy has no record of it)
      'platform/deploy graphql DeployCommit',
      'acme/pets issues/create-comment',
    ]);
  });

  it('a warm deploy: four calls — ONE source query for the head, the merged PR, the config, the spec and the order', async () => {
    await gh.admin.push({
      ...pets,
      branch: 'deploy-two',
      files: buildSourceFiles({ paths: ['/pets', '/a', '/b'] }),
    });
    const pull = await gh.admin.openPullRequest({ ...pets, head: 'deploy-two', title: 'Deploy two' });
    await app.queue.idle();
    let merged: { sha: string } | undefined;
    const requests = await during(async () => {
      merged = await gh.admin.mergePullRequest({ ...pets, number: pull.number, method: 'squash' });
    });
    report('a deploy in a warm container', requests);
    mergedNumber = pull.number;
    expect(namedCalls(requests)).toEqual([
      'platform/deploy graphql DeploySnapshot', // its .source.yaml names the files and the commit last deployed
      // The default branch's head, the PR merged as the commit, the config and those files at the commit, and
      // how the head stands against the deployed commit (older: never the reverse) — no REST compare.
      'acme/pets graphql SourcePush',
      'platform/deploy graphql DeployCommit',
      'acme/pets issues/create-comment',
    ]);
    // What the user sees: the merge deployed with its PR, and the "deployed" comment on that PR.
    const head = await deployHead();
    expect(head.message).toContain(`Kuma-Api-Forge-Source: acme/pets@${merged!.sha}`);
    expect(head.message).toContain(`Pull request: acme/pets#${pull.number}\n`);
    const notes = gh.admin
      .comments({ ...pets, number: pull.number })
      .filter((c) => c.body.startsWith(deployMarker));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(`[\`${head.sha.slice(0, 7)}\`]`);
  });

  it('a warm direct push: three calls, no comment (no PR merged as that commit, whatever its subject says)', async () => {
    const requests = await during(() =>
      gh.admin.push({
        ...pets,
        branch: 'main',
        files: buildSourceFiles({ paths: ['/pets', '/a', '/b', '/c'] }),
        message: `Add /c (#${mergedNumber})`,
      }),
    );
    report('a direct push in a warm container', requests);
    expect(namedCalls(requests)).toEqual([
      'platform/deploy graphql DeploySnapshot',
      'acme/pets graphql SourcePush',
      'platform/deploy graphql DeployCommit',
    ]);
    expect((await deployHead()).message).not.toContain('Pull request:');
    const notes = gh.admin.comments({ ...pets, number: mergedNumber });
    expect(notes.filter((c) => c.body.startsWith(deployMarker))).toHaveLength(1);
  });
});
