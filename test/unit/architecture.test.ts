/**
 * The layering DESIGN.md §2 promises, checked on the source: the core is pure (no I/O, no environment, no clock)
 * and never imports ports, adapters, the app or use cases; ports import only the core.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** Every project module `entry` imports, directly or not (static, re-exports and dynamic `import()`). */
function importClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from |import\(|import )'(\.{1,2}\/[^']+)\.js'/g)) {
      const target = path.join(path.dirname(file), `${match[1]}.ts`);
      if (existsSync(target)) visit(target);
    }
  };
  visit(path.normalize(entry));
  return seen;
}

/**
 * Names of the top-level functions of `file` whose code mentions `identifier` (not imports, not comments). Relies on
 * the formatter: a top-level function starts at the line start and ends at the next line that is `}`.
 */
function functionsMentioning(file: string, identifier: string): string[] {
  const names = new Set<string>();
  let current = '(module scope)';
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('import ') || /^\s*(\/\/|\/\*|\*)/.test(line)) continue; // imports, comments
    current = /^(?:export )?(?:async )?function (\w+)/.exec(line)?.[1] ?? current;
    if (new RegExp(`\\b${identifier}\\b`).test(line)) names.add(current);
    if (line === '}') current = '(module scope)';
  }
  return [...names].sort();
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

  it('only the worker and the promotion (a deploy to the next environment) import the deploy use case: the PR check and `check` reach the decision through the preview', () => {
    expect(
      violations('shared', /(from |import )'[./]*(use-cases\/)?deploy-push\.js'/).filter(
        (line) =>
          !line.startsWith('shared/app/worker.ts:') &&
          !line.startsWith('shared/use-cases/promote-release.ts:'),
      ),
    ).toEqual([]);
  });

  it('findings are built in the core: use cases, the app, the CLI and adapters only pass them on', () => {
    const building =
      /\bseverity: '(error|warning|info)'|\bkind: '(validation|lint|breaking|routing|tenancy)'/;
    for (const dir of ['shared/use-cases', 'shared/app', 'shared/cli', 'shared/adapters', 'functions']) {
      expect(violations(dir, building)).toEqual([]);
    }
  });

  it('user-visible markdown is built in core/report only: nothing else imports its escaper', () => {
    expect(
      violations('shared', /from '[./]*(core\/)?report\/escape\.js'|from '\.\/escape\.js'/).filter(
        (line) => !line.startsWith('shared/core/report/'),
      ),
    ).toEqual([]);
  });

  describe('a PR event never passes through the deploy use case', () => {
    const deployUseCase = path.normalize('shared/use-cases/deploy-push.ts');

    it('the webhook (functions/webhook.ts and the Hono app) does not import it at all', () => {
      expect(importClosure('functions/webhook.ts').has(deployUseCase)).toBe(false);
      expect(importClosure('shared/app/webhook-app.ts').has(deployUseCase)).toBe(false);
    });

    it('the PR check, its preview and `check` do not import it, directly or through another module', () => {
      for (const entry of [
        'shared/use-cases/check-pull-request.ts',
        'shared/use-cases/preview-deploy.ts',
        'shared/use-cases/check.ts',
        'shared/cli/check-command.ts',
      ]) {
        expect([entry, importClosure(entry).has(deployUseCase)]).toEqual([entry, false]);
      }
    });

    it('in the worker, the deploy use case is called only by runDeployBatch, and that only for deploy jobs', () => {
      const worker = 'shared/app/worker.ts';
      const text = readFileSync(worker, 'utf8');
      expect(functionsMentioning(worker, 'deployPush')).toEqual([]);
      expect(functionsMentioning(worker, 'deployBatch')).toEqual(['runDeployBatch']);
      expect(functionsMentioning(worker, 'runDeployBatch')).toEqual(['createWorker', 'runDeployBatch']);
      // Three calls: a deploy job's branch of processJob (which returns before the check job's code),
      // processDeployBatch (typed DeployDelivery[]), and an SQS batch whose records are all deploys.
      expect(text.match(/\brunDeployBatch\(/g)).toHaveLength(3);
      expect(text.match(/function runDeployBatch</g)).toHaveLength(1);
      expect(text).toMatch(/if \(job\.type === 'deploy'\) \{\s*const \[failure\] = await runDeployBatch\(/);
      expect(text).toMatch(/processDeployBatch: \(batch\) => runDeployBatch\(/);
      expect(text).toMatch(
        /parsed\.every\(\(\{ job \}\) => job === undefined \|\| job\.type === 'deploy'\)\)[\s\S]{0,300}job: job as DeployJob[\s\S]{0,300}await runDeployBatch\(batch/,
      );
    });
  });

  it('`owner/repo` text is made by formatRepoRef and read by parseRepoRef only (core/repo-ref.ts)', () => {
    const built = /\$\{[^}]*\.owner\}\/|\.owner \+ '\/'/;
    const parsed = /repo\w*(\.toLowerCase\(\))?\.split\('\/'\)/i;
    // The local GitHub stand-in (dev/github) speaks GitHub's URLs, not the product's types.
    const ours = (line: string) =>
      !line.startsWith('shared/core/repo-ref.ts:') && !line.startsWith('dev/github/');
    for (const dir of ['shared', 'functions', 'dev']) {
      expect(violations(dir, built).filter(ours)).toEqual([]);
      expect(violations(dir, parsed).filter(ours)).toEqual([]);
    }
  });

  it('each port type has one definition', () => {
    const declared = sources('shared').flatMap((file) =>
      [
        ...readFileSync(file, 'utf8').matchAll(
          /^export (?:interface|type) (DeployTarget|DeployMode|DeployRepoAccess|FileSource|BreakingChange|RepoRef)\b/gm,
        ),
      ].map((match) => `${match[1]} in ${file}`),
    );
    expect(declared.sort()).toEqual([
      'BreakingChange in shared/core/breaking/breaking-change.ts',
      'DeployMode in shared/ports/deploy-repo.ts',
      'DeployRepoAccess in shared/ports/deploy-repo.ts',
      'DeployTarget in shared/ports/deploy-repo.ts',
      'FileSource in shared/core/spec/file-source.ts',
      'RepoRef in shared/core/repo-ref.ts',
    ]);
  });
});
