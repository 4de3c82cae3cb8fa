/**
 * `npm run demo`: the App from pull request to mesh, on this machine only. It starts the local GitHub and the
 * App (both over real HTTP), creates the platform team's deploy repo (with a `tenants.yaml` granting the API
 * repo) and an API repo whose default branch is deployed (one API on each target: the builtin MeshGateway and a
 * delegated Envoy Gateway with Gateway API HTTPRoutes), opens a PR that removes an operation, prints the check
 * run and the PR comment (with the mesh changes merging would apply), pushes a fix (a major version bump),
 * prints the updated comment, then merges the PR and prints the deploy commit and the manifests it wrote.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseDocument, stringify } from 'yaml';
import { createJsonLogger } from '../shared/adapters/json-logger.js';
import { formatRepoRef, type RepoRef } from '../shared/core/repo-ref.js';
import { type LocalGitHub, startLocalGitHub, type WebhookDelivery } from './github/index.js';
import type { CheckRunRecord, CommentRecord } from './github/state.js';
import { type LocalApp, readUserProfile, startApp } from './start.js';

const repo: RepoRef = { owner: 'acme', repo: 'users' };
const deployRepo: RepoRef = { owner: 'platform', repo: 'mesh-deploy' };
const folder = 'apis/acme/users/';
const marker = '<!-- kuma-api-forge -->';
const deployMarker = '<!-- kuma-api-forge:deploy -->';
const tenants = {
  tenants: {
    'acme/users': {
      gateways: ['edge'],
      parentGateways: ['envoy-gateway-system/eg'],
      hostnames: ['api.example.com', 'petstore.example.com'],
      basePaths: ['/users-api', '/api/v3'],
      namespaces: ['users', 'petstore'],
    },
  },
};
const petstoreSpec = new URL('../fixtures/gateway-api/openapi/petstore.yaml', import.meta.url);

/**
 * The repo's files with a second API on the other target: the petstore (fixtures/gateway-api) on a delegated
 * Envoy Gateway, as Gateway API HTTPRoutes on the platform's Gateway `envoy-gateway-system/eg`.
 */
async function withPetstore(files: Record<string, Buffer>): Promise<Record<string, Buffer>> {
  const config = parseDocument(files['.kuma-api-forge.yaml']!.toString('utf8'));
  config.addIn(['apis'], {
    name: 'petstore',
    spec: 'openapi/petstore.yaml',
    target: 'gateway-api',
    parentRef: { name: 'eg', namespace: 'envoy-gateway-system' },
    hostnames: ['petstore.example.com'],
    service: { name: 'petstore', namespace: 'petstore', port: 8080 },
    // The spec's OAuth scheme checked at the edge: Envoy Gateway validates the JWTs (a SecurityPolicy).
    defaults: {
      auth: {
        petstoreAuth: {
          issuer: 'https://auth.petstore.example.com',
          jwksUri: 'https://auth.petstore.example.com/.well-known/jwks.json',
        },
      },
    },
  });
  return {
    ...files,
    '.kuma-api-forge.yaml': Buffer.from(config.toString()),
    'openapi/petstore.yaml': await readFile(petstoreSpec),
  };
}
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);
const icon = { success: '✅', failure: '❌', neutral: '➖' } as Record<string, string>;

function step(text: string): void {
  console.log(`\n${bold(`▶ ${text}`)}`);
}

function box(title: string, body: string): void {
  console.log(`\n  ┌─ ${title}`);
  for (const line of body.trimEnd().split('\n')) console.log(`  │ ${line}`);
  console.log('  └─');
}

function describeDeliveries(deliveries: WebhookDelivery[]): string {
  return deliveries
    .map((d) => `${d.event}${d.action ? `.${d.action}` : ''} → ${d.status} ${d.response}`)
    .join('\n    ');
}

function printCheckRun(run: CheckRunRecord | undefined): void {
  if (!run) {
    console.log('  (no check run)');
    return;
  }
  const lines = [
    `${icon[run.conclusion ?? ''] ?? '•'} ${run.conclusion} — ${run.output.title ?? ''}`,
    `head ${run.headSha.slice(0, 7)}, status ${run.status}`,
  ];
  lines.push(
    run.annotations.length === 0
      ? 'annotations: none on the head commit'
      : `annotations (${run.annotations.length}):`,
  );
  for (const a of run.annotations)
    lines.push(
      `  ${a.path}:${a.start_line} ${a.annotation_level} ${a.title ?? ''}: ${a.message.split('\n')[0]}`,
    );
  if (run.output.text) lines.push('', ...run.output.text.trimEnd().split('\n'));
  box(`Check run "${run.name}"`, lines.join('\n'));
}

/** The comment; a mesh-changes section identical to `shown` is elided (it was printed already). */
function printComment(comment: CommentRecord | undefined, note: string, shown?: string): void {
  if (!comment) {
    console.log('  (no comment)');
    return;
  }
  let body = comment.body.startsWith(marker) ? comment.body.slice(marker.length).trimStart() : comment.body;
  const mesh = meshSection(body);
  if (shown !== undefined && mesh === shown) {
    body = `${body.slice(0, body.length - mesh.length)}### Mesh changes\n\n${dim('(the same as above)')}\n`;
  }
  box(`PR comment #${comment.id} by ${comment.user.login} (${note})`, body);
}

function meshSection(body: string): string {
  const at = body.indexOf('### Mesh changes');
  return at < 0 ? '' : body.slice(at);
}

/** The deploy repo's last commit (message, files changed); its MeshHTTPRoute and a policy on that route. */
async function printDeploy(
  gh: LocalGitHub,
  options: { manifests?: boolean; pullNumber?: number },
): Promise<void> {
  const [commit, parent] = await gh.admin.log({ ...deployRepo, ref: 'main' });
  if (!commit || !parent) throw new Error('nothing was deployed');
  const [after = [], before = []] = await Promise.all(
    [commit.sha, parent.sha].map((ref) => gh.admin.listFiles({ ...deployRepo, ref })),
  );
  const read = (path: string, ref: string) => gh.admin.readFile({ ...deployRepo, ref, path });
  const files: string[] = [];
  for (const path of [...new Set([...after, ...before])].sort()) {
    const [a, b] = await Promise.all([read(path, parent.sha), read(path, commit.sha)]);
    if (a !== b) files.push(`${a === undefined ? 'A' : b === undefined ? 'D' : 'M'}  ${path}`);
  }
  box(
    `Deploy commit ${commit.sha.slice(0, 7)} on ${formatRepoRef(deployRepo)}@main`,
    [commit.message.trimEnd(), '', 'files:', ...files.map((f) => `  ${f}`)].join('\n'),
  );
  if (options.manifests) {
    // The route of POST /users and a policy attached to it (its rate limit); the petstore's first HTTPRoute.
    const route = after.find(
      (p) => p.startsWith(folder) && p.endsWith('/meshhttproute-users-create-user.yaml'),
    );
    const policy = after.find((p) => p.startsWith(folder) && /\/meshratelimit-users-create-user/.test(p));
    const httpRoute = after.find((p) => p.startsWith(`${folder}petstore/httproute-`));
    for (const path of [route, policy, httpRoute]) {
      if (path) box(path, (await read(path, commit.sha)) ?? '');
    }
  }
  if (options.pullNumber === undefined) return;
  const note = gh.admin
    .comments({ ...repo, number: options.pullNumber })
    .find((c) => c.body.startsWith(deployMarker));
  if (note) box(`PR comment #${note.id} on the merged PR`, note.body.slice(deployMarker.length).trim());
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(
    bold(
      'kuma-api-forge demo: an OpenAPI pull request checked, merged and deployed to the mesh, all on this machine',
    ),
  );
  let gh: LocalGitHub | undefined;
  let app: LocalApp | undefined;
  try {
    step('Starting a local GitHub and the App');
    gh = await startLocalGitHub();
    const webhookSecret = randomBytes(16).toString('hex');
    const credentials = gh.admin.createApp({ webhookSecret });
    await gh.admin.installApp(credentials.id, repo.owner);
    await gh.admin.installApp(credentials.id, deployRepo.owner);
    app = await startApp({
      settings: {
        appId: credentials.id,
        privateKey: credentials.privateKey!,
        webhookSecret,
        githubApiUrl: gh.url,
        deployRepo,
      },
      // The local GitHub has no secondary rate limits: no need to space writes a second apart.
      spaceWrites: false,
      // Only problems: the demo prints what the App did on GitHub.
      log: createJsonLogger('warn', (line) => process.stderr.write(`${line}\n`)),
    });
    gh.admin.setWebhook(credentials.id, { url: app.webhookUrl });
    console.log(`  local GitHub  ${gh.url}  (REST API over git repos in a temp dir)`);
    console.log(`  the App       ${app.webhookUrl}  (Hono; in-memory queue; worker in process)`);
    console.log(`  installed on  ${repo.owner} and ${deployRepo.owner} as App ${credentials.id}`);

    step(`Creating the deploy repo ${formatRepoRef(deployRepo)}, synced by Argo CD or Flux`);
    await gh.admin.createRepo({ ...deployRepo, files: { 'tenants.yaml': stringify(tenants) } });
    box('tenants.yaml (owned by the platform team)', stringify(tenants));

    step(
      `Creating ${formatRepoRef(repo)}: the user-profile API (openapi/users.yaml, v1.4.0) on the builtin gateway and the petstore (openapi/petstore.yaml) on Envoy Gateway, and deploying them`,
    );
    await gh.admin.createRepo({ ...repo, files: await withPetstore(await readUserProfile()) });
    // A push to the default branch deploys it: the deploy repo then holds v1.4.0's manifests.
    const seeded = await gh.admin.push({
      ...repo,
      branch: 'main',
      files: { 'README.md': '# users\n\nThe user-profile API.\n' },
      message: 'Add a README',
    });
    console.log(`  GitHub delivered ${describeDeliveries(seeded.deliveries)}`);
    await app.queue.idle();
    await printDeploy(gh, { manifests: true });

    step('Opening a pull request that removes DELETE /users/{userId}');
    await gh.admin.push({
      ...repo,
      branch: 'remove-delete-user',
      files: await withPetstore(await readUserProfile('removed-operation')),
      message: 'Remove DELETE /users/{userId}',
    });
    let calls = gh.requests.length;
    const opened = await gh.admin.openPullRequest({
      ...repo,
      head: 'remove-delete-user',
      title: 'Remove DELETE /users/{userId}',
    });
    console.log(`  PR #${opened.number}; GitHub delivered ${describeDeliveries(opened.deliveries)}`);
    await app.queue.idle();
    console.log(dim(`  the worker checked it with ${gh.requests.length - calls} GitHub API calls`));
    printCheckRun(gh.admin.checkRuns({ ...repo, sha: opened.headSha }).at(-1));
    const first = gh.admin
      .comments({ ...repo, number: opened.number })
      .find((c) => c.body.startsWith(marker));
    printComment(first, 'created');

    step('Pushing a fix: info.version 1.4.0 → 2.0.0 (a major release may remove operations)');
    calls = gh.requests.length;
    const fix = await gh.admin.push({
      ...repo,
      branch: 'remove-delete-user',
      files: await withPetstore(await readUserProfile('major-bump')),
      message: 'Release 2.0.0: DELETE /users/{userId} is gone',
    });
    console.log(`  GitHub delivered ${describeDeliveries(fix.deliveries)}`);
    await app.queue.idle();
    console.log(dim(`  the worker checked it with ${gh.requests.length - calls} GitHub API calls`));
    printCheckRun(gh.admin.checkRuns({ ...repo, sha: fix.sha }).at(-1));
    const comments = gh.admin
      .comments({ ...repo, number: opened.number })
      .filter((c) => c.body.startsWith(marker));
    printComment(
      comments[0],
      comments.length === 1 && comments[0]!.id === first?.id ? 'the same comment, updated in place' : 'new',
      meshSection(first?.body ?? ''),
    );

    step(`Merging PR #${opened.number}: the App deploys the merge commit to ${formatRepoRef(deployRepo)}`);
    calls = gh.requests.length;
    const merged = await gh.admin.mergePullRequest({ ...repo, number: opened.number });
    console.log(`  GitHub delivered ${describeDeliveries(merged.deliveries)}`);
    await app.queue.idle();
    console.log(dim(`  the worker deployed it with ${gh.requests.length - calls} GitHub API calls`));
    await printDeploy(gh, { pullNumber: opened.number });

    const failed = app.queue.deadLetters.length;
    if (failed > 0) throw new Error(`${failed} job(s) failed; see the log above`);
    console.log(
      `\n${bold('Done')} in ${((Date.now() - started) / 1000).toFixed(1)} s. Nothing left this machine.`,
    );
  } finally {
    await app?.stop();
    await gh?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
