/**
 * Promotion after a time (core/deploy/time-promotion.ts): the rule's syntax in `DEPLOY_ENVIRONMENTS`, and the
 * decision per source repo folder — the soak counted from the App's own deploy commit (never from a hand-pushed
 * record or a back-dated commit), failing statuses, a required status, and the ancestry facts of every promotion.
 */
import { describe, expect, it } from 'vitest';
import { parseEnvironments } from '../../../shared/core/deploy/environments.js';
import { parseSoakDuration } from '../../../shared/core/deploy/soak-duration.js';
import {
  decideTimePromotion,
  findTimePromotions,
  type TimePromotionFacts,
} from '../../../shared/core/deploy/time-promotion.js';

const staging = '- {name: staging, repo: p/d, branch: staging}\n';
const parse = (promote: string) =>
  parseEnvironments(`${staging}- {name: prod, repo: p/d, promote: ${promote}}`);

describe('promote: {after: …} in DEPLOY_ENVIRONMENTS', () => {
  it.each([
    ['{after: 30m}', { after: '30m', afterMs: 30 * 60_000 }],
    ['{after: "24h"}', { after: '24h', afterMs: 24 * 3_600_000 }],
    [
      '{after: 7d, status: kustomization/apps}',
      { after: '7d', afterMs: 7 * 86_400_000, status: 'kustomization/apps' },
    ],
    ['{after: 5m}', { after: '5m', afterMs: 300_000 }],
    ['{after: 90d}', { after: '90d', afterMs: 90 * 86_400_000 }],
  ])('reads %s', (promote, rule) => {
    const parsed = parse(promote);
    expect('environments' in parsed && parsed.environments[1]!.promote).toEqual(rule);
  });

  it.each([
    ['{after: 4m}', 'promote.after must be a duration from 5m to 90d'],
    ['{after: 91d}', 'promote.after must be a duration from 5m to 90d'],
    ['{after: 24}', 'got 24'],
    ['{after: "1.5h"}', 'got "1.5h"'],
    ['{after: "24 h"}', 'got "24 h"'],
    ['{after: "-1h"}', 'got "-1h"'],
    ['{after: 1w}', 'got "1w"'],
    ['{after: "0h"}', 'got "0h"'],
    ['{after: ""}', 'got ""'],
    ['{after: null}', 'got null'],
    ['{after: [24h]}', 'got ["24h"]'],
    ['{after: 24h, status: ""}', 'promote.status must be the name of a commit status'],
    ['{after: 24h, status: [a]}', 'promote.status must be the name'],
    ['{after: 24h, status: "a\\nb"}', 'promote.status must be the name'],
    ['{after: 24h, tag: "v*"}', 'unknown key "tag" in promote (after, status)'],
    ['{status: x}', 'promote must be {tag: "<pattern>"}, e.g. {tag: "v*"}, or {approval: true}, or {after:'],
  ])('refuses %s with a clear sentence on the entry', (promote, error) => {
    const parsed = parse(promote);
    expect('error' in parsed && parsed.error).toContain('environment 2: prod: ');
    expect('error' in parsed && parsed.error).toContain(error);
  });

  it('parses durations in whole minutes, hours and days only', () => {
    expect([parseSoakDuration('15m'), parseSoakDuration('2h'), parseSoakDuration('1d')]).toEqual([
      900_000, 7_200_000, 86_400_000,
    ]);
    expect([parseSoakDuration('1e3m'), parseSoakDuration('024h'), parseSoakDuration(86_400)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('the sweep visits the environments with a time rule, never the first', () => {
    const parsed = parseEnvironments(
      `${staging}- {name: canary, repo: p/d, branch: canary, promote: {tag: "v*"}}\n- {name: prod, repo: p/d, promote: {after: 24h}}`,
    );
    expect('environments' in parsed && findTimePromotions(parsed.environments)).toEqual([2]);
  });
});

const hour = 3_600_000;
const deployedAt = Date.UTC(2026, 0, 1, 12);
const app = 'kuma-api-forge[bot]';
const runs = 'a'.repeat(40);
const facts = (overrides: Partial<TimePromotionFacts> = {}): TimePromotionFacts => ({
  now: deployedAt + 25 * hour,
  rule: { afterMs: 24 * hour },
  runs,
  deployCommit: { sha: 'd'.repeat(40), committedAt: deployedAt, signedByGitHub: true, author: app },
  appLogin: app,
  signals: { deployCommit: [] },
  target: {},
  ...overrides,
});

describe('decideTimePromotion', () => {
  it('waits while the soak is not over, until the App’s deploy commit’s date plus the duration', () => {
    expect(decideTimePromotion(facts({ now: deployedAt + 23 * hour }))).toEqual({
      status: 'waiting',
      reason: 'soaking',
      until: deployedAt + 24 * hour,
    });
    expect(decideTimePromotion(facts({ now: deployedAt + 24 * hour - 1 })).status).toBe('waiting');
  });

  it('promotes once it is over, into an empty target or over an older commit', () => {
    expect(decideTimePromotion(facts({ now: deployedAt + 24 * hour }))).toEqual({ status: 'promote' });
    expect(decideTimePromotion(facts({ target: { runs: 'b'.repeat(40), order: 'ahead' } }))).toEqual({
      status: 'promote',
    });
  });

  it('a newer deploy restarts the soak: it counts from the commit that last wrote the record', () => {
    const redeployed = {
      sha: 'e'.repeat(40),
      committedAt: deployedAt + 20 * hour,
      signedByGitHub: true,
      author: app,
    };
    expect(decideTimePromotion(facts({ deployCommit: redeployed }))).toEqual({
      status: 'waiting',
      reason: 'soaking',
      until: deployedAt + 44 * hour,
    });
  });

  it('never over a newer commit in the target, and not again when it is there', () => {
    expect(decideTimePromotion(facts({ target: { runs: 'b'.repeat(40), order: 'behind' } }))).toEqual({
      status: 'refused',
      reason: 'older-than-target',
    });
    expect(decideTimePromotion(facts({ target: { runs, order: 'identical' } }))).toEqual({
      status: 'refused',
      reason: 'already-there',
    });
  });

  it('a failing status or check run on the deploy refuses it, and a newer one on the head supersedes it', () => {
    const failing = facts({
      signals: {
        deployCommit: [
          { name: 'kustomization/apps', state: 'failure' },
          { name: 'argocd/app', state: 'success' },
        ],
      },
    });
    expect(decideTimePromotion(failing)).toEqual({
      status: 'refused',
      reason: 'failing-status',
      detail: 'kustomization/apps',
    });
    // Failing on the head (the newest sync of the branch, which still runs the record) refuses too.
    expect(
      decideTimePromotion(
        facts({
          signals: { deployCommit: [], head: [{ name: 'argocd/app', state: 'failure' }] },
        }),
      ),
    ).toMatchObject({ status: 'refused', reason: 'failing-status', detail: 'argocd/app' });
    // The head's success of the same context is the newer sync: no longer failing.
    expect(
      decideTimePromotion(
        facts({
          signals: {
            deployCommit: [{ name: 'kustomization/apps', state: 'failure' }],
            head: [{ name: 'kustomization/apps', state: 'success' }],
          },
        }),
      ),
    ).toEqual({ status: 'promote' });
  });

  it('a required status must have succeeded: missing or pending waits, success promotes', () => {
    const rule = { afterMs: 24 * hour, status: 'kustomization/apps' };
    expect(decideTimePromotion(facts({ rule }))).toEqual({
      status: 'waiting',
      reason: 'status-pending',
      context: 'kustomization/apps',
    });
    expect(
      decideTimePromotion(
        facts({ rule, signals: { deployCommit: [{ name: 'kustomization/apps', state: 'pending' }] } }),
      ).status,
    ).toBe('waiting');
    // Another context's success is not it.
    expect(
      decideTimePromotion(
        facts({ rule, signals: { deployCommit: [{ name: 'kustomization/other', state: 'success' }] } }),
      ).status,
    ).toBe('waiting');
    expect(
      decideTimePromotion(
        facts({ rule, signals: { deployCommit: [{ name: 'kustomization/apps', state: 'success' }] } }),
      ),
    ).toEqual({ status: 'promote' });
    expect(
      decideTimePromotion(
        facts({
          rule,
          signals: { deployCommit: [], head: [{ name: 'kustomization/apps', state: 'success' }] },
        }),
      ),
    ).toEqual({ status: 'promote' });
  });

  describe('the soak counts only from a commit the App made', () => {
    it('a hand-pushed record (unsigned, the pusher as author) starts no soak, however old its date', () => {
      const handPush = {
        sha: 'f'.repeat(40),
        committedAt: deployedAt - 30 * 24 * hour,
        signedByGitHub: false,
        author: 'mallory',
      };
      expect(decideTimePromotion(facts({ deployCommit: handPush }))).toEqual({
        status: 'refused',
        reason: 'not-deployed-by-app',
        detail: 'f'.repeat(40),
      });
    });

    it('a back-dated commit attributed to the App’s bot but not signed by GitHub (a git push) is not the App’s', () => {
      const forged = {
        sha: 'f'.repeat(40),
        committedAt: deployedAt - 48 * hour,
        signedByGitHub: false,
        author: app,
      };
      expect(decideTimePromotion(facts({ deployCommit: forged })).status).toBe('refused');
    });

    it('a commit GitHub signed for someone else (the web editor, another App) is not the App’s', () => {
      for (const author of ['mallory', 'other-app[bot]', undefined]) {
        const signed = {
          sha: 'f'.repeat(40),
          committedAt: deployedAt,
          signedByGitHub: true,
          ...(author ? { author } : {}),
        };
        expect(decideTimePromotion(facts({ deployCommit: signed }))).toMatchObject({
          status: 'refused',
          reason: 'not-deployed-by-app',
        });
      }
    });

    it('no commit found for the record refuses too; the App’s login is compared case-insensitively', () => {
      expect(decideTimePromotion((({ deployCommit, ...rest }) => rest)(facts()))).toEqual({
        status: 'refused',
        reason: 'not-deployed-by-app',
      });
      expect(decideTimePromotion(facts({ appLogin: 'Kuma-API-Forge[bot]' }))).toEqual({ status: 'promote' });
    });
  });
});
