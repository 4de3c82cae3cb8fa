/**
 * Webhook payloads in the shape of `@octokit/webhooks-examples`, built from the same objects the REST API
 * answers with, and their signed delivery (`X-Hub-Signature-256`, `X-GitHub-Event`, `X-GitHub-Delivery`).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import type { Hub } from './hub.js';
import { renderPull } from './routes-pulls.js';
import {
  buildCheckRun,
  buildCommit,
  buildInstallation,
  buildLabel,
  buildPullSimple,
  buildRepository,
  buildReview,
  buildUser,
} from './shapes.js';
import type {
  Account,
  CheckRunRecord,
  InstallationRecord,
  PullRecord,
  RepoRecord,
  ReviewRecord,
} from './state.js';

export interface WebhookEvent {
  /** The `X-GitHub-Event` header, e.g. `pull_request`. */
  name: string;
  payload: Record<string, unknown>;
  /** The installation the event is for (deliveries go to that installation's App). */
  installationId?: number;
}

export interface WebhookDelivery {
  id: string;
  event: string;
  action?: string;
  url: string;
  status: number;
  /** The receiver's response body. */
  response: string;
}

function base(hub: Hub, repo: RepoRecord, sender: Account) {
  const installation = [...hub.state.installations.values()].find((i) => i.account.id === repo.owner.id);
  return {
    repository: buildRepository(hub.urls, repo),
    sender: buildUser(hub.urls, sender),
    ...(installation
      ? {
          installation: {
            id: installation.id,
            node_id: Buffer.from(`Installation:${installation.id}`).toString('base64url'),
          },
        }
      : {}),
  };
}

const installationOf = (hub: Hub, repo: RepoRecord) =>
  [...hub.state.installations.values()].find((i) => i.account.id === repo.owner.id)?.id;

export async function buildPullRequestEvent(
  hub: Hub,
  repo: RepoRecord,
  pull: PullRecord,
  action: string,
  extra: Record<string, unknown> = {},
  sender: Account = pull.user,
): Promise<WebhookEvent> {
  const payload = {
    action,
    number: pull.number,
    pull_request: await renderPull(hub, repo, pull),
    ...extra,
    ...base(hub, repo, sender),
  };
  return withInstallation({ name: 'pull_request', payload }, installationOf(hub, repo));
}

/** `pull_request_review` submitted: the review and the PR (its simple shape), sent by the reviewer. */
export async function buildPullRequestReviewEvent(
  hub: Hub,
  repo: RepoRecord,
  pull: PullRecord,
  review: ReviewRecord,
): Promise<WebhookEvent> {
  const payload = {
    action: 'submitted',
    review: buildReview(hub.urls, repo, pull, review),
    pull_request: buildPullSimple(hub.urls, repo, pull, await hub.pullShas(repo, pull)),
    ...base(hub, repo, review.user),
  };
  return withInstallation({ name: 'pull_request_review', payload }, installationOf(hub, repo));
}

export function buildLabelField(hub: Hub, repo: RepoRecord, name: string) {
  const label = repo.labels.get(name);
  return label ? { label: buildLabel(hub.urls, repo, label) } : {};
}

export async function buildPushEvent(
  hub: Hub,
  repo: RepoRecord,
  branch: string,
  before: string | undefined,
  after: string,
  sender: Account,
): Promise<WebhookEvent> {
  const zero = '0'.repeat(40);
  const shas = before ? await repo.git.commitsBetween(before, after) : [after];
  const html = `${hub.urls.html}/${repo.owner.login}/${repo.name}`;
  const commits = [];
  for (const sha of shas) {
    const commit = await repo.git.readCommit(sha);
    const parent = commit.parents[0];
    const files = parent
      ? await repo.git.diffFiles(parent, sha)
      : (await repo.git.readTree(commit.tree, true))
          .filter((e) => e.type === 'blob')
          .map((e) => ({ path: e.path, status: 'added' as const }));
    const who = (id: typeof commit.author) => ({ name: id.name, email: id.email, username: id.name });
    commits.push({
      id: sha,
      tree_id: commit.tree,
      distinct: true,
      message: commit.message.replace(/\n$/, ''),
      timestamp: commit.committer.date,
      url: `${html}/commit/${sha}`,
      author: who(commit.author),
      committer: who(commit.committer),
      added: files.filter((f) => f.status === 'added').map((f) => f.path),
      removed: files.filter((f) => f.status === 'removed').map((f) => f.path),
      modified: files.filter((f) => f.status === 'modified').map((f) => f.path),
    });
  }
  const payload = {
    ref: `refs/heads/${branch}`,
    before: before ?? zero,
    after,
    created: before === undefined,
    deleted: false,
    forced: before !== undefined && !(await repo.git.isAncestor(before, after)),
    base_ref: null,
    compare: `${html}/compare/${(before ?? zero).slice(0, 12)}...${after.slice(0, 12)}`,
    commits,
    head_commit: commits.at(-1) ?? null,
    pusher: { name: sender.login, email: `${sender.id}+${sender.login}@users.noreply.local` },
    ...base(hub, repo, sender),
  };
  return withInstallation({ name: 'push', payload }, installationOf(hub, repo));
}

/**
 * A tag's push: created or moved (`pushed`: the object the ref names, an annotated tag's or the commit itself,
 * and the commit), or deleted. Like GitHub's, it lists no commits; `after` is the ref's new value and
 * `head_commit` the commit the tag names (null when deleted).
 */
export async function buildTagPushEvent(
  hub: Hub,
  repo: RepoRecord,
  tag: string,
  before: string | undefined,
  pushed: { object: string; commit: string } | undefined,
  sender: Account,
): Promise<WebhookEvent> {
  const after = pushed?.object;
  const zero = '0'.repeat(40);
  const html = `${hub.urls.html}/${repo.owner.login}/${repo.name}`;
  let headCommit = null;
  if (pushed) {
    const commit = await repo.git.readCommit(pushed.commit);
    const who = (id: typeof commit.author) => ({ name: id.name, email: id.email, username: id.name });
    headCommit = {
      id: pushed.commit,
      tree_id: commit.tree,
      distinct: true,
      message: commit.message.replace(/\n$/, ''),
      timestamp: commit.committer.date,
      url: `${html}/commit/${pushed.commit}`,
      author: who(commit.author),
      committer: who(commit.committer),
      added: [],
      removed: [],
      modified: [],
    };
  }
  const payload = {
    ref: `refs/tags/${tag}`,
    before: before ?? zero,
    after: after ?? zero,
    created: before === undefined,
    deleted: after === undefined,
    forced: before !== undefined && after !== undefined,
    base_ref: null,
    compare: after
      ? `${html}/compare/${tag}`
      : `${html}/compare/${(before ?? zero).slice(0, 12)}...${zero.slice(0, 12)}`,
    commits: [],
    head_commit: headCommit,
    pusher: { name: sender.login, email: `${sender.id}+${sender.login}@users.noreply.local` },
    ...base(hub, repo, sender),
  };
  return withInstallation({ name: 'push', payload }, installationOf(hub, repo));
}

function buildSuite(
  hub: Hub,
  repo: RepoRecord,
  suiteId: number,
  headSha: string,
  appId: number,
  runs: CheckRunRecord[],
) {
  const api = `${hub.urls.api}/repos/${repo.owner.login}/${repo.name}`;
  const done = runs.length > 0 && runs.every((run) => run.status === 'completed');
  const branch = [...repo.pulls.values()].find((pull) => pull.state === 'open')?.headRef ?? null;
  return {
    id: suiteId,
    node_id: Buffer.from(`CheckSuite:${suiteId}`).toString('base64url'),
    head_branch: branch,
    head_sha: headSha,
    status: done ? 'completed' : 'queued',
    conclusion: done ? (runs.find((run) => run.conclusion !== 'success')?.conclusion ?? 'success') : null,
    url: `${api}/check-suites/${suiteId}`,
    before: null,
    after: headSha,
    pull_requests: [],
    app: hub.appJson(appId),
    created_at: hub.now(),
    updated_at: hub.now(),
    latest_check_runs_count: runs.length,
    check_runs_url: `${api}/check-suites/${suiteId}/check-runs`,
  };
}

export async function buildCheckRunEvent(
  hub: Hub,
  repo: RepoRecord,
  run: CheckRunRecord,
  action: string,
  sender: Account,
  extra: Record<string, unknown> = {},
) {
  const pulls = await hub.pullsWithHead(repo, run.headSha);
  const suiteRuns = [...repo.checkRuns.values()].filter((r) => r.suiteId === run.suiteId);
  const checkRun = {
    ...buildCheckRun(hub.urls, repo, run, hub.appJson(run.appId), pulls),
    check_suite: buildSuite(hub, repo, run.suiteId, run.headSha, run.appId, suiteRuns),
  };
  return withInstallation(
    { name: 'check_run', payload: { action, check_run: checkRun, ...extra, ...base(hub, repo, sender) } },
    installationOf(hub, repo),
  );
}

export async function buildCheckSuiteEvent(
  hub: Hub,
  repo: RepoRecord,
  headSha: string,
  appId: number,
  action: string,
  sender: Account,
) {
  const suiteId = hub.state.suiteId(repo, headSha, appId);
  const runs = [...repo.checkRuns.values()].filter((r) => r.suiteId === suiteId);
  const suite = {
    ...buildSuite(hub, repo, suiteId, headSha, appId, runs),
    head_commit: buildCommit(hub.urls, repo, await repo.git.readCommit(headSha)).commit,
  };
  return withInstallation(
    { name: 'check_suite', payload: { action, check_suite: suite, ...base(hub, repo, sender) } },
    installationOf(hub, repo),
  );
}

export function buildInstallationEvent(
  hub: Hub,
  installation: InstallationRecord,
  action: string,
  sender: Account,
): WebhookEvent {
  const repos = [...hub.state.repos.values()].filter((repo) => repo.owner.id === installation.account.id);
  return {
    name: 'installation',
    installationId: installation.id,
    payload: {
      action,
      installation: buildInstallation(hub.urls, installation, hub.appById(installation.appId)),
      repositories: repos.map((repo) => ({
        id: repo.id,
        node_id: Buffer.from(`Repository:${repo.id}`).toString('base64url'),
        name: repo.name,
        full_name: `${repo.owner.login}/${repo.name}`,
        private: true,
      })),
      requester: null,
      sender: buildUser(hub.urls, sender),
    },
  };
}

function withInstallation(event: WebhookEvent, installationId: number | undefined): WebhookEvent {
  return installationId === undefined ? event : { ...event, installationId };
}

/**
 * POSTs an event to a webhook URL, signed with `secret` over the exact bytes sent. `signature` overrides the
 * header (to test that a receiver refuses a forged or missing one; `null` leaves it out).
 */
export async function deliverWebhook(
  event: WebhookEvent,
  target: { url: string; secret: string; appId?: number; signature?: string | null },
): Promise<WebhookDelivery> {
  const id = randomUUID();
  const body = JSON.stringify(event.payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/local',
    'x-github-event': event.name,
    'x-github-delivery': id,
    'x-github-hook-id': '1',
  };
  if (target.appId !== undefined) {
    headers['x-github-hook-installation-target-type'] = 'integration';
    headers['x-github-hook-installation-target-id'] = String(target.appId);
  }
  const signature = target.signature === undefined ? await sign(target.secret, body) : target.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const response = await fetch(target.url, { method: 'POST', headers, body });
  const action = typeof event.payload.action === 'string' ? event.payload.action : undefined;
  return {
    id,
    event: event.name,
    ...(action ? { action } : {}),
    url: target.url,
    status: response.status,
    response: await response.text(),
  };
}
