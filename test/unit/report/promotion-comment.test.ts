/**
 * The "not promoted" comment (core/report/promotion-comment.ts), one file snapshot per reason, and the promise
 * that a tag name (the pusher's text) cannot mention, link or break out of its code span.
 */
import { describe, expect, it } from 'vitest';
import type { PromotionRefusal } from '../../../shared/core/deploy/environments.js';
import {
  buildApprovalRefusedComment,
  buildNotPromotedComment,
} from '../../../shared/core/report/promotion-comment.js';

const sha = 'c0ffee1234567890c0ffee1234567890c0ffee12';
const base = { tag: 'v1.2.0', sha, target: 'production', previous: 'staging' };

describe('buildNotPromotedComment', () => {
  it.each<[PromotionRefusal, Partial<Parameters<typeof buildNotPromotedComment>[0]>]>([
    ['tag-moved', {}],
    ['not-in-previous', { previousRuns: 'b'.repeat(40) }],
    ['not-in-previous', {}],
    ['already-there', { targetRuns: sha }],
    ['older-than-target', { targetRuns: 'd'.repeat(40) }],
  ])('%s %o', async (reason, extra) => {
    const body = buildNotPromotedComment({ ...base, reason, ...extra });
    const name = `promotion-${reason}${extra.previousRuns === undefined && reason === 'not-in-previous' ? '-nothing' : ''}`;
    await expect(body).toMatchFileSnapshot(`./__snapshots__/user-text/${name}.md`);
  });

  it('shows a hostile tag name as inert code', () => {
    const tag = 'v1`@org/team`<img src=x>[x](javascript:1)#1';
    const body = buildNotPromotedComment({ ...base, tag, reason: 'tag-moved' });
    const line = body.split('\n')[1]!;
    // One code span holds the whole name: a fence longer than any backtick run inside it.
    expect(line).toContain('``v1`@org/team`<img src=x>[x](javascript:1)#1``');
    expect(line.replace(/``[\s\S]*?``/, '')).not.toMatch(/@org|<img|\]\(|#1/);
  });
});

describe('promotion by approval', () => {
  it('a refused step names the approved deploy PR instead of a tag', () => {
    const { tag: _, ...rest } = base;
    const body = buildNotPromotedComment({
      ...rest,
      approval: 'platform/deploy-staging#3',
      reason: 'older-than-target',
      targetRuns: 'd'.repeat(40),
    });
    expect(body).toContain(
      '**Not promoted** to production: the approved deploy PR `platform/deploy-staging#3` (commit `c0ffee1`)',
    );
    expect(body).not.toContain('tag `');
  });

  it.each([
    ['edited-by-hand', 'octocat', '`octocat` pushed commits to it after the App'],
    ['changes-requested', 'sre, lead', '`sre, lead` requested changes'],
    ['not-approved', undefined, 'no one with write access to this repo approved its head commit'],
  ] as const)('%s: says why on the deploy PR', (reason, detail, text) => {
    const body = buildApprovalRefusedComment({ target: 'production', reason, ...(detail ? { detail } : {}) });
    expect(body).toContain('⏸️ **Not promoted** to production: this deploy PR was merged, but ');
    expect(body).toContain(text);
    expect(body).toContain('Nothing was written there.');
  });
});
