/**
 * Lambda entry of the worker (SQS FIFO trigger with `functionResponseType: ReportBatchItemFailures`):
 * secrets, settings and adapters are built once per container, then each batch goes to the worker.
 * @module
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import type { SQSHandler } from 'aws-lambda';
import { loadSecrets } from '../shared/adapters/aws-secrets.js';
import { createJsonLogger } from '../shared/adapters/json-logger.js';
import { loadSettings } from '../shared/app/settings.js';
import { createWorker } from '../shared/app/worker.js';
import { createWorkerDeps } from '../shared/app/worker-deps.js';

const settings = loadSettings(await loadSecrets(process.env, { client: () => new SSMClient({}) }), 'worker');
const worker = createWorker(createWorkerDeps(settings, { log: createJsonLogger(settings.logLevel) }));

export const handler: SQSHandler = (event) => worker.handleSqsEvent(event);
