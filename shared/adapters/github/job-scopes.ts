/**
 * Least privilege by construction: the token scope of each client a job uses — one repo each, and only the
 * permissions that job does there. The App's manifest grants the union (contents, checks and pull requests
 * write); no single token ever holds it.
 * - check job, source repo: read its files, write the check run and the sticky comment. PR comments go through
 *   the issues API, which GitHub allows on a pull request with `pull_requests: write` (so no `issues` permission).
 * - check job, deploy repo: read it for the mesh-changes preview.
 * - deploy job, source repo: read its files and history, comment "deployed" on the merged PR.
 * - deploy job, deploy repo: commit (and, in pull-request mode, open or update the deploy PR).
 * - promote job (a release tag), source repo: as a deploy job (it deploys the tagged commit to the next environment).
 * - governance job (a PR on the deploy repo): read it and write its check run; read each deployed source repo.
 * - drift job (its repo is the deploy repo): read it, write the drift check run.
 * - any job, the repo a config's `_extends` names (same owner): read it, nothing else.
 * @module
 */
import type { Job } from '../../core/jobs.js';
import type { RepoRef } from '../../core/repo-ref.js';
import type { DeployMode, DeployRepoAccess } from '../../ports/deploy-repo.js';
import type { TokenScope } from './create-octokit.js';

export function buildSourceScope(job: Pick<Job, 'type' | 'repository'>): TokenScope {
  const permissions: Record<Job['type'], TokenScope['permissions']> = {
    check: { contents: 'read', checks: 'write', pull_requests: 'write' },
    deploy: { contents: 'read', pull_requests: 'write' },
    governance: { contents: 'read', checks: 'write', pull_requests: 'read' },
    promote: { contents: 'read', pull_requests: 'write' },
    // The deploy PR's reviews, its head's `.source.yaml`, reviewers' permission, a comment when refused.
    'promote-approved': { contents: 'read', pull_requests: 'write' },
    drift: { contents: 'read', checks: 'write' },
    // The sweep's job names the target's deploy repo: read it (the promotion's writes use the deploy's tokens).
    'promote-time': { contents: 'read' },
  };
  return { repositories: [job.repository.repo], permissions: permissions[job.type] };
}

/** A deployed source repo read by a governance job: its files at the deployed commit, nothing else. */
export function buildDeployedSourceScope(repo: RepoRef): TokenScope {
  return { repositories: [repo.repo], permissions: { contents: 'read' } };
}

/** An environment's deploy repo read by the time promotion's sweep: its history, statuses and check runs. */
export function buildDeployHistoryScope(repo: RepoRef): TokenScope {
  return { repositories: [repo.repo], permissions: { contents: 'read', checks: 'read', statuses: 'read' } };
}

/** The repo a config's `_extends` names (org defaults): its files, nothing else. */
export function buildExtendedRepoScope(repo: string): TokenScope {
  return { repositories: [repo], permissions: { contents: 'read' } };
}

export function buildDeployRepoScope(
  repo: RepoRef,
  access: DeployRepoAccess,
  mode: DeployMode = 'commit',
): TokenScope {
  if (access === 'read') return { repositories: [repo.repo], permissions: { contents: 'read' } };
  return {
    repositories: [repo.repo],
    permissions:
      mode === 'pull-request' ? { contents: 'write', pull_requests: 'write' } : { contents: 'write' },
  };
}
