/**
 * Reading ahead what a check or a deploy will read from a source repo, in a few requests instead of one per
 * file: the configs, the files they name, and round by round the files those `$ref`.
 * @module
 */
import { posix } from 'node:path';
import { loadRepoConfigFile, repoConfigFiles } from '../core/config/config-location.js';
import { parseRepoConfig } from '../core/config/repo-config.js';
import { failureFields } from '../core/errors.js';
import { defaultLoadLimits } from '../core/spec/types.js';
import type { CodeHost } from '../ports/code-host.js';
import type { FileSource } from '../ports/file-source.js';
import type { Logger } from '../ports/logger.js';

/** Both config locations and their misnamed `.yml` spellings (read only when neither exists, but cheap here). */
export const configPaths = repoConfigFiles.flatMap((path) => [path, path.replace(/\.yaml$/, '.yml')]);

/** How many rounds of `$ref`ed files are read ahead; files further down are read when the loader asks. */
const refRounds = 3;

/**
 * Reads ahead, at every commit a check or deploy reads, the files the configs there name (specs, ruleset, waiver
 * files) and then, round by round, the files those specs `$ref` — at most as many files as the loader would read.
 * Only a hint: what it misses is read when the loader asks, and a failed read-ahead leaves the reads to it.
 */
export async function prefetchInputs(
  host: CodeHost,
  commits: readonly string[],
  log?: Logger,
): Promise<void> {
  const shas = [...new Set(commits)];
  const named = new Set<string>();
  try {
    for (const sha of shas) {
      for (const path of await filesNamedByConfig(host.files(sha))) named.add(path);
    }
  } catch (error) {
    // E.g. a commit rewritten away: the render reads (and reports) it itself.
    log?.debug('reading ahead failed: the files are read one by one', failureFields(error));
    return;
  }
  const seen = new Set<string>();
  let wanted = shas.map((sha) => ({ sha, paths: [...named] }));
  for (let round = 0; round <= refRounds; round += 1) {
    wanted = wanted.map(({ sha, paths }) => ({
      sha,
      paths: paths.filter((path) => !seen.has(`${sha}:${path}`)).slice(0, defaultLoadLimits.maxFiles),
    }));
    if (!wanted.some((w) => w.paths.length > 0)) return;
    try {
      await host.prefetch(wanted);
    } catch (error) {
      log?.debug('reading ahead failed: the files are read one by one', failureFields(error));
      return;
    }
    const next = [];
    for (const { sha, paths } of wanted) {
      const refs = new Set<string>();
      for (const path of paths) {
        seen.add(`${sha}:${path}`);
        const bytes = await host.files(sha).read(path);
        if (bytes) for (const ref of fileRefs(path, bytes)) refs.add(ref);
      }
      next.push({ sha, paths: [...refs] });
    }
    wanted = next;
  }
}

/** The files a config names (from the cache: the configs were read with the PR). */
async function filesNamedByConfig(source: FileSource): Promise<string[]> {
  const { loaded } = await loadRepoConfigFile(source);
  if (!loaded || !('value' in loaded)) return [];
  const { config } = parseRepoConfig(loaded);
  if (!config) return [];
  const { ruleset } = config.gates.lint;
  return [
    ...config.apis.map((api) => api.spec),
    ...(ruleset ? [ruleset] : []),
    ...(config.gates.errIgnore ? [config.gates.errIgnore] : []),
    ...(config.gates.warnIgnore ? [config.gates.warnIgnore] : []),
  ];
}

/** `$ref: other.yaml#/…` targets in a file's text, relative to the repo root: a cheap scan, not the loader. */
function fileRefs(path: string, bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes).toString('utf8');
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '';
  const refs: string[] = [];
  for (const [, target = ''] of text.matchAll(/["']?\$ref["']?\s*:\s*["']?([^"'#\s,}]+)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('/')) continue;
    const resolved = posix.normalize(dir + target);
    if (!resolved.startsWith('../')) refs.push(resolved);
  }
  return refs;
}
