import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadSpecFromFiles } from '../../../helpers/spec.js';

export const repoRoot = path.resolve(import.meta.dirname, '../../../..');

/** Every file under `dir` (relative paths → text), like a repo checkout in memory. */
export function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative))) {
      const child = relative ? `${relative}/${entry}` : entry;
      if (statSync(path.join(dir, child)).isDirectory()) walk(child);
      else files[child] = readFileSync(path.join(dir, child), 'utf8');
    }
  };
  walk('');
  return files;
}

export function loadFixture(dir: string, entry: string) {
  return loadSpecFromFiles(readTree(path.join(repoRoot, dir)), entry);
}
