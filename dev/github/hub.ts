/**
 * The local GitHub's domain: repositories over git, pulls, comments, check runs and apps. Both the REST routes
 * and the admin API go through it, so what a test sets up is exactly what the App then reads.
 * @module
 */
import { join } from 'node:path';
import { type GitIdentity, GitRepo, type TreeChange } from './git.js';
import { buildIntegration, type PullShas, type Urls } from './shapes.js';
import { type Account, type AppRecord, type PullRecord, type RepoRecord, State } from './state.js';

const FILE_MODE = '100644';

export class Hub {
  readonly state = new State();
  urls: Urls = { api: 'http://127.0.0.1', html: 'http://127.0.0.1/_html' };

  constructor(readonly dataDir: string) {}

  /** Wall clock, whole seconds, ISO 8601 like GitHub's timestamps. */
  now(): string {
    return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  identity(account: Account): GitIdentity {
    return {
      name: account.login,
      email: `${account.id}+${account.login}@users.noreply.local`,
      date: this.now(),
    };
  }

  /** GitHub's own committer on the commits it makes and signs (the web editor, `createCommitOnBranch`). */
  webFlow(): GitIdentity {
    return { name: 'GitHub', email: 'noreply@github.com', date: this.now() };
  }

  /**
   * The account GitHub attributes a git identity to, by its e-mail as GitHub does: `noreply@github.com` is
   * `web-flow`, a noreply address `<id>+<login>@users.noreply.local` the account with that id and login.
   */
  accountOf(who: GitIdentity): Account | undefined {
    if (who.email === 'noreply@github.com') return this.state.account('web-flow');
    const match = /^(\d+)\+(.+)@users\.noreply\.local$/.exec(who.email);
    const account = match ? this.state.accounts.get(match[2]!.toLowerCase()) : undefined;
    return account && String(account.id) === match![1] ? account : undefined;
  }

  appJson(appId: number): Record<string, unknown> {
    const app = this.state.apps.get(appId);
    if (!app) throw new Error(`no app ${appId}`);
    return buildIntegration(this.urls, app);
  }

  appById(appId: number): AppRecord {
    const app = this.state.apps.get(appId);
    if (!app) throw new Error(`no app ${appId}`);
    return app;
  }

  requireRepo(owner: string, name: string): RepoRecord {
    const repo = this.state.repo(owner, name);
    if (!repo) throw new Error(`no repository ${owner}/${name}`);
    return repo;
  }

  async createRepo(owner: string, name: string, defaultBranch: string): Promise<RepoRecord> {
    if (this.state.repo(owner, name)) throw new Error(`repository ${owner}/${name} exists`);
    const account = this.state.account(owner, 'Organization');
    const git = await GitRepo.init(
      join(this.dataDir, `${account.id}-${owner}`, `${name}.git`),
      defaultBranch,
    );
    const now = this.now();
    const repo: RepoRecord = {
      id: this.state.nextId(),
      owner: account,
      name,
      defaultBranch,
      git,
      createdAt: now,
      pushedAt: now,
      nextNumber: 1,
      pulls: new Map(),
      comments: new Map(),
      checkRuns: new Map(),
      labels: new Map(),
      collaborators: new Map(),
      signedCommits: new Set(),
      statuses: [],
    };
    this.state.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  /**
   * Commits file changes (content, or null to delete a file or folder) on top of `branch` and moves it,
   * compare-and-swap; creates the branch (from `from`, default the default branch) when missing. `force`
   * commits on top of `from` instead and moves the branch there even when that is not a fast-forward (a
   * force-push rewriting its history).
   */
  async commitFiles(
    repo: RepoRecord,
    input: {
      branch: string;
      files: Record<string, string | Uint8Array | null>;
      message: string;
      author?: Account;
      from?: string;
      force?: boolean;
      /** The author and committer date (ISO 8601), default now: a push carries whatever dates its maker set. */
      date?: string;
    },
  ): Promise<{ before: string | undefined; after: string }> {
    const ref = `refs/heads/${input.branch}`;
    const before = await repo.git.readRef(ref);
    if (input.force && !(input.from && (await repo.git.resolveCommit(input.from))))
      throw new Error(`a force-push needs an existing commit to start from, got ${input.from}`);
    const parent =
      (input.force ? undefined : before) ??
      (input.from
        ? await repo.git.resolveCommit(input.from)
        : await repo.git.readRef(`refs/heads/${repo.defaultBranch}`));
    const baseTree = parent ? (await repo.git.readCommit(parent)).tree : undefined;
    const changes: TreeChange[] = [];
    for (const [path, content] of Object.entries(input.files)) {
      if (content === null) changes.push({ path, sha: null });
      else
        changes.push({
          path,
          mode: FILE_MODE,
          type: 'blob',
          sha: await repo.git.writeBlob(Buffer.from(content)),
        });
    }
    const tree = await repo.git.buildTree(baseTree, changes);
    const who = { ...this.identity(input.author ?? repo.owner), ...(input.date ? { date: input.date } : {}) };
    const after = await repo.git.writeCommit({
      tree,
      parents: parent ? [parent] : [],
      message: input.message,
      author: who,
      committer: who,
    });
    if (!(await repo.git.updateRef(ref, after, before ?? '0'.repeat(40)))) {
      throw new Error(`branch ${input.branch} moved while committing`);
    }
    repo.pushedAt = this.now();
    return { before, after };
  }

  /** Head and base SHAs: the branch tips while the pull is open, what they were when it closed otherwise. */
  async pullShas(repo: RepoRecord, pull: PullRecord): Promise<PullShas> {
    if (pull.frozen) return pull.frozen;
    const head =
      (await repo.git.readRef(`refs/heads/${pull.headRef}`)) ??
      (await repo.git.readRef(`refs/pull/${pull.number}/head`));
    const base = await repo.git.readRef(`refs/heads/${pull.baseRef}`);
    return { head: head ?? '', base: base ?? '' };
  }

  async pullStats(repo: RepoRecord, pull: PullRecord, shas: PullShas) {
    const mergeBase = (await repo.git.mergeBase(shas.base, shas.head)) ?? shas.base;
    const files = await repo.git.diffFiles(mergeBase, shas.head);
    const commits = await repo.git.commitsBetween(mergeBase, shas.head);
    return {
      files,
      commits: commits.length,
      additions: files.reduce((sum, file) => sum + file.additions, 0),
      deletions: files.reduce((sum, file) => sum + file.deletions, 0),
      changedFiles: files.length,
      comments: [...repo.comments.values()].filter((comment) => comment.issueNumber === pull.number).length,
    };
  }

  /**
   * The pulls GitHub associates with a commit: the merged pull that introduced it (as its merge, squash or
   * rebase commit, or as one of its commits) when it is on the default branch; open and merged pulls that
   * contain it otherwise.
   */
  async pullsWithCommit(repo: RepoRecord, sha: string): Promise<{ pull: PullRecord; shas: PullShas }[]> {
    const head = await repo.git.readRef(`refs/heads/${repo.defaultBranch}`);
    const onDefault = head !== undefined && (await repo.git.isAncestor(sha, head));
    const found = [];
    for (const pull of [...repo.pulls.values()].sort((a, b) => b.number - a.number)) {
      if (pull.state === 'closed' && !pull.mergedAt) continue;
      if (onDefault && !pull.mergedAt) continue;
      const shas = await this.pullShas(repo, pull);
      const base = (await repo.git.mergeBase(shas.base, shas.head)) ?? shas.base;
      const contains = (await repo.git.commitsBetween(base, shas.head)).includes(sha);
      if (pull.mergeCommitSha === sha || contains) found.push({ pull, shas });
    }
    return found;
  }

  /** Open pulls whose head is `sha` (what GitHub lists in a check run's `pull_requests`). */
  async pullsWithHead(repo: RepoRecord, sha: string): Promise<{ pull: PullRecord; shas: PullShas }[]> {
    const found = [];
    for (const pull of repo.pulls.values()) {
      if (pull.state !== 'open') continue;
      const shas = await this.pullShas(repo, pull);
      if (shas.head === sha) found.push({ pull, shas });
    }
    return found;
  }
}
