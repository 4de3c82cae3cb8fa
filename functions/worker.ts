/**
 * Lambda entry of the worker (SQS FIFO trigger with `functionResponseType: ReportBatchItemFailures`):
 * secrets, settings and adapters are built once per container, then each batch goes to the worker.
 * @module
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import type { SQSHandler } from 'aws-lambda';
import { loadSecrets } from '../shared/adapters/aws-secrets.js';
import { createGitHubClients } from '../shared/adapters/github/create-octokit.js';
import { createJobCodeHost } from '../shared/adapters/github/github-code-host.js';
import { createGitHubDeployTarget } from '../shared/adapters/github/github-deploy-target.js';
import { createJsonLogger } from '../shared/adapters/json-logger.js';
import { createOasdiffRunner } from '../shared/adapters/oasdiff-runner.js';
import { loadSettings } from '../shared/app/settings.js';
import { createWorker } from '../shared/app/worker.js';

const settings = loadSettings(await loadSecrets(process.env, { client: () => new SSMClient({}) }), 'worker');
const github = createGitHubClients({
  appId: settings.appId,
  privateKey: settings.privateKey,
  baseUrl: settings.githubApiUrl,
});
const worker = createWorker({
  codeHost: (job) => createJobCodeHost(github, job),
  breakingDiff: createOasdiffRunner(),
  log: createJsonLogger(settings.logLevel),
  ...(settings.maxReceiveCount ? { maxReceiveCount: settings.maxReceiveCount } : {}),
  ...(settings.deployRepo
    ? {
        deploy: createGitHubDeployTarget(github, {
          repo: settings.deployRepo,
          mode: settings.deployMode,
          ...(settings.deployBranch ? { branch: settings.deployBranch } : {}),
        }),
      }
    : {}),
});

export const handler: SQSHandler = (event) => worker.handleSqsEvent(event);
