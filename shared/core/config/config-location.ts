/**
 * Where a repo keeps its config: `.kuma-api-forge.yaml` at the root, or `.github/kuma-api-forge.yaml` next to
 * GitHub's own files (dependabot.yml, CODEOWNERS). One of them. With both, the root file is used — it is where
 * the config always lived, so adding a second file never displaces the gates a repo already has — and the
 * `.github/` file gets an error finding, so the ambiguity fails the check and the deploy until one is deleted.
 * Paths inside the config (specs, the ruleset) are relative to the repo root wherever the file is.
 * Its `_extends` (org defaults, extends.ts) is resolved here, so every reader of the config gets the merged one.
 * @module
 */
import type { Finding } from '../findings.js';
import type { FileSource } from '../spec/file-source.js';
import { loadSourceFile } from '../spec/load-spec.js';
import { fileStart } from '../spec/spec-finding.js';
import type { SourceFile } from '../spec/types.js';
import { resolveExtends } from './extends.js';
import { repoConfigFile } from './repo-config.js';

export const githubConfigFile = '.github/kuma-api-forge.yaml';

/** Both places, in the order they win. */
export const repoConfigFiles = [repoConfigFile, githubConfigFile] as const;

export interface LocatedConfig {
  /** As `loadSourceFile` gives it: undefined when neither file exists. */
  loaded: SourceFile | { findings: Finding[] } | undefined;
  /** The other file too: `config-in-two-places`. */
  findings: Finding[];
}

export async function loadRepoConfigFile(source: FileSource): Promise<LocatedConfig> {
  const located = await locateRepoConfigFile(source);
  if (located.loaded === undefined || 'findings' in located.loaded) return located;
  const resolved = await resolveExtends(located.loaded, source.extendedRepos);
  return { loaded: resolved.file, findings: [...located.findings, ...resolved.findings] };
}

async function locateRepoConfigFile(source: FileSource): Promise<LocatedConfig> {
  const [root, github] = await Promise.all(repoConfigFiles.map((path) => loadSourceFile(source, path)));
  if (root === undefined && github === undefined) return { loaded: await misnamed(source), findings: [] };
  if (root === undefined || github === undefined) return { loaded: root ?? github, findings: [] };
  return {
    loaded: root,
    findings: [
      {
        kind: 'validation',
        id: 'config-in-two-places',
        severity: 'error',
        message: `this repo has both ${repoConfigFile} and ${githubConfigFile}; ${repoConfigFile} is the one read: delete one of them`,
        ...fileStart(githubConfigFile),
      },
    ],
  };
}

/**
 * A config under the `.yml` spelling is not read, and would otherwise pass as "nothing to check": it is an error
 * on that file instead, so the check and the deploy say what to rename.
 */
async function misnamed(source: FileSource): Promise<{ findings: Finding[] } | undefined> {
  for (const path of repoConfigFiles) {
    const yml = path.replace(/\.yaml$/, '.yml');
    if ((await source.read(yml)) === undefined) continue;
    return {
      findings: [
        {
          kind: 'validation',
          id: 'config-misnamed',
          severity: 'error',
          message: `${yml} is not read: kuma-api-forge reads ${path}; rename it`,
          ...fileStart(yml),
        },
      ],
    };
  }
  return undefined;
}
