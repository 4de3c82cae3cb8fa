/**
 * The layering DESIGN.md §2 promises, checked on the source: the core is pure (no I/O, no environment, no clock)
 * and never imports ports, adapters, the app or use cases; ports import only the core.
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
  it('the core imports no port, adapter, app, use case or CLI code', () => {
    expect(violations('shared/core', /from '(\.\.\/)+(ports|adapters|app|use-cases|cli)\//)).toEqual([]);
  });

  it('the core does no I/O and reads no environment or clock (hashing with node:crypto is pure)', () => {
    const io =
      /from 'node:(fs|fs\/promises|child_process|net|http|https|os|dns|worker_threads)'|process\.(env|cwd)|Date\.now\(|new Date\(\)|\bfetch\(/;
    expect(violations('shared/core', io)).toEqual([]);
  });

  it('ports depend on nothing but the core and each other (no package, no Node module)', () => {
    expect(violations('shared/ports', /from '(?!\.\/|\.\.\/core\/)/)).toEqual([]);
  });

  it("oasdiff's wire format stays in its adapter", () => {
    expect(
      violations('shared', /\bOasdiffChange\b/).filter(
        (line) => !line.startsWith('shared/adapters/oasdiff-runner.ts:'),
      ),
    ).toEqual([]);
  });

  it('only the worker imports the deploy use case: the PR check and `check` reach the decision through the preview', () => {
    expect(
      violations('shared', /(from |import )'[./]*(use-cases\/)?deploy-push\.js'/).filter(
        (line) => !line.startsWith('shared/app/worker.ts:'),
      ),
    ).toEqual([]);
  });

  it('user-visible markdown is built in core/report only: nothing else imports its escaper', () => {
    expect(
      violations('shared', /from '[./]*(core\/)?report\/escape\.js'|from '\.\/escape\.js'/).filter(
        (line) => !line.startsWith('shared/core/report/'),
      ),
    ).toEqual([]);
  });

  it('each port type has one definition', () => {
    const declared = sources('shared').flatMap((file) =>
      [
        ...readFileSync(file, 'utf8').matchAll(
          /^export (?:interface|type) (DeployTarget|DeployMode|DeployRepoAccess|FileSource|BreakingChange)\b/gm,
        ),
      ].map((match) => `${match[1]} in ${file}`),
    );
    expect(declared.sort()).toEqual([
      'BreakingChange in shared/core/breaking/breaking-change.ts',
      'DeployMode in shared/ports/deploy-repo.ts',
      'DeployRepoAccess in shared/ports/deploy-repo.ts',
      'DeployTarget in shared/ports/deploy-repo.ts',
      'FileSource in shared/core/spec/file-source.ts',
    ]);
  });
});
