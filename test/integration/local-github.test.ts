import { createSign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import examples from '@octokit/webhooks-examples';
import { verify } from '@octokit/webhooks-methods';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusOf } from '../contract/all-routes-scenario.js';
import { quiet, type Started, startWithApp } from '../contract/setup.js';

const repo = { owner: 'acme', repo: 'pets' };
let s: Started;
beforeEach(async () => {
  s = await startWithApp();
});
afterEach(() => s.gh.stop());

/** A webhook receiver that records what arrives (headers lower-cased, raw body). */
async function startReceiver() {
  const received: { headers: Record<string, string>; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(202).end('queued');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const example = (name: string) => {
  const found = (examples as unknown as { name: string; examples: Record<string, unknown>[] }[]).find(
    (e) => e.name === name,
  );
  return found!.examples[0]!;
};

describe('auth', () => {
  it('mints installation tokens only for a valid App JWT and keeps each token to its own account', async () => {
    const other = s.gh.admin.createApp({ name: 'other' });
    await s.gh.admin.installApp(other.id, 'globex');
    await s.gh.admin.createRepo({ owner: 'globex', repo: 'secret', files: { 'a.txt': 'a' } });
    // A JWT signed with another App's key for this App's id is refused.
    const forged = new Octokit({
      baseUrl: s.gh.url,
      authStrategy: createAppAuth,
      auth: { appId: s.app.id, privateKey: other.privateKey! },
      log: quiet,
    });
    expect(await statusOf(forged.rest.apps.getRepoInstallation(repo))).toBe(401);
    // acme's installation token cannot see globex's repo: 404, as on GitHub.
    const main = { ref: 'heads/main' };
    expect(await statusOf(s.octokit.rest.git.getRef({ owner: 'globex', repo: 'secret', ...main }))).toBe(404);
    const unauthenticated = await statusOf(
      new Octokit({ baseUrl: s.gh.url, log: quiet }).rest.git.getRef({ ...repo, ...main }),
    );
    expect(unauthenticated).toBe(401);
  });

  it('narrows a token to the repos and permissions asked for, and refuses more than the installation has', async () => {
    await s.gh.admin.createRepo({ owner: 'acme', repo: 'deploy', files: { 'a.txt': 'a' } });
    const mint = (body: Record<string, unknown>) =>
      s.appOctokit.request('POST /app/installations/{installation_id}/access_tokens', {
        installation_id: s.installationId,
        ...body,
      });
    const { data } = await mint({
      repositories: ['pets'],
      permissions: { contents: 'read', checks: 'write' },
    });
    expect(data.permissions).toEqual({ contents: 'read', checks: 'write', metadata: 'read' });
    expect(data.repository_selection).toBe('selected');
    expect(data.repositories?.map((r) => r.full_name)).toEqual(['acme/pets']);
    const narrowed = new Octokit({ baseUrl: s.gh.url, auth: data.token, log: quiet });

    // Reads and the granted write work; the rest is refused with GitHub's answers.
    const main = await narrowed.rest.git.getRef({ ...repo, ref: 'heads/main' });
    await narrowed.rest.checks.create({ ...repo, name: 'x', head_sha: main.data.object.sha });
    const write = narrowed.rest.git.createRef({ ...repo, ref: 'refs/heads/x', sha: main.data.object.sha });
    await expect(write).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining('Resource not accessible by integration'),
    });
    expect(await statusOf(narrowed.rest.pulls.list(repo))).toBe(403);
    expect(
      await statusOf(narrowed.rest.git.getRef({ owner: 'acme', repo: 'deploy', ref: 'heads/main' })),
    ).toBe(404);
    expect(await s.gh.admin.resolve({ ...repo, ref: 'x' })).toBeUndefined();

    // Only the repos and permissions the installation has: 422, no token.
    expect(await statusOf(mint({ repositories: ['pets', 'elsewhere'] }))).toBe(422);
    expect(await statusOf(mint({ repository_ids: [123456789] }))).toBe(422);
    expect(await statusOf(mint({ permissions: { administration: 'write' } }))).toBe(422);
    expect(await statusOf(mint({ permissions: { metadata: 'write' } }))).toBe(422);
  });

  it('refuses an App JWT valid for more than ten minutes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = (claims: object) => {
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const data = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
      return `${data}.${createSign('RSA-SHA256').update(data).sign(s.app.privateKey!, 'base64url')}`;
    };
    const asApp = (token: string) =>
      new Octokit({ baseUrl: s.gh.url, auth: token, log: quiet }).rest.apps.getRepoInstallation(repo);
    expect((await asApp(jwt({ iss: s.app.id, iat: now - 30, exp: now + 540 }))).data.app_id).toBe(s.app.id);
    expect(await statusOf(asApp(jwt({ iss: s.app.id, iat: now, exp: now + 660 })))).toBe(401);
    expect(await statusOf(asApp(jwt({ iss: s.app.id, iat: now - 700, exp: now - 100 })))).toBe(401);
  });
});

describe('contents and git data at a commit', () => {
  it('reads files and trees exactly as committed, at any ref', async () => {
    const { sha } = await s.gh.admin.push({
      ...repo,
      branch: 'feature',
      files: { 'specs/b.yaml': 'b: 1\n' },
    });
    const tree = await s.octokit.rest.git.getTree({ ...repo, tree_sha: sha, recursive: '1' });
    expect(tree.data.tree.map((e) => `${e.type} ${e.path}`)).toEqual([
      'blob README.md',
      'blob openapi.yaml',
      'tree specs',
      'blob specs/b.yaml',
    ]);
  });
});

describe('pulls, comments, check runs', () => {
  it('follows the head branch while open, freezes it when merged with a real merge commit', async () => {
    await s.gh.admin.push({ ...repo, branch: 'feature', files: { 'openapi.yaml': 'v2' } });
    const { number } = await s.gh.admin.openPullRequest({ ...repo, head: 'feature' });
    const { sha: second } = await s.gh.admin.push({ ...repo, branch: 'feature', files: { 'new.yaml': 'n' } });
    const pullRequest = async () =>
      (
        await s.octokit.graphql<{ repository: { pullRequest: Record<string, unknown> } }>(
          `query($number: Int!) { repository(owner: "acme", name: "pets") {
            pullRequest(number: $number) { state merged headRefOid baseRefOid baseRefName } } }`,
          { number },
        )
      ).repository.pullRequest;
    const main = await s.gh.admin.resolve({ ...repo, ref: 'main' });
    expect(await pullRequest()).toEqual({
      state: 'OPEN',
      merged: false,
      headRefOid: second,
      baseRefOid: main,
      baseRefName: 'main',
    });
    const { sha: merge } = await s.gh.admin.mergePullRequest({ ...repo, number });
    expect((await s.gh.admin.commit({ ...repo, ref: merge })).parents).toHaveLength(2);
    await s.gh.admin.push({ ...repo, branch: 'feature', files: { 'later.yaml': 'l' } });
    expect(await pullRequest()).toMatchObject({ state: 'MERGED', merged: true, headRefOid: second });
    const missing = await s.octokit
      .graphql('query { repository(owner: "acme", name: "pets") { pullRequest(number: 999) { state } } }')
      .catch((error: { errors?: unknown[] }) => error.errors);
    expect(missing).toEqual([
      expect.objectContaining({ type: 'NOT_FOUND', path: ['repository', 'pullRequest'] }),
    ]);
    const open = await s.octokit.rest.pulls.list({ ...repo, head: 'acme:feature', state: 'open' });
    expect(open.data).toEqual([]);
  });

  it('pages comments and labels like GitHub: first/after, last/before, pageInfo, at most 100', async () => {
    await s.gh.admin.push({ ...repo, branch: 'feature', files: { 'a.txt': 'a' } });
    const { number } = await s.gh.admin.openPullRequest({ ...repo, head: 'feature' });
    for (let i = 1; i <= 5; i++)
      await s.octokit.rest.issues.createComment({ ...repo, issue_number: number, body: `c${i}` });
    type Page = {
      nodes: { body: string; viewerDidAuthor: boolean; author: { login: string } }[];
      pageInfo: {
        hasNextPage: boolean;
        hasPreviousPage: boolean;
        endCursor: string | null;
        startCursor: string | null;
      };
      totalCount: number;
    };
    const page = async (args: string) =>
      (
        await s.octokit.graphql<{ repository: { pullRequest: { comments: Page } } }>(
          `query($number: Int!) { repository(owner: "acme", name: "pets") { pullRequest(number: $number) {
            comments(${args}) { nodes { body viewerDidAuthor author { login } } totalCount
              pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } } } }`,
          { number },
        )
      ).repository.pullRequest.comments;
    const first = await page('first: 2');
    expect(first.nodes.map((c) => c.body)).toEqual(['c1', 'c2']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.totalCount).toBe(5);
    expect(first.nodes[0]).toMatchObject({ viewerDidAuthor: true, author: { login: 'kuma-api-forge[bot]' } });
    const rest = await page(`first: 100, after: "${first.pageInfo.endCursor}"`);
    expect(rest.nodes.map((c) => c.body)).toEqual(['c3', 'c4', 'c5']);
    expect(rest.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const last = await page(`last: 2, before: "${rest.pageInfo.endCursor}"`);
    expect(last.nodes.map((c) => c.body)).toEqual(['c3', 'c4']);
    const refused = (args: string) =>
      page(args).catch((error: { errors?: { type?: string }[] }) => error.errors?.[0]?.type);
    expect(await refused('first: 101')).toBe('EXCESSIVE_PAGINATION');
    expect(await refused('after: "x"')).toBe('MISSING_PAGINATION_BOUNDARIES');
    expect(await refused('first: 1, after: "bm90IGEgY3Vyc29y"')).toBe('INVALID_CURSOR_ARGUMENTS');
  });

  it('accumulates annotations across updates, refuses 51 at once and leaves the run unchanged', async () => {
    const head = (await s.gh.admin.resolve({ ...repo, ref: 'main' }))!;
    const a = (line: number) => ({
      path: 'openapi.yaml',
      start_line: line,
      end_line: line,
      annotation_level: 'warning' as const,
      message: `m${line}`,
    });
    const run = await s.octokit.rest.checks.create({
      ...repo,
      name: 'kuma-api-forge',
      head_sha: head,
      status: 'in_progress',
    });
    const output = (n: number, from: number) => ({
      title: 't',
      summary: 's',
      annotations: Array.from({ length: n }, (_, i) => a(from + i)),
    });
    await s.octokit.rest.checks.update({ ...repo, check_run_id: run.data.id, output: output(50, 1) });
    await s.octokit.rest.checks.update({ ...repo, check_run_id: run.data.id, output: output(3, 51) });
    expect(
      await statusOf(
        s.octokit.rest.checks.update({
          ...repo,
          check_run_id: run.data.id,
          conclusion: 'success',
          output: output(51, 100),
        }),
      ),
    ).toBe(422);
    const done = await s.octokit.rest.checks.update({
      ...repo,
      check_run_id: run.data.id,
      conclusion: 'failure',
    });
    expect(done.data).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      output: { annotations_count: 53 },
    });
    const [stored, ...others] = s.gh.admin.checkRuns({ ...repo, sha: head });
    expect(others).toEqual([]);
    expect(stored!.annotations.map((x) => x.start_line)).toEqual(Array.from({ length: 53 }, (_, i) => i + 1));
  });
});

describe('webhooks', () => {
  it('delivers signed events GitHub would send, in the shape of @octokit/webhooks-examples', async () => {
    const receiver = await startReceiver();
    try {
      s.gh.admin.setWebhook(s.app.id, { url: receiver.url, secret: 'shh' });
      await s.gh.admin.push({ ...repo, branch: 'feature', files: { 'openapi.yaml': 'v2' } });
      const { number } = await s.gh.admin.openPullRequest({ ...repo, head: 'feature' });
      await s.gh.admin.push({ ...repo, branch: 'feature', files: { 'openapi.yaml': 'v3' } });
      await s.gh.admin.addLabel({ ...repo, number, label: 'breaking-approved' });
      await s.gh.admin.mergePullRequest({ ...repo, number });
      const events = receiver.received.map((r) => {
        const body = JSON.parse(r.body);
        return `${r.headers['x-github-event']}${body.action ? `.${body.action}` : ''}`;
      });
      expect(events).toEqual([
        'push',
        'pull_request.opened',
        'push',
        'pull_request.synchronize',
        'pull_request.labeled',
        'pull_request.closed',
        'push',
      ]);
      for (const r of receiver.received) {
        expect(await verify('shh', r.body, r.headers['x-hub-signature-256']!)).toBe(true);
        expect(r.headers['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
      }
      const opened = JSON.parse(receiver.received[1]!.body);
      expect(Object.keys(opened).sort()).toEqual(
        [...Object.keys(example('pull_request')), 'installation'].sort(),
      );
      const missing = Object.keys(example('pull_request').pull_request as object).filter(
        (k) => !(k in opened.pull_request),
      );
      expect(missing).toEqual([]);
      expect(opened.installation.id).toBe(s.installationId);
      const closed = JSON.parse(receiver.received[5]!.body);
      expect(closed.pull_request).toMatchObject({ merged: true, labels: [{ name: 'breaking-approved' }] });
      const push = JSON.parse(receiver.received[6]!.body);
      expect(Object.keys(example('push')).filter((k) => !(k in push))).toEqual([]);
      // A forged signature still goes out when asked (to test that receivers refuse it).
      const forged = await s.gh.admin.deliver(
        opened && { name: 'pull_request', payload: opened, installationId: s.installationId },
        { signature: 'sha256=00' },
      );
      expect(receiver.received.at(-1)!.headers['x-hub-signature-256']).toBe('sha256=00');
      expect(forged.status).toBe(202);
    } finally {
      await receiver.close();
    }
  });
});

describe('webhook events without delivery', () => {
  it('builds edited, unlabeled, reopened, check_run / check_suite rerequested and installation events', async () => {
    await s.gh.admin.push({ ...repo, branch: 'feature', files: { 'a.txt': 'a' }, deliver: false });
    const { number, headSha } = await s.gh.admin.openPullRequest({
      ...repo,
      head: 'feature',
      deliver: false,
    });
    await s.gh.admin.push({ ...repo, branch: 'develop', files: {}, deliver: false });
    const names = async (
      outcome: Promise<{ events: { name: string; payload: Record<string, unknown> }[] }>,
    ) => (await outcome).events.map((e) => `${e.name}.${String(e.payload.action)}`);
    const edited = await s.gh.admin.editPullRequest({ ...repo, number, base: 'develop', deliver: false });
    expect(edited.events[0]!.payload).toMatchObject({
      action: 'edited',
      changes: { base: { ref: { from: 'main' } } },
      pull_request: { base: { ref: 'develop' } },
    });
    await s.gh.admin.addLabel({ ...repo, number, label: 'x', deliver: false });
    expect(await names(s.gh.admin.removeLabel({ ...repo, number, label: 'x', deliver: false }))).toEqual([
      'pull_request.unlabeled',
    ]);
    await s.gh.admin.closePullRequest({ ...repo, number, deliver: false });
    expect(await names(s.gh.admin.reopenPullRequest({ ...repo, number, deliver: false }))).toEqual([
      'pull_request.reopened',
    ]);
    const run = await s.octokit.rest.checks.create({ ...repo, name: 'kuma-api-forge', head_sha: headSha });
    const rerun = await s.gh.admin.rerequestCheckRun({ ...repo, checkRunId: run.data.id, deliver: false });
    expect(rerun.events[0]!.payload).toMatchObject({
      action: 'rerequested',
      check_run: {
        id: run.data.id,
        head_sha: headSha,
        check_suite: { head_sha: headSha },
        pull_requests: [{ number }],
      },
      installation: { id: s.installationId },
    });
    const suite = await s.gh.admin.rerequestCheckSuite({ ...repo, headSha, appId: s.app.id, deliver: false });
    expect(suite.events[0]!.payload).toMatchObject({
      action: 'rerequested',
      check_suite: { head_sha: headSha, latest_check_runs_count: 1 },
    });
    const other = s.gh.admin.createApp({ name: 'other' });
    const installed = await s.gh.admin.installApp(other.id, 'acme', { deliver: false });
    expect(installed.events[0]!.payload).toMatchObject({
      action: 'created',
      repositories: [{ full_name: 'acme/pets' }],
    });
  });
});

describe('faults and the request log', () => {
  it('injects seeded faults deterministically and logs each call with its operationId', async () => {
    const runOnce = async () => {
      s.gh.admin.setFaults({
        seed: 7,
        rules: [{ kind: 'server-error', operations: ['git/get-ref'], share: 0.5 }],
      });
      const statuses = [];
      const main = { ...repo, ref: 'heads/main' };
      for (let i = 0; i < 12; i++) statuses.push((await statusOf(s.octokit.rest.git.getRef(main))) || 200);
      return statuses;
    };
    const first = await runOnce();
    expect(first).toContain(502);
    expect(first).toContain(200);
    expect(await runOnce()).toEqual(first);
    s.gh.admin.setFaults({
      rules: [{ kind: 'secondary-rate-limit', operations: ['pulls/list'], times: 1, retryAfter: 3 }],
    });
    const limited = s.octokit.rest.pulls.list(repo);
    await expect(limited).rejects.toMatchObject({
      status: 403,
      response: { headers: { 'retry-after': '3' } },
    });
    expect((await s.octokit.rest.pulls.list(repo)).status).toBe(200);
    s.gh.admin.setFaults({ rules: [{ kind: 'not-fast-forward', times: 1 }] });
    const head = (await s.gh.admin.resolve({ ...repo, ref: 'main' }))!;
    const update = s.octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: head });
    await expect(update).rejects.toMatchObject({ status: 422 });
    // Counted since the current plan was set.
    expect(s.gh.admin.faultsInjected()).toEqual({
      'server-error': 0,
      'secondary-rate-limit': 0,
      'not-fast-forward': 1,
    });
    const log = s.gh.requests.slice(-3).map((r) => `${r.operationId} ${r.status}${r.fault ? ' fault' : ''}`);
    expect(log).toEqual(['pulls/list 403 fault', 'pulls/list 200', 'git/update-ref 422 fault']);
    expect(s.gh.requests.every((r) => r.id.length > 0)).toBe(true);
  });
});
