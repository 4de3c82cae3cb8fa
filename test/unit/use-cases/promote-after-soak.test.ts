/**
 * The time promotion's sweep use case against in-memory fakes: which facts it reads per folder (statuses only
 * when they can change the outcome), a required status on the branch head, and one folder's failure not
 * holding the others back. The whole flow over HTTP, with its attacks, is test/e2e/app-promotion-time.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Environment } from '../../../shared/core/deploy/environments.js';
import { parseSourceRecord } from '../../../shared/core/deploy/source-record.js';
import type { CommitSignal, DeployCommitFacts } from '../../../shared/core/deploy/time-promotion.js';
import { UpstreamError } from '../../../shared/core/errors.js';
import type { DeployHistory } from '../../../shared/ports/deploy-history.js';
import { deployPush } from '../../../shared/use-cases/deploy-push.js';
import { promoteAfterSoak } from '../../../shared/use-cases/promote-after-soak.js';
import { createFakeDeployRepo, createFakeSourceRepo, deployJobFactory } from '../../helpers/factories.js';
import { buildSourceFiles } from '../deploy/helpers.js';

const hour = 3_600_000;
const bot = 'kuma-api-forge[bot]';
const names = ['pets', 'toys'] as const;
const grantOf = (name: string) => ({
  gateways: ['edge'],
  hostnames: [`${name}.example.com`],
  basePaths: [`/${name}`],
  namespaces: [name],
});
const tenants = stringify({ tenants: Object.fromEntries(names.map((n) => [`acme/${n}`, grantOf(n)])) });
const filesOf = (name: string, paths: string[]) =>
  buildSourceFiles({
    name,
    hostnames: [`${name}.example.com`],
    basePath: `/${name}`,
    namespace: name,
    paths,
  });

async function setup(rule: { after: string; afterMs: number; status?: string }) {
  const staging = createFakeDeployRepo({ 'tenants.yaml': tenants }, 'platform/deploy@staging');
  const production = createFakeDeployRepo({ 'tenants.yaml': tenants }, 'platform/deploy@main');
  const sources = Object.fromEntries(names.map((repo) => [repo, createFakeSourceRepo({ repo })]));
  const merged: Record<string, string> = {};
  for (const name of names) {
    const source = sources[name]!;
    source.push('change', filesOf(name, ['/a']));
    merged[name] = source.merge(source.openPull({ head: 'change' }));
    await deployPush(deployJobFactory(source, merged[name]!), {
      source: source.codeHost,
      history: source.history,
      deployRepo: staging,
      sleep: async () => {},
    });
  }
  const environments: Environment[] = [
    { name: 'staging', repo: { owner: 'platform', repo: 'deploy' }, branch: 'staging' },
    { name: 'production', repo: { owner: 'platform', repo: 'deploy' }, branch: 'main', promote: rule },
  ];
  const deployedAt = Date.UTC(2026, 0, 1);
  const signalsRead: string[] = [];
  const signals = new Map<string, CommitSignal[]>();
  const failing = new Map<string, unknown>();
  // Each folder's record was last written by an App commit of its own; the head is the last of them.
  const history: DeployHistory = {
    async lastChange(_head, path): Promise<DeployCommitFacts> {
      const failure = failing.get(path);
      if (failure) throw failure;
      return {
        sha: `${path.length}`.padStart(40, 'd'),
        committedAt: deployedAt,
        signedByGitHub: true,
        author: bot,
      };
    },
    async signals(sha) {
      signalsRead.push(sha);
      return signals.get(sha) ?? [];
    },
  };
  const sweep = (now: number) =>
    promoteAfterSoak(
      { index: 1, now, deliveryId: 'sweep', event: 'schedule' },
      {
        environments: environments.map((environment) => ({
          environment,
          repo: async () => (environment.name === 'staging' ? staging : production),
        })),
        previousHistory: history,
        appLogin: bot,
        async sourceOf(repository, sha) {
          const source = sources[repository.repo]!;
          return {
            request: { ...deployJobFactory(source, sha), installationId: 1 },
            source: source.codeHost,
            history: source.history,
          };
        },
        sleep: async () => {},
      },
    );
  const runs = (name: string) =>
    parseSourceRecord(production.files()[`apis/acme/${name}/.source.yaml`] ?? '')?.commit;
  const head = (await staging.readSnapshot()).headSha;
  return { sweep, runs, merged, deployedAt, signals, signalsRead, failing, head, history };
}

describe('promoteAfterSoak', () => {
  it('reads no status while the soak is not over; promotes every folder past it', async () => {
    const { sweep, runs, merged, deployedAt, signalsRead } = await setup({
      after: '24h',
      afterMs: 24 * hour,
    });
    const waiting = await sweep(deployedAt + 23 * hour);
    expect(waiting.map((o) => [o.repo, o.status])).toEqual([
      ['acme/pets', 'waiting'],
      ['acme/toys', 'waiting'],
    ]);
    expect(signalsRead).toEqual([]);
    const done = await sweep(deployedAt + 24 * hour);
    expect(done.map((o) => [o.repo, o.status])).toEqual([
      ['acme/pets', 'deployed'],
      ['acme/toys', 'deployed'],
    ]);
    expect([runs('pets'), runs('toys')]).toEqual([merged.pets, merged.toys]);
    // Already there: decided from the records alone.
    signalsRead.length = 0;
    expect((await sweep(deployedAt + 48 * hour)).map((o) => o.status)).toEqual(['refused', 'refused']);
    expect(signalsRead).toEqual([]);
  });

  it('a required status counts on the deploy commit or on the branch head, whichever is newer', async () => {
    const rule = { after: '24h', afterMs: 24 * hour, status: 'kustomization/apps' };
    const { sweep, runs, merged, deployedAt, signals, head } = await setup(rule);
    expect((await sweep(deployedAt + 25 * hour)).map((o) => o.status)).toEqual(['waiting', 'waiting']);
    expect(runs('pets')).toBeUndefined();
    // The cluster agent synced the head (a later commit that still runs both records): success there.
    signals.set(head, [{ name: 'kustomization/apps', state: 'success' }]);
    expect((await sweep(deployedAt + 25 * hour)).map((o) => o.status)).toEqual(['deployed', 'deployed']);
    expect(runs('pets')).toBe(merged.pets);
  });

  it('one folder that cannot be read does not hold the others back; a retryable failure is rethrown after them', async () => {
    const { sweep, runs, merged, deployedAt, failing } = await setup({ after: '24h', afterMs: 24 * hour });
    failing.set(
      'apis/acme/pets/.source.yaml',
      new UpstreamError('GitHub answered 502', { service: 'GitHub', status: 502, retryable: true }),
    );
    await expect(sweep(deployedAt + 25 * hour)).rejects.toThrow('GitHub answered 502');
    expect([runs('pets'), runs('toys')]).toEqual([undefined, merged.toys]);
    failing.clear();
    expect((await sweep(deployedAt + 25 * hour)).map((o) => [o.repo, o.status])).toEqual([
      ['acme/pets', 'deployed'],
      ['acme/toys', 'refused'],
    ]);
  });
});
