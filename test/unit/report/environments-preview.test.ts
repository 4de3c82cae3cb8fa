/**
 * The PR comment's "Later environments" part (core/report/environments-preview.ts) as a file snapshot, and that
 * the comment carries it after the mesh changes, within GitHub's limit.
 */
import { describe, expect, it } from 'vitest';
import { planDeploy } from '../../../shared/core/deploy/plan-deploy.js';
import {
  type LaterEnvironmentPreview,
  renderLaterEnvironments,
} from '../../../shared/core/report/environments-preview.js';
import { buildCommentBody } from '../../../shared/core/report/pr-comment.js';
import { renderFiles } from '../deploy/helpers.js';
import { report } from './pr-report.js';

const later: LaterEnvironmentPreview[] = [
  {
    name: 'qa',
    deployRepo: 'platform/deploy@qa',
    tag: '*-rc*',
    previous: 'staging',
    result: { status: 'planned', summary: { added: 3, changed: 1, removed: 0 } },
  },
  {
    name: 'production',
    deployRepo: 'platform/deploy-prod',
    tag: 'v*',
    previous: 'qa',
    result: { status: 'rejected', problems: 2 },
  },
  {
    name: 'dr',
    deployRepo: 'platform/deploy-dr',
    tag: 'v*',
    previous: 'production',
    result: { status: 'planned', summary: { added: 0, changed: 0, removed: 0 } },
  },
  {
    name: 'edge',
    deployRepo: 'platform/edge',
    tag: 'v*',
    previous: 'dr',
    result: { status: 'unavailable', reason: 'the App is not installed on platform/edge' },
  },
];

describe('renderLaterEnvironments', () => {
  it('says per later environment what promotion would change, refuse, or that it is unknown', async () => {
    await expect(renderLaterEnvironments(later)).toMatchFileSnapshot(
      './__snapshots__/user-text/comment-later-environments.md',
    );
  });

  it('an environment promoted by approval: its deploy PR approved and merged, not a tag', () => {
    const { tag: _, ...byApproval } = later[0]!;
    const text = renderLaterEnvironments([byApproval]);
    expect(text).toContain('once its deploy PR to staging is approved and merged.');
    expect(text).not.toContain('a tag matching');
  });

  it('an environment promoted after a time: how long after its deploy, and the status it needs', () => {
    const { tag: _, ...rest } = later[0]!;
    expect(renderLaterEnvironments([{ ...rest, after: '24h' }])).toContain(
      'once it has run in staging for 24h after its deploy there, with no failing status.',
    );
    const text = renderLaterEnvironments([{ ...rest, after: '7d', status: 'kustomization/apps' }]);
    expect(text).toContain(
      'once it has run in staging for 7d after its deploy there and `kustomization/apps` succeeded on it, with no failing status.',
    );
    expect(text).not.toContain('a tag matching');
    expect(text).not.toContain('approved');
  });

  it('is empty without later environments (DEPLOY_REPO alone: the comment is as before)', () => {
    expect(renderLaterEnvironments([])).toBe('');
  });

  it('follows the mesh changes in the PR comment, and the comment stays within the limit', async () => {
    const rendered = await renderFiles();
    const plan = planDeploy({
      sourceRepo: { owner: 'acme', repo: 'pets' },
      sourceSha: 'a'.repeat(40),
      current: [],
      rendered: rendered.apis,
    });
    const mesh = {
      deployRepo: 'platform/deploy@staging',
      folder: plan.folder,
      preview: { rendered: { findings: [] }, decision: { status: 'planned' as const, plan } },
      later,
    };
    const limit = 2500;
    const full = buildCommentBody(report([]), '<!-- m -->', {}, mesh)!;
    expect(full.length).toBeGreaterThan(limit); // the limit below really cuts
    const body = buildCommentBody(report([]), '<!-- m -->', {}, mesh, limit)!;
    expect(body.length).toBeLessThanOrEqual(limit);
    expect(body.indexOf('### Mesh changes')).toBeLessThan(body.indexOf('#### Later environments'));
    expect(body.endsWith(renderLaterEnvironments(later))).toBe(true);
  });
});
