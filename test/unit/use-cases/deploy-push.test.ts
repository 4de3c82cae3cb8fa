/**
 * The deploy's decisions, against in-memory fakes of the source repo and the deploy repo: which commit wins
 * (only what is on the default branch now, never an older commit over a newer one, the branch head after a
 * rewrite), which files are committed (render, prune, nothing for a no-op), what is refused (tenancy, on the
 * config lines) and the compare-and-swap loop. The adapters and the whole flow over HTTP are proven in
 * test/integration/deploy.test.ts and test/e2e/app-deploy*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseSourceRecord } from '../../../shared/core/deploy/source-record.js';
import {
  DeployConflictError,
  type DeployPushDeps,
  deployPush,
} from '../../../shared/use-cases/deploy-push.js';
import {
  createFakeDeployRepo,
  createFakeSourceRepo,
  deployJobFactory,
  type FakeDeployRepo,
  type FakeSourceRepo,
} from '../../helpers/factories.js';
import { type ApiOptions, buildSourceFiles, renderFiles } from '../deploy/helpers.js';

const deployMarker = '<!-- kuma-api-forge:deploy -->';

interface Tenant {
  repo: string;
  hostnames: string[];
  basePaths: string[];
  namespaces: string[];
}

const pets: Tenant = {
  repo: 'pets',
  hostnames: ['pets.example.com', '*.pets.example.com'],
  basePaths: ['/pets-api'],
  namespaces: ['pets'],
};

function createDeployRepo(tenants: Tenant[]): FakeDeployRepo {
  const grants = Object.fromEntries(
    tenants.map((t) => [
      `acme/${t.repo}`,
      { gateways: ['edge'], hostnames: t.hostnames, basePaths: t.basePaths, namespaces: t.namespaces },
    ]),
  );
  return createFakeDeployRepo({ 'tenants.yaml': stringify({ tenants: grants }), 'README.md': '# deploy\n' });
}

/** A PR on `source` that sets the source files for `options`, merged; returns the merge commit and PR number. */
function merge(source: FakeSourceRepo, options: ApiOptions, branch: string) {
  source.push(branch, buildSourceFiles(options));
  const number = source.openPull({ head: branch });
  return { sha: source.merge(number), number };
}

function deploy(
  source: FakeSourceRepo,
  deployRepo: FakeDeployRepo,
  sha: string,
  more: Partial<DeployPushDeps> = {},
) {
  return deployPush(deployJobFactory(source, sha), {
    source: source.codeHost,
    history: source.history,
    deployRepo,
    sleep: async () => {},
    ...more,
  });
}

const filesUnder = (deployRepo: FakeDeployRepo, prefix = 'apis/') =>
  Object.keys(deployRepo.files())
    .filter((path) => path.startsWith(prefix))
    .sort();
const deployComments = (source: FakeSourceRepo, number: number) =>
  source.comments(number).filter((c) => c.body.startsWith(deployMarker));

describe('which files a merge commits', () => {
  it("rejects a tenant claiming another tenant's hostname, with findings on the config lines", async () => {
    const shop: Tenant = {
      repo: 'shop',
      hostnames: ['shop.example.com'],
      basePaths: ['/shop'],
      namespaces: ['shop'],
    };
    const deployRepo = createDeployRepo([pets, shop]);
    const petsRepo = createFakeSourceRepo({ repo: 'pets' });
    const shopRepo = createFakeSourceRepo({ repo: 'shop' });
    const petsMerge = merge(petsRepo, {}, 'a');
    await deploy(petsRepo, deployRepo, petsMerge.sha);
    const commits = deployRepo.log().length;
    const shopMerge = merge(
      shopRepo,
      { name: 'shop', hostnames: ['pets.example.com'], basePath: '/pets-api', namespace: 'shop' },
      'b',
    );
    const outcome = await deploy(shopRepo, deployRepo, shopMerge.sha);
    expect(outcome.status).toBe('rejected');
    const findings = outcome.status === 'rejected' ? outcome.findings : [];
    // Config line 5 is the hostnames, 6 the base path; spec lines 5 and 9 the two operations.
    expect(findings.map((f) => `${f.file}:${f.line} ${f.id}`)).toEqual([
      '.kuma-api-forge.yaml:5 tenancy-hostname',
      '.kuma-api-forge.yaml:6 tenancy-base-path',
      '.kuma-api-forge.yaml:6 tenancy-base-path',
      'openapi.yaml:5 tenancy-route-collision',
      'openapi.yaml:9 tenancy-route-collision',
    ]);
    expect(findings.find((f) => f.id === 'tenancy-route-collision')?.message).toContain(
      'of acme/pets, already deployed',
    );
    expect(deployRepo.log()).toHaveLength(commits);
    expect(shopRepo.comments(shopMerge.number)[0]?.body).toContain('**Not deployed**');
  });

  it('writes nothing for a push to a repo without .kuma-api-forge.yaml, the deploy repo itself included', async () => {
    const deployRepo = createDeployRepo([pets]);
    const plain = createFakeSourceRepo({ repo: 'deploy' });
    expect(await deploy(plain, deployRepo, plain.head('main'))).toEqual({ status: 'no-config' });
    expect(deployRepo.commits).toEqual([]);
    expect(deployRepo.log()).toHaveLength(1);
    expect(filesUnder(deployRepo)).toEqual([]);
  });

  it('deleting the config of a deployed repo prunes its folder, as the PR preview showed', async () => {
    const deployRepo = createDeployRepo([pets]);
    const source = createFakeSourceRepo({ repo: 'pets' });
    const first = merge(source, {}, 'add-api');
    expect((await deploy(source, deployRepo, first.sha)).status).toBe('committed');
    expect(filesUnder(deployRepo, 'apis/acme/pets/')).not.toEqual([]);

    source.push('drop-config', { '.kuma-api-forge.yaml': null });
    const number = source.openPull({ head: 'drop-config' });
    const sha = source.merge(number);
    const outcome = await deploy(source, deployRepo, sha);
    expect(outcome.status).toBe('committed');
    // Every manifest pruned; the record stays, naming this commit, so an older one can never come back.
    expect(filesUnder(deployRepo, 'apis/acme/pets/')).toEqual(['apis/acme/pets/.source.yaml']);
    expect(deployRepo.files()['apis/acme/pets/.source.yaml']).toContain(sha);
    expect(source.comments(number)[0]?.body).toContain('removed');
  });
});

describe('the compare-and-swap loop', () => {
  it('re-reads, re-plans and commits after lost races, from the fresh head', async () => {
    const deployRepo = createDeployRepo([pets]);
    const source = createFakeSourceRepo({ repo: 'pets' });
    const merged = merge(source, {}, 'a');
    deployRepo.loseRaces(2);
    const outcome = await deploy(source, deployRepo, merged.sha);
    expect(outcome).toMatchObject({ status: 'committed', attempts: 3 });
    // The other writer's file survives: each attempt is planned on the snapshot it read.
    expect(deployRepo.files()['OTHER.md']).toBeDefined();
    expect(filesUnder(deployRepo)).toHaveLength(3);
  });

  it('gives up after maxAttempts lost races with a DeployConflictError (the queue retries), writing nothing', async () => {
    const deployRepo = createDeployRepo([pets]);
    const source = createFakeSourceRepo({ repo: 'pets' });
    const merged = merge(source, {}, 'a');
    deployRepo.loseRaces(3);
    const sleeps: number[] = [];
    await expect(
      deploy(source, deployRepo, merged.sha, {
        maxAttempts: 3,
        backoffMs: 100,
        random: () => 0.5,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      }),
    ).rejects.toBeInstanceOf(DeployConflictError);
    expect(filesUnder(deployRepo)).toEqual([]);
    expect(deployComments(source, merged.number)).toEqual([]);
    // Full jitter over a doubling backoff, and no wait after the last attempt.
    expect(sleeps).toEqual([50, 100]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Which commit wins (moved from test/e2e/app-deploy-history.test.ts: the decisions, without HTTP)

/** Each repo its own API name, hostname, base path and namespace, so the cases never collide on tenancy. */
const optionsFor = (repo: string, paths: string[]) => ({
  name: repo,
  hostnames: [`${repo}.example.com`],
  basePath: `/${repo}`,
  namespace: repo,
  paths,
});
const filesFor = (repo: string, paths: string[]) => buildSourceFiles(optionsFor(repo, paths));

function historyCase(repo: string) {
  const deployRepo = createDeployRepo([
    { repo, hostnames: [`${repo}.example.com`], basePaths: [`/${repo}`], namespaces: [repo] },
  ]);
  const source = createFakeSourceRepo({ repo });
  const initial = source.head('main');
  /** A PR from `branch` setting the API's paths, merged; its push is not deployed yet. */
  const mergeHeld = (branch: string, paths: string[]) => {
    source.push(branch, filesFor(repo, paths));
    const number = source.openPull({ head: branch });
    return { sha: source.merge(number), number };
  };
  /** The deploy repo holds exactly the render of `paths` for `repo`, recorded as made from `sha`. */
  const expectDeployed = async (paths: string[], sha: string) => {
    const folder = `apis/acme/${repo}/`;
    const rendered = await renderFiles(optionsFor(repo, paths), { owner: 'acme', repo });
    const expected = new Map(
      rendered.apis.flatMap((api) => api.files.map((f) => [`${folder}${api.name}/${f.path}`, f.content])),
    );
    const files = deployRepo.files();
    const deployed = Object.keys(files).filter(
      (path) => path.startsWith(folder) && !path.endsWith('/.source.yaml'),
    );
    expect(deployed.sort()).toEqual([...expected.keys()].sort());
    for (const [path, content] of expected) expect(files[path]).toBe(content);
    const record = parseSourceRecord(files[`${folder}.source.yaml`] ?? '');
    expect(record?.commit).toBe(sha);
    return record!;
  };
  return {
    source,
    deployRepo,
    initial,
    mergeHeld,
    expectDeployed,
    deploy: (sha: string) => deploy(source, deployRepo, sha),
  };
}

describe('a commit no longer on the default branch is never deployed', () => {
  it('force-push A → B, then A’s push event arrives late: no write, the deploy repo keeps B', async () => {
    const { source, deployRepo, initial, mergeHeld, expectDeployed, deploy } = historyCase('rewritten');
    const a = mergeHeld('feature-a', ['/a']);
    // main is rewritten: A is gone, B (another API shape) is the head. B's push is deployed at once.
    const b = source.forcePush(
      'main',
      initial,
      filesFor('rewritten', ['/b', '/b/{petId}']),
      'Rewrite main as B',
    );
    await deploy(b);
    await expectDeployed(['/b', '/b/{petId}'], b);
    const commits = deployRepo.log().length;

    expect(await deploy(a.sha)).toMatchObject({ status: 'not-on-branch', branch: 'main', head: b });
    expect(deployRepo.log()).toHaveLength(commits);
    await expectDeployed(['/b', '/b/{petId}'], b);
    expect(deployComments(source, a.number)).toEqual([]);
  });

  it('A’s event late and nothing deployed yet: no write at all, then B’s event deploys B', async () => {
    const { source, deployRepo, initial, mergeHeld, expectDeployed, deploy } = historyCase('forged');
    const a = mergeHeld('feature-a', ['/a']);
    const b = source.forcePush('main', initial, filesFor('forged', ['/b']));
    const commits = deployRepo.log().length;
    expect((await deploy(a.sha)).status).toBe('not-on-branch');
    expect(deployRepo.log()).toHaveLength(commits);
    expect(Object.keys(deployRepo.files())).not.toContain('apis/acme/forged/.source.yaml');
    // A commit of a branch that never was the default branch, sent as a push to it (a forged or confused event).
    const side = source.push('side', filesFor('forged', ['/side']), { from: initial });
    expect((await deploy(side)).status).toBe('not-on-branch');
    expect(deployRepo.log()).toHaveLength(commits);

    await deploy(b);
    await expectDeployed(['/b'], b);
    expect(deployRepo.log()).toHaveLength(commits + 1);
  });

  it('a redelivered older push event never overwrites the newer deploy', async () => {
    const { source, deployRepo, mergeHeld, expectDeployed, deploy } = historyCase('redelivered');
    const first = mergeHeld('first', ['/one']);
    await deploy(first.sha);
    await expectDeployed(['/one'], first.sha);
    const second = mergeHeld('second', ['/one', '/two']);
    await deploy(second.sha);
    await expectDeployed(['/one', '/two'], second.sha);
    const commits = deployRepo.log().length;

    // GitHub's "Redeliver" of the first push, twice.
    expect(await deploy(first.sha)).toEqual({ status: 'superseded', deployed: second.sha });
    expect(await deploy(first.sha)).toEqual({ status: 'superseded', deployed: second.sha });
    expect(deployRepo.log()).toHaveLength(commits);
    await expectDeployed(['/one', '/two'], second.sha);
    expect(deployComments(source, first.number)).toHaveLength(1);
  });

  it('the deployed commit was force-pushed away: the next event deploys the branch’s current head', async () => {
    const { source, deployRepo, initial, mergeHeld, expectDeployed, deploy } = historyCase('converged');
    const a = mergeHeld('feature-a', ['/a']);
    await deploy(a.sha);
    await expectDeployed(['/a'], a.sha);

    // main rewritten to C, then D on top of it; C's event arrives, D's is held back (late).
    const c = source.forcePush('main', initial, filesFor('converged', ['/c']));
    const d = source.push('main', filesFor('converged', ['/c', '/d']), { message: 'D' });
    const commits = deployRepo.log().length;
    await deploy(c);
    // Not C: the head D, so the deploy repo holds what the branch holds now.
    await expectDeployed(['/c', '/d'], d);
    expect(deployRepo.log()).toHaveLength(commits + 1);
    expect(deployRepo.log()[0]).toContain(`Kuma-Api-Forge-Source: acme/converged@${d}`);

    // D's own event, late: already deployed.
    expect(await deploy(d)).toEqual({ status: 'superseded', deployed: d });
    expect(deployRepo.log()).toHaveLength(commits + 1);
    await expectDeployed(['/c', '/d'], d);
  });

  it('the deployed commit no longer exists (rewritten and collected): the branch’s head is deployed', async () => {
    const { source, mergeHeld, expectDeployed, deploy } = historyCase('collected');
    const a = mergeHeld('feature-a', ['/a']);
    await deploy(a.sha);
    await expectDeployed(['/a'], a.sha);
    // The history no longer knows A (compare answers `unknown`).
    source.forget(a.sha);
    const b = source.push('main', filesFor('collected', ['/b']));
    const c = source.push('main', filesFor('collected', ['/b', '/c']));
    await deploy(b);
    await expectDeployed(['/b', '/c'], c);
  });
});
