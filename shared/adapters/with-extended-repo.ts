/**
 * A FileSource whose repo config's `_extends` (org defaults) is read through `repos`: the App's jobs, the
 * governance check's deployed sources and the CLI's `--extends-dir` all attach them this way.
 * @module
 */
import type { ExtendedRepos } from '../core/config/extends.js';
import type { FileSource } from '../ports/file-source.js';

/** The source with its config's `_extends` read through `repos` (kept as a prototype: nothing else changes). */
export function withExtendedRepo(source: FileSource, repos: ExtendedRepos | undefined): FileSource {
  return repos ? Object.assign(Object.create(source) as FileSource, { extendedRepos: repos }) : source;
}
