/**
 * The GitHub REST operations the App calls, read from its source (shared/, functions/, dev/ without the local
 * GitHub itself): every `….rest.<scope>.<method>` call site, resolved to its method and path by Octokit, and the
 * installation tokens `@octokit/auth-app` mints. Read statically on purpose: a call site no test reaches (the
 * contents API, used only for truncated trees) counts as much as one every test reaches. Call shapes this
 * reading cannot resolve (a literal `request('GET …')`, a computed `rest[…]`) are reported instead of being
 * missed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Octokit } from '@octokit/rest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = ['shared', 'functions', 'dev'];
const SKIPPED = 'dev/github';

export interface AppCall {
  /** Where, e.g. `shared/adapters/github-deploy-repo.ts`. */
  file: string;
  /** What the source says, e.g. `rest.git.updateRef`. */
  call: string;
  method: string;
  /** Octokit's path template, e.g. `/repos/{owner}/{repo}/git/refs/{ref}`. */
  path: string;
}

const REST_CALL = /\.\s*rest\s*\.\s*(\w+)\s*\.\s*(\w+)/g;
// GraphQL calls (`octokit.graphql(…)`) are not REST operations: their documents are validated against GitHub's
// GraphQL schema instead (test/integration/deploy-graphql.test.ts for the deploy's).
const UNRESOLVABLE = [/\.\s*request\s*\(\s*['"`]/g, /\.\s*rest\s*\[/g, /\.\s*rest\s*\.\s*\w+\s*\[/g];
const AUTH_APP = /from\s+['"]@octokit\/auth-app['"]/;

export function readAppCalls(): { calls: AppCall[]; unresolved: string[] } {
  const octokit = new Octokit() as unknown as {
    rest: Record<string, Record<string, { endpoint?: { DEFAULTS: { method: string; url: string } } }>>;
  };
  const calls: AppCall[] = [];
  const unresolved: string[] = [];
  for (const file of sourceFiles()) {
    const code = stripComments(readFileSync(join(ROOT, file), 'utf8'));
    for (const [, scope = '', name = ''] of code.matchAll(REST_CALL)) {
      const defaults = octokit.rest[scope]?.[name]?.endpoint?.DEFAULTS;
      if (defaults)
        calls.push({ file, call: `rest.${scope}.${name}`, method: defaults.method, path: defaults.url });
      else unresolved.push(`${file}: rest.${scope}.${name} is not an Octokit method`);
    }
    for (const pattern of UNRESOLVABLE) {
      for (const match of code.matchAll(pattern)) unresolved.push(`${file}: ${match[0]}…`);
    }
    // auth-app mints an installation token for the installation clients (createAppAuth, type installation).
    if (AUTH_APP.test(code)) {
      calls.push({
        file,
        call: '@octokit/auth-app',
        method: 'POST',
        path: '/app/installations/{installation_id}/access_tokens',
      });
    }
  }
  return { calls, unresolved };
}

function sourceFiles(): string[] {
  return SOURCES.flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .map((path) =>
        relative(ROOT, join(ROOT, dir, path))
          .split('\\')
          .join('/'),
      )
      .filter((path) => path.endsWith('.ts') && !path.startsWith(`${SKIPPED}/`)),
  );
}

/** Without block and line comments (a `//` after `:` is a URL in a string, not a comment). */
function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[\s;,{}()])\/\/.*$/gm, '$1');
}
