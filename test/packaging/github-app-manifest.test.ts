/**
 * infra/github-app-manifest.json, the manifest the deploy guide posts to GitHub to create the App: the least
 * permissions the App uses, and exactly the events the webhook acts on.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toJob } from '../../shared/core/webhook-events.js';
import { repoRoot } from './helpers.js';

interface Manifest {
  name: string;
  url: string;
  hook_attributes: { url: string; active?: boolean };
  redirect_url?: string;
  public?: boolean;
  default_permissions: Record<string, string>;
  default_events: string[];
}

const manifest = JSON.parse(
  await readFile(join(repoRoot, 'infra/github-app-manifest.json'), 'utf8'),
) as Manifest;

describe('the GitHub App manifest', () => {
  it('asks for checks and pull requests write, contents write (for the deploy repo), statuses read (a time promotion reads the cluster agent’s) and nothing else', () => {
    expect(manifest.default_permissions).toEqual({
      metadata: 'read',
      checks: 'write',
      pull_requests: 'write',
      contents: 'write',
      statuses: 'read',
    });
    expect(manifest.public).toBe(false);
  });

  it('subscribes to exactly the events the webhook turns into jobs', () => {
    // The webhook answers an event it never uses with `{ ignored: '<event> is not used' }`, whatever the payload.
    const used = (event: string) => {
      const outcome = toJob(event, 'delivery', {});
      return !('ignored' in outcome && outcome.ignored === `${event} is not used`);
    };
    expect(manifest.default_events.filter((event) => !used(event))).toEqual([]);
    const candidates = [
      'pull_request',
      'push',
      'check_run',
      'check_suite',
      'issues',
      'issue_comment',
      'release',
    ];
    expect(candidates.filter(used).sort()).toEqual([...manifest.default_events].sort());
  });

  it('is a manifest GitHub accepts: a name within 34 characters, https URLs, the webhook on /webhook', () => {
    expect(manifest.name.length).toBeLessThanOrEqual(34);
    expect(manifest.url).toMatch(/^https:\/\//);
    expect(manifest.hook_attributes.url).toMatch(/^https:\/\/.+\/webhook$/);
    expect(manifest.hook_attributes.active).toBe(true);
    expect(manifest.redirect_url).toMatch(/^https:\/\//);
  });
});
