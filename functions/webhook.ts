/**
 * Lambda entry of the webhook (API Gateway HTTP API, payload v2): the shared Hono app, enqueuing to SQS FIFO.
 * Settings and clients are built once per container.
 * @module
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { handle } from 'hono/aws-lambda';
import { loadSecrets } from '../shared/adapters/aws-secrets.js';
import { createJsonLogger } from '../shared/adapters/json-logger.js';
import { createSqsQueue } from '../shared/adapters/sqs-queue.js';
import { loadSettings, SettingsError } from '../shared/app/settings.js';
import { createWebhookApp } from '../shared/app/webhook-app.js';
import { findApprovalRepos } from '../shared/core/deploy/approval-promotion.js';

// The webhook secret (and, during a rotation, the previous one) comes from SSM (its parameter name is in the environment), read once per container.
const settings = loadSettings(await loadSecrets(process.env, { client: () => new SSMClient({}) }), 'webhook');
if (!settings.queueUrl) throw new SettingsError('QUEUE_URL is not set: the webhook needs the SQS FIFO queue');

const queue = createSqsQueue({
  client: new SQSClient({}),
  queueUrl: settings.queueUrl,
  ...(settings.deployQueueUrl ? { deployQueueUrl: settings.deployQueueUrl } : {}),
  ...(settings.deployRepo ? { deployRepo: settings.deployRepo } : {}),
});

export const handler = handle(
  createWebhookApp({
    secret: settings.webhookSecret,
    ...(settings.webhookSecretPrevious ? { previousSecret: settings.webhookSecretPrevious } : {}),
    ...(settings.environments ? { promoteTags: true } : {}),
    ...(settings.environments ? { approvalRepos: findApprovalRepos(settings.environments) } : {}),
    queue,
    ...(settings.deployRepo
      ? {
          deployRepo: {
            repo: settings.deployRepo,
            ...(settings.deployBranch ? { branch: settings.deployBranch } : {}),
          },
        }
      : {}),
    log: createJsonLogger(settings.logLevel),
  }),
);
