/**
 * The test-and-demo side of the local GitHub: plain TypeScript calls that do what a developer does on
 * github.com (create repos, push, open/label/merge pulls, install the App) and deliver the webhooks GitHub
 * would send for it, signed with the App's secret.
 * @module
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { FaultPlan, FaultRule } from './faults.js';
import type { GitCommitData } from './git.js';
import type { Hub } from './hub.js';
import { openPull } from './routes-pulls.js';
import type { CheckRunRecord, CommentRecord, PullRecord, RepoRecord, Role } from './state.js';
import {
  buildCheckRunEvent,
  buildCheckSuiteEvent,
  buildInstallationEvent,
  buildLabelField,
  buildPullRequestEvent,
  buildPullRequestReviewEvent,
  buildPushEvent,
  buildTagPushEvent,
  deliverWebhook,
  type WebhookDelivery,
  type WebhookEvent,
} from './webhooks.js';

export interface AppCredentials {
  id: number;
  slug: string;
  /** PEM (PKCS#8), present when the local GitHub generated the key pair. */
  privateKey?: string;
  webhookSecret: string;
}

/** `deliver: false` returns the events without sending them (e.g. to deliver later, or out of order). */
export interface DeliverOption {
  deliver?: boolean;
}

export interface Outcome {
  /** The webhooks GitHub would send for this action, in order. */
  events: WebhookEvent[];
  /** Their deliveries to the App's webhook URL (empty when `deliver: false` or no URL is set). */
  deliveries: WebhookDelivery[];
}

export interface RepoRef {
  owner: string;
  repo: string;
}

export type FileChanges = Record<string, string | Uint8Array | null>;

export interface LocalGitHubAdmin {
  createApp(options?: {
    name?: string;
    owner?: string;
    publicKey?: string;
    webhookUrl?: string;
    webhookSecret?: string;
  }): AppCredentials;
  setWebhook(appId: number, webhook: { url: string; secret?: string }): void;
  installApp(
    appId: number,
    account: string,
    options?: DeliverOption,
  ): Promise<Outcome & { installationId: number }>;
  /** A repo whose default branch holds `files` (or the files of directory `dir`) as its first commit. */
  createRepo(
    input: RepoRef & { files?: FileChanges; dir?: string; defaultBranch?: string },
  ): Promise<{ sha: string }>;
  /**
   * One commit on `branch` (created from `from` or the default branch when missing); null deletes. A `git push`:
   * never signed by GitHub, and its author and dates are what the pusher typed — `author` (a login, e.g. an
   * App's `<slug>[bot]`, default the developer) and `date` (ISO 8601, default now) forge them.
   */
  push(
    input: RepoRef & {
      branch: string;
      files: FileChanges;
      message?: string;
      from?: string;
      author?: string;
      date?: string;
    } & DeliverOption,
  ): Promise<Outcome & { before: string | undefined; sha: string }>;
  /**
   * A commit status on `sha`, as a cluster agent posts it (Argo CD notifications, Flux's notification-controller:
   * `POST /repos/{owner}/{repo}/statuses/{sha}`), by `login` (default the developer).
   */
  setCommitStatus(
    input: RepoRef & {
      sha: string;
      context: string;
      state: 'error' | 'failure' | 'pending' | 'success';
      description?: string;
      login?: string;
    },
  ): void;
  /**
   * A force-push: one commit of `files` on top of `from` (a ref or SHA), and `branch` moved there even if that
   * drops commits from it; the push event says `forced: true` when it did.
   */
  forcePush(
    input: RepoRef & { branch: string; from: string; files: FileChanges; message?: string } & DeliverOption,
  ): Promise<Outcome & { before: string | undefined; sha: string }>;
  /**
   * Creates or moves the tag `tag` to `sha` (a commit or ref) — an annotated one when `message` is given, like
   * `git tag -a` — or deletes it (`sha: null`); sends the tag's `push` event.
   */
  pushTag(
    input: RepoRef & { tag: string; sha: string | null; message?: string } & DeliverOption,
  ): Promise<Outcome & { sha: string | undefined }>;
  openPullRequest(
    input: RepoRef & { head: string; base?: string; title?: string; body?: string } & DeliverOption,
  ): Promise<Outcome & { number: number; headSha: string }>;
  editPullRequest(
    input: RepoRef & { number: number; title?: string; body?: string; base?: string } & DeliverOption,
  ): Promise<Outcome>;
  addLabel(input: RepoRef & { number: number; label: string } & DeliverOption): Promise<Outcome>;
  removeLabel(input: RepoRef & { number: number; label: string } & DeliverOption): Promise<Outcome>;
  closePullRequest(input: RepoRef & { number: number } & DeliverOption): Promise<Outcome>;
  reopenPullRequest(input: RepoRef & { number: number } & DeliverOption): Promise<Outcome>;
  /**
   * Merges like GitHub's button: `merge` (default) writes a merge commit (two parents, subject `Merge pull
   * request #N from …`), `squash` one commit of the PR's changes (subject `<title> (#N)`); either becomes the
   * PR's `merge_commit_sha`. Sends `pull_request` closed and `push`.
   */
  mergePullRequest(
    input: RepoRef & { number: number; method?: 'merge' | 'squash' } & DeliverOption,
  ): Promise<Outcome & { sha: string }>;
  rerequestCheckRun(input: RepoRef & { checkRunId: number } & DeliverOption): Promise<Outcome>;
  /**
   * Someone presses a button (`actions` entry) of a check run: GitHub sends `check_run.requested_action` to the
   * run's App with them as the sender. `login` defaults to the developer (an admin of every repo); throws when
   * the run has no button with that identifier, as GitHub shows none.
   */
  pressCheckRunButton(
    input: RepoRef & { checkRunId: number; identifier: string; login?: string } & DeliverOption,
  ): Promise<Outcome>;
  /**
   * `login` (default the developer) submits a review of the PR's current head, like GitHub's review form:
   * `APPROVE`, `REQUEST_CHANGES` or `COMMENT`; sends `pull_request_review` submitted. Throws for a closed PR or
   * the PR's own author, as GitHub refuses those.
   */
  submitReview(
    input: RepoRef & {
      number: number;
      event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT';
      login?: string;
      body?: string;
    } & DeliverOption,
  ): Promise<Outcome & { commitId: string }>;
  /** Gives `login` a role on the repo (the developer is an admin of every repo it creates). */
  setCollaborator(input: RepoRef & { login: string; role: Role }): void;
  rerequestCheckSuite(input: RepoRef & { headSha: string; appId: number } & DeliverOption): Promise<Outcome>;
  /** Delivers one event to its App (or `url`); `signature` forges the header (`null` drops it). */
  deliver(
    event: WebhookEvent,
    options?: { url?: string; secret?: string; signature?: string | null },
  ): Promise<WebhookDelivery>;
  /** Reads for assertions. */
  readFile(input: RepoRef & { ref: string; path: string }): Promise<string | undefined>;
  listFiles(input: RepoRef & { ref: string }): Promise<string[]>;
  resolve(input: RepoRef & { ref: string }): Promise<string | undefined>;
  commit(input: RepoRef & { ref: string }): Promise<GitCommitData>;
  /** Commits reachable from `ref`, newest first. */
  log(input: RepoRef & { ref: string }): Promise<GitCommitData[]>;
  pullRequest(input: RepoRef & { number: number }): PullRecord;
  comments(input: RepoRef & { number: number }): CommentRecord[];
  checkRuns(input: RepoRef & { sha?: string }): CheckRunRecord[];

  /** Replaces the fault plan (its generator restarts from the seed). */
  setFaults(plan: FaultPlan | undefined): void;
  /** Faults injected since the current plan was set, per kind. */
  faultsInjected(): Record<FaultRule['kind'], number>;
}

export interface FaultControl {
  setFaults(plan: FaultPlan | undefined): void;
  faultsInjected(): Record<FaultRule['kind'], number>;
}

async function readDirectory(dir: string): Promise<FileChanges> {
  const files: FileChanges = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files[relative(dir, full).split(sep).join('/')] = await readFile(full);
  }
  return files;
}

export function createAdmin(hub: Hub, faults: FaultControl): LocalGitHubAdmin {
  const state = hub.state;
  const developer = state.account('octocat', 'User');

  const pullOf = (input: RepoRef & { number: number }): { repo: RepoRecord; pull: PullRecord } => {
    const repo = hub.requireRepo(input.owner, input.repo);
    const pull = repo.pulls.get(input.number);
    if (!pull) throw new Error(`no pull request #${input.number} in ${input.owner}/${input.repo}`);
    return { repo, pull };
  };

  const deliver: LocalGitHubAdmin['deliver'] = async (event, options = {}) => {
    const installation =
      event.installationId === undefined ? undefined : state.installations.get(event.installationId);
    const app = installation ? state.apps.get(installation.appId) : undefined;
    const url = options.url ?? app?.webhookUrl;
    if (!url) throw new Error(`no webhook URL for event ${event.name}`);
    return deliverWebhook(event, {
      url,
      secret: options.secret ?? app?.webhookSecret ?? '',
      ...(app ? { appId: app.id } : {}),
      ...(options.signature !== undefined ? { signature: options.signature } : {}),
    });
  };

  /** Sends events in order to the Apps that have a webhook URL (GitHub sends them one after the other). */
  const send = async (events: WebhookEvent[], options: DeliverOption): Promise<Outcome> => {
    const sent: WebhookDelivery[] = [];
    if (options.deliver !== false) {
      for (const event of events) {
        const installation =
          event.installationId === undefined ? undefined : state.installations.get(event.installationId);
        if (installation && state.apps.get(installation.appId)?.webhookUrl) sent.push(await deliver(event));
      }
    }
    return { events, deliveries: sent };
  };

  return {
    deliver,
    createApp(options = {}) {
      const id = state.nextId();
      let publicKey = options.publicKey;
      let privateKey: string | undefined;
      if (!publicKey) {
        const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
        publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
        privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      }
      const name = options.name ?? 'kuma-api-forge';
      const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      const webhookSecret = options.webhookSecret ?? `local-secret-${id}`;
      state.apps.set(id, {
        id,
        slug,
        name,
        publicKey,
        owner: state.account(options.owner ?? 'kuma-api-forge-dev', 'Organization'),
        bot: state.account(`${slug}[bot]`, 'Bot'),
        webhookSecret,
        ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
        createdAt: hub.now(),
      });
      return { id, slug, webhookSecret, ...(privateKey ? { privateKey } : {}) };
    },
    setWebhook(appId, webhook) {
      const app = hub.appById(appId);
      app.webhookUrl = webhook.url;
      if (webhook.secret !== undefined) app.webhookSecret = webhook.secret;
    },
    async installApp(appId, account, options = {}) {
      hub.appById(appId);
      const installation = {
        id: state.nextId(),
        appId,
        account: state.account(account, 'Organization'),
        createdAt: hub.now(),
      };
      state.installations.set(installation.id, installation);
      const outcome = await send([buildInstallationEvent(hub, installation, 'created', developer)], options);
      return { ...outcome, installationId: installation.id };
    },
    async createRepo(input) {
      const files = input.files ?? (input.dir ? await readDirectory(input.dir) : {});
      const repo = await hub.createRepo(input.owner, input.repo, input.defaultBranch ?? 'main');
      repo.collaborators.set(developer.login.toLowerCase(), 'admin');
      const { after } = await hub.commitFiles(repo, {
        branch: repo.defaultBranch,
        files,
        message: 'Initial commit',
        author: developer,
      });
      return { sha: after };
    },
    async push(input) {
      const repo = hub.requireRepo(input.owner, input.repo);
      const author = input.author ? state.accounts.get(input.author.toLowerCase()) : developer;
      if (!author) throw new Error(`no account ${input.author}`);
      const { before, after } = await hub.commitFiles(repo, {
        branch: input.branch,
        files: input.files,
        message: input.message ?? `Update ${Object.keys(input.files).join(', ')}`,
        author,
        ...(input.from ? { from: input.from } : {}),
        ...(input.date ? { date: input.date } : {}),
      });
      const events = [await buildPushEvent(hub, repo, input.branch, before, after, developer)];
      for (const pull of repo.pulls.values()) {
        if (pull.state !== 'open' || pull.headRef !== input.branch || before === undefined) continue;
        pull.updatedAt = hub.now();
        events.push(
          await buildPullRequestEvent(hub, repo, pull, 'synchronize', { before, after }, developer),
        );
      }
      return { ...(await send(events, input)), before, sha: after };
    },
    setCommitStatus(input) {
      const repo = hub.requireRepo(input.owner, input.repo);
      const creator = input.login ? state.account(input.login) : developer;
      repo.statuses.push({
        id: state.nextId(),
        sha: input.sha,
        context: input.context,
        state: input.state,
        description: input.description ?? null,
        targetUrl: null,
        creator,
        createdAt: hub.now(),
      });
    },
    async forcePush(input) {
      const repo = hub.requireRepo(input.owner, input.repo);
      const { before, after } = await hub.commitFiles(repo, {
        branch: input.branch,
        files: input.files,
        message: input.message ?? `Rewrite ${input.branch}`,
        author: developer,
        from: input.from,
        force: true,
      });
      const event = await buildPushEvent(hub, repo, input.branch, before, after, developer);
      return { ...(await send([event], input)), before, sha: after };
    },
    async pushTag(input) {
      const repo = hub.requireRepo(input.owner, input.repo);
      const ref = `refs/tags/${input.tag}`;
      const before = await repo.git.readRef(ref);
      let after: string | undefined;
      let object: string | undefined;
      if (input.sha === null) {
        if (!before || !(await repo.git.deleteRef(ref, before))) throw new Error(`no tag ${input.tag}`);
      } else {
        after = await repo.git.resolveCommit(input.sha);
        if (!after) throw new Error(`no commit ${input.sha}`);
        object =
          input.message === undefined
            ? after
            : await repo.git.writeTag({
                name: input.tag,
                target: after,
                message: input.message,
                tagger: {
                  name: developer.login,
                  email: `${developer.id}+${developer.login}@users.noreply.local`,
                  date: hub.now(),
                },
              });
        if (!(await repo.git.updateRef(ref, object, before ?? '0'.repeat(40))))
          throw new Error(`cannot point ${input.tag} at ${input.sha}`);
      }
      repo.pushedAt = hub.now();
      const pushed = after && object ? { object, commit: after } : undefined;
      const event = await buildTagPushEvent(hub, repo, input.tag, before, pushed, developer);
      return { ...(await send([event], input)), sha: after };
    },
    async openPullRequest(input) {
      const repo = hub.requireRepo(input.owner, input.repo);
      const headSha = await repo.git.readRef(`refs/heads/${input.head}`);
      if (!headSha) throw new Error(`no branch ${input.head}`);
      const pull = openPull(hub, repo, {
        title: input.title ?? `Update from ${input.head}`,
        body: input.body ?? null,
        headRef: input.head,
        baseRef: input.base ?? repo.defaultBranch,
        draft: false,
        user: developer,
      });
      await repo.git.updateRef(`refs/pull/${pull.number}/head`, headSha);
      const outcome = await send([await buildPullRequestEvent(hub, repo, pull, 'opened')], input);
      return { ...outcome, number: pull.number, headSha };
    },
    async editPullRequest(input) {
      const { repo, pull } = pullOf(input);
      const changes: Record<string, { from: string | null }> = {};
      if (input.title !== undefined) {
        changes.title = { from: pull.title };
        pull.title = input.title;
      }
      if (input.body !== undefined) {
        changes.body = { from: pull.body };
        pull.body = input.body;
      }
      const extra: Record<string, unknown> = { changes };
      if (input.base !== undefined) {
        const oldBase = await repo.git.readRef(`refs/heads/${pull.baseRef}`);
        extra.changes = { ...changes, base: { ref: { from: pull.baseRef }, sha: { from: oldBase ?? '' } } };
        pull.baseRef = input.base;
      }
      pull.updatedAt = hub.now();
      return send([await buildPullRequestEvent(hub, repo, pull, 'edited', extra, developer)], input);
    },
    async addLabel(input) {
      const { repo, pull } = pullOf(input);
      if (!addLabel(hub, repo, pull, input.label)) return { events: [], deliveries: [] };
      const event = await buildPullRequestEvent(
        hub,
        repo,
        pull,
        'labeled',
        buildLabelField(hub, repo, input.label),
        developer,
      );
      return send([event], input);
    },
    async removeLabel(input) {
      const { repo, pull } = pullOf(input);
      if (!removeLabel(hub, pull, input.label)) return { events: [], deliveries: [] };
      const event = await buildPullRequestEvent(
        hub,
        repo,
        pull,
        'unlabeled',
        buildLabelField(hub, repo, input.label),
        developer,
      );
      return send([event], input);
    },
    async closePullRequest(input) {
      const { repo, pull } = pullOf(input);
      await setPullState(hub, repo, pull, 'closed');
      return send([await buildPullRequestEvent(hub, repo, pull, 'closed', {}, developer)], input);
    },
    async reopenPullRequest(input) {
      const { repo, pull } = pullOf(input);
      if (pull.mergedAt) throw new Error('a merged pull request cannot be reopened');
      await setPullState(hub, repo, pull, 'open');
      return send([await buildPullRequestEvent(hub, repo, pull, 'reopened', {}, developer)], input);
    },
    async mergePullRequest(input) {
      const { repo, pull } = pullOf(input);
      if (pull.state !== 'open') throw new Error(`pull request #${pull.number} is not open`);
      const { head, base } = await hub.pullShas(repo, pull);
      const tree = await repo.git.mergeTrees(base, head);
      if (!tree) throw new Error(`pull request #${pull.number} has conflicts`);
      const who = hub.identity(developer);
      const sha = await repo.git.writeCommit(
        input.method === 'squash'
          ? {
              tree,
              parents: [base],
              message: `${pull.title} (#${pull.number})\n`,
              author: who,
              committer: who,
            }
          : {
              tree,
              parents: [base, head],
              message: `Merge pull request #${pull.number} from ${repo.owner.login}/${pull.headRef}\n\n${pull.title}\n`,
              author: who,
              committer: who,
            },
      );
      if (!(await repo.git.updateRef(`refs/heads/${pull.baseRef}`, sha, base)))
        throw new Error('base branch moved during merge');
      repo.pushedAt = hub.now();
      pull.frozen = { head, base };
      pull.state = 'closed';
      pull.closedAt = pull.mergedAt = pull.updatedAt = hub.now();
      pull.mergeCommitSha = sha;
      pull.mergedBy = developer;
      const events = [
        await buildPullRequestEvent(hub, repo, pull, 'closed', {}, developer),
        await buildPushEvent(hub, repo, pull.baseRef, base, sha, developer),
      ];
      return { ...(await send(events, input)), sha };
    },
    async rerequestCheckRun(input) {
      const repo = hub.requireRepo(input.owner, input.repo);
      const run = repo.checkRuns.get(input.checkRunId);
      if (!run) throw new Error(`no check run ${input.checkRunId}`);
      return send([await buildCheckRunEvent(hub, repo, run, 'rerequested', developer)], input);
    },
    async pressCheckRunButton(input) {
      const repo = hub.requireRepo(input.owner, input.repo);
      const run = repo.checkRuns.get(input.checkRunId);
      if (!run) throw new Error(`no check run ${input.checkRunId}`);
      if (!run.actions.some((action) => action.identifier === input.identifier))
        throw new Error(`check run ${run.id} has no button ${input.identifier}`);
      const sender = input.login ? state.account(input.login) : developer;
      const extra = { requested_action: { identifier: input.identifier } };
      return send([await buildCheckRunEvent(hub, repo, run, 'requested_action', sender, extra)], input);
    },
    async submitReview(input) {
      const { repo, pull } = pullOf(input);
      const user = input.login ? state.account(input.login) : developer;
      if (pull.state !== 'open') throw new Error(`pull request #${pull.number} is not open`);
      if (user.id === pull.user.id) throw new Error('the author of a pull request cannot review it');
      const { head } = await hub.pullShas(repo, pull);
      const states = {
        APPROVE: 'APPROVED',
        REQUEST_CHANGES: 'CHANGES_REQUESTED',
        COMMENT: 'COMMENTED',
      } as const;
      const review = {
        id: state.nextId(),
        user,
        state: states[input.event],
        body: input.body ?? '',
        commitId: head,
        submittedAt: hub.now(),
      };
      pull.reviews = [...(pull.reviews ?? []), review];
      const outcome = await send([await buildPullRequestReviewEvent(hub, repo, pull, review)], input);
      return { ...outcome, commitId: head };
    },
    setCollaborator(input) {
      const repo = hub.requireRepo(input.owner, input.repo);
      repo.collaborators.set(state.account(input.login).login.toLowerCase(), input.role);
    },
    async rerequestCheckSuite(input) {
      const repo = hub.requireRepo(input.owner, input.repo);
      return send(
        [await buildCheckSuiteEvent(hub, repo, input.headSha, input.appId, 'rerequested', developer)],
        input,
      );
    },

    async readFile(input) {
      const git = hub.requireRepo(input.owner, input.repo).git;
      const sha = await git.resolveCommit(input.ref);
      const entry = sha ? await git.entryAt(sha, input.path) : undefined;
      return entry?.type === 'blob' ? (await git.readBlob(entry.sha)).toString() : undefined;
    },
    async listFiles(input) {
      const git = hub.requireRepo(input.owner, input.repo).git;
      const sha = await git.resolveCommit(input.ref);
      if (!sha) return [];
      const entries = await git.readTree((await git.readCommit(sha)).tree, true);
      return entries.filter((entry) => entry.type === 'blob').map((entry) => entry.path);
    },
    resolve: (input) => hub.requireRepo(input.owner, input.repo).git.resolveCommit(input.ref),
    async commit(input) {
      const git = hub.requireRepo(input.owner, input.repo).git;
      const sha = await git.resolveCommit(input.ref);
      if (!sha) throw new Error(`no commit ${input.ref}`);
      return git.readCommit(sha);
    },
    async log(input) {
      const git = hub.requireRepo(input.owner, input.repo).git;
      const shas = (await git.run(['rev-list', input.ref])).toString().split('\n').filter(Boolean);
      return Promise.all(shas.map((sha) => git.readCommit(sha)));
    },
    pullRequest: (input) => pullOf(input).pull,
    comments(input) {
      const repo = hub.requireRepo(input.owner, input.repo);
      return [...repo.comments.values()]
        .filter((comment) => comment.issueNumber === input.number)
        .sort((a, b) => a.id - b.id);
    },
    checkRuns(input) {
      const repo = hub.requireRepo(input.owner, input.repo);
      return [...repo.checkRuns.values()]
        .filter((run) => !input.sha || run.headSha === input.sha)
        .sort((a, b) => a.id - b.id);
    },
    setFaults: faults.setFaults,
    faultsInjected: faults.faultsInjected,
  };
}

/** Closing freezes the head and base SHAs (GitHub stops following the branches); reopening thaws them. */
async function setPullState(hub: Hub, repo: RepoRecord, pull: PullRecord, state: 'open' | 'closed') {
  if (pull.state === state) return;
  if (state === 'closed') {
    pull.frozen = await hub.pullShas(repo, pull);
    pull.closedAt = hub.now();
  } else {
    delete pull.frozen;
    pull.closedAt = null;
  }
  pull.state = state;
  pull.updatedAt = hub.now();
}

/** Adds a label to a pull, creating the repo label on first use like GitHub does. Answers whether it changed. */
export function addLabel(hub: Hub, repo: RepoRecord, pull: PullRecord, name: string): boolean {
  if (!repo.labels.has(name))
    repo.labels.set(name, { id: hub.state.nextId(), name, color: 'ededed', description: null });
  if (pull.labels.includes(name)) return false;
  pull.labels.push(name);
  pull.updatedAt = hub.now();
  return true;
}

function removeLabel(hub: Hub, pull: PullRecord, name: string): boolean {
  const before = pull.labels.length;
  pull.labels = pull.labels.filter((label) => label !== name);
  pull.updatedAt = hub.now();
  return pull.labels.length !== before;
}
