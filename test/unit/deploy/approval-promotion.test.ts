/** The approval rule's decision table: which merged deploy PRs promote, and why the others do not. */
import { describe, expect, it } from 'vitest';
import {
  type ApprovedPullFacts,
  decideApprovedPull,
  findApprovalPromotion,
} from '../../../shared/core/deploy/approval-promotion.js';
import { parseEnvironments } from '../../../shared/core/deploy/environments.js';

const head = 'a'.repeat(40);
const older = 'b'.repeat(40);
const source = { repo: { owner: 'acme', repo: 'shop' }, commit: 'c'.repeat(40) };
const bot = 'kuma-api-forge[bot]';
const facts: ApprovedPullFacts = {
  merged: true,
  baseRef: 'main',
  deployBranch: 'main',
  headRef: 'kuma-api-forge/acme/shop',
  headSha: head,
  author: { login: bot, type: 'Bot' },
  commitAuthors: [bot, bot],
  reviews: [{ login: 'lead', state: 'APPROVED', commitId: head, permission: 'write' }],
  source,
  sourceMerged: true,
};

describe('findApprovalPromotion', () => {
  const parsed = parseEnvironments(
    '[{name: dev, repo: p/dev}, {name: staging, repo: p/staging, promote: {tag: "v*"}}, {name: prod, repo: p/prod, promote: {approval: true}}]',
  );
  if ('error' in parsed) throw new Error(parsed.error);
  it('is the environment after the PR’s repo when its rule is approval, case-insensitively; else none', () => {
    expect(findApprovalPromotion(parsed.environments, { owner: 'P', repo: 'Staging' })).toBe(2);
    expect(findApprovalPromotion(parsed.environments, { owner: 'p', repo: 'dev' })).toBeUndefined();
    expect(findApprovalPromotion(parsed.environments, { owner: 'p', repo: 'prod' })).toBeUndefined();
    expect(findApprovalPromotion(parsed.environments, { owner: 'acme', repo: 'shop' })).toBeUndefined();
  });
});

describe('decideApprovedPull', () => {
  it('an App PR merged into the deploy branch, approved on its head by a writer, promotes its source commit', () => {
    expect(decideApprovedPull(facts)).toEqual({ status: 'promote', source, approvers: ['lead'] });
  });

  it.each<[string, { [K in keyof ApprovedPullFacts]?: ApprovedPullFacts[K] | undefined }, string]>([
    ['closed without merging', { merged: false }, 'not-merged'],
    ['opened by a person', { author: { login: 'mallory', type: 'User' } }, 'not-a-deploy-pull'],
    ['another branch', { headRef: 'kuma-api-forge/acme/other' }, 'not-a-deploy-pull'],
    ['a branch outside the prefix', { headRef: 'acme/shop' }, 'not-a-deploy-pull'],
    ['merged into another branch', { baseRef: 'staging-tmp' }, 'not-a-deploy-pull'],
    ['no .source.yaml for its branch', { source: undefined }, 'not-a-deploy-pull'],
    ['a person pushed to it after the App', { commitAuthors: [bot, 'mallory'] }, 'edited-by-hand'],
    ['its .source.yaml names an unmerged commit', { sourceMerged: false }, 'source-not-merged'],
    [
      'approved by a reader',
      { reviews: [{ login: 'reader', state: 'APPROVED', commitId: head, permission: 'read' }] },
      'not-approved',
    ],
    [
      'approved on an older head',
      { reviews: [{ login: 'lead', state: 'APPROVED', commitId: older, permission: 'write' }] },
      'not-approved',
    ],
    ['no review', { reviews: [] }, 'not-approved'],
    [
      'changes requested after the approval',
      {
        reviews: [
          { login: 'lead', state: 'APPROVED', commitId: head, permission: 'admin' },
          { login: 'Lead', state: 'CHANGES_REQUESTED', commitId: head, permission: 'admin' },
        ],
      },
      'changes-requested',
    ],
    [
      'one writer approves, another asks for changes',
      {
        reviews: [
          { login: 'lead', state: 'APPROVED', commitId: head, permission: 'write' },
          { login: 'sre', state: 'CHANGES_REQUESTED', commitId: head, permission: 'maintain' },
        ],
      },
      'changes-requested',
    ],
    [
      'an approval dismissed',
      {
        reviews: [
          { login: 'lead', state: 'APPROVED', commitId: head, permission: 'write' },
          { login: 'lead', state: 'DISMISSED', commitId: head, permission: 'write' },
        ],
      },
      'not-approved',
    ],
  ])('%s: refused (%s)', (_, change, reason) => {
    const decision = decideApprovedPull({ ...facts, ...change } as ApprovedPullFacts);
    expect(decision.status).toBe('refused');
    expect(decision.status === 'refused' && decision.reason).toBe(reason);
  });

  it('a comment after an approval leaves the approval standing; a reader asking for changes does not block', () => {
    expect(
      decideApprovedPull({
        ...facts,
        reviews: [
          { login: 'lead', state: 'APPROVED', commitId: head, permission: 'write' },
          { login: 'lead', state: 'COMMENTED', commitId: head, permission: 'write' },
          { login: 'reader', state: 'CHANGES_REQUESTED', commitId: head, permission: 'read' },
        ],
      }),
    ).toMatchObject({ status: 'promote', approvers: ['lead'] });
  });
});
