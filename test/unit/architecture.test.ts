/**
 * The layering DESIGN.md §2 promises, checked on the source: the core is pure (no I/O, no environment, no clock)
 * and never imports adapters, the app or use cases; ports import only the core.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function violations(dir: string, forbidden: RegExp): string[] {
  return sources(dir).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (forbidden.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
}

describe('layering', () => {
  it('the core imports no adapter, app, use case or CLI code', () => {
    expect(violations('shared/core', /from '(\.\.\/)+(adapters|app|use-cases|cli)\//)).toEqual([]);
  });

  it('the core does no I/O and reads no environment or clock (hashing with node:crypto is pure)', () => {
    const io =
      /from 'node:(fs|fs\/promises|child_process|net|http|https|os|dns|worker_threads)'|process\.(env|cwd)|Date\.now\(|new Date\(\)|\bfetch\(/;
    expect(violations('shared/core', io)).toEqual([]);
  });

  it('ports depend on nothing but the core', () => {
    expect(violations('shared/ports', /from '(\.\.\/)+(adapters|app|use-cases|cli)\/|from 'node:/)).toEqual(
      [],
    );
  });
});
