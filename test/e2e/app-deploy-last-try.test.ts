/**
 * The queue's last try of a deploy, end to end on the local server: the in-memory queue tells each try its
 * receive count as SQS does, so a deploy GitHub keeps failing (a retryable 502) says so on the merged PR once,
 * on its last try, before it goes to the dead letters — as in production, where the worker is wired the same
 * way (`createWorkerDeps`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createJsonLogger } from '../../shared/adapters/json-logger.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const pets = { owner: 'acme', repo: 'pets' };
const deployMarker = '<!-- kuma-api-forge:deploy -->';
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

let harness: AppOnLocalGitHub | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/**
 * The App with a deploy repo; a PR adding the pets API is opened (its webhook held: no check runs), then its
 * merge deploys while GitHub answers 502 to the deploy repo's first `failures` commit creations (each try of
 * the job: 1 + 3 Octokit retries); the source repo's reads, the merged PR's lookup among them, still answer.
 */
async function mergeWhileFailing(failures: number, maxReceiveCount?: number) {
  const lines: { message: string; receiveCount?: number }[] = [];
  harness = await startAppOnLocalGitHub({
    deploy: { ...deployRef, files: { 'tenants.yaml': stringify(tenants) } },
    log: createJsonLogger('info', (line) => lines.push(JSON.parse(line))),
    ...(maxReceiveCount ? { maxReceiveCount } : {}),
  });
  const { gh, app } = harness;
  await gh.admin.createRepo({ ...pets, files: { 'README.md': '# pets\n' } });
  await gh.admin.push({ ...pets, branch: 'add-api', files: buildSourceFiles({}), message: 'add-api' });
  const pr = await gh.admin.openPullRequest({ ...pets, head: 'add-api', title: 'add-api', deliver: false });
  const deployHead = await gh.admin.resolve({ ...deployRef, ref: 'main' });
  gh.admin.setFaults({
    rules: [{ kind: 'server-error', operations: ['graphql:DeployCommit'], status: 502, times: failures }],
  });
  await gh.admin.mergePullRequest({ ...pets, number: pr.number });
  await app.queue.idle();
  return {
    comments: gh.admin
      .comments({ ...pets, number: pr.number })
      .filter((c) => c.body.startsWith(deployMarker)),
    deadLetters: app.queue.deadLetters,
    tries: lines.filter((l) => /^job (failed; retrying|given up)$/.test(l.message)).length,
    lastTry: lines.filter((l) => l.message === 'deploy failed on its last try: to the dead-letter queue'),
    deployed: (await gh.admin.resolve({ ...deployRef, ref: 'main' })) !== deployHead,
  };
}

describe("a deploy on the local queue's last try", () => {
  it('GitHub keeps failing: one "Not deployed" comment on the merged PR, on the third try, then a dead letter', async () => {
    const outcome = await mergeWhileFailing(1000);
    expect(outcome.deployed).toBe(false);
    expect(outcome.tries).toBe(3);
    expect(outcome.deadLetters.map((d) => d.attempt)).toEqual([3]);
    expect(outcome.lastTry).toHaveLength(1);
    expect(outcome.comments).toHaveLength(1);
    expect(outcome.comments[0]!.body).toContain('⛔ **Not deployed** to platform/deploy');
  });

  it('honours MAX_RECEIVE_COUNT: with 2, the comment comes on the second try', async () => {
    const outcome = await mergeWhileFailing(1000, 2);
    expect(outcome.tries).toBe(2);
    expect(outcome.deadLetters.map((d) => d.attempt)).toEqual([2]);
    expect(outcome.comments).toHaveLength(1);
    expect(outcome.comments[0]!.body).toContain('⛔ **Not deployed**');
  });

  it('GitHub recovers before the last try: deployed, and no failure comment', async () => {
    // The first try's 1 + 3 requests fail; the second try commits.
    const outcome = await mergeWhileFailing(4);
    expect(outcome.tries).toBe(1);
    expect(outcome.deadLetters).toEqual([]);
    expect(outcome.lastTry).toEqual([]);
    expect(outcome.deployed).toBe(true);
    expect(outcome.comments.map((c) => c.body)).not.toContainEqual(expect.stringContaining('Not deployed'));
  });
});
