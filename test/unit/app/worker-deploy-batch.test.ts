/**
 * The worker's SQS deploy batches (the deploy queue hands over its one group's backlog, in order): all records
 * land in one commit; a transient failure reports the records that did not land, and every record after them
 * (FIFO), for the queue's retry, which then deploys nothing twice; a refusal a retry cannot help is commented on
 * and not retried; checks still refuse a batch. Against fake ports: the real use case, worker and plan.
 */
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createJsonLogger } from '../../../shared/adapters/json-logger.js';
import { createWorker } from '../../../shared/app/worker.js';
import { UpstreamError } from '../../../shared/core/errors.js';
import type { DeployJob, Job } from '../../../shared/core/jobs.js';
import type { DeployRepo, DeployTarget } from '../../../shared/ports/deploy-repo.js';
import {
  createFakeDeployRepo,
  createFakeSourceRepo,
  deployJobFactory,
  type FakeDeployRepo,
  type FakeSourceRepo,
} from '../../helpers/factories.js';
import { buildSourceFiles } from '../deploy/helpers.js';

const names = ['a', 'b', 'c'];

function setup(
  wrap: (repo: DeployRepo) => DeployRepo = (repo) => repo,
  deployCommentsPerBatch?: number,
  mode?: DeployTarget['mode'],
) {
  const tenants = Object.fromEntries(
    names.map((name) => [
      `acme/${name}`,
      { gateways: ['edge'], hostnames: [`${name}.example.com`], basePaths: [`/${name}`], namespaces: [name] },
    ]),
  );
  const deployRepo: FakeDeployRepo = createFakeDeployRepo({ 'tenants.yaml': stringify({ tenants }) });
  const sources = new Map<string, FakeSourceRepo>(
    names.map((name) => [name, createFakeSourceRepo({ repo: name, files: { 'README.md': `# ${name}\n` } })]),
  );
  const target: DeployTarget = {
    description: 'platform/deploy',
    ...(mode ? { mode } : {}),
    repo: async () => wrap(deployRepo),
    history: (job) => sources.get(job.repository.repo)!.history,
  };
  const lines: Record<string, unknown>[] = [];
  const worker = createWorker({
    codeHost: (job) => sources.get(job.repository.repo)!.codeHost,
    breakingDiff: { breaking: () => Promise.reject(new Error('not expected')) },
    log: createJsonLogger('info', (line) => lines.push(JSON.parse(line))),
    deploy: target,
    deployRetry: { backoffMs: 1 },
    maxReceiveCount: 5,
    ...(deployCommentsPerBatch !== undefined ? { deployCommentsPerBatch } : {}),
  });
  /** A merged PR of `name`: the deploy job its push enqueues. */
  const merge = (name: string, hostnames = [`${name}.example.com`]) => {
    const source = sources.get(name)!;
    const branch = `b${source.calls.length}-${Math.random()}`;
    source.push(branch, buildSourceFiles({ name, hostnames, basePath: `/${name}`, namespace: name }));
    const sha = source.merge(source.openPull({ head: branch }));
    return deployJobFactory(source, sha);
  };
  return { worker, deployRepo, sources, lines, merge };
}

function sqsEvent(jobs: (Job | string)[], receiveCount = 1): SQSEvent {
  return {
    Records: jobs.map((job, index) => ({
      messageId: `m${index}`,
      receiptHandle: `m${index}`,
      body: typeof job === 'string' ? job : JSON.stringify(job),
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
        MessageGroupId: 'deploy:platform/deploy',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:0:deploys.fifo',
      awsRegion: 'eu-west-1',
    })),
  };
}

const sourceLines = (deployRepo: FakeDeployRepo) =>
  deployRepo
    .log()
    .flatMap((message) => [...message.matchAll(/Kuma-Api-Forge-Source: (\S+)/g)].map((m) => m[1]));

describe('an SQS batch of deploy records', () => {
  it('lands as one commit; a malformed record in it is dropped', async () => {
    const { worker, deployRepo, merge } = setup();
    const jobs = names.map((name) => merge(name));
    const response = await worker.handleSqsEvent(sqsEvent([jobs[0]!, '{"type":', jobs[1]!, jobs[2]!]));
    expect(response.batchItemFailures).toEqual([]);
    expect(deployRepo.commits).toHaveLength(1);
    expect(sourceLines(deployRepo)).toEqual(jobs.map((job) => `acme/${job.repository.repo}@${job.sha}`));
  });

  it('a transient failure fails every record that did not land; the retry deploys each once', async () => {
    let failures = 1;
    const { worker, deployRepo, merge } = setup((repo) => ({
      ...repo,
      description: repo.description,
      url: repo.url,
      calls: 0,
      readSnapshot: () => repo.readSnapshot(),
      readText: (sha) => repo.readText(sha),
      commit: (request) =>
        failures-- > 0
          ? Promise.reject(
              new UpstreamError('Server Error', { service: 'GitHub', status: 502, retryable: true }),
            )
          : repo.commit(request),
    }));
    const jobs = names.map((name) => merge(name));
    const first = await worker.handleSqsEvent(sqsEvent(jobs));
    expect(first.batchItemFailures).toEqual(['m0', 'm1', 'm2'].map((id) => ({ itemIdentifier: id })));
    expect(deployRepo.log()).toHaveLength(1); // the initial commit only
    const retry = await worker.handleSqsEvent(sqsEvent(jobs, 2));
    expect(retry.batchItemFailures).toEqual([]);
    // Redelivered once more (as if the delete was lost): superseded, nothing committed twice.
    expect((await worker.handleSqsEvent(sqsEvent(jobs, 3))).batchItemFailures).toEqual([]);
    expect(deployRepo.log()).toHaveLength(2);
    expect(sourceLines(deployRepo)).toEqual(jobs.map((job) => `acme/${job.repository.repo}@${job.sha}`));
  });

  it('a rejected repo is commented on and left out; the others land; nothing is retried', async () => {
    const { worker, deployRepo, merge, sources } = setup();
    const good = merge('a');
    const thief = merge('b', ['a.example.com']);
    const response = await worker.handleSqsEvent(sqsEvent([thief, good]));
    expect(response.batchItemFailures).toEqual([]);
    expect(sourceLines(deployRepo)).toEqual([`acme/a@${good.sha}`]);
    const pulls = (name: string) =>
      sources
        .get(name)!
        .comments(1)
        .map((c) => c.body);
    expect(pulls('b').join('\n')).toContain('Not deployed');
    expect(pulls('a').join('\n')).toContain('deployed to');
  });

  it('caps the "deployed" comments of a batch, never the deploy: every repo lands, the first PRs are told', async () => {
    const { worker, deployRepo, merge, sources, lines } = setup(undefined, 1);
    const jobs = names.map((name) => merge(name));
    expect((await worker.handleSqsEvent(sqsEvent(jobs))).batchItemFailures).toEqual([]);
    expect(sourceLines(deployRepo)).toHaveLength(3);
    const told = names.map((name) => sources.get(name)!.comments(1).length);
    expect(told).toEqual([1, 0, 0]);
    expect(
      lines.filter((l) => l.message === 'deployed comment skipped: over the per-batch limit'),
    ).toHaveLength(2);
  });

  it('in pull-request mode lands one commit per source repo (each its own deploy PR), newest commit each', async () => {
    const { worker, deployRepo, merge } = setup(undefined, undefined, 'pull-request');
    const older = merge('a');
    const jobs = [merge('b'), merge('a'), older];
    expect((await worker.handleSqsEvent(sqsEvent(jobs))).batchItemFailures).toEqual([]);
    expect(deployRepo.commits.map((c) => c.sourceRepo.repo)).toEqual(['b', 'a']);
    expect(sourceLines(deployRepo)).toEqual([`acme/a@${jobs[1]!.sha}`, `acme/b@${jobs[0]!.sha}`]);
  });

  it('a batch that mixes a check with deploys is refused without running any of it', async () => {
    const { worker, deployRepo, merge } = setup();
    const check: Job = {
      type: 'check',
      deliveryId: 'c-1',
      event: 'pull_request.opened',
      installationId: 1,
      repository: { owner: 'acme', repo: 'a' },
      pullNumber: 1,
      headSha: 'a'.repeat(40),
    };
    const deploy: DeployJob = merge('a');
    await expect(worker.handleSqsEvent(sqsEvent([deploy, check]))).rejects.toMatchObject({
      name: 'SetupError',
    });
    expect(deployRepo.log()).toHaveLength(1);
  });
});
