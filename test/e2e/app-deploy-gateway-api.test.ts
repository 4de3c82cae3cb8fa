/**
 * The App deploys a gateway-api API like any other (issue 13): the PR shows the HTTPRoutes as mesh changes,
 * the merge commits them to the deploy repo with the source record, and the record names the parent Gateway
 * so the next tenant's check sees the claim. A PR naming a Gateway its repo is not granted fails its check and
 * commits nothing. Real webhooks, worker, Octokit and the local GitHub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { LocalGitHub } from '../../dev/github/index.js';
import type { LocalApp } from '../../dev/start.js';
import { type AppOnLocalGitHub, startAppOnLocalGitHub } from '../helpers/app.js';

const deployRef = { owner: 'platform', repo: 'deploy' };
const pets = { owner: 'acme', repo: 'pets' };
let gh: LocalGitHub;
let app: LocalApp;
let harness: AppOnLocalGitHub;

const tenants = {
  tenants: {
    'acme/pets': {
      gateways: [],
      parentGateways: ['envoy-gateway-system/eg'],
      hostnames: ['pets.example.com'],
      basePaths: ['/pets-api'],
      namespaces: ['pets'],
    },
  },
};

function sourceFiles(parent: string): Record<string, string> {
  const config = [
    'version: 1',
    'target: gateway-api',
    'apis:',
    '  - name: pets',
    '    spec: openapi.yaml',
    `    parentRef: {${parent}}`,
    '    hostnames: [pets.example.com]',
    '    basePath: /pets-api',
    '    service: {name: pets, namespace: pets, port: 8080}',
    '',
  ].join('\n');
  const spec = [
    'openapi: 3.0.3',
    'info: {title: Pets, version: 1.0.0}',
    'paths:',
    '  /pets:',
    "    get: {operationId: listPets, responses: {'200': {description: ok}}}",
    '  /pets/{petId}:',
    '    get:',
    '      operationId: getPet',
    '      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]',
    "      responses: {'200': {description: ok}}",
    '',
  ].join('\n');
  return { '.kuma-api-forge.yaml': config, 'openapi.yaml': spec };
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

async function openPull(branch: string, parent: string) {
  await gh.admin.push({ ...pets, branch, files: sourceFiles(parent), message: branch });
  const opened = await gh.admin.openPullRequest({ ...pets, head: branch, title: branch });
  await app.queue.idle();
  return opened;
}

const deployFiles = async () =>
  (await gh.admin.listFiles({ ...deployRef, ref: 'main' })).filter((p) => p.startsWith('apis/')).sort();
const readDeployed = (path: string) => gh.admin.readFile({ ...deployRef, ref: 'main', path });

describe('merge of a gateway-api API', { timeout: 90_000 }, () => {
  it('fails the check and commits nothing when the parentRef names a Gateway the repo is not granted', async () => {
    const pr = await openPull('other-gateway', 'name: eg, namespace: kube-system');
    const run = gh.admin.checkRuns({ ...pets, sha: pr.headSha }).at(-1);
    expect(run?.conclusion).toBe('failure');
    expect(JSON.stringify(run)).toContain('tenancy-gateway');
    const before = (await gh.admin.log({ ...deployRef, ref: 'main' })).length;
    await gh.admin.mergePullRequest({ ...pets, number: pr.number });
    await app.queue.idle();
    expect(await gh.admin.log({ ...deployRef, ref: 'main' })).toHaveLength(before);
    expect(await deployFiles()).toEqual([]);
  });

  it('commits the HTTPRoute files and a source record that names the parent Gateway', async () => {
    const pr = await openPull('add-api', 'name: eg, namespace: envoy-gateway-system');
    expect(gh.admin.checkRuns({ ...pets, sha: pr.headSha }).at(-1)?.conclusion).toBe('success');
    // The PR preview lists the HTTPRoute the merge will commit.
    const comment = gh.admin
      .comments({ ...pets, number: pr.number })
      .find((c) => c.body.startsWith('<!-- kuma-api-forge -->'));
    expect(comment?.body).toContain('HTTPRoute');
    expect(comment?.body).toContain('pets/httproute-pets.yaml');
    const before = (await gh.admin.log({ ...deployRef, ref: 'main' })).length;
    await gh.admin.mergePullRequest({ ...pets, number: pr.number });
    await app.queue.idle();
    expect(app.queue.deadLetters).toEqual([]);
    const log = await gh.admin.log({ ...deployRef, ref: 'main' });
    expect(log).toHaveLength(before + 1);
    expect(log[0]!.message).toContain('HTTPRoute pets/pets (apis/acme/pets/pets/httproute-pets.yaml)');

    const files = await deployFiles();
    expect(files).toContain('apis/acme/pets/.source.yaml');
    expect(files).toContain('apis/acme/pets/pets/httproute-pets.yaml');
    const route = parse((await readDeployed('apis/acme/pets/pets/httproute-pets.yaml'))!);
    expect(route).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'pets', namespace: 'pets' },
      spec: {
        parentRefs: [{ name: 'eg', namespace: 'envoy-gateway-system' }],
        hostnames: ['pets.example.com'],
      },
    });
    expect(route.spec.rules).toHaveLength(2);
    expect(route.metadata.labels?.['kuma.io/mesh']).toBeUndefined();

    const record = parse((await readDeployed('apis/acme/pets/.source.yaml'))!);
    expect(record.resources).toContain('HTTPRoute pets/pets');
    expect(record.routes.map((r: { gateway: string; method: string }) => [r.gateway, r.method])).toEqual([
      ['envoy-gateway-system/eg', 'GET'],
      ['envoy-gateway-system/eg', 'GET'],
    ]);
  });
});
