/**
 * The deploy repo's web address follows the GitHub the App talks to (GITHUB_API_URL), so links in comments point
 * at a GitHub Enterprise server when that is where the deploy repo lives, never at github.com.
 */
import { Octokit } from '@octokit/rest';
import { describe, expect, it } from 'vitest';
import { createGitHubDeployRepo } from '../../../shared/adapters/github-deploy-repo.js';

const deployRepoUrl = (baseUrl?: string) =>
  createGitHubDeployRepo(new Octokit(baseUrl ? { baseUrl } : {}), { owner: 'platform', repo: 'deploy' }).url;

describe('the deploy repo web address', () => {
  it('is on github.com for the default API', () => {
    expect(deployRepoUrl()).toBe('https://github.com/platform/deploy');
    expect(deployRepoUrl('https://api.github.com/')).toBe('https://github.com/platform/deploy');
  });

  it('is on the GitHub Enterprise Server host, its port kept, for an /api/v3 base URL', () => {
    expect(deployRepoUrl('https://ghe.example.com/api/v3')).toBe('https://ghe.example.com/platform/deploy');
    expect(deployRepoUrl('https://ghe.example.com/api/v3/')).toBe('https://ghe.example.com/platform/deploy');
    expect(deployRepoUrl('https://ghe.example.com:8443/api/v3')).toBe(
      'https://ghe.example.com:8443/platform/deploy',
    );
  });

  it('is on the tenant host for GitHub Enterprise Cloud with data residency (api.SUBDOMAIN.ghe.com)', () => {
    expect(deployRepoUrl('https://api.acme.ghe.com')).toBe('https://acme.ghe.com/platform/deploy');
  });

  it('is never github.com for a host that only looks like it', () => {
    expect(deployRepoUrl('https://api.github.com.evil.example')).toBe(
      'https://api.github.com.evil.example/platform/deploy',
    );
    expect(deployRepoUrl('https://ghe.example.com/github/api/v3')).toBe(
      'https://ghe.example.com/github/platform/deploy',
    );
  });
});
