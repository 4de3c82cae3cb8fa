/**
 * Drift end to end: people push to the platform team's deploy repo (signed push webhooks → Hono → queue →
 * worker → the local GitHub), and the App judges each push by content against what it last wrote. A push that
 * hand-edits generated files gets a failing `kuma-api-forge/drift` check run listing them under their source
 * repo; the App's own deploy pushes and edits outside `apis/` get none; the next deploy of the repo says it
 * overwrote the edits. Attacks: a forged record, a deleted, an added and a renamed file, a revert of a deploy.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { LocalGitHub, WebhookEvent } from '../../dev/github/index.js';

import type { LocalApp } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';
import { buildSourceFiles } from '../unit/deploy/helpers.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const pets = { owner: 'acme', repo: 'pets' };
const folder = 'apis/acme/pets/';
const route = `${folder}pets/meshhttproute-pets.yaml`;
const permission = `${folder}pets/meshtrafficpermission-pets-pets-from-gateway.yaml`;
const record = `${folder}.source.yaml`;
const driftRun = 'kuma-api-forge/drift';
const deployMarker = '<!-- kuma-api-forge:deploy -->';

let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;
/** A push event of the deploy repo, whose installation and repository the App's own pushes reuse. */
let pushTemplate: WebhookEvent;

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

const blobSha = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
};
const head = async () => (await gh.admin.resolve({ ...deployRef, ref: 'main' }))!;
const read = async (path: string, ref = 'main') => (await gh.admin.readFile({ ...deployRef, ref, path }))!;
const driftRuns = (sha: string) =>
  gh.admin.checkRuns({ ...deployRef, sha }).filter((run) => run.name === driftRun);

/** A person's push to the deploy repo's main branch; resolves once the App has judged it. */
async function humanPush(files: Record<string, string | null>, message = 'hand edit') {
  const pushed = await gh.admin.push({ ...deployRef, branch: 'main', files, message });
  pushTemplate = pushed.events[0]!;
  expect(pushed.deliveries.map((d) => [d.event, d.status])).toEqual([['push', 202]]);
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
  return pushed.sha;
}

/**
 * The push event GitHub sends when the App moves the branch itself (the local GitHub sends none for API ref
 * updates): the same payload as a person's push, from `before` to `after`.
 */
async function appPush(before: string, after: string) {
  await gh.admin.deliver({ ...pushTemplate, payload: { ...pushTemplate.payload, before, after } });
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
}

/** A PR in acme/pets with `paths`, merged; resolves once deployed. Returns the PR number. */
async function deployPets(branch: string, paths: string[]) {
  await gh.admin.push({ ...pets, branch, files: buildSourceFiles({ paths }), message: branch });
  const { number } = await gh.admin.openPullRequest({ ...pets, head: branch, title: branch });
  await app.queue.idle();
  await gh.admin.mergePullRequest({ ...pets, number });
  await app.queue.idle();
  expect(app.queue.deadLetters).toEqual([]);
  return number;
}

/**
 * Puts the folder back as the App wrote it at `sha`. Putting back files is not drift; putting back a record
 * after a hand edit of it is itself a hand edit of the record (by content, the two records are alike), so is
 * reported as one.
 */
async function restoreFolder(sha: string, recordWasEdited = false) {
  const now = (await gh.admin.listFiles({ ...deployRef, ref: 'main' })).filter((p) => p.startsWith(folder));
  const then = (await gh.admin.listFiles({ ...deployRef, ref: sha })).filter((p) => p.startsWith(folder));
  const files: Record<string, string | null> = {};
  for (const path of now) if (!then.includes(path)) files[path] = null;
  for (const path of then) files[path] = await read(path, sha);
  const restored = await humanPush(files, 'restore');
  if (!recordWasEdited) expect(driftRuns(restored)).toEqual([]);
  else expect(reported(restored).lines[0]).toMatch(/^- ⚠️ its `\.source\.yaml` was replaced/);
}

/** The one drift check run of a commit: its conclusion and the summary's lines that list files or records. */
function reported(sha: string) {
  const runs = driftRuns(sha);
  expect(runs).toHaveLength(1);
  const summary = runs[0]!.output.summary ?? '';
  return {
    conclusion: runs[0]!.conclusion,
    title: runs[0]!.output.title,
    repos: [...summary.matchAll(/^### `([^`]+)`$/gm)].map((m) => m[1]),
    lines: summary.split('\n').filter((line) => line.startsWith('- ')),
  };
}

beforeAll(async () => {
  harness = await startAppOnLocalGitHub({
    deploy: { ...deployRef, files: { 'tenants.yaml': stringify(tenants), 'README.md': '# deploy\n' } },
  });
  ({ gh, app } = harness);
  await gh.admin.createRepo({ ...pets, files: { 'README.md': '# pets\n' } });
});

afterAll(async () => {
  await harness?.stop();
});

let deployed: string;

describe('drift on the deploy repo, end to end', () => {
  it('records each generated file with its blob id, and the App’s own deploy push gets no report', async () => {
    const parent = await head();
    await deployPets('v1', ['/pets']);
    deployed = await head();
    expect(deployed).not.toBe(parent);
    const written = parse(await read(record));
    expect(written.generated).toEqual({
      'pets/meshhttproute-pets.yaml': blobSha(await read(route)),
      'pets/meshtrafficpermission-pets-pets-from-gateway.yaml': blobSha(await read(permission)),
    });
    expect(written.replaces).toBeUndefined(); // the folder's first record

    // A person's push outside apis/: judged, nothing to report.
    const readme = await humanPush({
      'README.md': '# deploy, by the platform team\n',
      'tenants.yaml': `${stringify(tenants)}# reviewed\n`,
    });
    expect(driftRuns(readme)).toEqual([]);
    // The App's deploy push itself (its parent → the deploy commit): the folder is as the record says.
    await appPush(parent, deployed);
    expect(driftRuns(deployed)).toEqual([]);
  });

  it('reports a hand edit to a generated file under its source repo; the next deploy overwrites it and says so', async () => {
    const edited = `${await read(route)}# tuned by hand\n`;
    const sha = await humanPush({ [route]: edited });
    expect(reported(sha)).toEqual({
      conclusion: 'failure',
      title: 'Hand edits: 1 generated file(s) of 1 repo(s) differ from what kuma-api-forge wrote',
      repos: ['acme/pets'],
      lines: [`- changed \`${route}\``],
    });

    const before = await head();
    const number = await deployPets('v2', ['/pets', '/pets/{petId}']);
    const after = await head();
    const commit = await gh.admin.commit({ ...deployRef, ref: after });
    expect(commit.message).toContain(
      `Overwrote hand edits (drift from what kuma-api-forge last wrote):\n  changed ${route}\n`,
    );
    expect(await read(route)).not.toContain('# tuned by hand');
    const [note] = gh.admin.comments({ ...pets, number }).filter((c) => c.body.startsWith(deployMarker));
    expect(note!.body).toContain('⚠️ It overwrites 1 hand edit(s) in the deploy repo');
    expect(note!.body).toContain(`- changed \`${route}\``);
    // The record of the new deploy names the one it replaced; the deploy's own push is not reported.
    expect(parse(await read(record)).replaces).toBe(blobSha(await read(record, before)));
    await appPush(before, after);
    expect(driftRuns(after)).toEqual([]);
    deployed = after;
  });

  it('attack: a hand edit that also forges the digest in .source.yaml is still reported (the record chain breaks)', async () => {
    const edited = `${await read(route)}# sneaky\n`;
    const forged = parse(await read(record));
    forged.generated['pets/meshhttproute-pets.yaml'] = blobSha(edited);
    const sha = await humanPush({ [route]: edited, [record]: stringify(forged) });
    const { repos, lines } = reported(sha);
    expect(repos).toEqual(['acme/pets']);
    expect(lines).toEqual([
      expect.stringMatching(/^- ⚠️ its `\.source\.yaml` was replaced by one kuma-api-forge did not write/),
      `- changed \`${route}\``,
    ]);
    await restoreFolder(deployed, true);
  });

  it('limit: a forger who also keeps the chain (replaces = the old record’s blob id) is not detectable by content', async () => {
    const edited = `${await read(route)}# undetectable\n`;
    const forged = parse(await read(record));
    forged.generated['pets/meshhttproute-pets.yaml'] = blobSha(edited);
    forged.replaces = blobSha(await read(record));
    const sha = await humanPush({ [route]: edited, [record]: stringify(forged) });
    expect(driftRuns(sha)).toEqual([]);
    await restoreFolder(deployed, true);
  });

  it('attack: a deleted generated file, a file added inside the folder, and a rename are each listed', async () => {
    const deleted = await humanPush({ [permission]: null });
    expect(reported(deleted).lines).toEqual([`- deleted \`${permission}\``]);
    await restoreFolder(deployed);

    const extra = `${folder}pets/meshtimeout-extra.yaml`;
    const added = await humanPush({ [extra]: 'kind: MeshTimeout\n' });
    expect(reported(added).lines).toEqual([`- added \`${extra}\``]);
    await restoreFolder(deployed);

    const renamed = `${folder}pets/route.yaml`;
    const moved = await humanPush({ [route]: null, [renamed]: await read(route) });
    expect(reported(moved).lines).toEqual([`- deleted \`${route}\``, `- added \`${renamed}\``]);
    await restoreFolder(deployed);
  });

  it('attack: a push that reverts the App’s deploy commit (putting the older record back) is reported', async () => {
    const parent = (await gh.admin.commit({ ...deployRef, ref: deployed })).parents[0]!;
    const files: Record<string, string | null> = {};
    for (const path of [route, permission, record]) files[path] = await read(path, parent);
    const sha = await humanPush(files, `Revert deploy ${deployed.slice(0, 7)}`);
    const { repos, lines } = reported(sha);
    expect(repos).toEqual(['acme/pets']);
    expect(lines[0]).toMatch(/^- ⚠️ its `\.source\.yaml` was replaced by one kuma-api-forge did not write/);
    expect(lines.slice(1)).toEqual([`- changed \`${route}\``]);
    // Putting the deploy back: its record names the one the revert put back, so it is the App's again.
    await restoreFolder(deployed);
  });

  it('a deleted record is reported, and a folder whose record predates `generated` is never judged', async () => {
    const gone = await humanPush({ [record]: null });
    expect(reported(gone).lines).toEqual([expect.stringMatching(/^- ⚠️ its `\.source\.yaml` was deleted/)]);
    await restoreFolder(deployed);

    // A record as the App wrote it before it recorded blob ids: edits in that folder are not reported.
    const legacy = 'apis/acme/legacy/';
    const old = parse(await read(record));
    delete old.generated;
    delete old.replaces;
    old.repo = 'acme/legacy';
    const created = await humanPush({
      [`${legacy}.source.yaml`]: stringify(old),
      [`${legacy}a/x.yaml`]: 'a: 1\n',
    });
    const edited = await humanPush({ [`${legacy}a/x.yaml`]: 'a: 2\n' });
    expect([...driftRuns(created), ...driftRuns(edited)]).toEqual([]);
  });
});
