/**
 * A real deploy against the local GitHub (real git repos, the worker's Octokit clients) of a source repo whose
 * spec path carries a whole second resource behind a U+2028 and whose header values are YAML 1.1 words: every
 * file the deploy commits reads, in go-yaml v2/v3, ghodss/yaml and PyYAML, exactly as the renderer meant, and
 * the commit message carries no forged line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { type AppCredentials, type LocalGitHub, startLocalGitHub } from '../../dev/github/index.js';
import { createGitHubClients } from '../../shared/adapters/github/create-octokit.js';
import { createGitHubCodeHost } from '../../shared/adapters/github/github-code-host.js';
import {
  createGitHubDeployRepo,
  createGitHubSourceHistory,
} from '../../shared/adapters/github-deploy-repo.js';
import { parseSourceRecord } from '../../shared/core/deploy/source-record.js';
import { toManifestObject } from '../../shared/core/kuma/render/serialize-resources.js';
import { deployPush } from '../../shared/use-cases/deploy-push.js';
import { renderRepo } from '../../shared/use-cases/render-repo.js';
import { createTestApp } from '../helpers/local-github.js';
import { attackRepo, embeddedCases, expectParity, injected, type ParityCase, skip } from './helpers.js';

const deployRef = { owner: 'acme', repo: 'deploy' };
let gh: LocalGitHub;
let app: AppCredentials;

beforeEach(async () => {
  gh = await startLocalGitHub();
  app = createTestApp(gh);
});

afterEach(async () => {
  await gh.stop();
});

describe.skipIf(skip)('YAML parity of a real deploy', () => {
  it('every file the deploy commits reads as meant in every parser; the message has one trailer', async () => {
    const { installationId } = await gh.admin.installApp(app.id, 'acme');
    const grant = {
      gateways: ['edge'],
      hostnames: ['shop.example.com'],
      basePaths: ['/shop'],
      namespaces: ['shop'],
    };
    await gh.admin.createRepo({
      ...deployRef,
      files: { 'tenants.yaml': stringify({ tenants: { 'acme/shop': grant } }), 'README.md': '# deploy\n' },
    });
    await gh.admin.createRepo({ owner: 'acme', repo: 'shop', files: { 'README.md': '# shop\n' } });
    const files = attackRepo({
      specPath: `openapi/${injected('\u2028')}.yaml`,
      headerValues: ['yes', 'on', '1:20', '2024-01-01', 'a: b', '# x', '--- y'],
    });
    await gh.admin.push({ owner: 'acme', repo: 'shop', branch: 'api', from: 'main', files, deliver: false });
    const pr = await gh.admin.openPullRequest({ owner: 'acme', repo: 'shop', head: 'api', deliver: false });
    const { sha } = await gh.admin.mergePullRequest({
      owner: 'acme',
      repo: 'shop',
      number: pr.number,
      deliver: false,
    });

    const octokit = createGitHubClients({
      appId: app.id,
      privateKey: app.privateKey!,
      baseUrl: gh.url,
      retries: 2,
      rateLimitRetries: 2,
      waitUnitMs: 1,
      spaceWrites: false,
    }).forInstallation(installationId);
    const repository = { owner: 'acme', repo: 'shop' };
    const outcome = await deployPush(
      {
        type: 'deploy',
        deliveryId: 'd-1',
        event: 'push',
        installationId,
        repository,
        sha,
      },
      {
        source: createGitHubCodeHost(octokit, repository),
        history: createGitHubSourceHistory(octokit, repository),
        deployRepo: createGitHubDeployRepo(octokit, deployRef, { branch: 'main' }),
        backoffMs: 5,
        maxAttempts: 3,
      },
    );
    expect(outcome.status).toBe('committed');

    // What the renderer meant: the resources of the same commit, as objects.
    const rendered = await renderRepo(createGitHubCodeHost(octokit, repository).files(sha), {
      repo: 'acme/shop',
    });
    const intended = new Map(
      rendered.apis.flatMap((api) =>
        api.resources.map((resource) => [
          `apis/acme/shop/${api.name}/${resource.kind.toLowerCase()}-${resource.name}.yaml`,
          toManifestObject(resource, 'k8s'),
        ]),
      ),
    );
    const deployed = (await gh.admin.listFiles({ ...deployRef, ref: 'main' })).filter((p) =>
      p.startsWith('apis/'),
    );
    expect(deployed.filter((p) => !p.endsWith('/.source.yaml')).sort()).toEqual([...intended.keys()].sort());
    const cases: ParityCase[] = [];
    for (const path of deployed) {
      const text = (await gh.admin.readFile({ ...deployRef, ref: 'main', path }))!;
      if (path.endsWith('/.source.yaml')) {
        expect(parseSourceRecord(text)!.inputs.map((input) => input.path)).toContain(
          `openapi/${injected('\u2028')}.yaml`,
        );
        cases.push({ what: path, text, intended: [parseAllDocuments(text)[0]!.toJS()] });
      } else {
        cases.push({ what: path, text, intended: [intended.get(path)] });
      }
    }
    expectParity([...cases, ...cases.flatMap(embeddedCases)]);

    const head = await gh.admin.commit({ ...deployRef, ref: 'main' });
    expect(head.message).toMatch(/^[\x20-\x7e\n]*$/);
    expect(head.message.match(/^Kuma-Api-Forge-Source: /gm)).toHaveLength(1);
    expect(head.message).toContain('  openapi/x%E2%80%A8---%E2%80%A8apiVersion: kuma.io/v1alpha1%E2%80%A8');
  }, 120_000);
});
