/**
 * The App against the local GitHub, with a hostile Spectral ruleset on the default branch: the worker (which holds
 * the App's private key) refuses the filter payload, annotates the check run on the ruleset's line, and nothing the
 * payload would do (write a file, set an environment variable, connect to a server) happens.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalGitHub } from '../../dev/github/index.js';
import { type LocalApp, readUserProfile } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { type ConnectionCounter, startConnectionCounter } from '../helpers/loopback.js';

const repo = { owner: 'acme', repo: 'users' };
const work = mkdtempSync(path.join(tmpdir(), 'kaf-app-ruleset-'));
const marker = path.join(work, 'payload-ran');
const envKey = 'KAF_APP_RULESET_PAYLOAD_RAN';
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;
let counter: ConnectionCounter;

beforeAll(async () => {
  counter = await startConnectionCounter();
  harness = await startAppOnLocalGitHub();
  ({ gh, app } = harness);
});

afterAll(async () => {
  await harness?.stop();
  await counter?.close();
  rmSync(work, { recursive: true, force: true });
  delete process.env[envKey];
});

/** The user-profile repo whose config names `.spectral.yaml` (lint scope all) with the given content. */
async function withRuleset(ruleset: string): Promise<Record<string, Buffer>> {
  const files = await readUserProfile();
  const config = String(files['.kuma-api-forge.yaml']).replace(
    '    scope: new',
    '    ruleset: .spectral.yaml\n    scope: all',
  );
  return { ...files, '.kuma-api-forge.yaml': Buffer.from(config), '.spectral.yaml': Buffer.from(ruleset) };
}

it('a filter payload in the default branch ruleset is refused on its line; nothing ran', async () => {
  const code = [
    `process.getBuiltinModule("fs").writeFileSync(${JSON.stringify(marker)}, "ran")`,
    `process.env.${envKey} = "1"`,
    `fetch("http://127.0.0.1:${counter.port}/")`,
  ].join('; ');
  const payload = `$..[?(@ && @.constructor.constructor('${code}')())]`;
  const ruleset = `rules:
  info-has-owner:
    given: $.info
    severity: error
    then: { field: x-owner, function: truthy }
  evil:
    given: '${payload.replaceAll("'", "''")}'
    then: { function: truthy }
`;
  const refusedLine = ruleset.split('\n').findIndex((line) => line.includes('constructor')) + 1;
  await gh.admin.createRepo({ ...repo, files: await withRuleset(ruleset) });
  await gh.admin.push({
    ...repo,
    branch: 'touch-description',
    files: await withRuleset(ruleset),
    message: 'same content on a branch',
  });
  const { headSha } = await gh.admin.openPullRequest({ ...repo, head: 'touch-description', title: 'touch' });
  await app.queue.idle();
  await new Promise((resolve) => setTimeout(resolve, 50));

  const run = gh.admin.checkRuns({ ...repo, sha: headSha }).at(-1);
  expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
  expect(run?.annotations).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        path: '.spectral.yaml',
        start_line: refusedLine,
        annotation_level: 'failure',
        title: 'ruleset-jsonpath-refused',
      }),
      // The other rule of the same ruleset still ran.
      expect.objectContaining({ path: 'openapi/users.yaml', start_line: 2, title: 'info-has-owner' }),
    ]),
  );
  expect(existsSync(marker)).toBe(false);
  expect(process.env[envKey]).toBeUndefined();
  expect(counter.connections).toBe(0);
});
