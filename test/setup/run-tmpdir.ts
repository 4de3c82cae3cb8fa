/**
 * Vitest's global setup: the run's temporary files go in one folder of its own (TMPDIR, which `os.tmpdir()`,
 * git, Go and every child process read), removed when the run ends. The tests' own `mkdtemp`s then leave nothing
 * behind, even those of a failed or timed-out test, and two runs side by side (two worktrees) never touch each
 * other's files. Caches meant to outlive a run are kept elsewhere: the YAML parity's Go build and Go's build cache
 * in the repo's git-ignored `.cache/`, and tsx's transform cache (for the `npm start` and `npm run pr` processes
 * the e2e tests start) where tsx keeps it, `tsx-<uid>` in the system's temp folder, linked from the run's.
 */
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export default async function setup(): Promise<() => Promise<void>> {
  const system = tmpdir();
  const root = await mkdtemp(join(system, 'kuma-api-forge-test-'));
  // Named as tsx names it: by effective user id where there is one.
  const tsxCache = `tsx-${process.geteuid?.() ?? userInfo().username}`;
  // Only a cache: without the link tsx starts cold, nothing fails.
  await mkdir(join(system, tsxCache), { recursive: true })
    .then(() => symlink(join(system, tsxCache), join(root, tsxCache)))
    .catch(() => {});
  process.env.TMPDIR = root;
  // rm removes the link, not the cache it points at.
  return () => rm(root, { recursive: true, force: true, maxRetries: 3 });
}
