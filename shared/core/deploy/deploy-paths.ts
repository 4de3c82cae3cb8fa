/**
 * Where a source repo's manifests live in the deploy repo, and the guard that keeps every write inside it.
 * @module
 */
import { createHash } from 'node:crypto';
import { InvariantError } from '../errors.js';
import { formatRepoRef, type RepoRef } from '../repo-ref.js';

const segment = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** The characters GitHub allows in owner and repo names (lower-cased); repos may start with `.` (`.github`). */
const nameSegment = /^[a-z0-9_.-]{1,100}$/;

/**
 * `apis/<owner>/<repo>/`, lower-cased: GitHub names are case-insensitive, so one repo never forks into two
 * folders and two repos never share one (`/` cannot occur in a name). Every name GitHub allows is a valid path
 * segment; `.` and `..` are not names, and `.git` cannot be a folder in git (GitHub refuses those repo names).
 */
export function buildRepoFolder(sourceRepo: RepoRef): string {
  const { owner, repo } = lowerRepoNames(sourceRepo);
  return `apis/${owner}/${repo}/`;
}

/**
 * The repo a deploy-repo path belongs to, `apis/<owner>/<repo>/…` (its names as the folder has them: lower case);
 * undefined outside a repo's folder. Only the folder says whose a file is, never a record's own claim.
 */
export function parseRepoFolder(path: string): RepoRef | undefined {
  const [, owner, repo] = /^apis\/([^/]+)\/([^/]+)\//.exec(path) ?? [];
  return owner && repo ? { owner, repo } : undefined;
}

/** Where pull-request mode's deploy branches live: `kuma-api-forge/<buildRepoBranch>`. */
export const deployPullBranchPrefix = 'kuma-api-forge/';

/**
 * The deploy-PR branch prefix of an environment that shares its repo with others (folders of one branch):
 * `kuma-api-forge-<environment>/`, so each environment's PR of a source repo has a branch of its own (environment
 * names are lower-case letters, digits and `-`: a valid ref component).
 */
export function buildEnvironmentPullBranchPrefix(environment: string): string {
  return `kuma-api-forge-${environment}/`;
}

/**
 * `<owner>/<repo>` of the source repo, lower-cased, for the branch of its deploy PR (pull-request mode). Only
 * `.` can make a name an invalid git ref (a component starting with `.`, `..`, a `.lock` ending), so it is
 * escaped as `_d`, and `_` as `__`: every name makes a valid ref, and no two repos share one. A component that
 * would exceed 100 characters becomes exactly 101: its start, `_h`, and 128 bits of the name's SHA-256 (file
 * systems that keep refs as files allow 255 bytes per component).
 */
export function buildRepoBranch(sourceRepo: RepoRef): string {
  const { owner, repo } = lowerRepoNames(sourceRepo);
  const component = (name: string) => {
    const escaped = name.replace(/[_.]/g, (char) => (char === '_' ? '__' : '_d'));
    return escaped.length <= 100 ? escaped : `${escaped.slice(0, 67)}_h${buildSha256(name).slice(0, 32)}`;
  };
  return `${component(owner)}/${component(repo)}`;
}

/** The two names, lower-cased; anything GitHub would not accept as a name is an invariant break. */
function lowerRepoNames(sourceRepo: RepoRef): RepoRef {
  const owner = sourceRepo.owner.toLowerCase();
  const repo = sourceRepo.repo.toLowerCase();
  const valid = (name: string) => nameSegment.test(name) && name !== '.' && name !== '..' && name !== '.git';
  if (!valid(owner) || !valid(repo)) {
    throw new InvariantError(`not a repository name: "${formatRepoRef(sourceRepo)}"`);
  }
  return { owner, repo };
}

/** A name usable as one path segment of the folder (an API name, a manifest file name). */
export function isSafeSegment(name: string): boolean {
  return segment.test(name) && name !== '.git';
}

/** Throws unless every path is strictly inside `folder`, without `..`, `.` or empty segments. */
export function assertInsideFolder(paths: readonly string[], folder: string): void {
  for (const path of paths) {
    const inside =
      path.startsWith(folder) &&
      path.length > folder.length &&
      path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
    if (!inside) throw new InvariantError(`refusing to write ${JSON.stringify(path)}: outside ${folder}`);
  }
}

/**
 * Whether `path` can be an environment's folder of a deploy branch (`envs/staging`): 1 to 8 segments each usable
 * as a path segment ({@link isSafeSegment}: no `.`, `..`, `.git`, empty or absolute part), no trailing `/`.
 */
export function isEnvironmentFolder(path: string): boolean {
  const parts = path.split('/');
  return path.length <= 200 && parts.length <= 8 && parts.every(isSafeSegment);
}

/**
 * The deploy-branch path of `path` in an environment's folder (`envs/staging` + `apis/a/b/x.yaml`); throws
 * unless `path` is a plain relative path (no `..`, `.`, empty or absolute part), so nothing written through an
 * environment's folder lands outside it.
 */
export function toEnvironmentPath(folder: string, path: string): string {
  const parts = path.split('/');
  if (!isEnvironmentFolder(folder) || !parts.every((part) => part !== '' && part !== '.' && part !== '..'))
    throw new InvariantError(`refusing to write ${JSON.stringify(path)}: outside ${folder}/`);
  return `${folder}/${path}`;
}

/** `path` relative to the environment's folder, or undefined when it is not inside it. */
export function fromEnvironmentPath(folder: string, path: string): string | undefined {
  return path.startsWith(`${folder}/`) ? path.slice(folder.length + 1) : undefined;
}

/** The git blob id of a text file: lets the deploy compare with the tree without downloading blobs. */
export function buildGitBlobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export function buildSha256(content: Uint8Array | string): string {
  return createHash('sha256').update(content).digest('hex');
}
