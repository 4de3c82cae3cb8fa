/**
 * A read-only DeployRepo over a checkout of the deploy repo on disk (CLI `check --deployed <dir>`), optionally
 * with the platform team's tenants file and governance folder taken from elsewhere (`--tenants <file>`,
 * `--governance <dir>`). The PR preview's tenancy
 * decision then runs locally on exactly the deploy's code. Blob ids are the file paths; nothing is ever written.
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { tenantsFile } from '../core/deploy/tenants.js';
import { InvariantError } from '../core/errors.js';
import { governanceFolder, isGovernancePath } from '../core/governance/governance.js';
import type { DeployRepo } from '../ports/deploy-repo.js';

export async function createLocalDeployRepo(input: {
  /** The deploy repo checkout; without it only the tenants file is known. */
  dir?: string;
  /** A tenants file to use instead of the checkout's own. */
  tenants?: string;
  /** A governance folder (ruleset.yaml, limits.yaml, …) to use instead of the checkout's `governance/`. */
  governance?: string;
}): Promise<DeployRepo> {
  const texts = new Map<string, () => Promise<string>>();
  if (input.dir) {
    const root = input.dir;
    for (const file of await listFiles(root, '')) {
      texts.set(file, () => readFile(path.join(root, file), 'utf8'));
    }
  }
  if (input.tenants) {
    const tenants = input.tenants;
    texts.set(tenantsFile, () => readFile(tenants, 'utf8'));
  }
  if (input.governance) {
    const folder = input.governance;
    for (const file of texts.keys()) if (isGovernancePath(file)) texts.delete(file);
    for (const file of await listFiles(folder, '')) {
      texts.set(`${governanceFolder}${file}`, () => readFile(path.join(folder, file), 'utf8'));
    }
  }
  const description = input.dir ?? input.tenants ?? input.governance ?? 'an empty deploy repo';
  return {
    description,
    url: '',
    calls: 0,
    async readSnapshot(commit) {
      if (commit !== undefined) throw new InvariantError(`${description} is a checkout: it has no commits`);
      return {
        headSha: 'local',
        treeSha: 'local',
        files: [...texts.keys()].sort().map((file) => ({ path: file, sha: file })),
      };
    },
    async readText(blob) {
      const read = texts.get(blob);
      if (!read) throw new InvariantError(`${blob} is not in ${description}`);
      return read();
    },
    async commit() {
      throw new InvariantError(`${description} is read-only`);
    },
  };
}

/** Every file under `dir` (POSIX paths relative to the root), `.git` skipped, symlinks not followed. */
async function listFiles(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const relative = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory() && entry.name !== '.git') files.push(...(await listFiles(root, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files;
}
