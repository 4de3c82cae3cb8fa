import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { parseJob } from '../../../shared/app/worker.js';
import { jobGroupId } from '../../../shared/core/jobs.js';
import { toJob } from '../../../shared/core/webhook-events.js';

// biome-ignore lint/suspicious/noExplicitAny: webhook example payloads, read field by field
type Payload = Record<string, any>;
const push = (): Payload =>
  structuredClone(
    (examples as { name: string; examples: Payload[] }[])
      .find((e) => e.name === 'push')!
      .examples.find((p) => p.ref === 'refs/heads/master' && p.installation !== undefined)!,
  );

describe('pushes to the deploy repo become drift jobs', () => {
  // The example creates its branch: here the branch moves from one commit to the next.
  const payload: Payload = { ...push(), created: false, before: 'b'.repeat(40) };
  const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };

  it('a push to its deploy branch (default: the default branch) is judged for drift, whoever pushed', () => {
    const job = toJob('push', 'd-1', payload, { deployRepo: { repo } });
    expect(job).toEqual({
      type: 'drift',
      deliveryId: 'd-1',
      event: 'push',
      installationId: payload.installation.id,
      repository: repo,
      sha: payload.after,
      before: payload.before,
    });
    // GitHub names are case-insensitive: DEPLOY_REPO in another case is the same repo.
    const upper = { owner: repo.owner.toUpperCase(), repo: repo.repo.toUpperCase() };
    expect(toJob('push', 'd-1', payload, { deployRepo: { repo: upper } })).toEqual(job);
    // A queue message round trip keeps it, and it runs in its own FIFO group.
    expect(parseJob(JSON.stringify(job))).toEqual(job);
    expect(parseJob(JSON.stringify({ ...job, before: 'HEAD~1' }))).toBeUndefined();
    expect(jobGroupId(job as never, { owner: 'x', repo: 'y' })).toBe(`drift:${repo.owner}/${repo.repo}`);
  });

  it('DEPLOY_BRANCH picks the branch; other branches, a created or deleted branch are ignored', () => {
    expect(toJob('push', 'd', payload, { deployRepo: { repo, branch: 'production' } })).toEqual({
      ignored: 'push to refs/heads/master of the deploy repo, not its deploy branch',
    });
    expect(
      toJob(
        'push',
        'd',
        { ...payload, ref: 'refs/heads/production' },
        { deployRepo: { repo, branch: 'production' } },
      ),
    ).toMatchObject({ type: 'drift' });
    expect(
      toJob(
        'push',
        'd',
        { ...payload, ref: 'refs/heads/kuma-api-forge/acme/pets' },
        { deployRepo: { repo } },
      ),
    ).toEqual({
      ignored: 'push to refs/heads/kuma-api-forge/acme/pets of the deploy repo, not its deploy branch',
    });
    expect(
      toJob('push', 'd', { ...payload, created: true, before: '0'.repeat(40) }, { deployRepo: { repo } }),
    ).toEqual({
      ignored: 'push created the deploy branch: nothing to compare it with',
    });
    expect(toJob('push', 'd', { ...payload, deleted: true }, { deployRepo: { repo } })).toEqual({
      ignored: 'push deleted the deploy branch',
    });
    expect(toJob('push', 'd', { ...payload, before: 'nope' }, { deployRepo: { repo } })).toEqual({
      invalid: 'push: before must be a commit SHA',
    });
  });

  it('a push to any other repo is a deploy as before; without a deploy repo nothing changes', () => {
    expect(
      toJob('push', 'd', payload, { deployRepo: { repo: { owner: 'platform', repo: 'deploy' } } }),
    ).toMatchObject({
      type: 'deploy',
    });
    expect(toJob('push', 'd', payload)).toMatchObject({ type: 'deploy' });
  });
});
