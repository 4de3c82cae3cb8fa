/**
 * Two tenants on one builtin gateway, through the whole App (signed webhooks → worker → real Octokit → local
 * GitHub), issue 11 D7/D9: once acme/status is deployed, a PR of acme/users whose GET /health would share
 * Kuma's per-route policy key with status's (equal matches, other hostname) and whose access log would replace
 * status's fails its check run on those lines, naming acme/status, and its merge deploys nothing. With the same
 * timeout and access log as status, the same change passes and deploys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const deployMarker = '<!-- kuma-api-forge:deploy -->';
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

const grant = (name: string) => ({
  gateways: ['edge'],
  hostnames: [`${name}.example.com`],
  basePaths: ['/'],
  namespaces: [name],
  gatewayWide: ['MeshAccessLog'],
});

beforeAll(async () => {
  const tenants = { tenants: { 'acme/status': grant('status'), 'acme/users': grant('users') } };
  harness = await startAppOnLocalGitHub({
    deploy: { ...deployRef, files: { 'tenants.yaml': stringify(tenants), 'README.md': '# deploy\n' } },
  });
  ({ gh, app } = harness);
  for (const repo of ['status', 'users'])
    await gh.admin.createRepo({ owner: 'acme', repo, files: { 'README.md': `# ${repo}\n` } });
});

afterAll(async () => {
  await harness?.stop();
});

/** One API named after the repo on gateway edge; GET /health with `healthXKuma`; a root access log. */
function sourceFiles(repo: string, options: { accessLog: string; healthXKuma?: string }) {
  const config = [
    'apis:',
    `  - name: ${repo}`,
    '    spec: openapi.yaml',
    '    gateway: edge',
    `    hostnames: [${repo}.example.com]`,
    `    service: {name: ${repo}, namespace: ${repo}, port: 8080}`,
    '',
  ].join('\n');
  const spec = [
    'openapi: 3.0.3',
    `info: {title: ${repo}, version: 1.0.0}`,
    'x-kuma:',
    `  accessLog: {file: ${options.accessLog}}`,
    'paths:',
    '  /health:',
    '    get:',
    '      operationId: health',
    ...(options.healthXKuma ? [`      x-kuma: ${options.healthXKuma}`] : []),
    "      responses: {'200': {description: ok}}",
    '',
  ].join('\n');
  return { '.kuma-api-forge.yaml': config, 'openapi.yaml': spec };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

let branches = 0;
/** Opens a PR on acme/`repo` with `files`, waits for its check, merges it, waits for the deploy. */
async function openCheckAndMerge(repo: string, files: Record<string, string>) {
  const source = { owner: 'acme', repo };
  const branch = `change-${++branches}`;
  await gh.admin.push({ ...source, branch, files, message: branch });
  const pr = await gh.admin.openPullRequest({ ...source, head: branch, title: branch });
  await app.queue.idle();
  const run = gh.admin.checkRuns({ ...source, sha: pr.headSha }).at(-1)!;
  const before = (await gh.admin.log({ ...deployRef, ref: 'main' })).length;
  await gh.admin.mergePullRequest({ ...source, number: pr.number });
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
  const deployed = (await gh.admin.log({ ...deployRef, ref: 'main' })).length > before;
  const comment = gh.admin
    .comments({ ...source, number: pr.number })
    .filter((c) => c.body.startsWith(deployMarker))
    .at(-1)?.body;
  return { run, deployed, comment };
}

// A PR check and a deploy each: generous under a loaded machine (the suite runs one worker per core).
const slow = 90_000;

describe('tenants sharing a gateway, in the PR and at merge', () => {
  it(
    'deploys acme/status: GET /health with a 1 s timeout, an access log to stdout',
    async () => {
      const status = await openCheckAndMerge(
        'status',
        sourceFiles('status', { accessLog: '/dev/stdout', healthXKuma: '{timeout: 1s}' }),
      );
      expect(status.run.conclusion).not.toBe('failure');
      expect(status.deployed).toBe(true);
    },
    slow,
  );

  it(
    "refuses acme/users: its GET /health and access log would silently change status's",
    async () => {
      const files = sourceFiles('users', { accessLog: '/tmp/users.log' });
      const users = await openCheckAndMerge('users', files);
      expect(users.run.conclusion).toBe('failure');
      const ours = users.run.annotations.filter((a) => a.title?.startsWith('kuma-'));
      expect(ours).toEqual([
        expect.objectContaining({
          path: 'openapi.yaml',
          start_line: lineOf(files['openapi.yaml'], 'accessLog'),
          annotation_level: 'failure',
          title: 'kuma-gateway-policy-conflict',
        }),
        expect.objectContaining({
          path: 'openapi.yaml',
          start_line: lineOf(files['openapi.yaml'], 'get:'),
          annotation_level: 'failure',
          title: 'kuma-policy-shared',
        }),
      ]);
      expect(ours.every((a) => a.message.includes('acme/status'))).toBe(true);
      expect(users.deployed).toBe(false);
      expect(users.comment).toContain('**Not deployed**');
    },
    slow,
  );

  it(
    'deploys acme/users once its timeout and access log are the same as status',
    async () => {
      const aligned = sourceFiles('users', { accessLog: '/dev/stdout', healthXKuma: '{timeout: 1s}' });
      const fixed = await openCheckAndMerge('users', aligned);
      expect(fixed.run.annotations.filter((a) => a.title?.startsWith('kuma-'))).toEqual([]);
      expect(fixed.run.conclusion).not.toBe('failure');
      expect(fixed.deployed).toBe(true);
    },
    slow,
  );
});
