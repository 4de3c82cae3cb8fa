/**
 * Drift in pull-request deploy mode: the App proposes each deploy as a PR on a branch of the deploy repo, and a
 * person merges it into the deploy branch. Merging the App's PR as it proposed it is not drift; a hand edit on
 * the PR's branch reaches the deploy branch with the merge, and that push is reported. Pushes to the PR
 * branches themselves are not judged (the cluster agent syncs only the deploy branch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const pets = { owner: 'acme', repo: 'pets' };
const branch = 'kuma-api-forge/acme/pets';
const route = 'apis/acme/pets/pets/meshhttproute-pets.yaml';
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

let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

beforeAll(async () => {
  harness = await startAppOnLocalGitHub({
    deploy: { ...deployRef, files: { 'tenants.yaml': stringify(tenants) } },
    settings: { deployMode: 'pull-request' },
  });
  ({ gh, app } = harness);
  await gh.admin.createRepo({ ...pets, files: { 'README.md': '# pets\n' } });
});

afterAll(async () => {
  await harness?.stop();
});

const settle = async () => {
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
};
const driftRuns = (sha: string) =>
  gh.admin.checkRuns({ ...deployRef, sha }).filter((run) => run.name === 'kuma-api-forge/drift');

/** A push to acme/pets' default branch: the App proposes its deploy as a PR on the deploy repo. */
async function pushSource(paths: string[]) {
  await gh.admin.push({ ...pets, branch: 'main', files: buildSourceFiles({ paths }) });
  await settle();
}

async function mergeDeployPull(number: number) {
  const merged = await gh.admin.mergePullRequest({ ...deployRef, number });
  await settle();
  return merged.sha;
}

describe('drift in pull-request deploy mode', () => {
  it('merging the App’s deploy PR as proposed is not drift', async () => {
    await pushSource(['/pets']);
    expect(gh.admin.pullRequest({ ...deployRef, number: 1 }).headRef).toBe(branch);
    const merge = await mergeDeployPull(1);
    expect(await gh.admin.readFile({ ...deployRef, ref: 'main', path: route })).toBeDefined();
    expect(driftRuns(merge)).toEqual([]);
  });

  it('a hand edit on the deploy PR’s branch is reported when the merge brings it to the deploy branch', async () => {
    await pushSource(['/pets', '/pets/{petId}']);
    const proposed = (await gh.admin.readFile({ ...deployRef, ref: branch, path: route }))!;
    const edit = await gh.admin.push({
      ...deployRef,
      branch,
      files: { [route]: `${proposed}# reviewed and tuned by hand\n` },
    });
    await settle();
    expect(driftRuns(edit.sha)).toEqual([]); // not the deploy branch
    const merge = await mergeDeployPull(2);
    const [run] = driftRuns(merge);
    expect(run?.conclusion).toBe('failure');
    expect(run?.output.summary).toContain('### `acme/pets`');
    expect(run?.output.summary).toContain(`- changed \`${route}\``);
  });
});
