/**
 * `npm run pr -- <api repo dir>`: your own API repo through the App, on this machine only — the demo, for your
 * spec. It starts the local GitHub and the App (as `npm run demo` does), creates the API repo from the folder's
 * committed state (git HEAD, or `--base-ref`) and deploys it, opens a pull request whose head is the folder as it
 * is on disk (the working tree: uncommitted and untracked files included, ignored files not), prints the check
 * run and the PR comment, merges the PR and prints the deploy commit.
 * @module
 */
import { execFile } from 'node:child_process';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { stringify } from 'yaml';
import { createJsonLogger } from '../shared/adapters/json-logger.js';
import { createMemoryFileSource } from '../shared/adapters/memory-file-source.js';
import { repoConfigFiles } from '../shared/core/config/config-location.js';
import { routeGateway } from '../shared/core/config/resolve-api.js';
import { buildRepoFolder } from '../shared/core/deploy/deploy-paths.js';
import { describeTarget, type Environment, parseEnvironments } from '../shared/core/deploy/environments.js';
import { parseSourceRecord, sourceRecordFile } from '../shared/core/deploy/source-record.js';
import { formatRepoRef, parseRepoRef, type RepoRef } from '../shared/core/repo-ref.js';
import { readServerPaths } from '../shared/core/routing/server-paths.js';
import { renderRepo } from '../shared/use-cases/render-repo.js';
import { createLocalEnvironments, environmentPathOf, localBranchOf, ownersOf } from './local-environments.js';
import type { LocalStack } from './local-flow.js';

const run = promisify(execFile);

const usage = `Usage: npm run pr -- <api repo dir> [--base-ref <ref>] [--deploy-repo <dir>] [--repo <owner/name>]
                      [--environments <file>] [--keep-open]

Plays a pull request of a local API repo folder through the App and a local GitHub, then merges it:
  base  the folder as committed at --base-ref (default HEAD) in its git repository; deployed first
  head  the folder as it is on disk (uncommitted and untracked files too; git-ignored files not)
Prints the check run (conclusion, title, annotations), the PR comment and the deploy commit's files.

Options:
  --base-ref <ref>     the git ref the PR's base is read from (default HEAD)
  --deploy-repo <dir>  a folder with the platform team's deploy repo (tenants.yaml, …) to deploy to; default:
                       a new one whose tenants.yaml grants the API repo what its .kuma-api-forge.yaml names
                       (named DEPLOY_REPO when set, else platform/<folder name> or platform/mesh-deploy)
  --repo <owner/name>  the API repo's name on the local GitHub (default local/<folder name>)
  --environments <file>
                       a DEPLOY_ENVIRONMENTS list (YAML or JSON) of the deploy targets in promotion order: each
                       environment's repo, branch and folder is created with the tenants.yaml (or the
                       --deploy-repo folder's files); the merge deploys to the first, then a tag matching each
                       later environment's promote.tag is pushed on the merge commit and its promotion printed
  --keep-open          keep the local GitHub running afterwards so the printed links open (Ctrl-C stops)
  -h, --help           this help

Exit codes: 0 the check run did not fail and the merge deployed (and, with --environments, every promotion);
1 the check run failed or something was not deployed; 2 bad input (one line on stderr).`;

/** Bad input: one line on stderr and exit code 2. */
class UsageError extends Error {}

type Files = Record<string, Buffer>;

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', cwd, ...args], { maxBuffer: 256 << 20 });
  return stdout;
}

/** The folder's git repository: its top level and the folder's path in it (`''` or ending in `/`). */
async function gitRepoOf(dir: string): Promise<{ top: string; prefix: string }> {
  try {
    const [top, prefix] = (await git(dir, ['rev-parse', '--show-toplevel', '--show-prefix'])).split('\n');
    return { top: top!, prefix: prefix ?? '' };
  } catch {
    throw new UsageError(`${dir} is not in a git repository (the PR's base is read from a git ref)`);
  }
}

/** The folder's regular files at `ref`, keyed by their path in the folder. */
async function filesAtRef(top: string, prefix: string, ref: string): Promise<Files> {
  let commit: string;
  try {
    commit = (await git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
  } catch {
    throw new UsageError(`--base-ref ${ref}: no such commit in ${top}`);
  }
  const listing = await git(top, [
    'ls-tree',
    '-r',
    '-z',
    '--full-tree',
    commit,
    '--',
    ...(prefix ? [prefix] : []),
  ]);
  const files: Files = {};
  for (const entry of listing.split('\0')) {
    const match = /^(\d+) blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (!match || match[1] === '120000') continue; // symlinks and submodules are not files of the API repo
    const { stdout } = await run('git', ['-C', top, 'cat-file', 'blob', match[2]!], {
      encoding: 'buffer',
      maxBuffer: 256 << 20,
    });
    files[match[3]!.slice(prefix.length)] = stdout;
  }
  return files;
}

/**
 * The folder's files on disk that git would commit (tracked or untracked, not ignored); outside a git
 * repository (a deploy repo folder may be a plain one), every file but `.git/`.
 */
async function filesOnDisk(dir: string): Promise<Files> {
  const files: Files = {};
  const listed = await git(dir, ['ls-files', '-z', '-c', '-o', '--exclude-standard']).catch(async () =>
    (await readdir(dir, { recursive: true })).filter((p) => !/^\.git([/\\]|$)/.test(p)).join('\0'),
  );
  for (const path of listed.split('\0')) {
    if (!path) continue;
    const info = await lstat(join(dir, path)).catch(() => undefined); // a tracked file deleted on disk
    if (info?.isFile()) files[path] = await readFile(join(dir, path));
  }
  return files;
}

async function requireFolder(dir: string, what: string): Promise<string> {
  const path = resolve(dir);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${what} ${dir} is not a folder`);
  return path;
}

/**
 * A tenants.yaml granting `repo` what the render of its config needs: the MeshGateways (kuma-gateway) or the
 * parent Gateways as `namespace/name` (gateway-api, `parentGateways`), the hostnames, the base paths (the
 * config's `basePath`, else the spec's servers), the namespaces of its services and routes, and its meshes.
 * Read from the render, so the repo's top-level `target` and `parentRef` apply as they do in the deploy. A config
 * that does not render grants nothing: the App reports it on the PR.
 */
async function grantFromRender(repo: RepoRef, files: Files): Promise<string> {
  const grant = {
    gateways: new Set<string>(),
    parentGateways: new Set<string>(),
    hostnames: new Set<string>(),
    basePaths: new Set<string>(),
    namespaces: new Set<string>(),
    meshes: new Set<string>(['default']),
  };
  const rendered = await renderRepo(createMemoryFileSource(files), { format: 'k8s' });
  for (const { api, spec, operations, resources } of rendered.apis) {
    if (api.target === 'gateway-api' && api.parentRef) grant.parentGateways.add(routeGateway(api));
    else grant.gateways.add(routeGateway(api));
    for (const host of api.hostnames ?? []) grant.hostnames.add(host);
    for (const base of readServerPaths(spec, api.basePath).bases)
      if (!base.template.includes('{')) grant.basePaths.add(base.template || '/');
    if (api.service?.namespace) grant.namespaces.add(api.service.namespace);
    for (const operation of operations) if (operation.namespace) grant.namespaces.add(operation.namespace);
    for (const resource of resources) if (resource.mesh) grant.meshes.add(resource.mesh);
  }
  const lists = Object.fromEntries(
    Object.entries(grant)
      .filter(([key, set]) => key !== 'parentGateways' || set.size > 0)
      .map(([key, set]) => [key, [...set].sort()]),
  );
  return stringify({ tenants: { [formatRepoRef(repo)]: lists } });
}

interface Options {
  dir: string;
  baseRef: string;
  deployDir?: string;
  repo: RepoRef;
  /** `--environments <file>`: the file, read once the other input is known good. */
  environmentsFile?: string;
  keepOpen: boolean;
}

function readOptions(argv: string[]): Options | undefined {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof flags; allowPositionals: true }>>;
  const flags = {
    'base-ref': { type: 'string' },
    'deploy-repo': { type: 'string' },
    repo: { type: 'string' },
    environments: { type: 'string' },
    'keep-open': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  } as const;
  try {
    parsed = parseArgs({ args: argv, options: flags, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  if (positionals.length !== 1)
    throw new UsageError(`expected one API repo folder, got ${positionals.length} (see --help)`);
  const dir = positionals[0]!;
  const name =
    basename(resolve(dir))
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^\.+/, '') || 'api';
  const repo = parseRepoRef(values.repo ?? `local/${name}`);
  if (!repo) throw new UsageError(`--repo must be "owner/name", got "${values.repo}"`);
  return {
    dir,
    baseRef: values['base-ref'] ?? 'HEAD',
    ...(values['deploy-repo'] === undefined ? {} : { deployDir: values['deploy-repo'] }),
    repo,
    ...(values.environments === undefined ? {} : { environmentsFile: values.environments }),
    keepOpen: values['keep-open'] ?? false,
  };
}

/**
 * The environments of `--environments <file>`, checked as the App checks `DEPLOY_ENVIRONMENTS`; only promotions
 * by tag are played (an approval needs a review of a deploy PR, a time rule hours of waiting).
 */
async function readEnvironments(file: string): Promise<Environment[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`--environments ${file}: cannot read the file`);
  });
  const parsed = parseEnvironments(text);
  if ('error' in parsed) throw new UsageError(`--environments ${file}: ${parsed.error}`);
  const untagged = parsed.environments.find((env) => env.promote && !('tag' in env.promote));
  if (untagged)
    throw new UsageError(
      `--environments ${file}: ${untagged.name} is not promoted by a tag (promote: ${JSON.stringify(untagged.promote)}); npm run pr plays promotions by tag only`,
    );
  return parsed.environments;
}

/** A tag name the pattern matches: each `*` as `1.0.0` (`v*` → `v1.0.0`). */
const tagFor = (pattern: string) => pattern.replaceAll('*', '1.0.0');

function changes(base: Files, head: Files): Record<string, Buffer | null> {
  const changed: Record<string, Buffer | null> = {};
  for (const [path, content] of Object.entries(head))
    if (!base[path]?.equals(content)) changed[path] = content;
  for (const path of Object.keys(base)) if (!(path in head)) changed[path] = null;
  return changed;
}

/** For tests driving `main` in process: called with the running stack before it stops. */
export interface PrHooks {
  beforeStop?(stack: LocalStack): Promise<void>;
}

export async function main(argv: string[], hooks: PrHooks = {}): Promise<number> {
  const options = readOptions(argv);
  if (!options) {
    console.log(usage);
    return 0;
  }
  const { repo } = options;
  const dir = await requireFolder(options.dir, 'the API repo folder');
  const { top, prefix } = await gitRepoOf(dir);
  const head = await filesOnDisk(dir);
  const configPath = repoConfigFiles.find((path) => head[path] !== undefined);
  if (!configPath)
    throw new UsageError(
      `${options.dir} has no .kuma-api-forge.yaml nor .github/kuma-api-forge.yaml (is it an API repo folder?)`,
    );
  const base = await filesAtRef(top, prefix, options.baseRef);
  const deployFolder = options.deployDir && (await requireFolder(options.deployDir, '--deploy-repo'));
  const deployFiles: Files = deployFolder
    ? await filesOnDisk(deployFolder)
    : { 'tenants.yaml': Buffer.from(await grantFromRender(repo, head)) };
  const named = process.env.DEPLOY_REPO;
  const environments = options.environmentsFile
    ? await readEnvironments(options.environmentsFile)
    : undefined;
  if (environments && named) throw new UsageError('set --environments or DEPLOY_REPO, not both');
  const deployRepo: RepoRef | undefined = environments
    ? environments[0]!.repo
    : named
      ? parseRepoRef(named)
      : { owner: 'platform', repo: deployFolder ? basename(deployFolder) : 'mesh-deploy' };
  if (!deployRepo) throw new UsageError(`DEPLOY_REPO must be "owner/repo", got "${named}"`);
  /** Where merges deploy: the deploy repo's `main`, or the first environment. */
  const first = environments?.[0];
  const deployBranch = first ? localBranchOf(first) : 'main';

  // Imported once the input is known good: bad input fails fast, without loading the App.
  const {
    box,
    commentMarker,
    describeDeliveries,
    dim,
    printCheckRun,
    printComment,
    printDeploy,
    startLocalStack,
    step,
  } = await import('./local-flow.js');
  let stack: LocalStack | undefined;
  try {
    step('Starting a local GitHub and the App');
    stack = await startLocalStack({
      owners: [repo.owner, ...(environments ? ownersOf(environments) : [deployRepo.owner])],
      ...(environments ? { environments } : { deployRepo }),
      log: createJsonLogger('warn', (line) => process.stderr.write(`${line}\n`)),
    });
    const { gh, app } = stack;
    const html = `${gh.url}/_html`;
    console.log(`  local GitHub  ${gh.url}`);
    console.log(`  the App       ${app.webhookUrl}`);

    if (environments) {
      step(
        `Creating the environments' deploy repos, branches and folders${deployFolder ? `, each with ${options.deployDir}` : ''}`,
      );
      await createLocalEnvironments(gh, environments, () => deployFiles);
      for (const env of environments)
        console.log(
          `  ${env.name}: ${describeTarget(env)} ${html}/${formatRepoRef(env.repo)}/blob/${localBranchOf(env)}/${environmentPathOf(env, 'tenants.yaml')}`,
        );
    } else {
      step(
        `Creating the deploy repo ${formatRepoRef(deployRepo)}${deployFolder ? ` from ${options.deployDir}` : ''}`,
      );
      await gh.admin.createRepo({ ...deployRepo, files: deployFiles });
    }
    if (!deployFolder)
      box(`tenants.yaml (granting what ${configPath} needs)`, deployFiles['tenants.yaml']!.toString());

    step(`Creating ${formatRepoRef(repo)} from ${options.dir} at ${options.baseRef}, and deploying it`);
    await gh.admin.createRepo({ ...repo, files: {} });
    const seeded = await gh.admin.push({
      ...repo,
      branch: 'main',
      files: base,
      message: `${options.baseRef} of ${options.dir}`,
    });
    console.log(`  GitHub delivered ${describeDeliveries(seeded.deliveries)}`);
    await app.queue.idle();

    const changed = changes(base, head);
    step(
      `Opening a pull request: ${options.dir} as on disk (${Object.keys(changed).length} file(s) changed)`,
    );
    for (const [path, content] of Object.entries(changed))
      console.log(`    ${content === null ? 'D' : path in base ? 'M' : 'A'}  ${path}`);
    await gh.admin.push({ ...repo, branch: 'local-changes', files: changed, message: 'Local changes' });
    const opened = await gh.admin.openPullRequest({
      ...repo,
      head: 'local-changes',
      title: `Local changes of ${options.dir}`,
    });
    console.log(`  PR #${opened.number} ${html}/${formatRepoRef(repo)}/pull/${opened.number}`);
    console.log(`  GitHub delivered ${describeDeliveries(opened.deliveries)}`);
    await app.queue.idle();
    const check = gh.admin.checkRuns({ ...repo, sha: opened.headSha }).at(-1);
    printCheckRun(check, check && `${html}/${formatRepoRef(repo)}/runs/${check.id}`);
    printComment(
      gh.admin.comments({ ...repo, number: opened.number }).find((c) => c.body.startsWith(commentMarker)),
      'on the PR',
    );

    const target = first ? `${first.name} (${describeTarget(first)})` : formatRepoRef(deployRepo);
    step(`Merging PR #${opened.number}: the App deploys the merge commit to ${target}`);
    const before = await gh.admin.resolve({ ...deployRepo, ref: deployBranch });
    const merged = await gh.admin.mergePullRequest({ ...repo, number: opened.number });
    console.log(`  GitHub delivered ${describeDeliveries(merged.deliveries)}`);
    await app.queue.idle();
    let deployed = (await gh.admin.resolve({ ...deployRepo, ref: deployBranch })) !== before;
    if (deployed)
      await printDeploy(gh, {
        deployRepo,
        branch: deployBranch,
        ...(first?.path ? { folder: first.path } : {}),
        ...(first ? { target } : {}),
        pull: { ...repo, number: opened.number },
        link: (sha) => `${html}/${formatRepoRef(deployRepo)}/commit/${sha}`,
      });
    else console.log('  nothing was deployed: the deploy repo is unchanged');
    // Each later environment in turn: a tag matching its rule, pushed on the merge commit, promotes it there.
    const pushed = new Set<string>();
    for (const env of deployed ? (environments?.slice(1) ?? []) : []) {
      const tag = tagFor((env.promote as { tag: string }).tag);
      const envTarget = `${env.name} (${describeTarget(env)})`;
      step(
        `Pushing the tag ${tag} on ${merged.sha.slice(0, 7)} in ${formatRepoRef(repo)}: promotes to ${envTarget}`,
      );
      const previous = await gh.admin.resolve({ ...env.repo, ref: localBranchOf(env) });
      if (!pushed.has(tag)) {
        const tagged = await gh.admin.pushTag({ ...repo, tag, sha: merged.sha });
        console.log(`  GitHub delivered ${describeDeliveries(tagged.deliveries)}`);
        pushed.add(tag);
        await app.queue.idle();
      } else console.log(`  (pushed already: it promoted to every environment its name matches, in order)`);
      if ((await gh.admin.resolve({ ...env.repo, ref: localBranchOf(env) })) === previous) {
        console.log(`  nothing was promoted: ${envTarget} is unchanged`);
        deployed = false;
        break;
      }
      await printDeploy(gh, {
        deployRepo: env.repo,
        branch: localBranchOf(env),
        ...(env.path ? { folder: env.path } : {}),
        target: envTarget,
        link: (sha) => `${html}/${formatRepoRef(env.repo)}/commit/${sha}`,
      });
    }
    if (environments && deployed) {
      const runs = await Promise.all(environments.map((env) => runningCommit(gh, env, repo)));
      box(
        'What each environment runs now',
        environments
          .map((env, index) => `${env.name}: ${formatRepoRef(repo)}@${runs[index]?.slice(0, 7) ?? 'nothing'}`)
          .join('\n'),
      );
    }
    const failed = app.queue.deadLetters.length;
    if (failed > 0) {
      console.error(`${failed} job(s) of the App failed; see the log above`);
      deployed = false;
    }
    if (options.keepOpen) {
      console.log(
        `\nThe local GitHub stays up at ${html}/${formatRepoRef(repo)}/pull/${opened.number}; Ctrl-C stops.`,
      );
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
    } else
      console.log(dim('\nThe local GitHub stopped with this command: pass --keep-open to open the links.'));
    await hooks.beforeStop?.(stack);
    return check?.conclusion === 'failure' || !deployed ? 1 : 0;
  } finally {
    await stack?.stop();
  }
}

/** The source commit an environment's `.source.yaml` records for `repo`, if any. */
async function runningCommit(gh: LocalStack['gh'], env: Environment, repo: RepoRef) {
  const path = environmentPathOf(env, `${buildRepoFolder(repo)}${sourceRecordFile}`);
  const text = await gh.admin.readFile({ ...env.repo, ref: localBranchOf(env), path });
  return text === undefined ? undefined : parseSourceRecord(text)?.commit;
}

/**
 * The command without its process: the exit code; bad input is one line on stderr (exit code 2). The tests drive
 * it in process; run as a script, its code is the process's exit code.
 */
export async function runPr(argv: string[], hooks: PrHooks = {}): Promise<number> {
  try {
    return await main(argv, hooks);
  } catch (error) {
    console.error(`kuma-api-forge pr: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  runPr(process.argv.slice(2)).then((code) => process.exit(code));
