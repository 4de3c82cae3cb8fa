/**
 * The Accept button's decisions against an in-memory code host: who may approve (GitHub's `permission`), which
 * run may be approved (the PR's current head, an open PR), and which label is added (the default branch's, not the
 * PR's). The flow over HTTP with the real webhook is test/e2e/app-accept-button.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { acceptBreaking } from '../../../shared/use-cases/accept-breaking.js';
import { checkJobFactory, createFakeSourceRepo } from '../../helpers/factories.js';

const config = (label: string) =>
  `apis:\n  - name: pets\n    spec: openapi.yaml\ngates:\n  approvalLabel: ${label}\n`;

function pressed(login: string, permission?: string) {
  const source = createFakeSourceRepo({ files: { '.github/kuma-api-forge.yaml': config('platform-ok') } });
  // The PR tries to name its own approval label: the default branch's is the one added.
  source.push('feature', { '.github/kuma-api-forge.yaml': config('anything') });
  const number = source.openPull({ head: 'feature' });
  if (permission) source.setPermission(login, permission);
  const job = {
    ...checkJobFactory(source, number, source.head('feature')),
    event: 'check_run.requested_action',
    approver: { login, via: 'button' as const },
  };
  return { source, number, job, labels: () => source.codeHost.getPullRequest(number).then((p) => p.labels) };
}

describe('acceptBreaking', () => {
  it.each(['admin', 'write'])(
    'a press by someone with %s access adds the default branch’s label',
    async (permission) => {
      const { source, job, labels } = pressed('ana', permission);
      expect(await acceptBreaking(job, source.codeHost)).toEqual({
        status: 'approved',
        label: 'platform-ok',
        by: 'ana',
      });
      expect(await labels()).toEqual(['platform-ok']);
      // Pressed again: nothing is added twice.
      await acceptBreaking(job, source.codeHost);
      expect(source.calls.filter((c) => c === 'addLabel')).toHaveLength(1);
    },
  );

  it.each([['read'], ['none'], [undefined]])(
    'refuses %s access with a comment naming the presser',
    async (permission) => {
      const { source, number, job, labels } = pressed('rob', permission);
      expect(await acceptBreaking(job, source.codeHost)).toMatchObject({
        status: 'refused',
        reason: 'no-write-access',
      });
      expect(await labels()).toEqual([]);
      const [comment] = source.comments(number);
      expect(comment?.body).toContain(`@rob pressed **Accept breaking**`);
      expect(comment?.body).toContain(`(yours: ${permission ?? 'none'})`);
      expect(comment?.body).toContain('add the label `platform-ok`');
    },
  );

  it('refuses a press on an older head, and on a closed PR', async () => {
    const stale = pressed('ana', 'admin');
    stale.source.push('feature', { 'README.md': 'newer\n' });
    expect(await acceptBreaking(stale.job, stale.source.codeHost)).toMatchObject({ reason: 'stale-run' });
    expect(await stale.labels()).toEqual([]);

    const closed = pressed('ana', 'admin');
    closed.source.merge(closed.number);
    expect(await acceptBreaking(closed.job, closed.source.codeHost)).toMatchObject({ reason: 'closed' });
    expect(closed.source.comments(closed.number)[0]?.body).toContain('on a closed pull request');
  });
});
