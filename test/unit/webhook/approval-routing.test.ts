import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { parseJob } from '../../../shared/app/worker.js';
import { jobGroupId } from '../../../shared/core/jobs.js';
import { toJob } from '../../../shared/core/webhook-events.js';

// biome-ignore lint/suspicious/noExplicitAny: webhook example payloads, read field by field
type Payload = Record<string, any>;
const closed = (): Payload => {
  const payload = structuredClone(
    (examples as { name: string; examples: Payload[] }[])
      .find((e) => e.name === 'pull_request')!
      .examples.find((p) => p.action === 'closed')!,
  );
  payload.installation ??= { id: 7 };
  return payload;
};

describe('a merged PR on a deploy repo whose next environment promotes by approval', () => {
  const payload = closed();
  payload.pull_request.merged = true;
  const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };

  it('is a promote-approved job with the merged PR’s head, base and author, in the deploy group', () => {
    const job = toJob('pull_request', 'd-1', payload, { approvalRepos: [repo], deployRepo: { repo } });
    expect(job).toEqual({
      type: 'promote-approved',
      deliveryId: 'd-1',
      event: 'pull_request.closed',
      installationId: payload.installation.id,
      repository: repo,
      pullNumber: payload.pull_request.number,
      headSha: payload.pull_request.head.sha,
      headRef: payload.pull_request.head.ref,
      baseRef: payload.pull_request.base.ref,
      baseSha: payload.pull_request.base.sha,
      author: { login: payload.pull_request.user.login, type: payload.pull_request.user.type },
    });
    expect(parseJob(JSON.stringify(job))).toEqual(job);
    expect(parseJob(JSON.stringify({ ...job, headSha: 'HEAD' }))).toBeUndefined();
    expect(jobGroupId(job as never, { owner: 'p', repo: 'd' })).toBe('deploy:p/d');
  });

  it('closed unmerged, on another repo, or without an approval rule: no promotion', () => {
    expect(
      toJob(
        'pull_request',
        'd',
        { ...payload, pull_request: { ...payload.pull_request, merged: false } },
        {
          approvalRepos: [repo],
        },
      ),
    ).toEqual({ ignored: 'pull_request.closed without merging: a deploy PR promotes only once merged' });
    expect(toJob('pull_request', 'd', payload, { approvalRepos: [{ owner: 'p', repo: 'other' }] })).toEqual({
      ignored: 'pull_request.closed: a merge is deployed from its push to the default branch',
    });
    expect(toJob('pull_request', 'd', payload, {})).toMatchObject({ ignored: expect.any(String) });
    // A review starts nothing: the merge of the approved PR promotes.
    expect(toJob('pull_request_review', 'd', payload, { approvalRepos: [repo] })).toEqual({
      ignored: 'pull_request_review is not used',
    });
  });

  it('its other actions stay the governance check of the deploy repo', () => {
    expect(
      toJob(
        'pull_request',
        'd',
        { ...payload, action: 'synchronize' },
        { approvalRepos: [repo], deployRepo: { repo } },
      ),
    ).toMatchObject({ type: 'governance' });
  });
});
