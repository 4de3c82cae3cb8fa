/**
 * Org-level config defaults, Probot's `_extends` convention: `_extends: <repo>` or `_extends: <repo>:<path>` at
 * the top of a repo's config reads defaults from another repo of the same owner (typically the org's `.github`
 * repo), always from that repo's default branch. Without a path, the other repo's `.github/kuma-api-forge.yaml`,
 * else its `.kuma-api-forge.yaml`.
 *
 * The merge: objects deep-merge with the repo's own keys winning; arrays are replaced whole by the repo's, except
 * `apis`, merged by `name` — a repo entry deep-merges over the org entry of the same name. An org entry the repo
 * does not list is NOT inherited: its `spec` names a file of no particular repo, and an API a repo does not list
 * must not appear (and deploy) in it. Paths the defaults name (a lint ruleset, waiver files) are read from the
 * repo itself, like every path in the config.
 *
 * One level only: an `_extends` in the extended file is said and not followed. Every refused or unreadable
 * `_extends` is a finding on its line of the repo's config, never a crash or a silent pass.
 * @module
 */
import type { Finding, Severity } from '../findings.js';
import { parseRepoRef, type RepoRef, sameRepo } from '../repo-ref.js';
import { parseSourceFile } from '../spec/parse-source-file.js';
import { defaultLoadLimits, type SourceFile } from '../spec/types.js';
import { githubConfigFile } from './config-location.js';
import { repoConfigFile } from './repo-config.js';

/** What another repo's default branch has at a path. */
export type ExtendedRead =
  | { found: 'file'; bytes: Uint8Array }
  /** A symbolic link: never followed (it could lead anywhere). */
  | { found: 'symlink' }
  /** The repo has no such file. */
  | { found: 'none' }
  /** No such repo, or the App cannot read it (not installed there). */
  | { found: 'no-repo' };

/**
 * Port: the other repos of the config's owner, at their default branches. A FileSource carries it (see
 * `FileSource.extendedRepos`) where they can be read: the App's job, the CLI's `--extends-dir`.
 */
export interface ExtendedRepos {
  /** The repo whose config is read, when known (the App): self-reference and other owners are refused. */
  readonly self?: RepoRef;
  /** `path` on the default branch of `repo` (a bare repo name: the owner is the config's). */
  read(repo: string, path: string): Promise<ExtendedRead>;
}

/** An `_extends` value that names something to read. */
export interface ExtendsTarget {
  repo: string;
  /** Undefined: the default places, in order. */
  path?: string;
}

/** `repo`, `owner/repo`, `repo:path`: which repo and file, or why not. Pure: the refusals tests pin. */
export function parseExtends(
  value: string,
  self: ExtendedRepos['self'],
): { target: ExtendsTarget } | { problem: string } {
  const colon = value.indexOf(':');
  const repoPart = (colon < 0 ? value : value.slice(0, colon)).trim();
  const path = colon < 0 ? undefined : value.slice(colon + 1).trim();
  // A bare name is a repo of the config's owner (any owner when it is unknown: the CLI).
  const named = parseRepoRef(repoPart.includes('/') ? repoPart : `${self?.owner ?? 'owner'}/${repoPart}`);
  if (!named || [named.owner, named.repo].some((name) => name === '.' || name === '..')) {
    return { problem: `"${repoPart}" is not a repo name (write <repo> or <repo>:<path>)` };
  }
  if (self && named.owner.toLowerCase() !== self.owner.toLowerCase()) {
    return {
      problem: `"${repoPart}" belongs to another owner: only a repo of ${self.owner} can give this repo defaults`,
    };
  }
  if (self && sameRepo(named, self)) return { problem: `"${repoPart}" is this repo itself` };
  if (path !== undefined) {
    if (path === '') return { problem: 'the path after ":" is empty' };
    if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\')) {
      return { problem: `"${path}" is an absolute path: give a path relative to the root of ${repoPart}` };
    }
    if (path.split('/').includes('..')) {
      return { problem: `"${path}" leaves the root of ${repoPart}` };
    }
  }
  return { target: { repo: named.repo, ...(path === undefined ? {} : { path: normalize(path) }) } };
}

/**
 * The repo config with its `_extends` resolved: the merged document (validated by the caller like any config),
 * and findings on the `_extends` line. A config without `_extends` comes back as it is.
 */
export async function resolveExtends(
  file: SourceFile,
  repos: ExtendedRepos | undefined,
): Promise<{ file: SourceFile; findings: Finding[] }> {
  const own = file.value;
  if (!isObject(own) || typeof own._extends !== 'string') return { file, findings: [] };
  const at = (id: string, severity: Severity, message: string): Finding => ({
    kind: 'validation',
    id,
    severity,
    message,
    file: file.path,
    ...file.locate('/_extends'),
  });
  const parsed = parseExtends(own._extends, repos?.self);
  if ('problem' in parsed) {
    return { file, findings: [at('config-extends-refused', 'error', `_extends refused: ${parsed.problem}`)] };
  }
  if (!repos) {
    return {
      file,
      findings: [
        at(
          'config-extends-offline',
          'warning',
          `_extends: ${own._extends} cannot be read here (the CLI reads it with --extends-dir <checkout of ${parsed.target.repo}>): checked with this repo's own keys only`,
        ),
      ],
    };
  }
  const read = await readExtended(repos, parsed.target);
  if ('problem' in read) {
    return { file, findings: [at(read.id, 'error', `_extends: ${own._extends}: ${read.problem}`)] };
  }
  const where = `${parsed.target.repo}:${read.path}`;
  const org = parseSourceFile(read.path, read.bytes, defaultLoadLimits);
  if (!org.file) {
    const first = org.findings[0];
    const detail = first ? `line ${first.line}: ${first.message}` : 'it does not parse';
    return {
      file,
      findings: [at('config-extends-invalid', 'error', `_extends: ${where} cannot be read: ${detail}`)],
    };
  }
  if (!isObject(org.file.value)) {
    return {
      file,
      findings: [at('config-extends-invalid', 'error', `_extends: ${where} is not a mapping of config keys`)],
    };
  }
  const { _extends: nested, ...defaults } = org.file.value;
  const findings =
    nested === undefined
      ? []
      : [
          at(
            'config-extends-nested',
            'warning',
            `_extends: ${where} has an _extends of its own (line ${org.file.locate('/_extends').line}), which is not followed: one level only`,
          ),
        ];
  return { file: mergedFile(file, mergeConfig(defaults, own)), findings };
}

async function readExtended(
  repos: ExtendedRepos,
  target: ExtendsTarget,
): Promise<{ path: string; bytes: Uint8Array } | { id: string; problem: string }> {
  // No path: the places a repo's config is looked for, `.github/` first (as Probot does).
  const paths = target.path === undefined ? [githubConfigFile, repoConfigFile] : [target.path];
  for (const path of paths) {
    const read = await repos.read(target.repo, path);
    if (read.found === 'file') return { path, bytes: read.bytes };
    if (read.found === 'no-repo') {
      return {
        id: 'config-extends-not-found',
        problem: `the repo ${target.repo} does not exist or kuma-api-forge cannot read it (install the App on it)`,
      };
    }
    if (read.found === 'symlink') {
      return {
        id: 'config-extends-refused',
        problem: `${path} in ${target.repo} is a symbolic link, which is never followed`,
      };
    }
  }
  return {
    id: 'config-extends-not-found',
    problem: `the default branch of ${target.repo} has no ${paths.join(' or ')}`,
  };
}

/**
 * The org's defaults under the repo's own config: objects deep-merge (the repo wins), arrays are replaced, and
 * `apis` merge by name (org-only entries are not inherited).
 */
export function mergeConfig(
  defaults: Record<string, unknown>,
  own: Record<string, unknown>,
): Record<string, unknown> {
  const { apis: orgApis, ...rest } = defaults;
  const merged = mergeValues(rest, own) as Record<string, unknown>;
  if (!Array.isArray(own.apis) || !Array.isArray(orgApis)) return merged;
  return {
    ...merged,
    apis: own.apis.map((api) => {
      const org = isObject(api)
        ? orgApis.find((entry) => isObject(entry) && entry.name === api.name)
        : undefined;
      return org ? mergeValues(org, api) : api;
    }),
  };
}

function mergeValues(under: unknown, over: unknown): unknown {
  if (!isObject(under) || !isObject(over)) return over === undefined ? under : over;
  // fromEntries defines own properties: a `__proto__` key stays a key, never a prototype.
  return Object.fromEntries(
    [...new Set([...Object.keys(under), ...Object.keys(over)])].map((key) => [
      key,
      Object.hasOwn(over, key)
        ? mergeValues(Object.hasOwn(under, key) ? under[key] : undefined, over[key])
        : under[key],
    ]),
  );
}

/**
 * The merged document as a SourceFile of the repo's config: a key the repo wrote is located on its own line; an
 * inherited one on the `_extends` line, which is where the user can see it comes from.
 */
function mergedFile(file: SourceFile, value: Record<string, unknown>): SourceFile {
  return {
    ...file,
    value,
    locate: (pointer) => (hasPointer(file.value, pointer) ? file.locate(pointer) : file.locate('/_extends')),
  };
}

function hasPointer(value: unknown, pointer: string): boolean {
  let node = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node) && Object.hasOwn(node, key)) node = node[key];
    else return false;
    if (node === undefined) return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `./a//b.yaml` → `a/b.yaml` (`..` and absolute paths are refused before). */
function normalize(path: string): string {
  return path
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}
