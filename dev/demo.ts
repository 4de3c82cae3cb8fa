/**
 * `npm run demo`: the App from pull request to mesh, on this machine only. It starts the local GitHub and the
 * App (both over real HTTP), creates the platform team's deploy repo (with a `tenants.yaml` granting the API
 * repo) and an API repo whose default branch is deployed (one API on each target: the builtin MeshGateway and a
 * delegated Envoy Gateway with Gateway API HTTPRoutes), opens a PR that removes an operation, prints the check
 * run and the PR comment (with the mesh changes merging would apply), pushes a fix (a major version bump),
 * prints the updated comment, then merges the PR and prints the deploy commit and the manifests it wrote.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { parseDocument, stringify } from 'yaml';
import { createJsonLogger } from '../shared/adapters/json-logger.js';
import { formatRepoRef, type RepoRef } from '../shared/core/repo-ref.js';
import {
  bold,
  box,
  describeDeliveries,
  dim,
  type LocalStack,
  commentMarker as marker,
  meshSection,
  printCheckRun,
  printComment,
  printDeploy,
  startLocalStack,
  step,
} from './local-flow.js';
import { readUserProfile } from './start.js';

const repo: RepoRef = { owner: 'acme', repo: 'users' };
const deployRepo: RepoRef = { owner: 'platform', repo: 'mesh-deploy' };
const folder = 'apis/acme/users/';
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

/** The route of POST /users and a policy attached to it (its rate limit); the petstore's first HTTPRoute. */
const userManifests = (files: string[]) => [
  files.find((p) => p.startsWith(folder) && p.endsWith('/meshhttproute-users-create-user.yaml')),
  files.find((p) => p.startsWith(folder) && /\/meshratelimit-users-create-user/.test(p)),
  files.find((p) => p.startsWith(`${folder}petstore/httproute-`)),
];

async function main(): Promise<void> {
  const started = Date.now();
  console.log(
    bold(
      'kuma-api-forge demo: an OpenAPI pull request checked, merged and deployed to the mesh, all on this machine',
    ),
  );
  let stack: LocalStack | undefined;
  try {
    step('Starting a local GitHub and the App');
    stack = await startLocalStack({
      owners: [repo.owner, deployRepo.owner],
      deployRepo,
      // Only problems: the demo prints what the App did on GitHub.
      log: createJsonLogger('warn', (line) => process.stderr.write(`${line}\n`)),
    });
    const { gh, app } = stack;
    console.log(`  local GitHub  ${gh.url}  (REST API over git repos in a temp dir)`);
    console.log(`  the App       ${app.webhookUrl}  (Hono; in-memory queue; worker in process)`);
    console.log(`  installed on  ${repo.owner} and ${deployRepo.owner} as App ${stack.appId}`);

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
    await printDeploy(gh, { deployRepo, manifests: userManifests });

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
    await printDeploy(gh, { deployRepo, pull: { ...repo, number: opened.number } });

    const failed = app.queue.deadLetters.length;
    if (failed > 0) throw new Error(`${failed} job(s) failed; see the log above`);
    console.log(
      `\n${bold('Done')} in ${((Date.now() - started) / 1000).toFixed(1)} s. Nothing left this machine.`,
    );
  } finally {
    await stack?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
