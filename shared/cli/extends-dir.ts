/**
 * The CLI's `--extends-dir`, shared by `check` and `render`.
 * @module
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createLocalExtendedRepo } from '../adapters/local-extended-repo.js';
import type { ExtendedRepos } from '../core/config/extends.js';
import { parseRepoRef } from '../core/repo-ref.js';
import { UsageError } from './cli-io.js';

/**
 * `--extends-dir <dir>`: a checkout of the repo the config's `_extends` names (org defaults), read as the App
 * reads that repo's default branch; with `--repo <owner/repo>`, a different owner or the repo itself is refused
 * as the App refuses it. Without it, `_extends` is a warning and the repo's own keys apply.
 */
export async function resolveExtendsDir(
  dir: string | undefined,
  repo: string | undefined,
  cwd: string,
): Promise<ExtendedRepos | undefined> {
  if (dir === undefined) return undefined;
  const absolute = path.resolve(cwd, dir);
  if (!(await stat(absolute).catch(() => undefined))?.isDirectory())
    throw new UsageError(`--extends-dir: ${absolute} is not a directory`);
  const self = repo === undefined ? undefined : parseRepoRef(repo);
  if (repo !== undefined && !self) throw new UsageError(`--repo: "${repo}" is not <owner>/<repo>`);
  return createLocalExtendedRepo(absolute, self);
}
