/**
 * Batched deploys, end to end: the deploy jobs waiting in the deploy repo's queue group are handed to the
 * worker together (as SQS hands over a FIFO group's backlog) and land as ONE commit carrying every repo's
 * newest render, with each repo's provenance in the message and in its `.source.yaml`. Attacks: two commits of
 * one repo in a batch (the older delivered last), a repo whose render is rejected, a conflict mid-batch, a
 * commit force-pushed away.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import type { DeployJob } from '../../shared/core/jobs.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { callsTo } from '../helpers/github-calls.js';
import { type ApiOptions, buildSourceFiles } from '../unit/deploy/helpers.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const names = ['a', 'b', 'c'];
const deployMarker = '<!-- kuma-api-forge:deploy -->';
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

const grant = (name: string) => ({
  gateways: ['edge'],
  hostnames: [`${name}.example.com`],
  basePaths: [`/${name}`],
  namespaces: [name],
});
const apiOf = (name: string, extra: ApiOptions = {}): ApiOptions => ({
  name,
  hostnames: [`${name}.example.com`],
  basePath: `/${name}`,
  namespace: name,
  ...extra,
});

beforeEach(async () => {
  const tenants = { tenants: Object.fromEntries(names.map((name) => [`acme/${name}`, grant(name)])) };
  harness = await startAppOnLocalGitHub({
    deploy: { ...deployRef, files: { 'tenants.yaml': stringify(tenants) } },
  });
  ({ gh, app } = harness);
  for (const name of names)
    await gh.admin.createRepo({ owner: 'acme', repo: name, files: { 'README.md': `# ${name}\n` } });
}, 60_000);

afterEach(async () => {
  await harness?.stop();
});

let merges = 0;
/** A merged PR whose push event is held back: the deploy job it would enqueue, and the PR. */
async function merge(repo: string, options: ApiOptions) {
  const branch = `m${++merges}`;
  const ref = { owner: 'acme', repo };
  await gh.admin.push({ ...ref, branch, from: 'main', files: buildSourceFiles(options), deliver: false });
  const pr = await gh.admin.openPullRequest({ ...ref, head: branch, deliver: false });
  const merged = await gh.admin.mergePullRequest({ ...ref, number: pr.number, deliver: false });
  const push = merged.events.find((event) => event.name === 'push')!;
  const job: DeployJob = {
    type: 'deploy',
    deliveryId: `batch-${merges}`,
    event: 'push',
    installationId: (push.payload as { installation: { id: number } }).installation.id,
    repository: ref,
    sha: merged.sha,
  };
  return { job, number: pr.number, sha: merged.sha };
}

/** Enqueues the jobs in one turn, so they wait in the deploy group together, and waits for the worker. */
async function deployTogether(jobs: DeployJob[]) {
  await Promise.all(jobs.map((job) => app.queue.enqueue(job)));
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
}

const deployLog = () => gh.admin.log({ ...deployRef, ref: 'main' });
const record = async (repo: string) =>
  parse(
    (await gh.admin.readFile({ ...deployRef, ref: 'main', path: `apis/acme/${repo}/.source.yaml` })) ??
      'null',
  );
const deployComments = (repo: string, number: number) =>
  gh.admin.comments({ owner: 'acme', repo, number }).filter((c) => c.body.startsWith(deployMarker));

describe('batched deploys', { timeout: 180_000 }, () => {
  it('lands the waiting merges of three repos as one commit with per-repo provenance', async () => {
    const merged = [];
    for (const name of names) merged.push(await merge(name, apiOf(name)));
    const before = (await deployLog()).length;
    const firstCall = gh.requests.length;
    await deployTogether(merged.map((m) => m.job));

    const log = await deployLog();
    expect(log).toHaveLength(before + 1);
    const message = log[0]!.message;
    expect(message.split('\n')[0]).toBe(
      `Deploy 3 repos: ${merged.map((m, i) => `acme/${names[i]}@${m.sha.slice(0, 7)}`).join(', ')}`,
    );
    for (const [index, name] of names.entries()) {
      const { sha, number } = merged[index]!;
      expect(message).toContain(`Kuma-Api-Forge-Source: acme/${name}@${sha}`);
      expect(message).toContain(`Pull request: acme/${name}#${number}`);
      expect(await record(name)).toMatchObject({ repo: `acme/${name}`, commit: sha, pullRequest: number });
      const files = await gh.admin.listFiles({ ...deployRef, ref: 'main' });
      expect(files.filter((path) => path.startsWith(`apis/acme/${name}/${name}/`))).toHaveLength(2);
      // Each merged PR is told, with a link to the one commit.
      const comments = deployComments(name, number);
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).toContain(log[0]!.sha.slice(0, 7));
    }
    // One snapshot and one commit for the three of them (after finding the deploy repo's installation).
    expect(callsTo(gh.requests.slice(firstCall), 'platform/deploy')).toEqual([
      'apps/get-repo-installation',
      'graphql DeploySnapshot',
      'graphql DeployCommit',
    ]);
  });

  it('deploys the newest of two commits of one repo in a batch, even when the older is delivered last', async () => {
    const older = await merge('a', apiOf('a'));
    const newer = await merge('a', apiOf('a', { paths: ['/a', '/a/{id}', '/a/{id}/more'] }));
    const other = await merge('b', apiOf('b'));
    const before = (await deployLog()).length;
    await deployTogether([newer.job, other.job, older.job]);
    const log = await deployLog();
    expect(log).toHaveLength(before + 1);
    expect(log[0]!.message).toContain(`Kuma-Api-Forge-Source: acme/a@${newer.sha}`);
    expect(log[0]!.message).not.toContain(older.sha);
    expect(await record('a')).toMatchObject({ commit: newer.sha });
    const route = await gh.admin.readFile({
      ...deployRef,
      ref: 'main',
      path: 'apis/acme/a/a/meshhttproute-a.yaml',
    });
    expect(route).toContain('more');
    // Delivered again on its own later, the older commit changes nothing.
    await deployTogether([{ ...older.job, deliveryId: 'late-older' }]);
    expect(await deployLog()).toHaveLength(before + 1);
    expect(await record('a')).toMatchObject({ commit: newer.sha });
  });

  it('reports a rejected render on its PR and still deploys the others', async () => {
    const good = await merge('a', apiOf('a'));
    // c claims a's hostname: a tenancy error, so c deploys nothing.
    const thief = await merge('c', apiOf('c', { hostnames: ['a.example.com'] }));
    const alsoGood = await merge('b', apiOf('b'));
    const before = (await deployLog()).length;
    await deployTogether([thief.job, good.job, alsoGood.job]);
    const log = await deployLog();
    expect(log).toHaveLength(before + 1);
    expect(log[0]!.message).toContain(`Kuma-Api-Forge-Source: acme/a@${good.sha}`);
    expect(log[0]!.message).toContain(`Kuma-Api-Forge-Source: acme/b@${alsoGood.sha}`);
    expect(log[0]!.message).not.toContain('acme/c@');
    expect(await record('c')).toBeNull();
    const refused = deployComments('c', thief.number);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.body).toContain('**Not deployed**');
    expect(refused[0]!.body).toContain(
      '`.kuma-api-forge.yaml:5` API &quot;c&quot; claims hostname &quot;a.example.com&quot;',
    );
    expect(deployComments('a', good.number)).toHaveLength(1);
  });

  it('retries the whole batch from a fresh snapshot when the deploy branch moved, and commits it once', async () => {
    const merged = [await merge('a', apiOf('a')), await merge('b', apiOf('b'))];
    const before = (await deployLog()).length;
    gh.admin.setFaults({ rules: [{ kind: 'not-fast-forward', times: 2 }] });
    const firstCall = gh.requests.length;
    await deployTogether(merged.map((m) => m.job));
    expect(gh.admin.faultsInjected()['not-fast-forward']).toBe(2);
    expect(await deployLog()).toHaveLength(before + 1);
    const calls = callsTo(gh.requests.slice(firstCall), 'platform/deploy');
    expect(calls.filter((call) => call === 'graphql DeployCommit')).toHaveLength(3);
    for (const [index, name] of ['a', 'b'].entries())
      expect(await record(name)).toMatchObject({ commit: merged[index]!.sha });
  });

  it('skips a commit force-pushed away inside a batch and deploys the rest', async () => {
    const gone = await merge('a', apiOf('a'));
    const base = (await gh.admin.commit({ owner: 'acme', repo: 'a', ref: 'main' })).parents[0]!;
    await gh.admin.forcePush({
      owner: 'acme',
      repo: 'a',
      branch: 'main',
      from: base,
      files: { 'NOTES.md': 'rewritten\n' },
      deliver: false,
    });
    const other = await merge('b', apiOf('b'));
    const before = (await deployLog()).length;
    await deployTogether([gone.job, other.job]);
    const log = await deployLog();
    expect(log).toHaveLength(before + 1);
    expect(log[0]!.message).not.toContain('acme/a@');
    expect(log[0]!.message).toContain(`Kuma-Api-Forge-Source: acme/b@${other.sha}`);
    expect(await record('a')).toBeNull();
  });
});
