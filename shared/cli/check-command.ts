/**
 * `kuma-api-forge check`: resolve the arguments to file sources, run the check use case, print the report.
 * @module
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
import { findGitRoot } from '../adapters/git-root.js';
import { createGitSource } from '../adapters/git-source.js';
import { createLocalDeployRepo } from '../adapters/local-deploy-repo.js';
import { createLocalDirSource } from '../adapters/local-dir-source.js';
import { createOasdiffRunner } from '../adapters/oasdiff-runner.js';
import { createSubdirSource } from '../adapters/subdir-source.js';
import { withExtendedRepo } from '../adapters/with-extended-repo.js';
import type { Finding } from '../core/findings.js';
import { parseRepoRef } from '../core/repo-ref.js';
import { renderGithub } from '../core/report/render-github.js';
import { renderJson } from '../core/report/render-json.js';
import { renderMarkdown } from '../core/report/render-markdown.js';
import { renderSarif } from '../core/report/render-sarif.js';
import { renderText } from '../core/report/render-text.js';
import type { FileSource } from '../ports/file-source.js';
import { type CheckTarget, runCheck, UnreadableInputError } from '../use-cases/check.js';
import { previewDeploy } from '../use-cases/preview-deploy.js';
import { type CliIo, UsageError } from './cli-io.js';
import { resolveExtendsDir } from './extends-dir.js';

const packageVersion = packageJson.version;

const formats = ['text', 'json', 'markdown', 'sarif', 'github'] as const;

export async function runCheckCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCli(argv);
  const format = oneOf('--format', values.format ?? 'text', formats);
  const failOn =
    values['fail-on'] === undefined
      ? undefined
      : oneOf('--fail-on', values['fail-on'], ['error', 'warning'] as const);
  const lintScope =
    values.lint === undefined ? undefined : oneOf('--lint', values.lint, ['new', 'all'] as const);
  if (values.base !== undefined && values['base-ref'] !== undefined) {
    throw new UsageError('give either --base or --base-ref, not both');
  }

  const head = await resolveSide(path.resolve(io.cwd, values.head ?? '.'), '--head');
  const base =
    values['base-ref'] !== undefined
      ? await resolveGitBase(head, values['base-ref'])
      : values.base !== undefined
        ? await resolveSide(path.resolve(io.cwd, values.base), '--base')
        : undefined;
  if (base && base.kind !== head.kind) {
    throw new UsageError('--base and --head must both be spec files or both be repo directories');
  }

  const deployCheck = await resolveDeployCheck(values, head, io.cwd);
  const extended = await resolveExtendsDir(values['extends-dir'], values.repo, io.cwd);

  const target: CheckTarget =
    head.kind === 'repo'
      ? {
          mode: 'repo',
          head: withExtendedRepo(head.source, extended),
          base: base && withExtendedRepo(base.source, extended),
        }
      : {
          mode: 'spec',
          head: { source: head.source, entry: head.entry },
          base: base && { source: base.source, entry: base.entry },
        };

  let report: Awaited<ReturnType<typeof runCheck>>;
  try {
    report = await runCheck(
      target,
      {
        approved: values.approved ?? false,
        ...(failOn ? { failOn } : {}),
        ...(lintScope ? { lintScope } : {}),
        ...(deployCheck ? { deployCheck } : {}),
      },
      { breakingDiff: createOasdiffRunner() },
    );
  } catch (error) {
    if (error instanceof UnreadableInputError) throw new UsageError(error.message);
    throw error;
  }

  const output = {
    json: () => renderJson(report),
    markdown: () => renderMarkdown(report, {}),
    sarif: () => renderSarif(report, { toolVersion: packageVersion }),
    github: () => renderGithub(report),
    text: () => renderText(report, { color: false }),
  }[format]();
  io.stdout(output.endsWith('\n') ? output : `${output}\n`);
  return report.verdict === 'pass' ? 0 : 1;
}

function parseCli(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        base: { type: 'string' },
        head: { type: 'string' },
        'base-ref': { type: 'string' },
        format: { type: 'string' },
        'fail-on': { type: 'string' },
        lint: { type: 'string' },
        approved: { type: 'boolean' },
        tenants: { type: 'string' },
        deployed: { type: 'string' },
        governance: { type: 'string' },
        repo: { type: 'string' },
        'extends-dir': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
}

/**
 * `--tenants <file>` / `--deployed <dir>` / `--governance <dir>`: the deploy's tenancy and governance check,
 * against the platform team's grants, rules and limits and the other tenants' claims recorded in a deploy-repo
 * checkout, exactly as the PR preview and the merge run it. `--governance` stands for the checkout's
 * `governance/` folder as `--tenants` stands for its tenants.yaml.
 */
async function resolveDeployCheck(
  values: ReturnType<typeof parseCli>['values'],
  head: Side,
  cwd: string,
): Promise<(() => Promise<Finding[]>) | undefined> {
  const { tenants, deployed, governance, repo } = values;
  if (tenants === undefined && deployed === undefined && governance === undefined) return undefined;
  if (head.kind !== 'repo')
    throw new UsageError('--tenants, --deployed and --governance need a repo directory as --head');
  const sourceRepo = repo === undefined ? undefined : parseRepoRef(repo);
  if (!sourceRepo) {
    throw new UsageError(
      '--tenants, --deployed and --governance need --repo <owner/repo>: the name the tenants file grants',
    );
  }
  const governancePath = governance === undefined ? undefined : path.resolve(cwd, governance);
  if (governancePath && !(await stat(governancePath).catch(() => undefined))?.isDirectory())
    throw new UsageError(`--governance: ${governancePath} is not a directory`);
  const tenantsPath = tenants === undefined ? undefined : path.resolve(cwd, tenants);
  const deployedPath = deployed === undefined ? undefined : path.resolve(cwd, deployed);
  if (tenantsPath && !(await stat(tenantsPath).catch(() => undefined))?.isFile())
    throw new UsageError(`--tenants: ${tenantsPath} is not a file`);
  if (deployedPath && !(await stat(deployedPath).catch(() => undefined))?.isDirectory())
    throw new UsageError(`--deployed: ${deployedPath} is not a directory`);
  return async () => {
    const deployRepo = await createLocalDeployRepo({
      ...(deployedPath ? { dir: deployedPath } : {}),
      ...(tenantsPath ? { tenants: tenantsPath } : {}),
      ...(governancePath ? { governance: governancePath } : {}),
    });
    const preview = await previewDeploy(
      { files: head.source, sourceRepo, sourceSha: 'working-tree' },
      deployRepo,
    );
    const refused = preview.decision.status === 'rejected' ? preview.decision.findings : [];
    return [...refused, ...(preview.prerequisites ?? [])];
  };
}

type Side = { kind: 'repo' | 'spec'; root: string; source: FileSource; entry: string };

/** A directory is a repo (its `.kuma-api-forge.yaml` lists the APIs); a file is a single spec rooted at its folder. */
async function resolveSide(absolute: string, flag: string): Promise<Side> {
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new UsageError(`${flag}: ${absolute} does not exist`);
  if (info.isDirectory())
    return { kind: 'repo', root: absolute, source: createLocalDirSource(absolute), entry: '' };
  const root = path.dirname(absolute);
  return { kind: 'spec', root, source: createLocalDirSource(root), entry: path.basename(absolute) };
}

/** `--base-ref`: the same repo dir or spec file as the head, read from a commit of the enclosing git repo. */
async function resolveGitBase(head: Side, ref: string): Promise<Side> {
  const gitRoot = await findGitRoot(head.root);
  if (!gitRoot) throw new UsageError(`--base-ref needs a git repository, and ${head.root} is not inside one`);
  const prefix = path.relative(gitRoot, head.root).split(path.sep).join('/');
  const source = createSubdirSource(await createGitSource(gitRoot, ref), prefix);
  return { ...head, source };
}
