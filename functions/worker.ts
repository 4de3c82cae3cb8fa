/**
 * Lambda entry of the worker (SQS FIFO trigger with `functionResponseType: ReportBatchItemFailures`):
 * settings and adapters are built once per container, then each batch goes to the worker.
 * @module
 */
import type { SQSHandler } from 'aws-lambda';
import { createGitHubClients } from '../shared/adapters/github/create-octokit.js';
import { createGitHubCodeHost } from '../shared/adapters/github/github-code-host.js';
import { createOasdiffRunner } from '../shared/adapters/oasdiff-runner.js';
import { loadSettings } from '../shared/app/settings.js';
import { createJsonLogger, createWorker } from '../shared/app/worker.js';

const settings = loadSettings(process.env);
const github = createGitHubClients({
  appId: settings.appId,
  privateKey: settings.privateKey,
  baseUrl: settings.githubApiUrl,
});
const worker = createWorker({
  codeHost: (job) => createGitHubCodeHost(github.forInstallation(job.installationId), job.repository),
  breakingDiff: createOasdiffRunner(),
  log: createJsonLogger(settings.logLevel),
});

export const handler: SQSHandler = (event) => worker.handleSqsEvent(event);
