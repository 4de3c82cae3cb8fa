/**
 * What the spec loader reads through: one version of an API repo (a directory, a git commit, a GitHub commit).
 * Paths are POSIX, relative to the root, already normalised by the caller and never starting with `/` or `..`:
 * the loader enforces the repo boundary before it asks. Implementations must still refuse anything outside
 * the root (defence in depth).
 * @module
 */
import type { ExtendedRepos } from '../config/extends.js';

export interface FileSource {
  /** Shown to users, e.g. `./api` or `git:origin/main`. */
  readonly description: string;
  /** The file's bytes, or `undefined` when there is no such file. */
  read(path: string): Promise<Uint8Array | undefined>;
  /**
   * The other repos of the same owner at their default branches, where they can be read (the App's job, the
   * CLI's `--extends-dir`): the repo config's `_extends` is resolved through them. Absent: it is said, not read.
   */
  readonly extendedRepos?: ExtendedRepos;
}
