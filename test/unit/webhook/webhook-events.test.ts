import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { toJob } from '../../../shared/core/webhook-events.js';

// biome-ignore lint/suspicious/noExplicitAny: webhook example payloads, read field by field
type Payload = Record<string, any>;
const example = (name: string, action?: string, pick: (p: Payload) => boolean = () => true): Payload => {
  const found = (examples as { name: string; examples: Payload[] }[])
    .find((e) => e.name === name)
    ?.examples.find((p) => (action === undefined || p.action === action) && pick(p));
  if (!found) throw new Error(`no example ${name}.${action}`);
  return structuredClone(found);
};
const withInstallation = (p: Payload) => p.installation !== undefined;

describe('toJob: GitHub webhooks to jobs', () => {
  it.each(['opened', 'synchronize', 'reopened', 'labeled', 'unlabeled'])(
    'checks the PR head on pull_request.%s',
    (action) => {
      const payload = example('pull_request', action, withInstallation);
      expect(toJob('pull_request', 'd-1', payload)).toEqual({
        type: 'check',
        deliveryId: 'd-1',
        event: `pull_request.${action}`,
        installationId: payload.installation.id,
        repository: { owner: payload.repository.owner.login, repo: payload.repository.name },
        pullNumber: payload.pull_request.number,
        headSha: payload.pull_request.head.sha,
        // Who added a label, to name them when it is the approval label.
        ...(action === 'labeled'
          ? { approver: { login: payload.sender.login, via: 'label', label: payload.label.name } }
          : {}),
      });
    },
  );

  it.each(['labeled', 'unlabeled'])(
    'ignores pull_request.%s sent by a bot (the App adds its own label)',
    (action) => {
      const payload = example('pull_request', action, withInstallation);
      payload.sender = { ...payload.sender, login: 'kuma-api-forge[bot]', type: 'Bot' };
      expect(toJob('pull_request', 'd', payload)).toEqual({
        ignored: `pull_request.${action} by a bot (the App's own approval checks by itself)`,
      });
    },
  );

  it('checks on pull_request.edited only when the base branch changed', () => {
    const payload = example('pull_request', 'opened', withInstallation);
    payload.action = 'edited';
    payload.changes = { title: { from: 'old' } };
    expect(toJob('pull_request', 'd', payload)).toEqual({
      ignored: 'pull_request.edited without a base change does not change the check',
    });
    payload.changes = { base: { ref: { from: 'develop' }, sha: { from: 'a'.repeat(40) } } };
    expect(toJob('pull_request', 'd', payload)).toMatchObject({
      type: 'check',
      event: 'pull_request.edited',
    });
  });

  it('leaves a merged pull request to its push, and ignores actions that do not change the check', () => {
    const closed = example('pull_request', 'closed');
    closed.pull_request.merged = true;
    expect(toJob('pull_request', 'd', closed)).toEqual({
      ignored: 'pull_request.closed: a merge is deployed from its push to the default branch',
    });
    expect(toJob('pull_request', 'd', example('pull_request', 'assigned'))).toEqual({
      ignored: 'pull_request.assigned does not change the check',
    });
  });

  it.each(['check_run', 'check_suite'] as const)('re-checks the first PR named by %s.rerequested', (name) => {
    const payload = example(name, 'rerequested');
    payload.installation = { id: 42 };
    payload[name].pull_requests = [{ number: 7 }, { number: 8 }];
    expect(toJob(name, 'd', payload)).toEqual({
      type: 'check',
      deliveryId: 'd',
      event: `${name}.rerequested`,
      installationId: 42,
      repository: { owner: payload.repository.owner.login, repo: payload.repository.name },
      pullNumber: 7,
      headSha: payload[name].head_sha,
    });
    payload[name].pull_requests = [];
    expect(toJob(name, 'd', payload)).toEqual({ ignored: `${name}.rerequested names no pull request` });
    expect(toJob(name, 'd', { ...payload, action: 'completed' })).toEqual({
      ignored: `${name}.completed is not a re-run request`,
    });
  });

  it('deploys a push to the default branch, and never takes a PR number from the commit message', () => {
    const payload = example('push', undefined, (p) => p.ref === 'refs/heads/master' && withInstallation(p));
    const job = {
      type: 'deploy',
      deliveryId: 'd',
      event: 'push',
      installationId: payload.installation.id,
      repository: { owner: payload.repository.owner.login, repo: payload.repository.name },
      sha: payload.after,
    };
    // Anyone who can push writes these subjects: which PR a commit merged is asked of GitHub by the deploy.
    for (const message of [
      'Merge pull request #12 from acme/remove-delete\n\nRemove DELETE',
      'Add avatars (#31)',
      'Fix #31 by hand',
    ]) {
      payload.head_commit.message = message;
      expect(toJob('push', 'd', payload)).toEqual(job);
    }
  });

  it('promotes the commit a pushed tag names (head_commit, not the tag object), and ignores a deleted tag', () => {
    const created = example('push', undefined, (p) => p.ref.startsWith('refs/tags/') && !p.deleted);
    const environments = { promoteTags: true };
    const installation = { id: 42 };
    // An annotated tag's `after` is the tag object, its `head_commit` the commit: the commit is promoted.
    const annotated = { ...created, installation, after: 'f'.repeat(40) };
    expect(toJob('push', 'd', annotated, environments)).toEqual({
      type: 'promote',
      deliveryId: 'd',
      event: 'push',
      installationId: 42,
      repository: { owner: created.repository.owner.login, repo: created.repository.name },
      tag: 'simple-tag',
      sha: created.head_commit.id,
    });
    expect(toJob('push', 'd', created, environments)).toEqual({
      invalid: 'push: installation.id must be a positive integer',
    });
    expect(toJob('push', 'd', { ...annotated, head_commit: null }, environments)).toEqual({
      invalid: 'push: head_commit.id must be a commit SHA',
    });
    const deleted = example('push', undefined, (p) => p.ref.startsWith('refs/tags/') && p.deleted);
    expect(toJob('push', 'd', deleted, environments)).toEqual({ ignored: 'push deleted the tag simple-tag' });
  });

  it('ignores pushes to other branches and, without environments, tags; and a deleted default branch', () => {
    const tag = example('push', undefined, (p) => p.ref.startsWith('refs/tags/'));
    expect(toJob('push', 'd', tag)).toEqual({
      ignored: 'push to refs/tags/simple-tag, not the default branch',
    });
    const branch = example('push', undefined, (p) => p.ref === 'refs/heads/master' && withInstallation(p));
    expect(toJob('push', 'd', { ...branch, ref: 'refs/heads/feature' })).toEqual({
      ignored: 'push to refs/heads/feature, not the default branch',
    });
    expect(toJob('push', 'd', { ...branch, deleted: true, after: '0'.repeat(40) })).toEqual({
      ignored: 'push deleted the default branch',
    });
  });

  it('ignores events the App does not use', () => {
    expect(toJob('issues', 'd', example('issues', 'opened'))).toEqual({ ignored: 'issues is not used' });
    expect(toJob('ping', 'd', example('ping'))).toEqual({ ignored: 'ping: the webhook is reachable' });
  });

  it('names the missing or malformed field of an event it uses', () => {
    const payload = example('pull_request', 'opened', withInstallation);
    expect(toJob('pull_request', 'd', { ...payload, installation: undefined })).toEqual({
      invalid: 'pull_request: installation.id must be a positive integer',
    });
    payload.pull_request.head.sha = 'main';
    expect(toJob('pull_request', 'd', payload)).toEqual({
      invalid: 'pull_request: pull_request.head.sha must be a commit SHA',
    });
    expect(toJob('pull_request', 'd', [])).toEqual({
      invalid: 'pull_request: action must be a non-empty string',
    });
    expect(toJob('push', 'd', null)).toEqual({ invalid: 'push: ref must be a non-empty string' });
    expect(toJob('check_suite', 'd', { action: 'rerequested', check_suite: {} })).toEqual({
      invalid: 'check_suite: check_suite.pull_requests must be an array',
    });
    expect(
      toJob('check_run', 'd', { action: 'rerequested', check_run: { pull_requests: [{ number: '7' }] } }),
    ).toMatchObject({ invalid: expect.stringMatching(/must be a positive integer/) });
  });
});

describe('toJob: the Accept button (check_run.requested_action)', () => {
  /** GitHub's example press, on one of our runs of a PR into the default branch of this repository. */
  const press = () => {
    const payload = example('check_run', 'requested_action');
    payload.installation = { id: 42 };
    payload.requested_action = { identifier: 'accept-breaking' };
    payload.check_run.name = 'kuma-api-forge';
    payload.repository.default_branch = payload.check_run.pull_requests[0].base.ref;
    return payload;
  };

  it('approves (by the presser) and checks the PR the run is for', () => {
    const payload = press();
    expect(toJob('check_run', 'd', payload)).toEqual({
      type: 'check',
      deliveryId: 'd',
      event: 'check_run.requested_action',
      installationId: 42,
      repository: { owner: payload.repository.owner.login, repo: payload.repository.name },
      pullNumber: payload.check_run.pull_requests[0].number,
      headSha: payload.check_run.head_sha,
      approver: { login: payload.sender.login, via: 'button' },
    });
  });

  it("ignores another identifier, another App's run, no PR, and a PR of another repository", () => {
    const other = press();
    other.requested_action.identifier = 'lgtm|26764';
    expect(toJob('check_run', 'd', other)).toMatchObject({
      ignored: expect.stringContaining('not an action of this App'),
    });
    const foreign = press();
    foreign.check_run.name = 'ci / lint';
    expect(toJob('check_run', 'd', foreign)).toMatchObject({
      ignored: expect.stringContaining('not a check run of this App'),
    });
    const none = press();
    none.check_run.pull_requests = [];
    expect(toJob('check_run', 'd', none)).toEqual({
      ignored: 'check_run.requested_action names no pull request',
    });
    const elsewhere = press();
    elsewhere.check_run.pull_requests[0].base.repo.id += 1;
    expect(toJob('check_run', 'd', elsewhere)).toEqual({
      ignored: 'check_run.requested_action for a pull request of another repository',
    });
  });

  it('refuses a press without a presser or a head SHA (400)', () => {
    const anonymous = press();
    delete anonymous.sender;
    expect(toJob('check_run', 'd', anonymous)).toEqual({
      invalid: 'check_run: sender.login must be a non-empty string',
    });
    const noSha = press();
    noSha.check_run.head_sha = 'main';
    expect(toJob('check_run', 'd', noSha)).toEqual({
      invalid: 'check_run: check_run.head_sha must be a commit SHA',
    });
  });
});
