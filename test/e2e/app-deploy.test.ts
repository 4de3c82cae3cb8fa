/**
 * Merge-to-deploy end to end: signed webhooks over real HTTP → Hono → in-memory queue → worker → real Octokit →
 * the local GitHub. The App is installed on the source repos' owner (`acme`) and, separately, on the deploy
 * repo's owner (`platform`). What a PR author sees (the mesh changes in the sticky comment, a failing check on
 * a tenancy violation) and what a merge writes to the deploy repo (one commit, provenance, prune, no-op), with
 * every request and answer validated against GitHub's OpenAPI description.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { callsTo, nameCall } from '../helpers/github-calls.js';
import { githubContract } from '../helpers/local-github.js';
import { type ApiOptions, buildSourceFiles } from '../unit/deploy/helpers.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const pets = { owner: 'acme', repo: 'pets' };
const shop = { owner: 'acme', repo: 'shop' };
const marker = '<!-- kuma-api-forge -->';
const deployMarker = '<!-- kuma-api-forge:deploy -->';
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

const tenants = {
  tenants: {
    'acme/pets': {
      gateways: ['edge'],
      hostnames: ['pets.example.com'],
      basePaths: ['/pets-api'],
      namespaces: ['pets'],
    },
    'acme/shop': {
      gateways: ['edge'],
      hostnames: ['shop.example.com'],
      basePaths: ['/shop-api'],
      namespaces: ['shop'],
    },
  },
};

beforeAll(async () => {
  harness = await startAppOnLocalGitHub({
    deploy: { ...deployRef, files: { 'tenants.yaml': stringify(tenants), 'README.md': '# deploy\n' } },
  });
  ({ gh, app } = harness);
  await gh.admin.createRepo({ ...pets, files: { 'README.md': '# pets\n' } });
  await gh.admin.createRepo({ ...shop, files: { 'README.md': '# shop\n' } });
});

afterAll(async () => {
  await harness?.stop();
});

/** Pushes `options`' source files to a new branch and opens a PR; resolves once the App is done with it. */
async function openPull(repo: typeof pets, branch: string, options: ApiOptions) {
  await gh.admin.push({ ...repo, branch, files: buildSourceFiles(options), message: branch });
  const calls = gh.requests.length;
  const opened = await gh.admin.openPullRequest({ ...repo, head: branch, title: branch });
  await app.queue.idle();
  return {
    ...opened,
    requests: gh.requests.slice(calls),
    calls: gh.requests.slice(calls).map((r) => `${r.operationId} ${r.path.split('?')[0]}`),
  };
}

async function merge(repo: typeof pets, number: number) {
  const merged = await gh.admin.mergePullRequest({ ...repo, number });
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
  return merged;
}

const stickyComment = (repo: typeof pets, number: number) =>
  gh.admin.comments({ ...repo, number }).filter((c) => c.body.startsWith(marker));
const meshSection = (body: string) => body.slice(body.indexOf('### Mesh changes'));
const deployLog = () => gh.admin.log({ ...deployRef, ref: 'main' });
const deployFiles = async (prefix: string) =>
  (await gh.admin.listFiles({ ...deployRef, ref: 'main' })).filter((p) => p.startsWith(prefix)).sort();
const readDeployed = (path: string, ref = 'main') => gh.admin.readFile({ ...deployRef, ref, path });

/** The resources the mesh-changes section lists: `change api/file` → the lines of its folded diff. */
function listedChanges(section: string): Map<string, string[]> {
  const listed = new Map<string, string[]>();
  const blocks = section.split('<details>').slice(1);
  for (const block of blocks) {
    const title = /<summary>\S+ (added|changed|removed) <code>[^<]*<\/code> \(<code>([^<]+)<\/code>\)/.exec(
      block,
    );
    const diff = /```diff\n([\s\S]*?)\n```/.exec(block);
    if (title && diff) listed.set(`${title[1]} ${title[2]}`, diff[1]!.split('\n'));
  }
  return listed;
}

/** The files a deploy commit added/changed/removed under `folder`, from its parent to itself. */
async function committedChanges(sha: string, parent: string, folder: string) {
  const [after, before] = await Promise.all([
    gh.admin.listFiles({ ...deployRef, ref: sha }),
    gh.admin.listFiles({ ...deployRef, ref: parent }),
  ]);
  const changes = new Map<string, { before?: string; after?: string }>();
  for (const path of new Set([...after, ...before])) {
    if (!path.startsWith(folder) || path.endsWith('/.source.yaml')) continue;
    const [a, b] = await Promise.all([readDeployed(path, parent), readDeployed(path, sha)]);
    if (a === b) continue;
    const kind = a === undefined ? 'added' : b === undefined ? 'removed' : 'changed';
    changes.set(`${kind} ${path.slice(folder.length)}`, {
      ...(a === undefined ? {} : { before: a }),
      ...(b === undefined ? {} : { after: b }),
    });
  }
  return changes;
}

let firstDeploy: string;

describe('merge to deploy, end to end', () => {
  it('shows the mesh changes in the PR, and the merge commits exactly them, with provenance', async () => {
    const pr = await openPull(pets, 'add-api', {});
    const [comment] = stickyComment(pets, pr.number);
    expect(comment).toBeDefined();
    const section = meshSection(comment!.body);
    expect(section).toContain('`apis/acme/pets/` in platform/deploy: **2 added, 0 changed, 0 removed**');
    expect(gh.admin.checkRuns({ ...pets, sha: pr.headSha }).at(-1)?.conclusion).toBe('success');
    // The deploy preview's calls: the first one in a container finds the deploy repo's installation and its
    // token; then ONE query reads the default branch, its files and the texts of tenants.yaml and the records.
    console.log(`GitHub calls for the pull_request event: ${pr.calls.length}\n  ${pr.calls.join('\n  ')}`);
    expect(pr.calls.filter((c) => c.includes('/platform/deploy') || c.startsWith('apps/'))).toEqual([
      expect.stringMatching(/^apps\/create-installation-access-token /),
      'apps/get-repo-installation /repos/platform/deploy/installation',
      expect.stringMatching(/^apps\/create-installation-access-token /),
    ]);
    expect(callsTo(pr.requests, 'platform/deploy')).toEqual([
      'apps/get-repo-installation',
      'graphql DeploySnapshot',
    ]);

    const before = (await deployLog()).length;
    const callsBefore = gh.requests.length;
    const merged = await merge(pets, pr.number);
    const deployCalls = gh.requests.slice(callsBefore).map(nameCall);
    console.log(
      `GitHub calls for the deploy (warm container): ${deployCalls.length}\n  ${deployCalls.map((c) => `${c.operation} ${c.repo ?? ''}`).join('\n  ')}`,
    );
    expect(callsTo(gh.requests.slice(callsBefore), 'platform/deploy')).toEqual([
      'graphql DeploySnapshot',
      'graphql DeployCommit',
    ]);
    const log = await deployLog();
    expect(log).toHaveLength(before + 1);
    const head = log[0]!;
    expect(head.message).toContain(
      `Deploy acme/pets@${merged.sha.slice(0, 7)} (#${pr.number}): 2 added, 0 changed, 0 removed`,
    );
    expect(head.message).toContain(`Pull request: acme/pets#${pr.number}`);
    expect(head.message).toMatch(/\n {2}openapi\.yaml sha256:[0-9a-f]{64}\n/);
    expect(head.message).toContain(`Kuma-Api-Forge-Source: acme/pets@${merged.sha}`);
    expect(await deployFiles('apis/')).toEqual([
      'apis/acme/pets/.source.yaml',
      'apis/acme/pets/pets/meshhttproute-pets.yaml',
      'apis/acme/pets/pets/meshtrafficpermission-pets-pets-from-gateway.yaml',
    ]);
    firstDeploy = (await gh.admin.resolve({ ...deployRef, ref: 'main' }))!;

    // The comment's section is what the merge committed: the same files, whole, line for line.
    const committed = await committedChanges(firstDeploy, log[1]!.sha, 'apis/acme/pets/');
    const listed = listedChanges(section);
    expect([...listed.keys()].sort()).toEqual([...committed.keys()].sort());
    for (const [key, { after }] of committed) {
      const plus = listed
        .get(key)!
        .filter((line) => line.startsWith('+'))
        .map((line) => line.slice(1));
      expect(plus).toEqual(after!.trimEnd().split('\n'));
    }
    const route = parse((await readDeployed('apis/acme/pets/pets/meshhttproute-pets.yaml'))!);
    expect(route).toMatchObject({ kind: 'MeshHTTPRoute', metadata: { namespace: 'kuma-system' } });

    const notes = gh.admin
      .comments({ ...pets, number: pr.number })
      .filter((c) => c.body.startsWith(deployMarker));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(
      `deployed to platform/deploy in commit [\`${firstDeploy.slice(0, 7)}\`]`,
    );
  });

  it('commits nothing for a push that renders the same manifests', async () => {
    const before = await deployLog();
    const pushed = await gh.admin.push({ ...pets, branch: 'main', files: { 'README.md': '# pets, v2\n' } });
    expect(pushed.deliveries.map((d) => [d.event, d.status])).toEqual([['push', 202]]);
    await app.queue.idle();
    expect(app.queue.deadLetters).toEqual([]);
    expect((await deployLog()).map((c) => c.sha)).toEqual(before.map((c) => c.sha));
  });

  it('shows and then prunes the files of an API removed from .kuma-api-forge.yaml', async () => {
    const two = await openPull(pets, 'second-api', { copies: 2 });
    // A later PR event: the one snapshot query (texts come with it).
    expect(callsTo(two.requests, 'platform/deploy')).toEqual(['graphql DeploySnapshot']);
    expect(meshSection(stickyComment(pets, two.number)[0]!.body)).toContain(
      '**2 added, 0 changed, 0 removed**',
    );
    await merge(pets, two.number);
    expect(await deployFiles('apis/acme/pets/pets-2/')).toHaveLength(2);

    const one = await openPull(pets, 'drop-second-api', { copies: 1 });
    const section = meshSection(stickyComment(pets, one.number)[0]!.body);
    expect(section).toContain('**0 added, 0 changed, 2 removed**');
    const listed = listedChanges(section);
    expect([...listed.keys()].sort()).toEqual([
      'removed pets-2/meshhttproute-pets-2.yaml',
      'removed pets-2/meshtrafficpermission-pets-2-pets-from-gateway.yaml',
    ]);
    const before = (await gh.admin.resolve({ ...deployRef, ref: 'main' }))!;
    await merge(pets, one.number);
    expect(await deployFiles('apis/acme/pets/')).toEqual([
      'apis/acme/pets/.source.yaml',
      'apis/acme/pets/pets/meshhttproute-pets.yaml',
      'apis/acme/pets/pets/meshtrafficpermission-pets-pets-from-gateway.yaml',
    ]);
    const head = (await gh.admin.resolve({ ...deployRef, ref: 'main' }))!;
    const committed = await committedChanges(head, before, 'apis/acme/pets/');
    expect([...committed.keys()].sort()).toEqual([...listed.keys()].sort());
    for (const [key, { before: removed }] of committed) {
      const minus = listed
        .get(key)!
        .filter((line) => line.startsWith('-'))
        .map((line) => line.slice(1));
      expect(minus).toEqual(removed!.trimEnd().split('\n'));
    }
  });

  it("fails the check of a PR claiming another tenant's hostname, on the config line, and deploys nothing", async () => {
    const pr = await openPull(shop, 'steal-host', {
      name: 'shop',
      hostnames: ['pets.example.com'],
      basePath: '/shop-api',
      namespace: 'shop',
    });
    const run = gh.admin.checkRuns({ ...shop, sha: pr.headSha }).at(-1)!;
    expect(run.conclusion).toBe('failure');
    expect(run.output.title).toMatch(/tenancy/);
    // `hostnames: [pets.example.com]` is line 5 of the generated .kuma-api-forge.yaml.
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        path: '.kuma-api-forge.yaml',
        start_line: 5,
        annotation_level: 'failure',
        title: 'tenancy-hostname',
      }),
    );
    const body = stickyComment(shop, pr.number)[0]!.body;
    expect(body).toContain('tenancy-hostname');
    expect(meshSection(body)).toContain(
      'Merging this would deploy nothing to `apis/acme/shop/` in platform/deploy',
    );

    const before = (await deployLog()).length;
    await merge(shop, pr.number);
    expect(await deployLog()).toHaveLength(before);
    const refused = gh.admin
      .comments({ ...shop, number: pr.number })
      .filter((c) => c.body.startsWith(deployMarker));
    expect(refused).toHaveLength(1);
    expect(refused[0]!.body).toContain('**Not deployed**');
  });
});

describe('every exchange with GitHub', () => {
  const validator = githubContract();

  it('sent request bodies and got answers that match GitHub’s OpenAPI description', () => {
    const made = gh.requests;
    expect(made.filter((r) => r.operationId === undefined).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    const problems = made.flatMap((r) => [
      ...(r.requestBody === undefined ? [] : validator.validateRequest(r.operationId!, r.requestBody)),
      ...validator.validateResponse(r.operationId!, r.status, r.responseBody),
    ]);
    expect(problems).toEqual([]);
    expect(made.filter((r) => r.status >= 500)).toEqual([]);
    // The installation covering the deploy repo was looked up once for the whole run.
    expect(made.filter((r) => r.operationId === 'apps/get-repo-installation')).toHaveLength(1);
  });
});
