/**
 * What `npm run demo` and `npm run pr` share: the local GitHub and the App started and wired together, and the
 * printing of what the App did there (check run, PR comment, deploy commit).
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Environment } from '../shared/core/deploy/environments.js';
import { formatRepoRef, type RepoRef } from '../shared/core/repo-ref.js';
import type { Logger } from '../shared/ports/logger.js';
import { type LocalGitHub, startLocalGitHub, type WebhookDelivery } from './github/index.js';
import type { CheckRunRecord, CommentRecord } from './github/state.js';
import { type LocalApp, startApp } from './start.js';

export const commentMarker = '<!-- kuma-api-forge -->';
export const deployMarker = '<!-- kuma-api-forge:deploy -->';

export const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
export const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);
const icon = { success: '✅', failure: '❌', neutral: '➖' } as Record<string, string>;

export function step(text: string): void {
  console.log(`\n${bold(`▶ ${text}`)}`);
}

export function box(title: string, body: string): void {
  console.log(`\n  ┌─ ${title}`);
  for (const line of body.trimEnd().split('\n')) console.log(`  │ ${line}`);
  console.log('  └─');
}

export function describeDeliveries(deliveries: WebhookDelivery[]): string {
  return deliveries
    .map((d) => `${d.event}${d.action ? `.${d.action}` : ''} → ${d.status} ${d.response}`)
    .join('\n    ');
}

export function printCheckRun(run: CheckRunRecord | undefined, link?: string): void {
  if (!run) {
    console.log('  (no check run)');
    return;
  }
  const lines = [
    `${icon[run.conclusion ?? ''] ?? '•'} ${run.conclusion} — ${run.output.title ?? ''}`,
    `head ${run.headSha.slice(0, 7)}, status ${run.status}`,
  ];
  if (link) lines.push(`view ${link}`);
  lines.push(
    run.annotations.length === 0
      ? 'annotations: none on the head commit'
      : `annotations (${run.annotations.length}):`,
  );
  for (const a of run.annotations)
    lines.push(
      `  ${a.path}:${a.start_line} ${a.annotation_level} ${a.title ?? ''}: ${a.message.split('\n')[0]}`,
    );
  if (run.output.text) lines.push('', ...run.output.text.trimEnd().split('\n'));
  box(`Check run "${run.name}"`, lines.join('\n'));
}

/** The comment; a mesh-changes section identical to `shown` is elided (it was printed already). */
export function printComment(comment: CommentRecord | undefined, note: string, shown?: string): void {
  if (!comment) {
    console.log('  (no comment)');
    return;
  }
  let body = comment.body.startsWith(commentMarker)
    ? comment.body.slice(commentMarker.length).trimStart()
    : comment.body;
  const mesh = meshSection(body);
  if (shown !== undefined && mesh === shown) {
    body = `${body.slice(0, body.length - mesh.length)}### Mesh changes\n\n${dim('(the same as above)')}\n`;
  }
  box(`PR comment #${comment.id} by ${comment.user.login} (${note})`, body);
}

export function meshSection(body: string): string {
  const at = body.indexOf('### Mesh changes');
  return at < 0 ? '' : body.slice(at);
}

export interface DeployPrint {
  /** The deploy repo the App commits to. */
  deployRepo: RepoRef;
  /** Its branch (default `main`). */
  branch?: string;
  /** An environment's folder of the branch: only its files are listed (default: every file). */
  folder?: string;
  /** What the box calls the target (default `<owner>/<repo>@<branch>`). */
  target?: string;
  /** Boxes the files of the deploy commit these pick (in order), e.g. a route and its policy. */
  manifests?: (files: string[]) => (string | undefined)[];
  /** The merged PR whose deploy note (a comment) is printed. */
  pull?: RepoRef & { number: number };
  /** Printed under the title, e.g. a link to the commit. */
  link?: (sha: string) => string;
}

/**
 * The deploy repo's last commit on the branch (message, files changed as `A|M|D  path`, in the folder if one is
 * given); the changed paths are returned. Throws when the branch has fewer than two commits (nothing deployed).
 */
export async function printDeploy(gh: LocalGitHub, options: DeployPrint): Promise<string[]> {
  const { deployRepo, branch = 'main', folder } = options;
  const [commit, parent] = await gh.admin.log({ ...deployRepo, ref: branch });
  if (!commit || !parent) throw new Error('nothing was deployed');
  const inFolder = (paths: string[]) => (folder ? paths.filter((p) => p.startsWith(`${folder}/`)) : paths);
  const [after = [], before = []] = await Promise.all(
    [commit.sha, parent.sha].map(async (ref) => inFolder(await gh.admin.listFiles({ ...deployRepo, ref }))),
  );
  const read = (path: string, ref: string) => gh.admin.readFile({ ...deployRepo, ref, path });
  const files: string[] = [];
  for (const path of [...new Set([...after, ...before])].sort()) {
    const [a, b] = await Promise.all([read(path, parent.sha), read(path, commit.sha)]);
    if (a !== b) files.push(`${a === undefined ? 'A' : b === undefined ? 'D' : 'M'}  ${path}`);
  }
  box(
    `Deploy commit ${commit.sha.slice(0, 7)} on ${options.target ?? `${formatRepoRef(deployRepo)}@${branch}`}`,
    [
      commit.message.trimEnd(),
      ...(options.link ? ['', `view ${options.link(commit.sha)}`] : []),
      '',
      'files:',
      ...files.map((f) => `  ${f}`),
    ].join('\n'),
  );
  for (const path of options.manifests?.(after) ?? []) {
    if (path) box(path, (await read(path, commit.sha)) ?? '');
  }
  if (options.pull) {
    const note = gh.admin.comments(options.pull).find((c) => c.body.startsWith(deployMarker));
    if (note) box(`PR comment #${note.id} on the merged PR`, note.body.slice(deployMarker.length).trim());
  }
  return files;
}

export interface LocalStack {
  gh: LocalGitHub;
  app: LocalApp;
  appId: number;
  stop(): Promise<void>;
}

/**
 * The local GitHub and the App over real HTTP, the App installed on `owners` and its webhook pointed at the
 * App; `deployRepo` is the App's `DEPLOY_REPO`.
 */
export async function startLocalStack(options: {
  owners: string[];
  deployRepo?: RepoRef;
  /** `DEPLOY_ENVIRONMENTS` instead of `deployRepo` (the first is where merges deploy). */
  environments?: Environment[];
  log: Logger;
}): Promise<LocalStack> {
  const gh = await startLocalGitHub();
  let app: LocalApp | undefined;
  try {
    const webhookSecret = randomBytes(16).toString('hex');
    const credentials = gh.admin.createApp({ webhookSecret });
    for (const owner of new Set(options.owners)) await gh.admin.installApp(credentials.id, owner);
    app = await startApp({
      settings: {
        appId: credentials.id,
        privateKey: credentials.privateKey!,
        webhookSecret,
        githubApiUrl: gh.url,
        ...(options.deployRepo ? { deployRepo: options.deployRepo } : {}),
        ...(options.environments
          ? {
              environments: options.environments,
              deployRepo: options.environments[0]!.repo,
              ...(options.environments[0]!.branch ? { deployBranch: options.environments[0]!.branch } : {}),
            }
          : {}),
      },
      // The local GitHub has no secondary rate limits: no need to space writes a second apart.
      spaceWrites: false,
      log: options.log,
    });
    gh.admin.setWebhook(credentials.id, { url: app.webhookUrl });
    const started = app;
    return {
      gh,
      app,
      appId: credentials.id,
      async stop() {
        await started.stop();
        await gh.stop();
      },
    };
  } catch (error) {
    await app?.stop();
    await gh.stop();
    throw error;
  }
}
