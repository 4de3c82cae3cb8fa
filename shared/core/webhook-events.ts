/**
 * Which webhooks become which jobs. Pure: the webhook endpoint calls it after the signature is verified, and
 * it reads only the few payload fields a job needs, checking each one (a signed payload is still data).
 *
 * - `pull_request` opened / synchronize / reopened / labeled / unlabeled, and edited when the base branch
 *   changed → check the PR at its head.
 * - `check_run` / `check_suite` rerequested → check the first PR they name (GitHub leaves the list empty for
 *   PRs from forks and commits outside a PR; there is nothing to report on then).
 * - `check_run` requested_action `accept-breaking` on one of our runs → approve (the worker verifies the presser's
 *   access) and check. `pull_request` labeled / unlabeled by a bot is ignored: the App's own label (from that
 *   button) must not re-run the check as if the App had approved; a push or a re-run checks again.
 * - `push` of a tag (created or moved), when environments are configured → promote the commit it names (the
 *   worker matches the name against the environments' rules; a deleted tag promotes nothing). Without them a tag
 *   push is ignored, as before environments existed.
 * - `push` to the default branch → deploy that commit. A merged PR (`pull_request` closed + merged) adds
 *   nothing: the merge arrives as that push, so deploying on both would render the same commit twice. Which PR
 *   it merged is not read from the commit message (anyone can write "(#12)" there): the deploy asks GitHub.
 * - a pull request on the deploy repo (any of the above that would check it) → the governance check of the
 *   platform's rules against every deployed API (`governance` job), when the deploy repo is known.
 * - `pull_request` closed + merged on the deploy repo of an environment whose next one is promoted by approval
 *   → `promote-approved` (the worker checks the PR and its reviews); closed unmerged there is ignored. Reviews
 *   themselves (`pull_request_review`) start nothing: the merge of the approved PR promotes, read at the merge.
 * - `push` to the deploy repo's deploy branch (when the webhook is told which they are) → report the drift
 *   it made (generated files edited by hand; `core/deploy/drift.ts`), whoever pushed: the report judges content.
 * - everything else is ignored, with the reason.
 * @module
 */
import { acceptBreakingAction } from './accept-breaking.js';
import type { Job } from './jobs.js';
import { type RepoRef, sameRepo } from './repo-ref.js';
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
  const labeling = action === 'labeled' || action === 'unlabeled';
  if (labeling && field(payload, 'sender.type') === 'Bot')
    return { ignored: `pull_request.${action} by a bot (the App's own approval checks by itself)` };
  const label = field(payload, 'label.name');
  return {
    type: 'check',
    deliveryId,
    event: `pull_request.${action}`,
    installationId: readId(payload, 'installation.id'),
    repository: readRepo(payload),
    pullNumber: readId(payload, 'pull_request.number'),
    headSha: readSha(payload, 'pull_request.head.sha'),
    ...(action === 'labeled' && typeof label === 'string'
      ? { approver: { login: readString(payload, 'sender.login'), via: 'label' as const, label } }
      : {}),
  };
}

function fromRerequest(
  name: 'check_run' | 'check_suite',
  action: string,
  deliveryId: string,
  payload: unknown,
): Job | IgnoredEvent {
  if (name === 'check_run' && action === 'requested_action') return fromAction(deliveryId, payload);
  if (action !== 'rerequested') return { ignored: `${name}.${action} is not a re-run request` };
  const pulls = field(payload, `${name}.pull_requests`);
  if (!Array.isArray(pulls)) throw new MissingField(`${name}.pull_requests must be an array`);
  if (pulls.length === 0) return { ignored: `${name}.rerequested names no pull request` };
  const runName = name === 'check_run' ? field(payload, 'check_run.name') : checkRunName;
  return {
    type: 'check',
    deliveryId,
    event: `${name}.rerequested`,
    installationId: readId(payload, 'installation.id'),
    repository: readRepo(payload),
    pullNumber: readId(pullOfRun(payload, pulls, runName) ?? pulls[0], 'number'),
    headSha: readSha(payload, `${name}.head_sha`),
  };
}

/** A commit can head several PRs: the one whose check run this is (its name says its base branch). */
function pullOfRun(payload: unknown, pulls: unknown[], runName: unknown): unknown {
  const defaultBranch = field(payload, 'repository.default_branch');
  return pulls.find(
    (p) =>
      typeof defaultBranch === 'string' &&
      buildCheckRunName(String(field(p, 'base.ref')), defaultBranch) === runName,
  );
}

/**
 * The Accept button pressed on one of our check runs: approve the PR the run is for. Only a run of ours (its name)
 * in this repository (the PR's base repo is the payload's repository) with our button counts; whether the
 * presser may approve, and whether the run is the PR's current one, the worker asks GitHub.
 */
function fromAction(deliveryId: string, payload: unknown): Job | IgnoredEvent {
  const identifier = field(payload, 'requested_action.identifier');
  if (identifier !== acceptBreakingAction.identifier)
    return { ignored: `check_run.requested_action ${String(identifier)} is not an action of this App` };
  const runName = field(payload, 'check_run.name');
  const pulls = field(payload, 'check_run.pull_requests');
  if (!Array.isArray(pulls)) throw new MissingField('check_run.pull_requests must be an array');
  if (pulls.length === 0) return { ignored: 'check_run.requested_action names no pull request' };
  const repoId = field(payload, 'repository.id');
  const pull = pullOfRun(payload, pulls, runName);
  if (!pull)
    return {
      ignored: `check_run.requested_action on ${String(runName)}: not a check run of this App's pull requests`,
    };
  if (repoId === undefined || field(pull, 'base.repo.id') !== repoId)
    return { ignored: 'check_run.requested_action for a pull request of another repository' };
  return {
    type: 'check',
    deliveryId,
    event: 'check_run.requested_action',
    installationId: readId(payload, 'installation.id'),
    repository: readRepo(payload),
    pullNumber: readId(pull, 'number'),
    headSha: readSha(payload, 'check_run.head_sha'),
    approver: { login: readString(payload, 'sender.login'), via: 'button' },
  };
}

/** The platform team's deploy repo, and the branch its cluster agent syncs (default: its default branch). */
export interface DeployRepoEvents {
  repo: RepoRef;
  branch?: string;
}

function fromPush(deliveryId: string, payload: unknown, options: ToJobOptions): Job | IgnoredEvent {
  const ref = readString(payload, 'ref');
  const { deployRepo } = options;
  if (deployRepo && sameRepo(readRepo(payload), deployRepo.repo))
    return fromDeployPush(deliveryId, payload, deployRepo);
  if (ref.startsWith('refs/tags/') && options.promoteTags)
    return fromTagPush(ref.slice('refs/tags/'.length), deliveryId, payload);
  const defaultBranch = readString(payload, 'repository.default_branch');
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

/** `head_commit` is the commit the tag names (`after` is the tag object's id for an annotated tag). */
function fromTagPush(tag: string, deliveryId: string, payload: unknown): Job | IgnoredEvent {
  if (field(payload, 'deleted') === true) return { ignored: `push deleted the tag ${tag}` };
  return {
    type: 'promote',
    deliveryId,
    event: 'push',
    installationId: readId(payload, 'installation.id'),
    repository: readRepo(payload),
    tag,
    sha: readSha(payload, 'head_commit.id'),
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

/** A merged deploy PR on an environment's repo whose next environment promotes by approval. */
function fromApprovedMerge(deliveryId: string, payload: unknown): Job | IgnoredEvent {
  if (field(payload, 'pull_request.merged') !== true)
    return { ignored: 'pull_request.closed without merging: a deploy PR promotes only once merged' };
  return {
    type: 'promote-approved',
    deliveryId,
    event: 'pull_request.closed',
    installationId: readId(payload, 'installation.id'),
    repository: readRepo(payload),
    pullNumber: readId(payload, 'pull_request.number'),
    headSha: readSha(payload, 'pull_request.head.sha'),
    headRef: readString(payload, 'pull_request.head.ref'),
    baseRef: readString(payload, 'pull_request.base.ref'),
    baseSha: readSha(payload, 'pull_request.base.sha'),
    author: {
      login: readString(payload, 'pull_request.user.login'),
      type: readString(payload, 'pull_request.user.type'),
    },
  };
}

export interface ToJobOptions {
  /** Environments are configured (DEPLOY_ENVIRONMENTS): a tag push becomes a promote job. */
  promoteTags?: boolean;
  /**
   * The deploy repo and its deploy branch: its pull requests are governance checks, not API checks, and pushes
   * to its deploy branch are drift reports.
   */
  deployRepo?: DeployRepoEvents;
  /**
   * The deploy repos of the environments whose next environment is promoted by approval: a merged PR there is
   * a `promote-approved` job.
   */
  approvalRepos?: readonly RepoRef[];
}

/**
 * The job for a webhook (`X-GitHub-Event` name, `X-GitHub-Delivery` id, parsed body), `{ ignored }` for events
 * the App does not act on, or `{ invalid }` naming the first missing or malformed field of an event it uses.
 */
export function toJob(
  event: string,
  deliveryId: string,
  payload: unknown,
  options: ToJobOptions = {},
): Job | IgnoredEvent | InvalidEvent {
  const job = toSourceJob(event, deliveryId, payload, options);
  const { deployRepo } = options;
  if ('type' in job && job.type === 'check' && deployRepo && sameRepo(job.repository, deployRepo.repo))
    return { ...job, type: 'governance' };
  return job;
}

function toSourceJob(
  event: string,
  deliveryId: string,
  payload: unknown,
  options: ToJobOptions,
): Job | IgnoredEvent | InvalidEvent {
  try {
    if (event === 'push') return fromPush(deliveryId, payload, options);
    if (event !== 'pull_request' && event !== 'check_run' && event !== 'check_suite')
      return { ignored: event === 'ping' ? 'ping: the webhook is reachable' : `${event} is not used` };
    const action = readString(payload, 'action');
    if (
      event === 'pull_request' &&
      action === 'closed' &&
      options.approvalRepos?.some((repo) => sameRepo(repo, readRepo(payload)))
    )
      return fromApprovedMerge(deliveryId, payload);
    return event === 'pull_request'
      ? fromPullRequest(action, deliveryId, payload)
      : fromRerequest(event, action, deliveryId, payload);
  } catch (error) {
    if (error instanceof MissingField) return { invalid: `${event}: ${error.message}` };
    throw error;
  }
}
