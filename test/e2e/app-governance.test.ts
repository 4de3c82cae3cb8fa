/**
 * The platform's governance through the whole App (signed webhooks → worker → real Octokit → local GitHub):
 * a platform limit fails an API repo's PR with the annotation on the spec line (and says it is the platform's),
 * the merge deploys nothing; a PR on the deploy repo that changes governance gets its own check run listing the
 * deployed APIs the new rules would fail, per repo; a governance file the App cannot use fails that check on its
 * line; a deploy-repo PR that leaves governance alone gets no governance check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const shop = { owner: 'acme', repo: 'shop' };
const books = { owner: 'acme', repo: 'books' };
const deployMarker = '<!-- kuma-api-forge:deploy -->';
const governanceRun = 'kuma-api-forge governance';
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

const grant = (name: string) => ({
  gateways: ['edge'],
  hostnames: [`${name}.example.com`],
  basePaths: [`/${name}-api`],
  namespaces: [name],
});

beforeAll(async () => {
  harness = await startAppOnLocalGitHub({
    deploy: {
      ...deployRef,
      files: {
        'tenants.yaml': stringify({ tenants: { 'acme/shop': grant('shop'), 'acme/books': grant('books') } }),
        'governance/limits.yaml': 'all:\n  maxTimeout: 30s\n',
        'README.md': '# deploy\n',
      },
    },
  });
  ({ gh, app } = harness);
  await gh.admin.createRepo({ ...shop, files: { 'README.md': '# shop\n' } });
  await gh.admin.createRepo({ ...books, files: { 'README.md': '# books\n' } });
});

afterAll(async () => {
  await harness?.stop();
});

function sourceFiles(name: string, timeout: string) {
  const config = [
    'apis:',
    `  - name: ${name}`,
    '    spec: openapi.yaml',
    '    gateway: edge',
    `    hostnames: [${name}.example.com]`,
    `    basePath: /${name}-api`,
    `    service: {name: ${name}, namespace: ${name}, port: 8080}`,
    '',
  ].join('\n');
  const spec = [
    'openapi: 3.0.3',
    `info: {title: ${name}, version: 1.0.0}`,
    'paths:',
    '  /items:',
    '    get:',
    '      operationId: listItems',
    "      responses: {'200': {description: ok}}",
    '      x-kuma:',
    `        timeout: ${timeout}`,
    '',
  ].join('\n');
  return { '.kuma-api-forge.yaml': config, 'openapi.yaml': spec };
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

let branches = 0;
async function openPull(repo: typeof shop, files: Record<string, string>) {
  const branch = `change-${++branches}`;
  await gh.admin.push({ ...repo, branch, files, message: branch });
  const pr = await gh.admin.openPullRequest({ ...repo, head: branch, title: branch });
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
  return pr;
}

async function mergeAndDeploy(repo: typeof shop, number: number) {
  const before = (await gh.admin.log({ ...deployRef, ref: 'main' })).length;
  await gh.admin.mergePullRequest({ ...repo, number });
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
  const after = (await gh.admin.log({ ...deployRef, ref: 'main' })).length;
  const comment = gh.admin
    .comments({ ...repo, number })
    .filter((c) => c.body.startsWith(deployMarker))
    .at(-1);
  return { committed: after > before, comment: comment?.body ?? '' };
}

describe('an API repo’s PR and merge against the platform’s governance', () => {
  it('a timeout over the platform maximum fails the PR on its spec line, and the merge deploys nothing', async () => {
    const files = sourceFiles('shop', '2m');
    const pr = await openPull(shop, files);
    const run = gh.admin.checkRuns({ ...shop, sha: pr.headSha }).at(-1)!;
    expect(run.conclusion).toBe('failure');
    const annotation = run.annotations.find((a) => a.title === 'platform-max-timeout');
    expect(annotation).toMatchObject({
      path: 'openapi.yaml',
      start_line: lineOf(files['openapi.yaml'], 'timeout: 2m'),
      annotation_level: 'failure',
    });
    expect(annotation?.message).toMatch(/platform rule \(governance\/limits\.yaml all\)/);
    const sticky = gh.admin.comments({ ...shop, number: pr.number }).at(-1)?.body ?? '';
    expect(sticky).toContain('Platform governance');
    const deploy = await mergeAndDeploy(shop, pr.number);
    expect(deploy.committed).toBe(false);
    expect(deploy.comment).toContain('**Not deployed**');
    expect(deploy.comment).toMatch(
      new RegExp(
        `openapi\\.yaml:${lineOf(files['openapi.yaml'], 'timeout: 2m')}\\S* platform rule \\(governance/limits\\.yaml all\\)`,
      ),
    );
  });

  it('within the limits, both repos deploy (pushed straight to their default branch)', async () => {
    for (const [repo, timeout] of [
      [shop, '20s'],
      [books, '5s'],
    ] as const) {
      const before = (await gh.admin.log({ ...deployRef, ref: 'main' })).length;
      await gh.admin.push({ ...repo, branch: 'main', files: sourceFiles(repo.repo, timeout) });
      await app.queue.idle();
      expect(app.queue.deadLetters).toEqual([]);
      expect((await gh.admin.log({ ...deployRef, ref: 'main' })).length).toBe(before + 1);
    }
    const listed = await gh.admin.listFiles({ ...deployRef, ref: 'main' });
    expect(listed).toEqual(
      expect.arrayContaining(['apis/acme/shop/.source.yaml', 'apis/acme/books/.source.yaml']),
    );
  });
});

describe('a PR on the deploy repo that changes governance', () => {
  it('gets its own check run listing, per repo, the deployed APIs the new rules would fail', async () => {
    const pr = await openPull(deployRef, { 'governance/limits.yaml': 'all:\n  maxTimeout: 10s\n' });
    const runs = gh.admin.checkRuns({ ...deployRef, sha: pr.headSha });
    const run = runs.find((r) => r.name === governanceRun);
    expect(run?.conclusion).toBe('failure');
    const summary = run?.output.summary ?? '';
    expect(run?.output.title).toMatch(/^1 of 2 deployed repos would fail/);
    // shop's 20s is over the new 10s, on its spec line at the deployed commit; books' 5s passes.
    const sections = summary.split('\n### ').slice(1);
    const shopSection = sections.find((section) => section.includes('`acme/shop`')) ?? '';
    expect(shopSection).toMatch(/^❌ `acme\/shop` at `[0-9a-f]{7}`/);
    expect(sections.find((section) => section.includes('`acme/books`'))).toMatch(
      /^✅ `acme\/books` at `[0-9a-f]{7}`\n\nPasses\./,
    );
    const line = lineOf(sourceFiles('shop', '20s')['openapi.yaml'], 'timeout: 20s');
    expect(shopSection).toContain(`openapi.yaml:${line}`);
    expect(shopSection).toContain('platform-max-timeout');
    // At the commit the deploy repo records, linked there.
    const record = await gh.admin.readFile({
      ...deployRef,
      ref: 'main',
      path: 'apis/acme/shop/.source.yaml',
    });
    const commit = /commit: ([0-9a-f]{40})/.exec(record ?? '')?.[1] ?? 'none';
    expect(shopSection).toContain(`\`${commit.slice(0, 7)}\``);
    expect(shopSection).toContain(`/acme/shop/blob/${commit}/openapi.yaml#L${line}`);
  });

  it('an invalid governance file fails that check, annotated on its line in the deploy repo', async () => {
    const limits = 'all:\n  maxTimeout: 10s\n  requireAuth: sometimes\n';
    const pr = await openPull(deployRef, { 'governance/limits.yaml': limits });
    const run = gh.admin.checkRuns({ ...deployRef, sha: pr.headSha }).find((r) => r.name === governanceRun);
    expect(run?.conclusion).toBe('failure');
    expect(run?.output.title).toBe('The proposed governance files are invalid');
    expect(run?.annotations).toContainEqual(
      expect.objectContaining({
        path: 'governance/limits.yaml',
        start_line: lineOf(limits, 'requireAuth'),
        title: 'governance-file-invalid',
      }),
    );
  });

  it('a deploy-repo PR that leaves governance alone gets no governance check', async () => {
    const pr = await openPull(deployRef, { 'README.md': '# deploy, reworded\n' });
    expect(
      gh.admin.checkRuns({ ...deployRef, sha: pr.headSha }).filter((r) => r.name === governanceRun),
    ).toEqual([]);
  });

  it('a deployed repo the App cannot read is listed as not checked, never counted as passing', async () => {
    // A folder recorded for a repo the App is not installed on (the record says which commit).
    await gh.admin.push({
      ...deployRef,
      branch: 'main',
      files: { 'apis/stranger/api/.source.yaml': `repo: stranger/api\ncommit: ${'a'.repeat(40)}\n` },
      message: 'record a stranger',
    });
    await app.queue.idle();
    const pr = await openPull(deployRef, { 'governance/limits.yaml': 'all:\n  maxTimeout: 1h\n' });
    const run = gh.admin.checkRuns({ ...deployRef, sha: pr.headSha }).find((r) => r.name === governanceRun);
    expect(run?.conclusion).toBe('neutral');
    expect(run?.output.title).toBe('1 deployed repo could not be checked; the others pass');
    expect(run?.output.summary).toMatch(/### ⚠️ `stranger\/api` at `aaaaaaa`\n\nCould not be checked: /);
    expect(run?.output.summary).toMatch(/### ✅ `acme\/shop`/);
  });
});
