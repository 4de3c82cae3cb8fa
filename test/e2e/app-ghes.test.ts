/**
 * GitHub Enterprise Server end to end: the local GitHub serves its REST API under GHES's `/api/v3` and answers
 * `html_url`s on a GHES web host; the App, given only `GITHUB_API_URL=<server>/api/v3`, checks a PR and deploys
 * its merge. Every call goes under the base path, and every link a user sees (the check run's and comment's
 * file links, the deploy commit) is on the GHES web host, never github.com. The API repo keeps its config in
 * `.github/kuma-api-forge.yaml`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createContractValidator, type LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { webUrlOf } from '../../shared/adapters/github/web-url.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const web = 'https://ghe.example.com';
const deployRef = { owner: 'platform', repo: 'deploy' };
const pets = { owner: 'acme', repo: 'pets' };
const marker = '<!-- kuma-api-forge -->';
const deployMarker = '<!-- kuma-api-forge:deploy -->';
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

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

/** The source files with the config moved from the root to `.github/`. */
function sourceFiles(paths: string[]): Record<string, string> {
  const { '.kuma-api-forge.yaml': config, ...rest } = buildSourceFiles({ paths });
  return { ...rest, '.github/kuma-api-forge.yaml': config! };
}

beforeAll(async () => {
  harness = await startAppOnLocalGitHub({
    github: { basePath: '/api/v3', webUrl: web },
    deploy: { ...deployRef, files: { 'tenants.yaml': stringify(tenants), 'README.md': '# deploy\n' } },
  });
  ({ gh, app } = harness);
  await gh.admin.createRepo({ ...pets, files: { 'README.md': '# pets\n' } });
});

afterAll(async () => {
  await harness?.stop();
});

describe('the App on GitHub Enterprise Server (base URL …/api/v3)', () => {
  it('is configured with the GHES-style REST base, whose web host is the GHES host', () => {
    expect(new URL(gh.url).pathname).toBe('/api/v3');
    // The shape GHES has: https://HOST/api/v3 → https://HOST (what the App falls back on without an html_url).
    expect(webUrlOf('https://ghe.example.com/api/v3')).toBe(web);
  });

  it('links the check run’s and the comment’s findings to the GHES web host', async () => {
    // /pets/{petId} without its parameter declared: a lint error on a line of openapi.yaml, linked.
    const files = sourceFiles(['/pets']);
    files['openapi.yaml'] = files['openapi.yaml']!.replace(
      'paths:\n',
      "paths:\n  /pets/{petId}:\n    get:\n      operationId: getPet\n      responses: {'200': {description: ok}}\n",
    );
    await gh.admin.push({ ...pets, branch: 'undeclared', files, message: 'undeclared' });
    const { number, headSha } = await gh.admin.openPullRequest({ ...pets, head: 'undeclared', title: 'x' });
    await app.queue.idle();
    expect(app.queue.deadLetters).toEqual([]);

    const run = gh.admin.checkRuns({ ...pets, sha: headSha }).at(-1)!;
    expect(run).toMatchObject({ name: 'kuma-api-forge', status: 'completed', conclusion: 'failure' });
    const fileLink = `${web}/acme/pets/blob/${headSha}/openapi.yaml#L`;
    expect(run.output?.summary).toContain(fileLink);
    const comment = gh.admin.comments({ ...pets, number }).find((c) => c.body.startsWith(marker))!;
    expect(comment.body).toContain(fileLink);
    for (const text of [run.output?.summary ?? '', comment.body]) {
      expect(text).not.toMatch(/github\.com|127\.0\.0\.1/);
    }
  });

  it('deploys a merge from .github/kuma-api-forge.yaml and links the deploy commit on the GHES web host', async () => {
    await gh.admin.push({ ...pets, branch: 'add', files: sourceFiles(['/pets']), message: 'add' });
    const { number } = await gh.admin.openPullRequest({ ...pets, head: 'add', title: 'add' });
    await app.queue.idle();
    await gh.admin.mergePullRequest({ ...pets, number });
    await app.queue.idle();
    expect(app.queue.deadLetters).toEqual([]);

    const deployed = (await gh.admin.resolve({ ...deployRef, ref: 'main' }))!;
    const files = await gh.admin.listFiles({ ...deployRef, ref: 'main' });
    expect(files).toContain('apis/acme/pets/pets/meshhttproute-pets.yaml');
    const note = gh.admin.comments({ ...pets, number }).find((c) => c.body.startsWith(deployMarker))!;
    expect(note.body).toContain(`(${web}/platform/deploy/commit/${deployed})`);
    expect(note.body).not.toMatch(/github\.com|127\.0\.0\.1/);
  });

  it('a PR adding a root config next to .github/kuma-api-forge.yaml fails, and its merge deploys nothing', async () => {
    const files = sourceFiles(['/pets', '/pets/{petId}']);
    files['.kuma-api-forge.yaml'] = files['.github/kuma-api-forge.yaml']!;
    await gh.admin.push({ ...pets, branch: 'both', files, message: 'both' });
    const { number, headSha } = await gh.admin.openPullRequest({ ...pets, head: 'both', title: 'both' });
    await app.queue.idle();
    const run = gh.admin.checkRuns({ ...pets, sha: headSha }).at(-1)!;
    expect(run.conclusion).toBe('failure');
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        path: '.github/kuma-api-forge.yaml',
        start_line: 1,
        title: 'config-in-two-places',
      }),
    );

    const before = await gh.admin.resolve({ ...deployRef, ref: 'main' });
    await gh.admin.mergePullRequest({ ...pets, number });
    await app.queue.idle();
    expect(app.queue.deadLetters).toEqual([]);
    expect(await gh.admin.resolve({ ...deployRef, ref: 'main' })).toBe(before);
    const note = gh.admin.comments({ ...pets, number }).find((c) => c.body.startsWith(deployMarker))!;
    expect(note.body).toContain('**Not deployed**');
    expect(note.body).toContain('`.github/kuma-api-forge.yaml:1` this repo has both');
  });

  it('made every call under /api/v3, each a known route that matches GitHub’s description', () => {
    const validator = createContractValidator();
    const made = gh.requests;
    expect(made.length).toBeGreaterThan(0);
    expect(made.filter((r) => r.operationId === undefined).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    const problems = made.flatMap((r) => [
      ...(r.requestBody === undefined ? [] : validator.validateRequest(r.operationId!, r.requestBody)),
      ...validator.validateResponse(r.operationId!, r.status, r.responseBody),
    ]);
    expect(problems).toEqual([]);
    expect(made.filter((r) => r.status >= 500)).toEqual([]);
  });
});
