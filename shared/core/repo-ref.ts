/**
 * A GitHub repository, `owner/repo`: one type from the webhook to the deploy repo, formatted to text only where
 * text is written (commit messages, `.source.yaml`, comments, logs) and parsed back only where text comes in
 * (`DEPLOY_REPO`, the tenants file's keys, `.source.yaml`, the CLI's `--repo`).
 *
 * GitHub compares owner and repo names without regard to case: {@link sameRepo} and {@link repoKey} do too,
 * while the text keeps the case it was given.
 * @module
 */

export interface RepoRef {
  owner: string;
  repo: string;
}

/**
 * `owner/repo` as the tenants file's schema and `DEPLOY_REPO` accept it: two names of GitHub's characters
 * (letters, digits, `_`, `.`, `-`), one slash. The deploy folder checks more (deploy-paths.ts).
 */
const grammar = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

export function formatRepoRef(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`;
}

/** `owner/repo` → its names, case kept; undefined for anything else (an empty name, more slashes, spaces). */
export function parseRepoRef(text: string): RepoRef | undefined {
  const match = grammar.exec(text);
  return match ? { owner: match[1]!, repo: match[2]! } : undefined;
}

/** Whether two refs name the same repository on GitHub (names are case-insensitive there). */
export function sameRepo(a: RepoRef, b: RepoRef): boolean {
  return repoKey(a) === repoKey(b);
}

/** The repository's identity as a map key: `owner/repo`, lower-cased. */
export function repoKey(ref: RepoRef): string {
  return formatRepoRef(ref).toLowerCase();
}
