/**
 * `npm run demo`: the App checking a pull request end to end, on this machine only. It starts the local
 * GitHub and the App (both over real HTTP), creates an API repo, opens a PR that removes an operation, prints
 * the check run and the PR comment, then pushes a fix (a major version bump) and prints the updated comment.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createJsonLogger } from '../shared/adapters/json-logger.js';
import { type LocalGitHub, startLocalGitHub, type WebhookDelivery } from './github/index.js';
import type { CheckRunRecord, CommentRecord } from './github/state.js';
import { type LocalApp, readUserProfile, startApp } from './start.js';

const repo = { owner: 'acme', repo: 'users' };
const marker = '<!-- kuma-api-forge -->';
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);
const icon = { success: '✅', failure: '❌', neutral: '➖' } as Record<string, string>;

function step(text: string): void {
  console.log(`\n${bold(`▶ ${text}`)}`);
}

function box(title: string, body: string): void {
  console.log(`\n  ┌─ ${title}`);
  for (const line of body.trimEnd().split('\n')) console.log(`  │ ${line}`);
  console.log('  └─');
}

function describeDeliveries(deliveries: WebhookDelivery[]): string {
  return deliveries
    .map((d) => `${d.event}${d.action ? `.${d.action}` : ''} → ${d.status} ${d.response}`)
    .join('\n    ');
}

function printCheckRun(run: CheckRunRecord | undefined): void {
  if (!run) {
    console.log('  (no check run)');
    return;
  }
  const lines = [
    `${icon[run.conclusion ?? ''] ?? '•'} ${run.conclusion} — ${run.output.title ?? ''}`,
    `head ${run.headSha.slice(0, 7)}, status ${run.status}`,
  ];
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

function printComment(comment: CommentRecord | undefined, note: string): void {
  if (!comment) {
    console.log('  (no comment)');
    return;
  }
  const body = comment.body.startsWith(marker) ? comment.body.slice(marker.length).trimStart() : comment.body;
  box(`PR comment #${comment.id} by ${comment.user.login} (${note})`, body);
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(
    bold('kuma-api-forge demo: a GitHub App checking an OpenAPI pull request, all on this machine'),
  );
  let gh: LocalGitHub | undefined;
  let app: LocalApp | undefined;
  try {
    step('Starting a local GitHub and the App');
    gh = await startLocalGitHub();
    const webhookSecret = randomBytes(16).toString('hex');
    const credentials = gh.admin.createApp({ webhookSecret });
    await gh.admin.installApp(credentials.id, repo.owner);
    app = await startApp({
      settings: {
        appId: credentials.id,
        privateKey: credentials.privateKey!,
        webhookSecret,
        githubApiUrl: gh.url,
      },
      // Only problems: the demo prints what the App did on GitHub.
      log: createJsonLogger('warn', (line) => process.stderr.write(`${line}\n`)),
    });
    gh.admin.setWebhook(credentials.id, { url: app.webhookUrl });
    console.log(`  local GitHub  ${gh.url}  (REST API over git repos in a temp dir)`);
    console.log(`  the App       ${app.webhookUrl}  (Hono; in-memory queue; worker in process)`);
    console.log(`  installed on  ${repo.owner} as App ${credentials.id}`);

    step(`Creating ${repo.owner}/${repo.repo}: the user-profile API (openapi/users.yaml, v1.4.0)`);
    await gh.admin.createRepo({ ...repo, files: await readUserProfile() });

    step('Opening a pull request that removes DELETE /users/{userId}');
    await gh.admin.push({
      ...repo,
      branch: 'remove-delete-user',
      files: await readUserProfile('removed-operation'),
      message: 'Remove DELETE /users/{userId}',
    });
    let calls = gh.requests.length;
    const opened = await gh.admin.openPullRequest({
      ...repo,
      head: 'remove-delete-user',
      title: 'Remove DELETE /users/{userId}',
    });
    console.log(`  PR #${opened.number}; GitHub delivered ${describeDeliveries(opened.deliveries)}`);
    await app.queue.idle();
    console.log(dim(`  the worker checked it with ${gh.requests.length - calls} GitHub API calls`));
    printCheckRun(gh.admin.checkRuns({ ...repo, sha: opened.headSha }).at(-1));
    const first = gh.admin
      .comments({ ...repo, number: opened.number })
      .find((c) => c.body.startsWith(marker));
    printComment(first, 'created');

    step('Pushing a fix: info.version 1.4.0 → 2.0.0 (a major release may remove operations)');
    calls = gh.requests.length;
    const fix = await gh.admin.push({
      ...repo,
      branch: 'remove-delete-user',
      files: await readUserProfile('major-bump'),
      message: 'Release 2.0.0: DELETE /users/{userId} is gone',
    });
    console.log(`  GitHub delivered ${describeDeliveries(fix.deliveries)}`);
    await app.queue.idle();
    console.log(dim(`  the worker checked it with ${gh.requests.length - calls} GitHub API calls`));
    printCheckRun(gh.admin.checkRuns({ ...repo, sha: fix.sha }).at(-1));
    const comments = gh.admin
      .comments({ ...repo, number: opened.number })
      .filter((c) => c.body.startsWith(marker));
    printComment(
      comments[0],
      comments.length === 1 && comments[0]!.id === first?.id ? 'the same comment, updated in place' : 'new',
    );

    const failed = app.queue.deadLetters.length;
    if (failed > 0) throw new Error(`${failed} job(s) failed; see the log above`);
    console.log(
      `\n${bold('Done')} in ${((Date.now() - started) / 1000).toFixed(1)} s. Nothing left this machine.`,
    );
  } finally {
    await app?.stop();
    await gh?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
