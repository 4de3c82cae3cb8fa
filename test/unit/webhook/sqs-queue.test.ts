import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import { createSqsQueue, toSqsId } from '../../../shared/adapters/sqs-queue.js';
import type { CheckJob, DeployJob } from '../../../shared/core/jobs.js';

const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/kuma-api-forge-jobs.fifo';
const checkJob: CheckJob = {
  type: 'check',
  deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
  event: 'pull_request.opened',
  installationId: 7,
  repository: { owner: 'acme', repo: 'users' },
  pullNumber: 12,
  headSha: 'a'.repeat(40),
};
const deployJob: DeployJob = {
  type: 'deploy',
  deliveryId: '9b2c4e10-cc78-11e3-81ab-4c9367dc0958',
  event: 'push',
  installationId: 7,
  repository: { owner: 'acme', repo: 'users' },
  sha: 'b'.repeat(40),
};

function stubbedClient() {
  const client = new SQSClient({ region: 'eu-west-1' });
  const send = vi.spyOn(client, 'send').mockResolvedValue({ MessageId: 'm-1' } as never);
  return { client, send };
}

describe('createSqsQueue', () => {
  it('sends a check as one FIFO message grouped by PR and deduplicated by delivery id', async () => {
    const { client, send } = stubbedClient();
    const queue = createSqsQueue({ client, queueUrl, deployRepo: { owner: 'platform', repo: 'deploy' } });
    await queue.enqueue(checkJob);
    expect(send).toHaveBeenCalledTimes(1);
    const command = send.mock.calls[0]![0];
    expect(command).toBeInstanceOf(SendMessageCommand);
    expect(command.input).toEqual({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(checkJob),
      MessageGroupId: 'acme/users#12',
      MessageDeduplicationId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    });
    expect(JSON.parse((command.input as { MessageBody: string }).MessageBody)).toEqual(checkJob);
  });

  it('groups every deploy by the deploy repo', async () => {
    const { client, send } = stubbedClient();
    const queue = createSqsQueue({ client, queueUrl, deployRepo: { owner: 'platform', repo: 'deploy' } });
    await queue.enqueue(deployJob);
    expect(send.mock.calls[0]![0].input).toMatchObject({
      MessageGroupId: 'deploy:platform/deploy',
      MessageDeduplicationId: deployJob.deliveryId,
    });
  });

  it('sends deploys to the deploy queue when there is one, checks never', async () => {
    const { client, send } = stubbedClient();
    const deployQueueUrl = queueUrl.replace('jobs', 'deploys');
    const queue = createSqsQueue({
      client,
      queueUrl,
      deployQueueUrl,
      deployRepo: { owner: 'platform', repo: 'deploy' },
    });
    await queue.enqueue(deployJob);
    await queue.enqueue(checkJob);
    expect(send.mock.calls.map(([command]) => (command.input as { QueueUrl: string }).QueueUrl)).toEqual([
      deployQueueUrl,
      queueUrl,
    ]);
  });

  it('rejects when SQS refuses, so the webhook answers an error GitHub shows', async () => {
    const { client, send } = stubbedClient();
    send.mockRejectedValueOnce(new Error('AccessDenied'));
    await expect(createSqsQueue({ client, queueUrl }).enqueue(checkJob)).rejects.toThrow('AccessDenied');
  });

  it('keeps group ids within SQS 128 characters, distinct for distinct long names', () => {
    const long = (n: number) => `${'o'.repeat(39)}/${'r'.repeat(100)}#${n}`;
    expect(toSqsId('acme/users#12')).toBe('acme/users#12');
    expect(toSqsId(long(1))).toHaveLength(128);
    expect(toSqsId(long(1))).not.toBe(toSqsId(long(2)));
    expect(toSqsId(long(1))).toMatch(/^[\x21-\x7e]+$/);
  });
});
