/**
 * The PR check's decisions, against in-memory fakes of the code host, the breaking diff and the deploy repo:
 * which jobs are skipped, which result is dropped as stale, which conclusion and which sticky-comment action,
 * and how our own failures end. The adapters (Octokit over HTTP, the oasdiff binary) and the whole flow are
 * proven in test/integration/worker.test.ts and test/e2e/app*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { BreakingChange } from '../../../shared/ports/breaking-diff.js';
import type { PullRequestRead } from '../../../shared/ports/code-host.js';
import { type CheckPullRequestDeps, checkPullRequest } from '../../../shared/use-cases/check-pull-request.js';
import {
  checkJobFactory,
  createFakeBreakingDiff,
  createFakeDeployRepo,
  createFakeSourceRepo,
  type FakeSourceRepo,
} from '../../helpers/factories.js';
import { buildSourceFiles } from '../deploy/helpers.js';

const marker = '<!-- kuma-api-forge -->';

/** `acme/pets` with its API on main, and a PR from `feature` that sets `paths`. */
function openPull(paths: string[] = ['/pets', '/pets/{petId}'], files = buildSourceFiles()) {
  const source = createFakeSourceRepo({ files });
  source.push('feature', buildSourceFiles({ paths }));
  const number = source.openPull({ head: 'feature' });
  return { source, number, job: checkJobFactory(source, number, source.head('feature')) };
}

const check = (
  source: FakeSourceRepo,
  job: ReturnType<typeof checkJobFactory>,
  deps: Partial<CheckPullRequestDeps> = {},
) => checkPullRequest(job, { codeHost: source.codeHost, breakingDiff: createFakeBreakingDiff(), ...deps });

/** What the oasdiff adapter returns for an operation removed without deprecation (oasdiff 1.15). */
const removed = (path: string): BreakingChange => ({
  id: 'api-removed-without-deprecation',
  text: 'api removed without deprecation',
  severity: 'error',
  operation: 'GET',
  path,
});

describe('jobs that report nothing', () => {
  it('skips a job whose head is no longer the PR head', async () => {
    const { source, job } = openPull();
    source.push('feature', { 'NOTES.md': 'later\n' });

    const outcome = await check(source, job);

    expect(outcome).toEqual({ status: 'skipped', reason: 'head-moved', headSha: source.head('feature') });
    expect(source.calls).toEqual(['getPullRequest']);
    expect(source.checkRuns).toEqual([]);
  });

  it('skips a closed pull request without a check run', async () => {
    const { source, number, job } = openPull();
    source.merge(number);
    expect(await check(source, job)).toMatchObject({ status: 'skipped', reason: 'closed' });
    expect(source.checkRuns).toEqual([]);
  });

  it('drops a result when a push lands during the check: the old run is superseded, the comment untouched', async () => {
    const { source, number, job } = openPull(['/pets']);
    let newHead = '';
    // The author pushes while the diff runs.
    const pushingDiff = createFakeBreakingDiff(async () => {
      newHead = source.push('feature', buildSourceFiles());
      return [removed('/pets/{petId}')];
    });

    const outcome = await check(source, job, { breakingDiff: pushingDiff });

    expect(outcome).toMatchObject({ status: 'superseded', by: newHead });
    expect(source.comments(number)).toEqual([]);
    expect(source.checkRuns.at(-1)).toMatchObject({
      headSha: job.headSha,
      result: { conclusion: 'neutral', title: `Superseded by ${newHead.slice(0, 7)}` },
    });
    expect(source.checkRuns.at(-1)!.result!.annotations ?? []).toEqual([]);
  });

  it('reports a neutral check run and no comment on a repo without .kuma-api-forge.yaml', async () => {
    const source = createFakeSourceRepo({ repo: 'plain', files: { 'README.md': '# plain\n' } });
    source.push('x', { 'a.txt': 'a' });
    const number = source.openPull({ head: 'x' });

    const outcome = await check(source, checkJobFactory(source, number, source.head('x')));

    expect(outcome).toMatchObject({ status: 'no-config' });
    expect(source.comments(number)).toEqual([]);
    expect(source.checkRuns.at(-1)).toMatchObject({
      status: 'completed',
      result: { conclusion: 'neutral', title: 'No .kuma-api-forge.yaml in this repository' },
    });
  });
});

describe('the verdict and the one sticky comment', () => {
  it('returns the outcome to a direct caller of the use case', async () => {
    // A breaking change the PR's label accepts: a pass that still has something to say.
    const { source, number, job } = openPull(['/pets']);
    source.setLabels(number, ['breaking-change-approved']);
    const outcome = await check(source, job, {
      breakingDiff: createFakeBreakingDiff([removed('/pets/{petId}')]),
    });
    expect(outcome).toMatchObject({ status: 'reported', verdict: 'pass', comment: 'created' });
  });

  it('fails on a breaking change; one comment, edited in place, untouched when unchanged, resolved when fixed', async () => {
    const { source, number, job } = openPull(['/pets']);
    let changes = [removed('/pets/{petId}')];
    const diff = createFakeBreakingDiff(async () => changes);

    expect(await check(source, job, { breakingDiff: diff })).toMatchObject({
      verdict: 'fail',
      comment: 'created',
    });
    const [first] = source.comments(number);
    expect(first!.body.startsWith(`${marker}\n`)).toBe(true);
    expect(first!.body).toContain('api-removed-without-deprecation');
    expect(source.checkRuns.at(-1)).toMatchObject({
      name: 'kuma-api-forge',
      result: { conclusion: 'failure' },
    });

    // The same event again (a redelivery): nothing to change, so the comment is not written.
    const writes = () => source.calls.filter((c) => c === 'createComment' || c === 'updateComment').length;
    const before = writes();
    expect(await check(source, { ...job, deliveryId: 'again' }, { breakingDiff: diff })).toMatchObject({
      comment: 'unchanged',
    });
    expect(writes()).toBe(before);

    // The fix lands: nothing left to say, the same comment becomes a short resolved note.
    changes = [];
    const fixed = source.push('feature', buildSourceFiles());
    expect(await check(source, checkJobFactory(source, number, fixed), { breakingDiff: diff })).toMatchObject(
      { verdict: 'pass', comment: 'resolved' },
    );
    const [resolved, ...others] = source.comments(number);
    expect(others).toEqual([]);
    expect(resolved!.id).toBe(first!.id);
    expect(resolved!.body).toMatch(/^<!-- kuma-api-forge -->\n### ✅ Resolved/);
    expect(source.checkRuns.at(-1)).toMatchObject({ result: { conclusion: 'success', title: 'Passed' } });
  });

  it('lets the approval label flip a breaking verdict to pass', async () => {
    const { source, number, job } = openPull(['/pets']);
    const diff = createFakeBreakingDiff([removed('/pets/{petId}')]);
    expect(await check(source, job, { breakingDiff: diff })).toMatchObject({ verdict: 'fail' });
    source.setLabels(number, ['breaking-change-approved']);
    expect(await check(source, job, { breakingDiff: diff })).toMatchObject({ verdict: 'pass' });
    expect(source.checkRuns.at(-1)!.result).toMatchObject({
      conclusion: 'success',
      title: 'Passed; 1 breaking change accepted',
    });
  });

  it('a PR into another branch gets its own run name and says whose gates judged it', async () => {
    const source = createFakeSourceRepo({ files: buildSourceFiles() });
    source.push('release', {});
    source.push('feature', { 'NOTES.md': 'x\n' }, { from: 'release' });
    const number = source.openPull({ head: 'feature', base: 'release' });
    await check(source, checkJobFactory(source, number, source.head('feature')));
    const run = source.checkRuns.at(-1)!;
    expect(run.name).not.toBe('kuma-api-forge');
    expect(run.name).toContain('release');
    expect(run.result!.summary).toContain('judged by the gates of main');
  });
});

describe('the deploy preview', () => {
  const tenants = {
    tenants: {
      'acme/pets': {
        gateways: ['edge'],
        hostnames: ['pets.example.com'],
        basePaths: ['/pets-api'],
        namespaces: ['pets'],
      },
    },
  };

  it('shows what the merge would add, reading the deploy repo without writing to it', async () => {
    const { source, number, job } = openPull();
    const deployRepo = createFakeDeployRepo({ 'tenants.yaml': stringify(tenants) });
    const outcome = await check(source, job, { deployRepo: async () => deployRepo });
    expect(outcome).toMatchObject({ status: 'reported', verdict: 'pass' });
    expect(source.comments(number)[0]!.body).toContain(
      '`apis/acme/pets/` in platform/deploy@main: **2 added, 0 changed, 0 removed**',
    );
    expect(deployRepo.commits).toEqual([]);
  });

  it('fails a PR claiming a hostname its grant does not list, on the config line', async () => {
    const source = createFakeSourceRepo({ files: { 'README.md': '# pets\n' } });
    source.push('steal', buildSourceFiles({ hostnames: ['shop.example.com'] }));
    const number = source.openPull({ head: 'steal' });
    const deployRepo = createFakeDeployRepo({ 'tenants.yaml': stringify(tenants) });
    await check(source, checkJobFactory(source, number, source.head('steal')), {
      deployRepo: async () => deployRepo,
    });
    const run = source.checkRuns.at(-1)!.result!;
    expect(run.conclusion).toBe('failure');
    // `hostnames: [shop.example.com]` is line 5 of the generated .kuma-api-forge.yaml.
    expect(run.annotations).toContainEqual(
      expect.objectContaining({ path: '.kuma-api-forge.yaml', startLine: 5, title: 'tenancy-hostname' }),
    );
    expect(source.comments(number)[0]!.body).toContain(
      'Merging this would deploy nothing to `apis/acme/pets/`',
    );
  });

  it('an unreachable deploy repo leaves the check itself standing, and says the preview is not available', async () => {
    const { source, number, job } = openPull();
    const outcome = await check(source, job, {
      deployRepo: async () => {
        throw Object.assign(new Error('Not Found'), { status: 404, response: { status: 404 } });
      },
    });
    expect(outcome).toMatchObject({
      status: 'reported',
      verdict: 'pass',
      mesh: 'unavailable: GitHub answered 404 (Not Found)',
    });
    expect(source.comments(number)).toEqual([]);
  });
});

describe('our own failures', () => {
  it('an outage ends as a failed check run that says it will be retried, and the job is thrown back', async () => {
    const { source, number, job } = openPull();
    const outage = Object.assign(new Error('Server Error'), { status: 502, response: { status: 502 } });
    // The read just before posting (the stale-head guard, which also finds the sticky comment) fails.
    const host = {
      ...source.codeHost,
      getPullRequest: (n: number, read?: PullRequestRead) =>
        read?.marker ? Promise.reject(outage) : source.codeHost.getPullRequest(n, read),
    };

    await expect(
      checkPullRequest(job, { codeHost: host, breakingDiff: createFakeBreakingDiff() }),
    ).rejects.toBe(outage);

    expect(source.comments(number)).toEqual([]);
    expect(source.checkRuns.at(-1)!.result).toMatchObject({
      conclusion: 'failure',
      title: 'kuma-api-forge could not finish the check',
      summary: expect.stringMatching(/GitHub answered 502.*It will be retried automatically/s),
    });
  });

  it('a failed read-ahead is only a lost hint: the check reads its files and reports the same', async () => {
    const { source, number, job } = openPull();
    const outage = Object.assign(new Error('Server Error'), { status: 502, response: { status: 502 } });
    const control = openPull();
    const expected = await check(control.source, control.job);
    const host = { ...source.codeHost, prefetch: () => Promise.reject(outage) };

    const outcome = await checkPullRequest(job, { codeHost: host, breakingDiff: createFakeBreakingDiff() });

    expect(outcome).toEqual(expected);
    expect(outcome).toMatchObject({ status: 'reported', verdict: 'pass' });
    expect(source.checkRuns.at(-1)?.result).toEqual(control.source.checkRuns.at(-1)?.result);
    expect(source.comments(number)).toEqual(control.source.comments(control.number));
  });

  it('a refusal ends as a failed check run and a failed outcome, not a retry', async () => {
    const { source, job } = openPull();
    const refusal = Object.assign(new Error('Resource not accessible by integration'), {
      status: 403,
      response: { status: 403 },
    });
    const host = {
      ...source.codeHost,
      files: (sha: string) => ({ description: sha, read: () => Promise.reject(refusal) }),
    };

    const outcome = await checkPullRequest(job, { codeHost: host, breakingDiff: createFakeBreakingDiff() });

    expect(outcome).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('GitHub answered 403'),
    });
    expect(source.checkRuns.at(-1)!.result!.summary).toMatch(/Re-run the check/);
  });
});
