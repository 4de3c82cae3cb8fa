/**
 * A pull request on the deploy repo becomes a governance job (its PRs never get the API check); every other
 * repo's PR stays a check job. The job survives the queue and is grouped per PR, never with deploys.
 */
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { buildSourceScope } from '../../../shared/adapters/github/job-scopes.js';
import { parseJob } from '../../../shared/app/worker.js';
import { jobGroupId } from '../../../shared/core/jobs.js';
import { toJob } from '../../../shared/core/webhook-events.js';

// biome-ignore lint/suspicious/noExplicitAny: a webhook example payload, read field by field
type Payload = Record<string, any>;
const payload = structuredClone(
  (examples as { name: string; examples: Payload[] }[])
    .find((e) => e.name === 'pull_request')!
    .examples.find((p) => p.action === 'opened' && p.installation !== undefined)!,
);
const repo = { owner: payload.repository.owner.login as string, repo: payload.repository.name as string };

describe('governance jobs', () => {
  it('a PR on the deploy repo (names compared without case) is a governance job', () => {
    const deployRepo = { owner: repo.owner.toUpperCase(), repo: repo.repo.toLowerCase() };
    const job = toJob('pull_request', 'd-1', payload, { deployRepo: { repo: deployRepo } });
    expect(job).toMatchObject({
      type: 'governance',
      repository: repo,
      pullNumber: payload.pull_request.number,
    });
    // Every other repo's PR, or no deploy repo configured: the API check.
    expect(
      toJob('pull_request', 'd-1', payload, { deployRepo: { repo: { owner: repo.owner, repo: 'other' } } }),
    ).toMatchObject({
      type: 'check',
    });
    expect(toJob('pull_request', 'd-1', payload)).toMatchObject({ type: 'check' });
    // A merge of a deploy-repo PR is still ignored (its push is what matters).
    expect(
      toJob('pull_request', 'd-1', { ...payload, action: 'closed' }, { deployRepo: { repo } }),
    ).toHaveProperty('ignored');
  });

  it('survives the queue, is grouped per PR, and its token reads and writes checks only', () => {
    const job = toJob('pull_request', 'd-1', payload, { deployRepo: { repo } });
    if (!('type' in job)) throw new Error('expected a job');
    expect(parseJob(JSON.stringify(job))).toEqual(job);
    expect(parseJob(JSON.stringify({ ...job, headSha: 'main' }))).toBeUndefined();
    expect(jobGroupId(job, repo)).toBe(`${repo.owner}/${repo.repo}#${payload.pull_request.number}`);
    expect(buildSourceScope(job).permissions).toEqual({
      contents: 'read',
      checks: 'write',
      pull_requests: 'read',
    });
  });
});
