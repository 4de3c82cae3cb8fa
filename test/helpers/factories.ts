/**
 * Small in-memory fakes of the ports, for unit tests of the use cases (`checkPullRequest`, `deployPush`): a
 * source repo with a commit graph, branches, pull requests, comments and check runs (its `CodeHost` and
 * `SourceHistory`), and a deploy repo with a compare-and-swap branch (its `DeployRepo`). They keep only what
 * the use cases' decisions depend on; the real adapters are proven against the local GitHub in
 * test/integration and test/e2e. Each fake records the port calls it answered, so a test can also assert
 * what was NOT done.
 * @module
 */
import { createHash } from 'node:crypto';
import { createMemoryFileSource } from '../../shared/adapters/memory-file-source.js';
import type { CheckJob, DeployJob } from '../../shared/core/jobs.js';
import type { BreakingChange, BreakingDiff } from '../../shared/ports/breaking-diff.js';
import type {
  CheckRunResult,
  CodeHost,
  HostComment,
  PullRequestRead,
  PullRequestState,
} from '../../shared/ports/code-host.js';
import type {
  CommitOrder,
  DeployCommitRequest,
  DeployCommitResult,
  DeployRepo,
  SourceHistory,
} from '../../shared/ports/deploy-repo.js';

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** Files of a commit; `null` in a change deletes the file. */
export type Files = Record<string, string>;
export type FileChanges = Record<string, string | null>;

interface Commit {
  sha: string;
  parent?: string;
  files: Files;
  message: string;
}

interface Pull {
  number: number;
  state: 'open' | 'closed';
  head: string;
  baseRef: string;
  labels: string[];
  /** The commit the merge created (GitHub's association of a commit with the PR that merged it). */
  mergeCommit?: string;
}

export interface CheckRunRecord {
  id: number;
  name: string;
  headSha: string;
  status: 'in_progress' | 'completed';
  result?: CheckRunResult;
}

export interface FakeSourceRepo {
  readonly owner: string;
  readonly repo: string;
  readonly codeHost: CodeHost;
  readonly history: SourceHistory;
  /** Port calls answered, by method name, in order. */
  readonly calls: string[];
  /**
   * A commit on `branch` with `changes` applied; a new branch starts from `from` (a branch or a commit, default
   * the default branch).
   */
  push(branch: string, changes: FileChanges, options?: { from?: string; message?: string }): string;
  /** `branch` rewritten to a new commit on top of `from` (a force-push); the old commits stay readable. */
  forcePush(branch: string, from: string, changes: FileChanges, message?: string): string;
  /** The commit is collected: not readable, not in any history answer. */
  forget(sha: string): void;
  head(branch: string): string;
  openPull(input: { head: string; base?: string; labels?: string[] }): number;
  /** Merges the PR's head into its base as a new commit; returns that commit. */
  merge(number: number): string;
  setLabels(number: number, labels: string[]): void;
  /** A collaborator's access as GitHub's permission endpoint answers it (`admin`, `write`, `read`). */
  setPermission(login: string, permission: string): void;
  comments(number: number): HostComment[];
  readonly checkRuns: CheckRunRecord[];
}

/**
 * A source repo (`acme/pets` by default) with one commit on `main` holding `files`. History is a commit graph:
 * `compare` answers from ancestry, `unknown` for a forgotten or never-seen commit.
 */
export function createFakeSourceRepo(
  options: { owner?: string; repo?: string; files?: Files; defaultBranch?: string } = {},
): FakeSourceRepo {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'pets';
  const defaultBranch = options.defaultBranch ?? 'main';
  const commits = new Map<string, Commit>();
  const branches = new Map<string, string>();
  const pulls = new Map<number, Pull>();
  const comments = new Map<number, HostComment[]>();
  const checkRuns: CheckRunRecord[] = [];
  const calls: string[] = [];
  /** Collaborators' access (`admin`, `write`, `read`); anyone else has `none`. */
  const permissions = new Map<string, string>();
  let nextComment = 1;
  let counter = 0;

  const addCommit = (parent: string | undefined, changes: FileChanges, message: string) => {
    const files: Files = { ...(parent ? commits.get(parent)?.files : {}) };
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) delete files[path];
      else files[path] = content;
    }
    const sha = sha1(`${owner}/${repo} ${++counter} ${message}`);
    commits.set(sha, { sha, ...(parent ? { parent } : {}), files, message });
    return sha;
  };
  branches.set(
    defaultBranch,
    addCommit(undefined, options.files ?? { 'README.md': `# ${repo}\n` }, 'Initial'),
  );

  const head = (branch: string) => {
    const sha = branches.get(branch);
    if (!sha) throw Object.assign(new Error(`Branch not found: ${branch}`), { status: 404 });
    return sha;
  };
  const isAncestor = (ancestor: string, of: string) => {
    for (let at: string | undefined = of; at; at = commits.get(at)?.parent) if (at === ancestor) return true;
    return false;
  };
  const pullOf = (number: number) => {
    const pull = pulls.get(number);
    if (!pull) throw Object.assign(new Error('Not Found'), { status: 404 });
    return pull;
  };
  const record = (method: string) => calls.push(method);

  // Not annotated, so a method the port drops later is not an error here (only one it adds is).
  const codeHost = {
    description: `${owner}/${repo}`,
    async getPullRequest(number: number, read?: PullRequestRead) {
      record('getPullRequest');
      const pull = pullOf(number);
      const comment =
        read?.marker === undefined
          ? undefined
          : comments.get(number)?.find((c) => c.body.startsWith(read.marker as string));
      const state: PullRequestState = {
        number,
        state: pull.state,
        headSha: head(pull.head),
        baseSha: head(pull.baseRef),
        baseRef: pull.baseRef,
        defaultBranch,
        defaultBranchHead: head(defaultBranch),
        labels: [...pull.labels],
        repoUrl: `https://github.example/${owner}/${repo}`,
        ...(comment ? { comment: { ...comment } } : {}),
      };
      return state;
    },
    async prefetch() {
      record('prefetch');
    },
    async branchHead(branch: string) {
      record('branchHead');
      return head(branch);
    },
    files(sha: string) {
      record('files');
      const commit = commits.get(sha);
      if (!commit) throw Object.assign(new Error(`No commit found for SHA: ${sha}`), { status: 404 });
      return createMemoryFileSource(commit.files, `${owner}/${repo}@${sha.slice(0, 7)}`);
    },
    async readDefaultBranch() {
      record('readDefaultBranch');
      return { branch: defaultBranch, sha: head(defaultBranch) };
    },
    async findMergedPullRequest(sha: string) {
      record('findMergedPullRequest');
      return [...pulls.values()].find((pull) => pull.mergeCommit === sha)?.number;
    },
    async findComment(number: number, marker: string) {
      record('findComment');
      return comments.get(number)?.find((comment) => comment.body.startsWith(marker));
    },
    async createComment(number: number, body: string) {
      record('createComment');
      const comment = { id: nextComment++, body };
      comments.set(number, [...(comments.get(number) ?? []), comment]);
      return { ...comment };
    },
    async updateComment(id: number, body: string) {
      record('updateComment');
      const comment = [...comments.values()].flat().find((c) => c.id === id);
      if (!comment) throw Object.assign(new Error('Not Found'), { status: 404 });
      comment.body = body;
    },
    async startCheckRun({ name, headSha }: { name: string; headSha: string }) {
      record('startCheckRun');
      const run: CheckRunRecord = { id: checkRuns.length + 1, name, headSha, status: 'in_progress' };
      checkRuns.push(run);
      return run.id;
    },
    async createCheckRun({ name, headSha }: { name: string; headSha: string }, result: CheckRunResult) {
      record('createCheckRun');
      const run: CheckRunRecord = { id: checkRuns.length + 1, name, headSha, status: 'completed', result };
      checkRuns.push(run);
      return run.id;
    },
    async completeCheckRun(id: number, result: CheckRunResult) {
      record('completeCheckRun');
      const run = checkRuns.find((r) => r.id === id);
      if (!run) throw Object.assign(new Error('Not Found'), { status: 404 });
      Object.assign(run, { status: 'completed', result });
    },
    async permissionOf(login: string) {
      record('permissionOf');
      return permissions.get(login) ?? 'none';
    },
    async addLabel(number: number, label: string) {
      record('addLabel');
      const pull = pullOf(number);
      if (!pull.labels.includes(label)) pull.labels = [...pull.labels, label];
    },
  };

  const history: SourceHistory = {
    async compare(base, to): Promise<CommitOrder> {
      record('compare');
      if (!commits.has(base) || !commits.has(to)) return 'unknown';
      if (base === to) return 'identical';
      if (isAncestor(base, to)) return 'ahead';
      if (isAncestor(to, base)) return 'behind';
      return 'diverged';
    },
  };

  return {
    owner,
    repo,
    codeHost,
    history,
    calls,
    checkRuns,
    push(branch, changes, pushOptions = {}) {
      const from = pushOptions.from ?? defaultBranch;
      const parent = branches.get(branch) ?? (commits.has(from) ? from : head(from));
      const sha = addCommit(parent, changes, pushOptions.message ?? `Push to ${branch}`);
      branches.set(branch, sha);
      return sha;
    },
    forcePush(branch, from, changes, message = `Force-push ${branch}`) {
      const sha = addCommit(from, changes, message);
      branches.set(branch, sha);
      return sha;
    },
    forget(sha) {
      commits.delete(sha);
    },
    head,
    openPull(input) {
      const number = pulls.size + 1;
      pulls.set(number, {
        number,
        state: 'open',
        head: input.head,
        baseRef: input.base ?? defaultBranch,
        labels: input.labels ?? [],
      });
      return number;
    },
    merge(number) {
      const pull = pullOf(number);
      const merged = commits.get(head(pull.head))!.files;
      const base = head(pull.baseRef);
      // The merge holds the head's tree: what the head deleted is deleted.
      const deleted = Object.keys(commits.get(base)!.files).filter((path) => !(path in merged));
      const changes = { ...merged, ...Object.fromEntries(deleted.map((path) => [path, null])) };
      const sha = addCommit(base, changes, `Merge pull request #${number}`);
      // A merge commit has two parents; the ancestry the deploy asks about only follows the base's line here.
      branches.set(pull.baseRef, sha);
      Object.assign(pull, { state: 'closed', mergeCommit: sha });
      return sha;
    },
    setLabels(number, labels) {
      pullOf(number).labels = labels;
    },
    setPermission(login, permission) {
      permissions.set(login, permission);
    },
    comments: (number) => (comments.get(number) ?? []).map((comment) => ({ ...comment })),
  };
}

export interface FakeDeployRepo extends DeployRepo {
  /** The files at the branch head. */
  files(): Files;
  /** Commit messages, newest first. */
  log(): string[];
  /** The next `times` commits lose the race: another writer moves the branch just before each. */
  loseRaces(times: number): void;
  /** A commit by someone else (a hand edit, another tool) on top of the branch. */
  write(changes: FileChanges, message?: string): void;
  /** Commit requests received, conflicts included. */
  readonly commits: DeployCommitRequest[];
}

/** A deploy repo (`platform/deploy@main` by default) whose branch holds `files`; commits are compare-and-swap. */
export function createFakeDeployRepo(files: Files, description = 'platform/deploy@main'): FakeDeployRepo {
  const blobs = new Map<string, string>();
  const blob = (content: string) => {
    const sha = sha1(`blob ${content}`);
    blobs.set(sha, content);
    return sha;
  };
  const history: { sha: string; files: Files; message: string }[] = [
    { sha: sha1(`${description} 0`), files: { ...files }, message: 'Initial' },
  ];
  const requests: DeployCommitRequest[] = [];
  let races = 0;
  let calls = 0;
  const headCommit = () => history[0]!;
  const addCommit = (next: Files, message: string) => {
    history.unshift({ sha: sha1(`${description} ${history.length}`), files: next, message });
    return headCommit();
  };
  return {
    description,
    url: 'https://github.example/platform/deploy',
    get calls() {
      return calls;
    },
    commits: requests,
    async readSnapshot() {
      calls += 1;
      const head = headCommit();
      return {
        headSha: head.sha,
        treeSha: sha1(`tree ${head.sha}`),
        files: Object.entries(head.files).map(([path, content]) => ({ path, sha: blob(content) })),
      };
    },
    async readText(sha) {
      calls += 1;
      const content = blobs.get(sha);
      if (content === undefined) throw Object.assign(new Error('Not Found'), { status: 404 });
      return content;
    },
    async commit(request): Promise<DeployCommitResult> {
      calls += 1;
      requests.push(request);
      if (races > 0) {
        races -= 1;
        addCommit(
          { ...headCommit().files, 'OTHER.md': `another writer ${history.length}\n` },
          'Another writer',
        );
      }
      if (request.parent.sha !== headCommit().sha) return { status: 'conflict' };
      const next = { ...headCommit().files };
      for (const change of request.changes) {
        if (change.content === null) delete next[change.path];
        else next[change.path] = change.content;
      }
      const { sha } = addCommit(next, request.message);
      return { status: 'committed', sha, url: `https://github.example/platform/deploy/commit/${sha}` };
    },
    files: () => ({ ...headCommit().files }),
    log: () => history.map((commit) => commit.message),
    loseRaces(times) {
      races = times;
    },
    write(changes, message = 'Hand edit') {
      const next = { ...headCommit().files };
      for (const [path, content] of Object.entries(changes)) {
        if (content === null) delete next[path];
        else next[path] = content;
      }
      addCommit(next, message);
    },
  };
}

/** A breaking diff that answers `changes` (what the oasdiff adapter would return) and records that it ran. */
export function createFakeBreakingDiff(
  changes: BreakingChange[] | ((base: object, head: object) => Promise<BreakingChange[]>) = [],
): BreakingDiff & { runs: number } {
  const fake = {
    runs: 0,
    async breaking(base: object, head: object) {
      fake.runs += 1;
      return typeof changes === 'function' ? changes(base, head) : changes;
    },
  };
  return fake;
}

let deliveries = 0;

/** The job the webhook enqueues for a `pull_request` event of `repo`'s PR `number`, at its head now. */
export function checkJobFactory(repo: FakeSourceRepo, number: number, headSha: string): CheckJob {
  return {
    type: 'check',
    deliveryId: `delivery-${++deliveries}`,
    event: 'pull_request.synchronize',
    installationId: 1,
    repository: { owner: repo.owner, repo: repo.repo },
    pullNumber: number,
    headSha,
  };
}

/** The job the webhook enqueues for a push of `sha` to `repo`'s default branch. */
export function deployJobFactory(repo: FakeSourceRepo, sha: string): DeployJob {
  return {
    type: 'deploy',
    deliveryId: `delivery-${++deliveries}`,
    event: 'push',
    installationId: 1,
    repository: { owner: repo.owner, repo: repo.repo },
    sha,
  };
}
