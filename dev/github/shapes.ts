/**
 * Builders for the JSON GitHub answers with, field for field what `@octokit/openapi` requires (the contract
 * tests hold them to it). URLs follow GitHub's layout under the local base URL.
 * @module
 */
import type { GitCommitData, GitIdentity, GitTagData, GitTreeEntry } from './git.js';
import type {
  Account,
  AppRecord,
  CheckRunRecord,
  CommentRecord,
  InstallationRecord,
  LabelRecord,
  PullRecord,
  RepoRecord,
  ReviewRecord,
} from './state.js';
import { installationPermissions } from './state.js';

type Json = Record<string, unknown>;

export interface Urls {
  /** The REST base, e.g. `http://127.0.0.1:4010`. */
  api: string;
  /** Where `html_url`s point (the same server, under `/_html`). */
  html: string;
}

const nodeId = (kind: string, id: number | string) => Buffer.from(`${kind}:${id}`).toString('base64url');

export function buildUser(urls: Urls, account: Account): Json {
  // Bot logins carry brackets (`app[bot]`), which GitHub percent-encodes in its URLs.
  const path = encodeURIComponent(account.login);
  const api = `${urls.api}/users/${path}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(account.type, account.id),
    avatar_url: `${urls.html}/avatars/${path}`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.html}/${path}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: account.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export function repoApiUrl(urls: Urls, repo: RepoRecord): string {
  return `${urls.api}/repos/${repo.owner.login}/${repo.name}`;
}

/** The `full-repository` shape (a superset of `repository`, so it also serves inside pulls and webhooks). */
export function buildRepository(urls: Urls, repo: RepoRecord): Json {
  const api = repoApiUrl(urls, repo);
  const html = `${urls.html}/${repo.owner.login}/${repo.name}`;
  const host = new URL(urls.api).host;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: `${repo.owner.login}/${repo.name}`,
    private: true,
    owner: buildUser(urls, repo.owner),
    html_url: html,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${host}/${repo.owner.login}/${repo.name}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${host}:${repo.owner.login}/${repo.name}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: openCount(repo),
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: 'private',
    pushed_at: repo.pushedAt,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_forking: false,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    web_commit_signoff_required: false,
    license: null,
    forks: 0,
    open_issues: openCount(repo),
    watchers: 0,
    network_count: 0,
    subscribers_count: 0,
  };
}

function openCount(repo: RepoRecord): number {
  return [...repo.pulls.values()].filter((pull) => pull.state === 'open').length;
}

const EVENTS = ['check_run', 'check_suite', 'pull_request', 'push'];

export function buildIntegration(urls: Urls, app: AppRecord): Json {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId('App', app.id),
    client_id: `Iv1.${app.id.toString(16).padStart(16, '0')}`,
    owner: buildUser(urls, app.owner),
    name: app.name,
    description: null,
    external_url: `${urls.html}/apps/${app.slug}`,
    html_url: `${urls.html}/apps/${app.slug}`,
    created_at: app.createdAt,
    updated_at: app.createdAt,
    permissions: installationPermissions,
    events: EVENTS,
    installations_count: 1,
  };
}

export function buildInstallation(urls: Urls, installation: InstallationRecord, app: AppRecord): Json {
  return {
    id: installation.id,
    account: buildUser(urls, installation.account),
    repository_selection: 'all',
    access_tokens_url: `${urls.api}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.html}/settings/installations/${installation.id}`,
    app_id: app.id,
    app_slug: app.slug,
    client_id: `Iv1.${app.id.toString(16).padStart(16, '0')}`,
    target_id: installation.account.id,
    target_type: installation.account.type,
    permissions: installationPermissions,
    events: EVENTS,
    created_at: installation.createdAt,
    updated_at: installation.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

export function buildLabel(urls: Urls, repo: RepoRecord, label: LabelRecord): Json {
  return {
    id: label.id,
    node_id: nodeId('Label', label.id),
    url: `${repoApiUrl(urls, repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: false,
  };
}

/** Head and base SHAs of a pull: live branch tips while open, frozen once closed. */
export interface PullShas {
  head: string;
  base: string;
}

function buildPullBranch(urls: Urls, repo: RepoRecord, ref: string, sha: string): Json {
  return {
    label: `${repo.owner.login}:${ref}`,
    ref,
    sha,
    user: buildUser(urls, repo.owner),
    repo: buildRepository(urls, repo),
  };
}

/** The `pull-request-simple` shape (list items); `buildPull` adds the detail fields. */
export function buildPullSimple(urls: Urls, repo: RepoRecord, pull: PullRecord, shas: PullShas): Json {
  const api = repoApiUrl(urls, repo);
  const html = `${urls.html}/${repo.owner.login}/${repo.name}/pull/${pull.number}`;
  const self = `${api}/pulls/${pull.number}`;
  const issue = `${api}/issues/${pull.number}`;
  return {
    url: self,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${self}/commits`,
    review_comments_url: `${self}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: `${api}/statuses/${shas.head}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: buildUser(urls, pull.user),
    body: pull.body,
    // The description types a pull's label descriptions as plain strings (unlike the label endpoints).
    labels: pull.labels.flatMap((name) => {
      const label = repo.labels.get(name);
      return label ? [{ ...buildLabel(urls, repo, label), description: label.description ?? '' }] : [];
    }),
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: buildPullBranch(urls, repo, pull.headRef, shas.head),
    base: buildPullBranch(urls, repo, pull.baseRef, shas.base),
    _links: {
      self: { href: self },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${self}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${self}/commits` },
      statuses: { href: `${api}/statuses/${shas.head}` },
    },
    author_association: 'OWNER',
    auto_merge: null,
    draft: pull.draft,
  };
}

export function buildPull(
  urls: Urls,
  repo: RepoRecord,
  pull: PullRecord,
  shas: PullShas,
  stats: { commits: number; additions: number; deletions: number; changedFiles: number; comments: number },
): Json {
  return {
    ...buildPullSimple(urls, repo, pull, shas),
    merged: pull.mergedAt !== null,
    mergeable: pull.state === 'open' ? true : null,
    rebaseable: pull.state === 'open' ? true : null,
    mergeable_state: pull.state === 'open' ? 'clean' : 'unknown',
    merged_by: pull.mergedBy ? buildUser(urls, pull.mergedBy) : null,
    comments: stats.comments,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: stats.commits,
    additions: stats.additions,
    deletions: stats.deletions,
    changed_files: stats.changedFiles,
  };
}

export function buildComment(urls: Urls, repo: RepoRecord, comment: CommentRecord, app?: Json): Json {
  const api = repoApiUrl(urls, repo);
  const json: Json = {
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${urls.html}/${repo.owner.login}/${repo.name}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: buildUser(urls, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${api}/issues/${comment.issueNumber}`,
    author_association: comment.appId === undefined ? 'OWNER' : 'NONE',
  };
  if (app) json.performed_via_github_app = app;
  return json;
}

export function buildCheckRun(
  urls: Urls,
  repo: RepoRecord,
  run: CheckRunRecord,
  app: Json,
  pulls: { pull: PullRecord; shas: PullShas }[],
): Json {
  const api = repoApiUrl(urls, repo);
  const minimalRepo = { id: repo.id, url: api, name: repo.name };
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId('CheckRun', run.id),
    external_id: run.externalId,
    url: `${api}/check-runs/${run.id}`,
    html_url: `${urls.html}/${repo.owner.login}/${repo.name}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.annotations.length,
      annotations_url: `${api}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.suiteId },
    app,
    pull_requests: pulls.map(({ pull, shas }) => ({
      url: `${api}/pulls/${pull.number}`,
      id: pull.id,
      number: pull.number,
      head: { ref: pull.headRef, sha: shas.head, repo: minimalRepo },
      base: { ref: pull.baseRef, sha: shas.base, repo: minimalRepo },
    })),
  };
}

/** GitHub's verification of a commit it signed itself (the signature is a stand-in: nothing checks its bytes). */
function signedBy(commit: GitCommitData): Json {
  return {
    verified: true,
    reason: 'valid',
    signature: `-----BEGIN PGP SIGNATURE-----\n\nlocal-github-web-flow ${commit.sha}\n-----END PGP SIGNATURE-----\n`,
    payload: `tree ${commit.tree}\n`,
    verified_at: commit.committer.date,
  };
}

const UNSIGNED = { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null };

export function buildGitCommit(urls: Urls, repo: RepoRecord, commit: GitCommitData): Json {
  const api = repoApiUrl(urls, repo);
  const html = `${urls.html}/${repo.owner.login}/${repo.name}`;
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', commit.sha),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${html}/commit/${commit.sha}`,
    author: identity(commit.author),
    committer: identity(commit.committer),
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    message: commit.message.replace(/\n$/, ''),
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/git/commits/${sha}`,
      html_url: `${html}/commit/${sha}`,
    })),
    verification: UNSIGNED,
  };
}

function identity(who: GitIdentity): Json {
  return { name: who.name, email: who.email, date: who.date };
}

/**
 * Who GitHub says made a commit (the accounts its author and committer e-mails belong to) and whether GitHub
 * signed it; without it a commit is unattributed and unsigned.
 */
export interface CommitAttribution {
  author?: Account;
  committer?: Account;
  signed: boolean;
}

/** The `commit` shape of `GET /repos/{o}/{r}/commits/{ref}` and of comparisons. */
export function buildCommit(
  urls: Urls,
  repo: RepoRecord,
  commit: GitCommitData,
  files?: Json[],
  attribution?: CommitAttribution,
): Json {
  const api = repoApiUrl(urls, repo);
  const html = `${urls.html}/${repo.owner.login}/${repo.name}`;
  const json: Json = {
    sha: commit.sha,
    node_id: nodeId('Commit', commit.sha),
    commit: {
      author: identity(commit.author),
      committer: identity(commit.committer),
      message: commit.message.replace(/\n$/, ''),
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      url: `${api}/git/commits/${commit.sha}`,
      comment_count: 0,
      verification: attribution?.signed ? signedBy(commit) : UNSIGNED,
    },
    url: `${api}/commits/${commit.sha}`,
    html_url: `${html}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    author: attribution?.author ? buildUser(urls, attribution.author) : null,
    committer: attribution?.committer ? buildUser(urls, attribution.committer) : null,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${html}/commit/${sha}`,
    })),
  };
  if (files) {
    json.files = files;
    const additions = files.reduce((sum, file) => sum + Number(file.additions), 0);
    const deletions = files.reduce((sum, file) => sum + Number(file.deletions), 0);
    json.stats = { total: additions + deletions, additions, deletions };
  }
  return json;
}

/** The `branch-with-protection` shape of `GET /repos/{o}/{r}/branches/{branch}` (no branch is protected here). */
export function buildBranch(urls: Urls, repo: RepoRecord, name: string, commit: GitCommitData): Json {
  const api = `${repoApiUrl(urls, repo)}/branches/${encodeURIComponent(name)}`;
  return {
    name,
    commit: buildCommit(urls, repo, commit),
    _links: { self: api, html: `${urls.html}/${repo.owner.login}/${repo.name}/tree/${name}` },
    protected: false,
    protection: {
      enabled: false,
      required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] },
    },
    protection_url: `${api}/protection`,
  };
}

/** A ref names a commit, or (a tag ref) an annotated tag object: `type` says which. */
export function buildGitRef(
  urls: Urls,
  repo: RepoRecord,
  ref: string,
  sha: string,
  type: 'commit' | 'tag' = 'commit',
): Json {
  const api = repoApiUrl(urls, repo);
  return {
    ref,
    node_id: nodeId('Ref', `${repo.id}:${ref}`),
    url: `${api}/git/${ref}`,
    object: { sha, type, url: `${api}/git/${type === 'tag' ? 'tags' : 'commits'}/${sha}` },
  };
}

export function buildGitTag(urls: Urls, repo: RepoRecord, tag: GitTagData): Json {
  const api = repoApiUrl(urls, repo);
  const kind = tag.type === 'tag' ? 'tags' : `${tag.type}s`;
  return {
    node_id: nodeId('Tag', `${repo.id}:${tag.sha}`),
    tag: tag.name,
    sha: tag.sha,
    url: `${api}/git/tags/${tag.sha}`,
    message: tag.message,
    tagger: tag.tagger,
    object: { sha: tag.object, type: tag.type, url: `${api}/git/${kind}/${tag.object}` },
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

export function buildTree(urls: Urls, repo: RepoRecord, sha: string, entries: GitTreeEntry[]): Json {
  const api = repoApiUrl(urls, repo);
  return {
    sha,
    url: `${api}/git/trees/${sha}`,
    tree: entries.map((entry) => {
      const item: Json = { path: entry.path, mode: entry.mode, type: entry.type, sha: entry.sha };
      if (entry.size !== undefined) item.size = entry.size;
      if (entry.type === 'blob') item.url = `${api}/git/blobs/${entry.sha}`;
      if (entry.type === 'tree') item.url = `${api}/git/trees/${entry.sha}`;
      return item;
    }),
    truncated: false,
  };
}

export function buildBlob(urls: Urls, repo: RepoRecord, sha: string, content: Buffer): Json {
  return {
    sha,
    node_id: nodeId('Blob', sha),
    size: content.length,
    url: `${repoApiUrl(urls, repo)}/git/blobs/${sha}`,
    // GitHub wraps base64 at 60 characters with newlines; Octokit users must cope, so do we.
    content: (content.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n'),
    encoding: 'base64',
  };
}

/** The `pull-request-review` shape of `GET /repos/{o}/{r}/pulls/{n}/reviews` and of `pull_request_review` events. */
export function buildReview(urls: Urls, repo: RepoRecord, pull: PullRecord, review: ReviewRecord): Json {
  const html = `${urls.html}/${repo.owner.login}/${repo.name}/pull/${pull.number}`;
  const pullUrl = `${repoApiUrl(urls, repo)}/pulls/${pull.number}`;
  const reviewHtml = `${html}#pullrequestreview-${review.id}`;
  return {
    id: review.id,
    node_id: nodeId('PullRequestReview', review.id),
    user: buildUser(urls, review.user),
    body: review.body,
    state: review.state,
    html_url: reviewHtml,
    pull_request_url: pullUrl,
    _links: { html: { href: reviewHtml }, pull_request: { href: pullUrl } },
    submitted_at: review.submittedAt,
    commit_id: review.commitId,
    author_association: repo.collaborators.has(review.user.login.toLowerCase()) ? 'COLLABORATOR' : 'NONE',
  };
}
