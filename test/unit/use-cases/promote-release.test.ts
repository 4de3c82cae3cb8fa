/**
 * The promotion use case against in-memory fakes: it never skips an environment and never deploys another commit
 * than the tagged one (not the branch head in its place, which a plain deploy converges to after a rewrite).
 * The whole flow over HTTP, with its attacks, is test/e2e/app-promotion.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Environment } from '../../../shared/core/deploy/environments.js';
import { parseSourceRecord } from '../../../shared/core/deploy/source-record.js';
import type { PromoteJob } from '../../../shared/core/jobs.js';
import { deployPush } from '../../../shared/use-cases/deploy-push.js';
import { promoteRelease } from '../../../shared/use-cases/promote-release.js';
import {
  createFakeDeployRepo,
  createFakeSourceRepo,
  deployJobFactory,
  type FakeDeployRepo,
  type FakeSourceRepo,
} from '../../helpers/factories.js';
import { buildSourceFiles } from '../deploy/helpers.js';

const grant = {
  gateways: ['edge'],
  hostnames: ['pets.example.com'],
  basePaths: ['/pets'],
  namespaces: ['pets'],
};
const files = (paths: string[]) =>
  buildSourceFiles({
    name: 'pets',
    hostnames: ['pets.example.com'],
    basePath: '/pets',
    namespace: 'pets',
    paths,
  });
const deployRepoOf = (name: string) =>
  createFakeDeployRepo(
    { 'tenants.yaml': stringify({ tenants: { 'acme/pets': grant } }) },
    `platform/deploy@${name}`,
  );

function setup(rules: (string | undefined)[]) {
  const source = createFakeSourceRepo({ repo: 'pets' });
  const names = ['dev', 'qa', 'production'].slice(0, rules.length);
  const repos = new Map(names.map((name) => [name, deployRepoOf(name)]));
  const environments: Environment[] = names.map((name, index) => ({
    name,
    repo: { owner: 'platform', repo: 'deploy' },
    branch: name,
    ...(rules[index] ? { promote: { tag: rules[index]! } } : {}),
  }));
  const tags = new Map<string, string>();
  const promote = (tag: string, sha: string) => {
    tags.set(tag, sha);
    const job: PromoteJob = { ...deployJobFactory(source, sha), type: 'promote', tag };
    return promoteRelease(job, {
      source: source.codeHost,
      history: source.history,
      tags: { commitOfTag: async (name) => tags.get(name) },
      environments: environments.map((environment) => ({
        environment,
        repo: async () => repos.get(environment.name)!,
      })),
      sleep: async () => {},
    });
  };
  const deployTo = (repo: FakeDeployRepo, sha: string) =>
    deployPush(deployJobFactory(source, sha), {
      source: source.codeHost,
      history: source.history,
      deployRepo: repo,
      sleep: async () => {},
    });
  return { source, repos, promote, deployTo };
}

const runs = (repo: FakeDeployRepo) =>
  parseSourceRecord(repo.files()['apis/acme/pets/.source.yaml'] ?? '')?.commit;

function mergeInto(source: FakeSourceRepo, branch: string, paths: string[]) {
  source.push(branch, files(paths));
  return source.merge(source.openPull({ head: branch }));
}

describe('promoteRelease', () => {
  it('deploys the tagged commit, not the branch head, over a target whose commit was rewritten away', async () => {
    const { source, repos, promote, deployTo } = setup([undefined, 'v*']);
    const [dev, qa] = [repos.get('dev')!, repos.get('qa')!];
    const initial = source.head('main');
    const a = mergeInto(source, 'a', ['/a']);
    await deployTo(dev, a);
    expect(await promote('v1', a)).toEqual([
      { environment: 'qa', status: 'deployed', deploy: expect.objectContaining({ status: 'committed' }) },
    ]);
    expect(runs(qa)).toBe(a);

    // main rewritten to C (deployed to dev), then D on top (not deployed anywhere yet).
    const c = source.forcePush('main', initial, files(['/c']));
    await deployTo(dev, c);
    const d = source.push('main', files(['/c', '/d']), { message: 'D' });
    expect(runs(dev)).toBe(c);
    expect(await promote('v2', c)).toEqual([
      { environment: 'qa', status: 'deployed', deploy: expect.objectContaining({ status: 'committed' }) },
    ]);
    // C, which ran in dev; a plain deploy of C over A would have converged to the head D, which never ran there.
    expect(runs(qa)).toBe(c);
    expect(runs(qa)).not.toBe(d);
  });

  it('never skips an environment: a tag for production on a commit qa does not run is refused, dev or not', async () => {
    const { source, repos, promote, deployTo } = setup([undefined, '*-rc*', 'v*']);
    const a = mergeInto(source, 'a', ['/a']);
    await deployTo(repos.get('dev')!, a);
    expect(await promote('v1.0.0', a)).toEqual([
      { environment: 'production', status: 'refused', reason: 'not-in-previous' },
    ]);
    expect(runs(repos.get('production')!)).toBeUndefined();
    // Through qa first (its rule), then production.
    expect((await promote('v1.0.0-rc1', a)).map((o) => [o.environment, o.status])).toEqual([
      ['qa', 'deployed'],
      ['production', 'deployed'],
    ]);
    expect(runs(repos.get('qa')!)).toBe(a);
    expect(runs(repos.get('production')!)).toBe(a);
    expect(source.comments(1).at(-1)?.body).toContain('deployed to production (platform/deploy@production)');
  });

  it('a tag matching no rule reads nothing and promotes nothing', async () => {
    const { source, repos, promote } = setup([undefined, 'v*']);
    const a = mergeInto(source, 'a', ['/a']);
    const before = repos.get('qa')!.calls;
    expect(await promote('nightly', a)).toEqual([]);
    expect(repos.get('qa')!.calls).toBe(before);
  });
});
