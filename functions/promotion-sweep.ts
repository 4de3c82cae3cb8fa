/**
 * Lambda entry of the time promotions' sweep (an EventBridge schedule, every 15 minutes): one job per environment
 * promoted `{after: …}` onto the jobs queue, in its deploy repo's FIFO group, with the schedule's time; the worker
 * decides and promotes. Settings, the App's JWT client and the queue are built once per container.
 * @module
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ScheduledHandler } from 'aws-lambda';
import { loadSecrets } from '../shared/adapters/aws-secrets.js';
import { createGitHubClients } from '../shared/adapters/github/create-octokit.js';
import { createJsonLogger } from '../shared/adapters/json-logger.js';
import { createSqsQueue } from '../shared/adapters/sqs-queue.js';
import { sweepTimePromotions } from '../shared/app/promotion-sweep.js';
import { loadSettings, SettingsError } from '../shared/app/settings.js';

const settings = loadSettings(await loadSecrets(process.env, { client: () => new SSMClient({}) }), 'worker');
if (!settings.queueUrl) throw new SettingsError('QUEUE_URL is not set: the sweep needs the SQS FIFO queue');
const log = createJsonLogger(settings.logLevel);
const github = createGitHubClients({
  appId: settings.appId,
  privateKey: settings.privateKey,
  baseUrl: settings.githubApiUrl,
  log,
});
const queue = createSqsQueue({ client: new SQSClient({}), queueUrl: settings.queueUrl });

export const handler: ScheduledHandler = async (event) => {
  await sweepTimePromotions(new Date(Number.isNaN(Date.parse(event.time)) ? Date.now() : event.time), {
    environments: settings.environments ?? [],
    queue,
    installationFor: (repo) => github.installationFor(repo),
    log,
  });
};
