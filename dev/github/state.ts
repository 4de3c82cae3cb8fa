/**
 * What the local GitHub remembers besides git objects: accounts, apps, installations, tokens, pull requests,
 * comments and check runs. In memory on purpose: a run starts from a clean slate and dies with the process.
 * @module
 */
import type { GitRepo } from './git.js';

export interface Account {
  id: number;
  login: string;
  type: 'User' | 'Organization' | 'Bot';
}

export interface AppRecord {
  id: number;
  slug: string;
  name: string;
  publicKey: string;
  owner: Account;
  bot: Account;
  webhookUrl?: string;
  webhookSecret?: string;
  createdAt: string;
}

export interface InstallationRecord {
  id: number;
  appId: number;
  account: Account;
  createdAt: string;
}

export type Access = 'read' | 'write';
/** GitHub App permissions by name (`contents`, `checks`, `pull_requests`…), as in the REST API. */
export type Permissions = Record<string, Access>;

/**
 * What every installation of the App was granted: exactly `default_permissions` of
 * `infra/github-app-manifest.json`, so a token asking for more fails here as it would on GitHub (422).
 */
export const installationPermissions: Readonly<Permissions> = {
  checks: 'write',
  contents: 'write',
  metadata: 'read',
  pull_requests: 'write',
  statuses: 'read',
};

export interface TokenRecord {
  installationId: number;
  expiresAt: number;
  /** What the token may do (at most the installation's; `metadata: read` always). */
  permissions: Permissions;
  /** The repos it was narrowed to when minted; undefined: every repo of the installation. */
  repositoryIds?: readonly number[];
}

export interface RepoRecord {
  id: number;
  owner: Account;
  name: string;
  defaultBranch: string;
  git: GitRepo;
  createdAt: string;
  pushedAt: string;
  nextNumber: number;
  pulls: Map<number, PullRecord>;
  comments: Map<number, CommentRecord>;
  checkRuns: Map<number, CheckRunRecord>;
  labels: Map<string, LabelRecord>;
  /** People's roles on the repo by lower-cased login; anyone else has none. */
  collaborators: Map<string, Role>;
  /**
   * Commits GitHub made and signed itself (`createCommitOnBranch`): verified, committer `web-flow`. A pushed
   * commit never is, whatever its author and dates say.
   */
  signedCommits: Set<string>;
  /** Commit statuses (what Argo CD and Flux post on a revision they sync), oldest first. */
  statuses: StatusRecord[];
}

export interface StatusRecord {
  id: number;
  sha: string;
  context: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  description: string | null;
  targetUrl: string | null;
  creator: Account;
  createdAt: string;
}

/** A repository role as GitHub names them (`role_name`). */
export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface PullRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: Account;
  headRef: string;
  baseRef: string;
  state: 'open' | 'closed';
  draft: boolean;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: Account | null;
  /** Submitted reviews, oldest first. */
  reviews?: ReviewRecord[];
  /** The head and base SHAs frozen when the PR is closed (GitHub stops following the branches then). */
  frozen?: { head: string; base: string };
}

export interface ReviewRecord {
  id: number;
  user: Account;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';
  body: string;
  /** The PR's head when the review was submitted. */
  commitId: string;
  submittedAt: string;
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  user: Account;
  appId?: number;
  createdAt: string;
  updatedAt: string;
}

export interface AnnotationRecord {
  path: string;
  start_line: number;
  end_line: number;
  start_column: number | null;
  end_column: number | null;
  annotation_level: string;
  title: string | null;
  message: string;
  raw_details: string | null;
}

export interface CheckRunRecord {
  id: number;
  suiteId: number;
  appId: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: AnnotationRecord[];
  /** The run's buttons (`actions`), replaced by each request that sends them. */
  actions: { label: string; description: string; identifier: string }[];
}

export class State {
  private counter = 1000;
  readonly accounts = new Map<string, Account>();
  readonly apps = new Map<number, AppRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  /** Keyed by `owner/name`, lower-cased like GitHub's case-insensitive lookups. */
  readonly repos = new Map<string, RepoRecord>();
  /** Check suites by `repoId:headSha:appId`. */
  readonly suites = new Map<string, number>();

  /** Ids grow monotonically across every kind of object, so ordering by id is ordering by creation. */
  nextId(): number {
    this.counter += 1;
    return this.counter;
  }

  account(login: string, type: Account['type'] = 'User'): Account {
    const key = login.toLowerCase();
    let account = this.accounts.get(key);
    if (!account) {
      account = { id: this.nextId(), login, type };
      this.accounts.set(key, account);
    }
    return account;
  }

  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  installationFor(owner: string, appId?: number): InstallationRecord | undefined {
    for (const installation of this.installations.values()) {
      if (installation.account.login.toLowerCase() !== owner.toLowerCase()) continue;
      if (appId === undefined || installation.appId === appId) return installation;
    }
    return undefined;
  }

  suiteId(repo: RepoRecord, headSha: string, appId: number): number {
    const key = `${repo.id}:${headSha}:${appId}`;
    let id = this.suites.get(key);
    if (id === undefined) {
      id = this.nextId();
      this.suites.set(key, id);
    }
    return id;
  }
}
