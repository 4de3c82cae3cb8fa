/**
 * What the promotion e2e files (test/e2e/app-promotion*.test.ts) share: an API repo of `acme` granted its own
 * hostname, base path and namespace on the gateway `edge`, and a merged PR of it on the local GitHub.
 */
import { expect } from 'vitest';
import { stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { parseSourceRecord } from '../../shared/core/deploy/source-record.js';
import { buildSourceFiles, renderFiles } from '../unit/deploy/helpers.js';

/** The source files' options of acme/<repo>'s API (`name`: the API's name, default the repo's) serving `paths`. */
export const apiOptions = (repo: string, paths: string[], name = repo) => ({
  name,
  hostnames: [`${repo}.example.com`],
  basePath: `/${repo}`,
  namespace: repo,
  paths,
});

/** A `tenants.yaml` granting each acme/<repo> of `repos` exactly what {@link apiOptions} claims. */
export const tenantsYaml = (repos: readonly string[]) =>
  stringify({
    tenants: Object.fromEntries(
      repos.map((repo) => [
        `acme/${repo}`,
        {
          gateways: ['edge'],
          hostnames: [`${repo}.example.com`],
          basePaths: [`/${repo}`],
          namespaces: [repo],
        },
      ]),
    ),
  });

/** Waits until the App is idle; no job may have been parked. */
export async function settle(app: LocalApp): Promise<void> {
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
}

/**
 * A PR of acme/<repo> with `files` on `branch`, merged, no event delivered: the merge commit, the PR's number and
 * the push event a merge sends (the deploy), for the caller to deliver or hold back.
 */
export async function mergeHeldBack(
  gh: LocalGitHub,
  repo: string,
  files: Record<string, string>,
  branch: string,
) {
  await gh.admin.push({ owner: 'acme', repo, branch, files, deliver: false });
  const pr = await gh.admin.openPullRequest({ owner: 'acme', repo, head: branch, deliver: false });
  const merged = await gh.admin.mergePullRequest({ owner: 'acme', repo, number: pr.number, deliver: false });
  const push = merged.events.find((event) => event.name === 'push')!;
  return { sha: merged.sha, number: pr.number, push };
}

/** {@link mergeHeldBack} of the API serving `paths`, on a branch named after them. */
export const mergeApi = (gh: LocalGitHub, repo: string, paths: string[]) =>
  mergeHeldBack(
    gh,
    repo,
    buildSourceFiles(apiOptions(repo, paths)),
    `set-${paths.join('-').replace(/[^a-z0-9-]/g, '')}`,
  );

/** Where an environment keeps its files: a branch of the deploy repo, and for a folder environment its folder. */
export interface EnvironmentPlace {
  owner: string;
  repo: string;
  ref: string;
  folder?: string;
}

/** What `place` holds of acme/<repo>: its files (relative to the environment's folder) and the commit recorded. */
export async function runningOf(gh: LocalGitHub, place: EnvironmentPlace, repo: string) {
  const { folder, ...branch } = place;
  const root = folder ? `${folder}/` : '';
  const apiFolder = `${root}apis/acme/${repo}/`;
  const files = (await gh.admin.listFiles(branch)).filter((path) => path.startsWith(apiFolder));
  const record = await gh.admin.readFile({ ...branch, path: `${apiFolder}.source.yaml` });
  return {
    files: files.map((path) => path.slice(root.length)),
    commit: record === undefined ? undefined : parseSourceRecord(record)?.commit,
  };
}

/** `place` holds exactly the render of `paths` for acme/<repo>, recorded as made from `sha`. */
export async function expectRunning(
  gh: LocalGitHub,
  place: EnvironmentPlace,
  repo: string,
  merged: { sha: string; paths: string[] },
): Promise<void> {
  const rendered = await renderFiles(apiOptions(repo, merged.paths), { owner: 'acme', repo });
  const expected = new Map(
    rendered.apis.flatMap((api) =>
      api.files.map((f) => [`apis/acme/${repo}/${api.name}/${f.path}`, f.content] as const),
    ),
  );
  const now = await runningOf(gh, place, repo);
  expect(now.commit).toBe(merged.sha);
  expect(now.files.filter((path) => !path.endsWith('/.source.yaml')).sort()).toEqual(
    [...expected.keys()].sort(),
  );
  const { folder, ...branch } = place;
  for (const [path, content] of expected)
    expect(await gh.admin.readFile({ ...branch, path: folder ? `${folder}/${path}` : path })).toBe(content);
}
