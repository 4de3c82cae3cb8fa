/**
 * Which webhooks become which jobs. Pure: the webhook endpoint calls it after the signature is verified, and
 * it reads only the few payload fields a job needs, checking each one (a signed payload is still data).
 *
 * - `pull_request` opened / synchronize / reopened / labeled / unlabeled, and edited when the base branch
 *   changed → check the PR at its head.
 * - `check_run` / `check_suite` rerequested → check the first PR they name (GitHub leaves the list empty for
 *   PRs from forks and commits outside a PR; there is nothing to report on then).
 * - `push` to the default branch → deploy that commit. A merged PR (`pull_request` closed + merged) adds
 *   nothing: the merge arrives as that push, so deploying on both would render the same commit twice. Which PR
 *   it merged is not read from the commit message (anyone can write "(#12)" there): the deploy asks GitHub.
 * - `push` to the deploy repo's deploy branch (when the webhook is told which they are) → report the drift
 *   it made (generated files edited by hand; `core/deploy/drift.ts`), whoever pushed: the report judges content.
 * - everything else is ignored, with the reason.
 * @module
 */
import type { Job } from './jobs.js';
import type { RepoRef } from './repo-ref.js';
import { buildCheckRunName, checkRunName } from './report/check-run-name.js';

/** A used event whose payload lacks a field the job needs; the endpoint answers 400. */
export interface InvalidEvent {
  invalid: string;
}

export interface IgnoredEvent {
  ignored: string;
}

const CHECKED_PULL_ACTIONS = new Set(['opened', 'synchronize', 'reopened', 'edited', 'labeled', 'unlabeled']);
const SHA = /^[0-9a-f]{40}$/;

/** Thrown by the readers below; caught once in {@link toJob}. */
class MissingField extends Error {}

type Json = Record<string, unknown>;

function field(payload: unknown, path: string): unknown {
  let node = payload;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function readString(payload: unknown, path: string): string {
  const value = field(payload, path);
  if (typeof value !== 'string' || value === '') throw new MissingField(`${path} must be a non-empty string`);
  return value;
}

function readSha(payload: unknown, path: string): string {
  const value = field(payload, path);
  if (typeof value !== 'string' || !SHA.test(value)) throw new MissingField(`${path} must be a commit SHA`);
  return value;
}

function readId(payload: unknown, path: string): number {
  const value = field(payload, path);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw new MissingField(`${path} must be a positive integer`);
  return value;
}

function readRepo(payload: unknown): RepoRef {
  return {
    owner: readString(payload, 'repository.owner.login'),
    repo: readString(payload, 'repository.name'),
  };
}

function fromPullRequest(action: string, deliveryId: string, payload: unknown): Job | IgnoredEvent {
  if (action === 'closed')
    return { ignored: 'pull_request.closed: a merge is deployed from its push to the default branch' };
  if (!CHECKED_PULL_ACTIONS.has(action))
    return { ignored: `pull_request.${action} does not change the check` };
  if (action === 'edited' && field(payload, 'changes.base') === undefined)
    return { ignored: 'pull_request.edited without a base change does not change the check' };
  return {
    type: 'check',
    deliveryId,
    event: `pull_request.${action}`,
    installationId: readId(payload, 'installation.id'),
    repository: readRepo(payload),
    pullNumber: readId(payload, 'pull_request.number'),
    headSha: readSha(payload, 'pull_request.head.sha'),
  };
}

function fromRerequest(
  name: 'check_run' | 'check_suite',
  action: string,
  deliveryId: string,
  payload: unknown,
): Job | IgnoredEvent {
  if (action !== 'rerequested') return { ignored: `${name}.${action} is not a re-run request` };
  const pulls = field(payload, `${name}.pull_requests`);
  if (!Array.isArray(pulls)) throw new MissingField(`${name}.pull_requests must be an array`);
  if (pulls.length === 0) return { ignored: `${name}.rerequested names no pull request` };
  // A commit can head several PRs: re-run the one whose check run this is (its name says its base branch).
  const defaultBranch = field(payload, 'repository.default_branch');
  const runName = name === 'check_run' ? field(payload, 'check_run.name') : checkRunName;
  const pull =
    pulls.find(
      (p) =>
        typeof defaultBranch === 'string' &&
        buildCheckRunName(String(field(p, 'base.ref')), defaultBranch) === runName,
    ) ?? pulls[0];
  return {
    type: 'check',
    deliveryId,
    event: `${name}.rerequested`,
    installationId: readId(payload, 'installation.id'),
    repository: readRepo(payload),
    pullNumber: readId(pull, 'number'),
    headSha: readSha(payload, `${name}.head_sha`),
  };
}

/** The platform team's deploy repo, and the branch its cluster agent syncs (default: its default branch). */
export interface DeployRepoEvents {
  repo: RepoRef;
  branch?: string;
}

function fromPush(deliveryId: string, payload: unknown, deploy?: DeployRepoEvents): Job | IgnoredEvent {
  const ref = readString(payload, 'ref');
  const defaultBranch = readString(payload, 'repository.default_branch');
  if (deploy && isSameRepo(readRepo(payload), deploy.repo))
    return fromDeployPush(deliveryId, payload, deploy);
  if (ref !== `refs/heads/${defaultBranch}`) return { ignored: `push to ${ref}, not the default branch` };
  if (field(payload, 'deleted') === true) return { ignored: 'push deleted the default branch' };
  return {
    type: 'deploy',
    deliveryId,
    event: 'push',
    installationId: readId(payload, 'installation.id'),
    repository: readRepo(payload),
    sha: readSha(payload, 'after'),
  };
}

function fromDeployPush(deliveryId: string, payload: unknown, deploy: DeployRepoEvents): Job | IgnoredEvent {
  const branch = deploy.branch ?? readString(payload, 'repository.default_branch');
  const ref = readString(payload, 'ref');
  if (ref !== `refs/heads/${branch}`)
    return { ignored: `push to ${ref} of the deploy repo, not its deploy branch` };
  if (field(payload, 'deleted') === true) return { ignored: 'push deleted the deploy branch' };
  const before = field(payload, 'before');
  if (field(payload, 'created') === true || before === '0'.repeat(40))
    return { ignored: 'push created the deploy branch: nothing to compare it with' };
  return {
    type: 'drift',
    deliveryId,
    event: 'push',
    installationId: readId(payload, 'installation.id'),
    repository: readRepo(payload),
    sha: readSha(payload, 'after'),
    before: readSha(payload, 'before'),
  };
}

/** GitHub names are case-insensitive. */
function isSameRepo(a: RepoRef, b: RepoRef): boolean {
  return a.owner.toLowerCase() === b.owner.toLowerCase() && a.repo.toLowerCase() === b.repo.toLowerCase();
}

/**
 * The job for a webhook (`X-GitHub-Event` name, `X-GitHub-Delivery` id, parsed body), `{ ignored }` for events
 * the App does not act on, or `{ invalid }` naming the first missing or malformed field of an event it uses.
 */
export function toJob(
  event: string,
  deliveryId: string,
  payload: unknown,
  deploy?: DeployRepoEvents,
): Job | IgnoredEvent | InvalidEvent {
  try {
    if (event === 'push') return fromPush(deliveryId, payload, deploy);
    if (event !== 'pull_request' && event !== 'check_run' && event !== 'check_suite')
      return { ignored: event === 'ping' ? 'ping: the webhook is reachable' : `${event} is not used` };
    const action = readString(payload, 'action');
    return event === 'pull_request'
      ? fromPullRequest(action, deliveryId, payload)
      : fromRerequest(event, action, deliveryId, payload);
  } catch (error) {
    if (error instanceof MissingField) return { invalid: `${event}: ${error.message}` };
    throw error;
  }
}
