/**
 * Promotion by approval (`promote: {approval: true}`, pull-request deploy mode): the merge of the App's deploy PR
 * into environment N, approved on its head by someone with write access, promotes the source commit that PR
 * deployed into environment N+1, through the promotion's own rules (use-cases/promote-release.ts).
 *
 * Why on the merge and not on the approval: what N+1 then gets is what N runs (the merged PR), never a PR that
 * is approved but still open, closed unmerged, or merged after more pushes. Pure: the worker reads the facts.
 * @module
 */
import { type RepoRef, sameRepo } from '../repo-ref.js';
import { buildRepoBranch, deployPullBranchPrefix } from './deploy-paths.js';
import type { Environment } from './environments.js';

/**
 * The environment a merged PR on `deployRepo` promotes into (N+1 when `deployRepo` is environment N's repo and
 * N+1's rule is approval), or undefined.
 */
export function findApprovalPromotion(
  environments: readonly Environment[],
  deployRepo: RepoRef,
): number | undefined {
  const index = environments.findIndex(
    (env, i) =>
      i > 0 &&
      env.promote !== undefined &&
      'approval' in env.promote &&
      sameRepo(environments[i - 1]!.repo, deployRepo),
  );
  return index < 0 ? undefined : index;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

/** What the worker read about the merged PR, the commits on it, its reviews and its head's `.source.yaml`. */
export interface ApprovedPullFacts {
  merged: boolean;
  /** The branch it merged into, and the one environment N's cluster agent syncs. */
  baseRef: string;
  deployBranch: string;
  headRef: string;
  headSha: string;
  author: { login: string; type: string };
  /** Who authored each commit on the PR (GitHub's account when it knows one, else the git author name). */
  commitAuthors: readonly string[];
  /** In submission order; `permission` is the reviewer's on the deploy repo (`admin`, `write`, `read`, `none`…). */
  reviews: readonly { login: string; state: ReviewState; commitId: string; permission: string }[];
  /** The source repo and commit the head's `.source.yaml` records for the PR's branch; undefined: none. */
  source?: { repo: RepoRef; commit: string };
  /**
   * Whether that commit is on the source repo's default branch (merged there): a `.source.yaml` can only name
   * a commit a merge deployed, so anything else is an edit, whoever GitHub says authored it.
   */
  sourceMerged: boolean;
}

export type ApprovalRefusal =
  /** Closed without merging: nothing reached environment N. */
  | 'not-merged'
  /** Not the App's deploy PR (another author, branch or base): its merge promotes nothing. */
  | 'not-a-deploy-pull'
  /** Someone else pushed to the PR after the App: their content is never promoted on the App's word. */
  | 'edited-by-hand'
  /** The `.source.yaml` names a commit that is not on the source repo's default branch. */
  | 'source-not-merged'
  /** A reviewer with write access asks for changes (their latest review). */
  | 'changes-requested'
  /** No one with write access approved the PR's head commit. */
  | 'not-approved';

export type ApprovalDecision =
  | { status: 'promote'; source: { repo: RepoRef; commit: string }; approvers: string[] }
  | { status: 'refused'; reason: ApprovalRefusal; detail?: string };

const writeAccess = new Set(['admin', 'maintain', 'write']);

export function decideApprovedPull(facts: ApprovedPullFacts): ApprovalDecision {
  if (!facts.merged) return { status: 'refused', reason: 'not-merged' };
  const { source } = facts;
  if (
    facts.author.type !== 'Bot' ||
    facts.baseRef !== facts.deployBranch ||
    !source ||
    facts.headRef !== `${deployPullBranchPrefix}${buildRepoBranch(source.repo)}`
  )
    return { status: 'refused', reason: 'not-a-deploy-pull' };
  const others = [...new Set(facts.commitAuthors.filter((login) => login !== facts.author.login))];
  if (others.length > 0) return { status: 'refused', reason: 'edited-by-hand', detail: others.join(', ') };
  if (!facts.sourceMerged) return { status: 'refused', reason: 'source-not-merged' };
  // Each writer's latest review counts; an approval counts only on the head that was merged.
  const latest = new Map<string, ApprovedPullFacts['reviews'][number]>();
  for (const review of facts.reviews)
    if (writeAccess.has(review.permission) && review.state !== 'COMMENTED' && review.state !== 'PENDING')
      latest.set(review.login.toLowerCase(), review);
  const reviews = [...latest.values()];
  const requesting = reviews.filter((review) => review.state === 'CHANGES_REQUESTED');
  if (requesting.length > 0)
    return {
      status: 'refused',
      reason: 'changes-requested',
      detail: requesting.map((review) => review.login).join(', '),
    };
  const approvers = reviews
    .filter((review) => review.state === 'APPROVED' && review.commitId === facts.headSha)
    .map((review) => review.login);
  if (approvers.length === 0) return { status: 'refused', reason: 'not-approved' };
  return { status: 'promote', source, approvers };
}

/** The deploy repos whose merged PRs promote by approval: environment N's, for each N+1 with the rule. */
export function findApprovalRepos(environments: readonly Environment[]): RepoRef[] {
  return environments.flatMap((env, i) =>
    i > 0 && env.promote && 'approval' in env.promote ? [environments[i - 1]!.repo] : [],
  );
}

/**
 * The source repo a deploy PR branch is named after (`kuma-api-forge/<owner>/<repo>`, lower-cased, `_` as `__`
 * and `.` as `_d`): its folder's `.source.yaml` says which commit the PR deploys. Undefined for any other
 * branch, and for a hashed (over-long) name, which cannot be read back.
 */
export function sourceRepoOfBranch(headRef: string): RepoRef | undefined {
  if (!headRef.startsWith(deployPullBranchPrefix)) return undefined;
  const parts = headRef.slice(deployPullBranchPrefix.length).split('/');
  if (parts.length !== 2) return undefined;
  const names = parts.map((part) =>
    /^(?:[a-z0-9-]|__|_d)+$/.test(part)
      ? part.replace(/__|_d/g, (token) => (token === '__' ? '_' : '.'))
      : undefined,
  );
  const [owner, repo] = names;
  return owner && repo ? { owner, repo } : undefined;
}
