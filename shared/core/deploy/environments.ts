/**
 * Environments: the deploy targets a source commit goes through, in order (e.g. `staging` then `production`).
 * A merge deploys to the first; a commit reaches each later one only by promotion from the one before, on that
 * environment's rule (a release tag pushed in the source repo). Each environment is a deploy repo and branch of
 * its own, or a folder of a branch it shares (`path`), with its own `tenants.yaml`, `governance/` and
 * `.source.yaml` per source folder, so the provenance and the ancestry rule (an older commit never overwrites a
 * newer one) hold per environment with the deploy's own code.
 *
 * Where the list comes from: the App's settings (`DEPLOY_ENVIRONMENTS`), like `DEPLOY_REPO`, and not a file in a
 * deploy repo: it names the repos the App writes to and the rule that lets a commit into production, so a change
 * to it is an operator's change to the App, not a commit a PR to a deploy repo could make. Pure: parsing and
 * deciding only; the promotion use case reads the deploy repos and the source history.
 * @module
 */
import { parse } from 'yaml';
import { formatRepoRef, parseRepoRef, type RepoRef } from '../repo-ref.js';
import { isEnvironmentFolder } from './deploy-paths.js';
import { parseSoakDuration } from './soak-duration.js';

/** How a commit gets into an environment from the one before it. */
export type PromotionRule =
  | {
      /**
       * A release tag pushed in the source repo whose name matches this pattern (`*` matches any characters,
       * e.g. `v*`) promotes the tagged commit.
       */
      tag: string;
    }
  | {
      /**
       * `true`: the merge of the App's deploy PR into the environment before (pull-request mode), approved on
       * its head by someone with write access, promotes the source commit that PR deployed
       * (core/deploy/approval-promotion.ts).
       */
      approval: true;
    }
  | {
      /**
       * A duration (`30m`, `24h`, `7d`; 5m to 90d): the commit the environment before runs is promoted once it
       * has run there that long, counted from the App's own deploy commit that put it there, unless a status on
       * that deploy is failing (core/deploy/time-promotion.ts). `afterMs` is the duration parsed.
       */
      after: string;
      afterMs: number;
      /** A commit status context (or check run name) that must have succeeded on the deploy, e.g. Flux's `kustomization/apps`. */
      status?: string;
    };

export interface Environment {
  /** Lower-case letters, digits and `-`, unique: names the environment in logs, comments and commit messages. */
  name: string;
  repo: RepoRef;
  /** The branch its cluster agent syncs; default the repo's default branch. */
  branch?: string;
  /**
   * A folder of that branch holding everything of this environment (`envs/staging`: its `tenants.yaml`,
   * `governance/` and `apis/`), so environments can share one branch side by side; absent: the branch's root.
   */
  path?: string;
  /** Absent for the first environment (merges deploy there); required for every later one. */
  promote?: PromotionRule;
}

const namePattern = /^[a-z][a-z0-9-]{0,30}$/;
const branchPattern = /^(?!\/|.*\/\/|.*\.\.|.*\/$)[A-Za-z0-9._/-]+$/;
/** What git allows in a tag name that a pattern may need, and `*`. */
const tagPatternPattern = /^(?!-)[A-Za-z0-9._/*+-]{1,100}$/;

/**
 * The environments of `DEPLOY_ENVIRONMENTS`: a YAML (or JSON) list, in promotion order, e.g.
 * `[{name: staging, repo: platform/deploy, branch: staging}, {name: production, repo: platform/deploy, branch:
 * main, promote: {tag: "v*"}}]`, or folders of one branch (`path: envs/staging`, `path: envs/production`).
 * Returns the list, or the first problem as one sentence naming the entry.
 */
export function parseEnvironments(text: string): { environments: Environment[] } | { error: string } {
  let value: unknown;
  try {
    value = parse(text, { maxAliasCount: 0 });
  } catch (error) {
    return { error: `is not YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  if (!Array.isArray(value) || value.length < 2)
    return { error: 'must be a list of at least two environments, in promotion order' };
  const environments: Environment[] = [];
  for (const [index, entry] of value.entries()) {
    const parsed = parseEnvironment(entry, index === 0);
    if ('error' in parsed) return { error: `environment ${index + 1}: ${parsed.error}` };
    if (environments.some((env) => env.name === parsed.name))
      return { error: `environment ${index + 1}: the name "${parsed.name}" is used twice` };
    const overlap = findOverlap(parsed, environments);
    if (overlap) return { error: `environment ${index + 1}: ${overlap}` };
    environments.push(parsed);
  }
  return { environments };
}

function parseEnvironment(entry: unknown, first: boolean): Environment | { error: string } {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry))
    return { error: 'must be a mapping with name, repo, and optional branch, path and promote' };
  const { name, repo, branch, path, promote, ...rest } = entry as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) return { error: `unknown key "${unknown}" (name, repo, branch, path, promote)` };
  if (typeof name !== 'string' || !namePattern.test(name))
    return { error: 'name must be lower-case letters, digits and "-", starting with a letter' };
  const ref = typeof repo === 'string' ? parseRepoRef(repo) : undefined;
  if (!ref) return { error: `${name}: repo must be "owner/repo"` };
  if (branch !== undefined && (typeof branch !== 'string' || !branchPattern.test(branch)))
    return { error: `${name}: branch must be a branch name` };
  const folder = typeof path === 'string' ? path.replace(/\/+$/, '') : path;
  if (folder !== undefined && (typeof folder !== 'string' || !isEnvironmentFolder(folder)))
    return {
      error: `${name}: path must be a folder of the branch, e.g. envs/${name}: segments of letters, digits, ".", "_" and "-", no "." or ".." and no leading "/"`,
    };
  const target = { name, repo: ref, ...(branch ? { branch } : {}), ...(folder ? { path: folder } : {}) };
  if (first) {
    if (promote !== undefined)
      return { error: `${name}: the first environment takes no promote rule (merges deploy there)` };
    return target;
  }
  const rule = parseRule(promote);
  if (typeof rule === 'string') return { error: `${name}: ${rule}` };
  if (!rule)
    return {
      error: `${name}: promote must be {tag: "<pattern>"}, e.g. {tag: "v*"}, or {approval: true}, or {after: "<duration>"}, e.g. {after: "24h"}`,
    };
  return { ...target, promote: rule };
}

/**
 * Why `env` cannot sit beside the environments before it, or undefined: two environments on one repo and branch
 * need folders side by side. A folder inside another's (or any folder beside a root environment, whose
 * `apis/`, `tenants.yaml` and `governance/` are the whole branch's) would let one environment's deploys rewrite,
 * and its drift check judge, the other's files.
 */
function findOverlap(env: Environment, before: readonly Environment[]): string | undefined {
  for (const other of before) {
    // The default branch is only known to GitHub: with folders, one entry omitting the branch could be the other's.
    const sameRepo = formatRepoRef(other.repo).toLowerCase() === formatRepoRef(env.repo).toLowerCase();
    if (sameRepo && (other.path || env.path) && !other.branch !== !env.branch)
      return `${env.name} and ${other.name} share ${formatRepoRef(env.repo).toLowerCase()} and one of them omits its branch, which may be the other's (the default branch): name the branch of both`;
    if (describeBranch(other) !== describeBranch(env)) continue;
    const a = (other.path ?? '').toLowerCase();
    const b = (env.path ?? '').toLowerCase();
    if (a === b)
      return `${env.name} deploys to ${describeTarget(env)} like ${other.name}; each environment needs a repo, branch or folder of its own`;
    if (a === '' || b === '')
      return `${env.name} (${describeTarget(env)}) and ${other.name} (${describeTarget(other)}) share a branch, and ${a === '' ? other.name : env.name} takes its root: on one branch every environment needs a folder (path)`;
    if (a.startsWith(`${b}/`) || b.startsWith(`${a}/`))
      return `${env.name}'s folder ${env.path} and ${other.name}'s folder ${other.path} of ${describeBranch(env)} overlap: environments on one branch need folders side by side, neither inside the other`;
  }
  return undefined;
}

/** The rule, undefined when it is none of them, or a sentence on what is wrong with a time rule. */
function parseRule(promote: unknown): PromotionRule | string | undefined {
  if (promote && typeof promote === 'object' && 'after' in promote) return parseTimeRule(promote);
  if (!promote || typeof promote !== 'object' || Object.keys(promote).length !== 1) return undefined;
  const { tag, approval } = promote as { tag?: unknown; approval?: unknown };
  if (typeof tag === 'string' && tagPatternPattern.test(tag)) return { tag };
  return approval === true ? { approval: true } : undefined;
}

/** A status context or check run name: what Argo CD and Flux post (`kustomization/apps`, `argocd/app`). */
const statusContextPattern = /^[A-Za-z0-9][A-Za-z0-9 ._:/@()-]{0,99}$/;

function parseTimeRule(promote: object): PromotionRule | string {
  const { after, status, ...rest } = promote as { after?: unknown; status?: unknown };
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) return `unknown key "${unknown}" in promote (after, status)`;
  const afterMs = parseSoakDuration(after);
  if (afterMs === undefined)
    return `promote.after must be a duration from 5m to 90d: a whole number and m, h or d, e.g. "30m", "24h", "7d"; got ${JSON.stringify(after)}`;
  if (status !== undefined && (typeof status !== 'string' || !statusContextPattern.test(status)))
    return `promote.status must be the name of a commit status or check run, e.g. "kustomization/apps"; got ${JSON.stringify(status)}`;
  return { after: after as string, afterMs, ...(status !== undefined ? { status: status as string } : {}) };
}

/**
 * `owner/repo@branch:folder` (`owner/repo` on its default branch, no `:folder` at the branch's root), the repo
 * lower-cased like GitHub's case-insensitive names.
 */
export function describeTarget(env: Pick<Environment, 'repo' | 'branch' | 'path'>): string {
  return `${describeBranch(env)}${env.path ? `:${env.path}` : ''}`;
}

/** `owner/repo@branch` (`owner/repo` on its default branch), the repo lower-cased: a target without its folder. */
export function describeBranch(env: Pick<Environment, 'repo' | 'branch'>): string {
  return `${formatRepoRef(env.repo).toLowerCase()}${env.branch ? `@${env.branch}` : ''}`;
}

/** Whether `tag` matches `pattern`, where `*` matches any run of characters and everything else itself. */
export function matchesTagPattern(pattern: string, tag: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === tag;
  const first = parts[0]!;
  const last = parts.at(-1)!;
  if (tag.length < first.length + last.length || !tag.startsWith(first) || !tag.endsWith(last)) return false;
  // Leftmost match of each middle part: with `*` the only wildcard, that is a match whenever one exists.
  let at = first.length;
  const end = tag.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = tag.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** The environments a pushed tag promotes into (index ≥ 1, in order): those whose rule matches its name. */
export function findTagPromotions(environments: readonly Environment[], tag: string): number[] {
  return environments.flatMap((env, index) =>
    index > 0 && env.promote && 'tag' in env.promote && matchesTagPattern(env.promote.tag, tag)
      ? [index]
      : [],
  );
}

/**
 * Where `head` stands relative to `base` in the source repo's history (the source history port's answer):
 * `ahead` = head descends from base.
 */
export type HistoryOrder = 'ahead' | 'behind' | 'identical' | 'diverged' | 'unknown';

export interface PromotionFacts {
  /** The commit to promote: what the tag named when it was pushed. */
  sha: string;
  /** What the tag names now (undefined: deleted): a moved tag promotes only from its own push. */
  tagNow: string | undefined;
  /** The commit the environment before runs (its `.source.yaml`), and where it stands relative to `sha`. */
  previous: { runs?: string; order?: HistoryOrder };
  /** The commit the target environment runs, and where `sha` stands relative to it. */
  target: { runs?: string; order?: HistoryOrder };
}

export type PromotionRefusal =
  /** The tag was deleted or moved since this push: its newer push (if any) promotes. */
  | 'tag-moved'
  /** The environment before runs nothing of this repo, an older commit, or an unrelated one. */
  | 'not-in-previous'
  /** The target runs this commit already. */
  | 'already-there'
  /** The target runs a newer commit: an older one never overwrites it. */
  | 'older-than-target';

export type PromotionDecision = { status: 'promote' } | { status: 'refused'; reason: PromotionRefusal };

/**
 * Promote only the commit the tag names now, only when the environment before runs it or a newer commit that
 * contains it (it passed there), and never over a newer commit in the target. A target that runs a commit no
 * longer in the history (rewritten) or an unrelated one takes the promoted commit: it passed the environment
 * before, which is the rule. The deploy then checks the target's grants and ancestry again as it writes.
 */
export function decidePromotion(facts: PromotionFacts): PromotionDecision {
  if (facts.tagNow !== facts.sha) return { status: 'refused', reason: 'tag-moved' };
  const passed = facts.previous.order === 'identical' || facts.previous.order === 'ahead';
  if (facts.previous.runs === undefined || !passed) return { status: 'refused', reason: 'not-in-previous' };
  if (facts.target.runs === undefined) return { status: 'promote' };
  if (facts.target.order === 'identical') return { status: 'refused', reason: 'already-there' };
  if (facts.target.order === 'behind') return { status: 'refused', reason: 'older-than-target' };
  return { status: 'promote' };
}
