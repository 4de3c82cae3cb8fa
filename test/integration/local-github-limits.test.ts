/**
 * GitHub's rate limits in the local GitHub (`dev/github/limits.ts`, opt-in through `LocalGitHubOptions.limits`):
 * the answers GitHub documents for its secondary limits (content-generating requests per minute and hour,
 * concurrent requests) and its primary rate, on a clock the test moves by hand, so that no assertion depends
 * on how fast this machine is; and the App's own Octokit (`create-octokit.ts`) meeting them: it waits as told
 * and then succeeds.
 */
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type LimitsOptions,
  type LocalGitHub,
  type SimClock,
  startLocalGitHub,
} from '../../dev/github/index.js';
import { createGitHubClients } from '../../shared/adapters/github/create-octokit.js';
import { createTestApp } from '../helpers/local-github.js';

const repo = { owner: 'acme', repo: 'api' };
let gh: LocalGitHub | undefined;

afterEach(async () => {
  await gh?.stop();
  gh = undefined;
});

/** A clock that moves only when the test says so; `sleep`s resolve when it passes their time. */
type ManualClock = SimClock & { advance(ms: number): void; sleepers(): number };

function manualClock(): ManualClock {
  let now = Date.UTC(2026, 0, 1);
  let timers: { at: number; resolve: () => void }[] = [];
  return {
    now: () => now,
    sleep: (ms) => new Promise<void>((resolve) => timers.push({ at: now + ms, resolve })),
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.resolve();
    },
    sleepers: () => timers.length,
  };
}

/** The local GitHub with limits, an App installed on acme, a repo, and a plain Octokit (no retry, no throttling). */
async function setUp(limits: LimitsOptions) {
  gh = await startLocalGitHub({ limits });
  const app = createTestApp(gh);
  const { installationId } = await gh.admin.installApp(app.id, 'acme');
  const { sha } = await gh.admin.createRepo({ ...repo, files: { 'README.md': '# api\n' } });
  const plain = new Octokit({
    authStrategy: createAppAuth,
    auth: { appId: app.id, privateKey: app.privateKey, installationId },
    baseUrl: gh.url,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  // Mints the token outside the calls the tests count, moving a manual clock past the latency.
  const warm = plain.rest.git.getRef({ ...repo, ref: 'heads/main' });
  const mover =
    'advance' in limits.clock!
      ? setInterval(() => (limits.clock as ManualClock).advance(1000), 5)
      : undefined;
  await warm.finally(() => clearInterval(mover));
  const write = () =>
    plain.rest.checks.create({ ...repo, name: 'c', head_sha: sha }).then(
      (r) => ({ status: r.status, headers: r.headers as Record<string, string>, message: '' }),
      (e: { status: number; response: { headers: Record<string, string>; data: { message: string } } }) => ({
        status: e.status,
        headers: e.response.headers,
        message: e.response.data.message,
      }),
    );
  const read = () => plain.rest.git.getRef({ ...repo, ref: 'heads/main' }).then((r) => r.status);
  return { gh, app, installationId, sha, plain, write, read };
}

describe('secondary limit on content-generating requests', () => {
  it('answers the 81st write of a minute with 403, retry-after and GitHub message; reads still pass', async () => {
    const clock = manualClock();
    const { write, read } = await setUp({ clock });
    for (let i = 0; i < 80; i++) expect((await write()).status).toBe(201);
    const refused = await write();
    expect(refused.status).toBe(403);
    expect(refused.message).toMatch(/You have exceeded a secondary rate limit/);
    // All 80 fell in the same instant: the minute frees up 60 s later.
    expect(refused.headers['retry-after']).toBe('60');
    // Reads are not content-generating.
    for (let i = 0; i < 20; i++) expect(await read()).toBe(200);
    clock.advance(59_000);
    const stillRefused = await write();
    expect(stillRefused.status).toBe(403);
    expect(stillRefused.headers['retry-after']).toBe('1');
    clock.advance(1_000);
    expect((await write()).status).toBe(201);
  });

  it('counts the hour apart from the minute, and answers 429 when configured', async () => {
    const clock = manualClock();
    const { write, gh } = await setUp({ clock, contentPerMinute: 3, contentPerHour: 7, status: 429 });
    const statuses: number[] = [];
    for (let minute = 0; minute < 3; minute++) {
      for (let i = 0; i < 3; i++) statuses.push((await write()).status);
      clock.advance(60_000);
    }
    // 3 + 3 + 1 admitted, then the hour is full although the third minute had room.
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201, 429, 429]);
    const refused = await write();
    expect(refused.status).toBe(429);
    // The first write of the hour leaves the window at 60 min; three minutes have passed.
    expect(refused.headers['retry-after']).toBe(String(57 * 60));
    expect(gh.requests.filter((r) => r.limited === 'secondary-rate')).toHaveLength(3);
    clock.advance(57 * 60_000);
    expect((await write()).status).toBe(201);
  });

  it('counts GraphQL mutations as content-generating and GraphQL queries not', async () => {
    const clock = manualClock();
    const { plain } = await setUp({ clock, contentPerMinute: 2 });
    const query = () => plain.graphql('query { repository(owner: "acme", name: "api") { id } }');
    const mutation = () =>
      plain.graphql('mutation { addStar(input: {starrableId: "x"}) { clientMutationId } }').then(
        () => 200,
        (e: { status?: number }) => e.status ?? 200, // an answer that is not a limit: GraphQL's own error
      );
    for (let i = 0; i < 5; i++) await query();
    expect(await mutation()).toBe(200);
    expect(await mutation()).toBe(200);
    expect(await mutation()).toBe(403);
    const asInstallation = gh!.limits!.calls.filter((c) => c.identity.startsWith('installation:'));
    expect(asInstallation.map((c) => c.contentGenerating)).toEqual([
      false, // the warm-up's git/get-ref
      ...Array(5).fill(false),
      true,
      true,
      true,
    ]);
  });
});

describe('concurrent requests', () => {
  it('refuses the 101st request in flight with a secondary limit, and takes the next once one ends', async () => {
    const clock = manualClock();
    const { read, plain } = await setUp({ clock, latencyMs: { min: 100, max: 300 } });
    const first = read();
    await vi.waitFor(() => expect(clock.sleepers()).toBe(1), { timeout: 10_000, interval: 20 });
    clock.advance(300);
    expect(await first).toBe(200);
    const inFlight = Array.from({ length: 100 }, () => read());
    // Each answered request waits for its latency on the clock, so all 100 stay in flight.
    await vi.waitFor(() => expect(clock.sleepers()).toBe(100), { timeout: 30_000, interval: 20 });
    const over = plain.rest.git
      .getRef({ ...repo, ref: 'heads/main' })
      .catch((e: { status: number; message: string }) => e);
    await vi.waitFor(() => expect(clock.sleepers()).toBe(101), { timeout: 10_000, interval: 20 });
    clock.advance(300);
    expect(await Promise.all(inFlight)).toEqual(Array(100).fill(200));
    expect(await over).toMatchObject({ status: 403, message: expect.stringMatching(/secondary rate limit/) });
    expect(gh!.requests.filter((r) => r.limited === 'concurrency')).toHaveLength(1);
    const next = read();
    await vi.waitFor(() => expect(clock.sleepers()).toBe(1), { timeout: 10_000, interval: 20 });
    clock.advance(300);
    expect(await next).toBe(200);
  }, 90_000);
});

describe('primary rate', () => {
  it('answers REST with 403 and x-ratelimit-remaining 0 over the hour, GraphQL with RATE_LIMITED, apart', async () => {
    const clock = manualClock();
    const { read, plain, installationId } = await setUp({ clock, primaryPerHour: 5 });
    // The token's git/get-ref spent one.
    for (let i = 0; i < 4; i++) expect(await read()).toBe(200);
    const over = (await plain.rest.git.getRef({ ...repo, ref: 'heads/main' }).catch((e) => e)) as {
      status: number;
      message: string;
      response: { headers: Record<string, string> };
    };
    expect(over.status).toBe(403);
    expect(over.message).toMatch(`API rate limit exceeded for installation ID ${installationId}`);
    expect(over.response.headers['x-ratelimit-remaining']).toBe('0');
    const resetIn = Number(over.response.headers['x-ratelimit-reset']) * 1000 - Date.now();
    // The hour began with the first call: its reset is about an hour ahead, on the wall clock.
    expect(resetIn).toBeGreaterThan(3_500_000);
    expect(resetIn).toBeLessThanOrEqual(3_601_000);
    // GraphQL has a bucket of its own.
    const ask = () =>
      plain.graphql('query { repository(owner: "acme", name: "api") { id } }').catch((e) => e);
    for (let i = 0; i < 5; i++) expect(await ask()).toMatchObject({ repository: expect.anything() });
    expect(await ask()).toMatchObject({
      errors: [{ type: 'RATE_LIMITED', message: expect.stringMatching(/API rate limit exceeded/) }],
    });
    clock.advance(3_600_000);
    expect(await read()).toBe(200);
  });
});

describe("the App's Octokit", () => {
  it('waits out the secondary limit a burst meets and then succeeds, never over 80 writes in a minute', async () => {
    // The clock stands still during the burst (it all falls in one simulated minute) and moves a minute once
    // the limit refused the writes over 80; until then the App's retries are refused again.
    const clock = manualClock();
    const { app, installationId, sha } = await setUp({ clock });
    const octokit = createGitHubClients({
      appId: app.id,
      privateKey: app.privateKey,
      baseUrl: gh!.url,
      waitUnitMs: 1,
      spaceWrites: false,
      rateLimitRetries: 1000,
    }).forInstallation(installationId);
    const burst = Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        octokit.rest.checks.create({ ...repo, name: `c${i}`, head_sha: sha }).then((r) => r.status),
      ),
    );
    const writes = () => gh!.limits!.calls.filter((c) => c.contentGenerating);
    await vi.waitFor(() => expect(writes().filter((c) => c.refused).length).toBeGreaterThanOrEqual(20), {
      timeout: 30_000,
      interval: 10,
    });
    const start = clock.now();
    clock.advance(60_000);
    expect(await burst).toEqual(Array(100).fill(201));
    const admitted = writes().filter((c) => !c.refused);
    expect(admitted).toHaveLength(100);
    expect(admitted.filter((c) => c.at === start)).toHaveLength(80);
    expect(admitted.filter((c) => c.at === start + 60_000)).toHaveLength(20);
    expect(writes().every((c) => !c.refused || c.refused === 'secondary-rate')).toBe(true);
    expect(gh!.requests.filter((r) => r.operationId === 'checks/create' && r.status === 201)).toHaveLength(
      100,
    );
  });
});
