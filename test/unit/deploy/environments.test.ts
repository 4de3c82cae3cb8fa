/**
 * Environments (core/deploy/environments.ts): the `DEPLOY_ENVIRONMENTS` list, which tags promote into which
 * environment, and the promotion decision — only the commit the tag names now, only after it ran (or a newer
 * commit containing it ran) in the environment before, never over a newer commit.
 */
import { describe, expect, it } from 'vitest';
import {
  decidePromotion,
  describeTarget,
  type Environment,
  findTagPromotions,
  matchesTagPattern,
  type PromotionFacts,
  parseEnvironments,
} from '../../../shared/core/deploy/environments.js';

const two = `
- {name: staging, repo: platform/deploy, branch: staging}
- {name: production, repo: platform/deploy-prod, promote: {tag: "v*"}}
`;

describe('parseEnvironments', () => {
  it('reads the list in order: repo, branch (optional), the promotion rule of each later environment', () => {
    expect(parseEnvironments(two)).toEqual({
      environments: [
        { name: 'staging', repo: { owner: 'platform', repo: 'deploy' }, branch: 'staging' },
        { name: 'production', repo: { owner: 'platform', repo: 'deploy-prod' }, promote: { tag: 'v*' } },
      ],
    });
  });

  it('reads JSON too (JSON is YAML)', () => {
    const json = JSON.stringify([
      { name: 'staging', repo: 'p/d', branch: 'staging' },
      { name: 'production', repo: 'p/d', branch: 'main', promote: { tag: 'release-*' } },
    ]);
    const parsed = parseEnvironments(json);
    expect('environments' in parsed && parsed.environments.map((e) => e.name)).toEqual([
      'staging',
      'production',
    ]);
  });

  it.each([
    ['', 'must be a list of at least two environments'],
    ['- {name: staging, repo: p/d}', 'must be a list of at least two environments'],
    ['{staging: p/d}', 'must be a list'],
    ['[a, b', 'is not YAML'],
    ['- x\n- y', 'environment 1: must be a mapping'],
    [
      '- {name: Staging, repo: p/d}\n- {name: prod, repo: p/e, promote: {tag: v*}}',
      'environment 1: name must be',
    ],
    [
      '- {name: staging, repo: p}\n- {name: prod, repo: p/e, promote: {tag: v*}}',
      'environment 1: staging: repo must be "owner/repo"',
    ],
    [
      '- {name: staging, repo: p/d, branch: "a..b"}\n- {name: prod, repo: p/e, promote: {tag: v*}}',
      'branch must be a branch name',
    ],
    [
      '- {name: staging, repo: p/d, promote: {tag: v*}}\n- {name: prod, repo: p/e, promote: {tag: v*}}',
      'the first environment takes no promote rule',
    ],
    [
      '- {name: staging, repo: p/d}\n- {name: prod, repo: p/e}',
      'environment 2: prod: promote must be {tag: "<pattern>"}',
    ],
    ['- {name: staging, repo: p/d}\n- {name: prod, repo: p/e, promote: {tag: ""}}', 'promote must be'],
    ['- {name: staging, repo: p/d}\n- {name: prod, repo: p/e, promote: {tag: "v 1"}}', 'promote must be'],
    [
      '- {name: staging, repo: p/d}\n- {name: prod, repo: p/e, promote: {tag: v*, after: 1h}}',
      'unknown key "tag" in promote (after, status)',
    ],
    [
      '- {name: staging, repo: p/d}\n- {name: staging, repo: p/e, promote: {tag: v*}}',
      'the name "staging" is used twice',
    ],
    [
      '- {name: staging, repo: p/d}\n- {name: prod, repo: P/D, promote: {tag: v*}}',
      'prod deploys to p/d like staging',
    ],
    [
      '- {name: staging, repo: p/d, branch: main}\n- {name: prod, repo: p/d, branch: main, promote: {tag: v*}}',
      'each environment needs a repo, branch or folder of its own',
    ],
    [
      '- {name: staging, repo: p/d, cluster: x}\n- {name: prod, repo: p/e, promote: {tag: v*}}',
      'unknown key "cluster"',
    ],
    ['- &a {name: staging, repo: p/d}\n- *a', 'is not YAML'],
  ])('refuses %j: %s', (text, error) => {
    const parsed = parseEnvironments(text);
    expect('error' in parsed && parsed.error).toContain(error);
  });
});

describe('parseEnvironments: environments as folders of one branch (path)', () => {
  const folders = (staging: string, production: string, extra = '') => `
- {name: staging, repo: platform/deploy, branch: main${staging && `, ${staging}`}}
- {name: production, repo: platform/deploy, branch: main${production && `, ${production}`}, promote: {tag: "v*"}}${extra}`;

  it('reads a folder per environment; two folders side by side may share a repo and branch', () => {
    expect(parseEnvironments(folders('path: envs/staging', 'path: envs/production/'))).toEqual({
      environments: [
        {
          name: 'staging',
          repo: { owner: 'platform', repo: 'deploy' },
          branch: 'main',
          path: 'envs/staging',
        },
        {
          name: 'production',
          repo: { owner: 'platform', repo: 'deploy' },
          branch: 'main',
          path: 'envs/production',
          promote: { tag: 'v*' },
        },
      ],
    });
  });

  it('names the folder in the target', () => {
    expect(
      describeTarget({ repo: { owner: 'Platform', repo: 'Deploy' }, branch: 'main', path: 'envs/a' }),
    ).toBe('platform/deploy@main:envs/a');
    expect(describeTarget({ repo: { owner: 'p', repo: 'd' }, path: 'envs/a' })).toBe('p/d:envs/a');
    expect(describeTarget({ repo: { owner: 'p', repo: 'd' } })).toBe('p/d');
  });

  it('allows a folder beside a root environment of ANOTHER branch or repo', () => {
    const text = `
- {name: staging, repo: p/d, branch: staging}
- {name: production, repo: p/d, branch: main, path: envs/production, promote: {tag: "v*"}}
- {name: dr, repo: p/other, path: envs/production, promote: {tag: "v*"}}`;
    expect('environments' in parseEnvironments(text)).toBe(true);
  });

  it.each([
    // One folder inside another: the outer environment's deploys and drift check would reach the inner's files.
    [folders('path: envs', 'path: envs/production'), "staging's folder envs", 'overlap'],
    [folders('path: envs/staging/prod', 'path: envs/staging'), 'neither inside the other', 'overlap'],
    [folders('path: Envs/A', 'path: envs/a/b'), 'overlap', 'case-insensitively'],
    // A folder beside a root environment of the same branch: the root one's apis/ and tenants.yaml are the branch's.
    [folders('', 'path: envs/production'), 'staging takes its root', 'root'],
    [folders('path: envs/staging', ''), 'production takes its root', 'root'],
    // One names the branch, the other takes the default branch: maybe the same one, so both must name it.
    [
      '- {name: staging, repo: p/d, path: envs/a}\n- {name: production, repo: p/d, branch: main, path: envs/a, promote: {tag: v*}}',
      'one of them omits its branch',
      'default branch',
    ],
    // The same folder twice (also spelled with a trailing slash).
    [folders('path: envs/a', 'path: envs/a/'), 'like staging', 'same folder'],
    [
      `${folders('path: envs/a', 'path: envs/b')}
- {name: dr, repo: PLATFORM/deploy, branch: main, path: envs/a/x, promote: {tag: "v*"}}`,
      "environment 3: dr's folder envs/a/x and staging's folder envs/a",
      'third overlapping the first',
    ],
  ])('refuses overlapping folders on one branch: %s → %s (%s)', (text, error) => {
    const parsed = parseEnvironments(text);
    expect('error' in parsed && parsed.error).toContain(error);
  });

  it.each([
    ['../production'],
    ['envs/../../x'],
    ['/envs/staging'],
    ['envs//staging'],
    ['./envs'],
    ['envs/.git'],
    ['envs/.hidden'],
    ['envs/sta ging'],
    [''],
    ['a/b/c/d/e/f/g/h/i'],
    ['42'],
  ])('refuses the path %j: a folder of the branch, never outside it', (path) => {
    const parsed = parseEnvironments(
      folders(`path: ${JSON.stringify(path === '42' ? 42 : path)}`, 'path: envs/b'),
    );
    expect('error' in parsed && parsed.error).toMatch(/environment 1: staging: path must be a folder/);
  });
});

describe('matchesTagPattern', () => {
  it.each([
    ['v*', 'v1.2.3', true],
    ['v*', 'v', true],
    ['v*', 'release-1', false],
    ['v*', 'xv1', false],
    ['v1.*', 'v1.0', true],
    ['v1.*', 'v10.0', false],
    ['*-rc*', '1.0-rc2', true],
    ['*-rc*', '1.0-rc', true],
    ['*-rc*', '1.0rc2', false],
    ['release/*', 'release/2024-01', true],
    ['v*.*.*', 'v1.2.3', true],
    ['v*.*.*', 'v1.2', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['*', 'anything/at/all', true],
  ])('%s ~ %s: %s', (pattern, tag, expected) => {
    expect(matchesTagPattern(pattern, tag)).toBe(expected);
  });

  it('is linear on a pattern of many stars against a long non-matching tag', () => {
    expect(matchesTagPattern(`${'*a'.repeat(40)}*b`, 'a'.repeat(100_000))).toBe(false);
  });
});

describe('findTagPromotions', () => {
  const env = (name: string, tag?: string): Environment => ({
    name,
    repo: { owner: 'p', repo: name },
    ...(tag ? { promote: { tag } } : {}),
  });
  const list = [env('dev'), env('qa', '*-rc*'), env('production', 'v*')];

  it('names every later environment whose rule matches, in order, never the first', () => {
    expect(findTagPromotions(list, 'v1.0.0')).toEqual([2]);
    expect(findTagPromotions(list, 'v1.0.0-rc1')).toEqual([1, 2]);
    expect(findTagPromotions(list, '1.0-rc1')).toEqual([1]);
    expect(findTagPromotions(list, 'nightly')).toEqual([]);
  });
});

describe('decidePromotion', () => {
  const sha = 'a'.repeat(40);
  const newer = 'b'.repeat(40);
  const older = 'c'.repeat(40);
  const facts = (over: Partial<PromotionFacts>): PromotionFacts => ({
    sha,
    tagNow: sha,
    previous: { runs: sha, order: 'identical' },
    target: {},
    ...over,
  });

  it('promotes a commit the environment before runs, or that a newer commit it runs contains', () => {
    expect(decidePromotion(facts({}))).toEqual({ status: 'promote' });
    expect(decidePromotion(facts({ previous: { runs: newer, order: 'ahead' } }))).toEqual({
      status: 'promote',
    });
    expect(decidePromotion(facts({ target: { runs: older, order: 'ahead' } }))).toEqual({
      status: 'promote',
    });
  });

  it('a target whose commit left the history (rewritten) or is unrelated takes the commit that passed before', () => {
    expect(decidePromotion(facts({ target: { runs: older, order: 'unknown' } }))).toEqual({
      status: 'promote',
    });
    expect(decidePromotion(facts({ target: { runs: older, order: 'diverged' } }))).toEqual({
      status: 'promote',
    });
  });

  it.each<[string, Partial<PromotionFacts>, string]>([
    ['the tag was deleted', { tagNow: undefined }, 'tag-moved'],
    ['the tag moved to another commit', { tagNow: newer }, 'tag-moved'],
    ['the environment before runs nothing of the repo', { previous: {} }, 'not-in-previous'],
    [
      'the environment before runs an older commit',
      { previous: { runs: older, order: 'behind' } },
      'not-in-previous',
    ],
    [
      'the environment before runs an unrelated commit',
      { previous: { runs: older, order: 'diverged' } },
      'not-in-previous',
    ],
    [
      'the environment before runs a commit no longer known',
      { previous: { runs: older, order: 'unknown' } },
      'not-in-previous',
    ],
    ['the target runs it already', { target: { runs: sha, order: 'identical' } }, 'already-there'],
    ['the target runs a newer commit', { target: { runs: newer, order: 'behind' } }, 'older-than-target'],
  ])('refuses when %s', (_, over, reason) => {
    expect(decidePromotion(facts(over))).toEqual({ status: 'refused', reason });
  });
});
