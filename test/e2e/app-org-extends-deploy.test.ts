/**
 * Deploy parity for org defaults: the merge's deploy renders the repo config with its `_extends` resolved, as the
 * check did, so an x-kuma default from `acme/.github` (its default branch) is in the manifests the App commits to
 * the deploy repo — and in the PR's mesh-changes preview before that.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import { type LocalApp, readUserProfile } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const users = { owner: 'acme', repo: 'users' };
const tenants = {
  tenants: {
    'acme/users': {
      gateways: ['edge'],
      hostnames: ['api.example.com'],
      basePaths: ['/users-api'],
      namespaces: ['users'],
    },
  },
};
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

beforeAll(async () => {
  harness = await startAppOnLocalGitHub({
    deploy: { ...deployRef, files: { 'tenants.yaml': stringify(tenants), 'README.md': '# deploy\n' } },
  });
  ({ gh, app } = harness);
  await gh.admin.createRepo({
    owner: 'acme',
    repo: '.github',
    files: { '.github/kuma-api-forge.yaml': 'defaults:\n  idleTimeout: 17s\n' },
  });
  const files = await readUserProfile();
  const config = `_extends: .github\n${String(files['.kuma-api-forge.yaml'])}`;
  await gh.admin.createRepo({ ...users, files: { ...files, '.kuma-api-forge.yaml': config } });
});

afterAll(async () => {
  await harness?.stop();
});

it('the org default idle timeout is in the preview and in the deployed manifests', {
  timeout: 90_000,
}, async () => {
  const { '.kuma-api-forge.yaml': _, ...spec } = await readUserProfile('compatible');
  await gh.admin.push({ ...users, branch: 'compatible', files: spec });
  const pr = await gh.admin.openPullRequest({ ...users, head: 'compatible', title: 'compatible' });
  await app.queue.idle();
  expect(gh.admin.checkRuns({ ...users, sha: pr.headSha }).at(-1)?.conclusion).toBe('success');
  const comment = gh.admin.comments({ ...users, number: pr.number }).find((c) => c.body.startsWith('<!--'));
  expect(comment?.body).toContain('17s');

  await gh.admin.mergePullRequest({ ...users, number: pr.number });
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
  const deployed = (await gh.admin.listFiles({ ...deployRef, ref: 'main' })).filter((p) =>
    p.startsWith('apis/acme/users/'),
  );
  expect(deployed.length).toBeGreaterThan(1);
  const contents = await Promise.all(
    deployed.map((path) => gh.admin.readFile({ ...deployRef, ref: 'main', path })),
  );
  expect(contents.filter((text) => text?.includes('17s'))).not.toEqual([]);
});
