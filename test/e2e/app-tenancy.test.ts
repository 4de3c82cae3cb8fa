/**
 * Tenancy and path rules through the whole App (signed webhooks → worker → real Octokit → local GitHub): a PR
 * that sets a gateway-wide policy, uses a mesh it is not granted, or routes a path a proxy rewrites fails its
 * check run with the annotation on the line that caused it, and its merge deploys nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const shop = { owner: 'acme', repo: 'shop' };
const deployMarker = '<!-- kuma-api-forge:deploy -->';
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

const tenants = {
  tenants: {
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
  await gh.admin.createRepo({ ...shop, files: { 'README.md': '# shop\n' } });
});

afterAll(async () => {
  await harness?.stop();
});

function sourceFiles(options: { config?: string[]; rootXKuma?: string[]; paths: string[] }) {
  const config = [
    'apis:',
    '  - name: shop',
    '    spec: openapi.yaml',
    '    gateway: edge',
    '    hostnames: [shop.example.com]',
    '    basePath: /shop-api',
    '    service: {name: shop, namespace: shop, port: 8080}',
    ...(options.config ?? []),
    '',
  ].join('\n');
  const spec = [
    'openapi: 3.0.3',
    'info: {title: Shop, version: 1.0.0}',
    ...(options.rootXKuma ? ['x-kuma:', ...options.rootXKuma.map((line) => `  ${line}`)] : []),
    'paths:',
    ...options.paths.flatMap((path, index) => [
      `  ${JSON.stringify(path)}:`,
      '    get:',
      `      operationId: op${index}`,
      "      responses: {'200': {description: ok}}",
    ]),
    '',
  ].join('\n');
  return { '.kuma-api-forge.yaml': config, 'openapi.yaml': spec };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

let branches = 0;
/** Opens a PR with `files`, waits for its check, merges it and waits for the deploy. */
async function openCheckAndMerge(files: Record<string, string>) {
  const branch = `change-${++branches}`;
  await gh.admin.push({ ...shop, branch, files, message: branch });
  const pr = await gh.admin.openPullRequest({ ...shop, head: branch, title: branch });
  await app.queue.idle();
  const run = gh.admin.checkRuns({ ...shop, sha: pr.headSha }).at(-1)!;
  const before = (await gh.admin.log({ ...deployRef, ref: 'main' })).length;
  await gh.admin.mergePullRequest({ ...shop, number: pr.number });
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
  expect(await gh.admin.log({ ...deployRef, ref: 'main' })).toHaveLength(before);
  const deployComments = gh.admin
    .comments({ ...shop, number: pr.number })
    .filter((c) => c.body.startsWith(deployMarker));
  expect(deployComments.at(-1)?.body).toContain('**Not deployed**');
  return run;
}

describe('the App refuses, in the PR and at merge', () => {
  it('a gateway-wide access log the grant does not allow, annotated on its spec line', async () => {
    const files = sourceFiles({ rootXKuma: ['accessLog: {file: /dev/stdout}'], paths: ['/items'] });
    const run = await openCheckAndMerge(files);
    expect(run.conclusion).toBe('failure');
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        path: 'openapi.yaml',
        start_line: lineOf(files['openapi.yaml'], 'accessLog'),
        annotation_level: 'failure',
        title: 'tenancy-gateway-wide',
      }),
    );
  });

  it('a mesh the grant does not list, annotated on the config line', async () => {
    const files = sourceFiles({ config: ['mesh: payments'], paths: ['/items'] });
    const run = await openCheckAndMerge(files);
    expect(run.conclusion).toBe('failure');
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        path: '.kuma-api-forge.yaml',
        start_line: lineOf(files['.kuma-api-forge.yaml'], 'mesh: payments'),
        title: 'tenancy-mesh',
      }),
    );
  });

  it('a path a proxy normalises, annotated once on the path line', async () => {
    const files = sourceFiles({ paths: ['/items', '/items/../admin'] });
    const run = await openCheckAndMerge(files);
    expect(run.conclusion).toBe('failure');
    const unroutable = run.annotations.filter((a) => a.title === 'path-unroutable');
    expect(unroutable).toEqual([
      expect.objectContaining({
        path: 'openapi.yaml',
        start_line: lineOf(files['openapi.yaml'], '/items/../admin'),
        annotation_level: 'failure',
      }),
    ]);
  });
});
