/**
 * The scale model (issue 15): an org's pull requests and merges run through the real App — webhook app, memory
 * queue, worker, Octokit with its retry and throttling plugins — against the local GitHub with GitHub's rate
 * limits and a latency per call, on a time-scaled clock. See bench/README.md ("Scale model") for what it models
 * and how CPU time, which cannot be sped up, is accounted for.
 *
 *   npx tsx bench/scale-model.ts [--hours=1] [--scale=10] [--load=1] [--repos=300] …   (--help lists all)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { stringify } from 'yaml';
import { seeded } from '../dev/github/faults.js';
import { type LimitedCall, type LocalGitHub, scaledClock, startLocalGitHub } from '../dev/github/index.js';
import { createMemoryQueue } from '../shared/adapters/memory-queue.js';
import { createWebhookApp } from '../shared/app/webhook-app.js';
import { createWorker } from '../shared/app/worker.js';
import { createWorkerDeps } from '../shared/app/worker-deps.js';
import { parseSourceRecord } from '../shared/core/deploy/source-record.js';
import type { Job } from '../shared/core/jobs.js';
import type { Logger } from '../shared/ports/logger.js';
import { buildSourceFiles } from '../test/unit/deploy/helpers.js';

const { values: flags } = parseArgs({
  options: {
    hours: { type: 'string', default: '1' },
    scale: { type: 'string', default: '10' },
    load: { type: 'string', default: '1' },
    repos: { type: 'string', default: '300' },
    'pr-events': { type: 'string', default: '1000' },
    merges: { type: 'string', default: '200' },
    installations: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '4' },
    'cold-start-ms': { type: 'string', default: '400' },
    'warm-minutes': { type: 'string', default: '10' },
    latency: { type: 'string', default: '100-300' },
    faults: { type: 'string', default: '0.005' },
    'conflicts-per-hour': { type: 'string', default: '30' },
    'visibility-timeout': { type: 'string', default: '1800' },
    'max-receive-count': { type: 'string', default: '5' },
    'content-per-minute': { type: 'string', default: '80' },
    'content-per-hour': { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(`npx tsx bench/scale-model.ts [flags]
  --hours=1               simulated hours (a day: 24)
  --scale=10              simulated seconds per wall second
  --load=1                multiplies the PR-event and merge rates
  --repos=300             API repos (each its own tenant in the deploy repo)
  --pr-events=1000        pull_request events an hour (opened and synchronize) at load 1
  --merges=200            merges an hour at load 1 (each a deploy)
  --installations=1       orgs the repos are spread over, each its own App installation (the deploy repo is in
                          the first)
  --concurrency=4         worker Lambdas at once (serverless.yml workerConcurrency)
  --cold-start-ms=400     a worker container's cold start (bench/cold-start.mjs import+init, plus Lambda's own
                          init and the SSM read)
  --warm-minutes=10       how long an idle container stays warm
  --latency=100-300       GitHub's latency per call, ms (uniform)
  --faults=0.005          share of GitHub calls answered 502
  --conflicts-per-hour=30 pushes by someone else to the deploy repo's branch (the App's compare-and-swap loses)
  --visibility-timeout=1800  seconds before SQS redelivers a failed job (serverless.yml)
  --max-receive-count=5   deliveries before the dead-letter queue
  --content-per-minute=80 GitHub's secondary limits per installation (change them only to explore: a shorter run
  --content-per-hour=500  meets a smaller limit sooner)
  --seed=1`);
  process.exit(0);
}
const num = (name: keyof typeof flags) => {
  const value = Number(flags[name]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0`);
  return value;
};
const hours = num('hours');
const scale = num('scale');
const load = num('load');
const repoCount = Math.max(1, Math.floor(num('repos')));
const installations = Math.max(1, Math.floor(num('installations')));
const concurrency = Math.max(1, Math.floor(num('concurrency')));
const coldStartMs = num('cold-start-ms');
const warmMs = num('warm-minutes') * 60_000;
const [latencyMin = 0, latencyMax = latencyMin] = flags.latency.split('-').map(Number);
const prEventsPerHour = num('pr-events') * load;
const mergesPerHour = num('merges') * load;
const MINUTE = 60_000;
const HOUR = 3_600_000;

// ---------------------------------------------------------------------------------------------------------
// Observation: what each job did (ALS carries the job into Octokit's fetch and the logger).

interface JobStats {
  deliveryId: string;
  type: Job['type'];
  /** Wall ms inside the worker, GitHub's calls and the App's rate-limit waits included. */
  wallMs: number;
  /** Wall ms waiting for GitHub's answers. */
  fetchMs: number;
  /** Wall ms the throttling plugin waited (retry-after). */
  waitMs: number;
  calls: number;
  cold: boolean;
  /** Simulated start and end. */
  start: number;
  end: number;
}
const current = new AsyncLocalStorage<JobStats>();
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const stats = current.getStore();
  const started = performance.now();
  try {
    return await realFetch(input, init);
  } finally {
    if (stats) {
      stats.fetchMs += performance.now() - started;
      stats.calls += 1;
    }
  }
};

const clock = scaledClock(scale);
const unitMs = 1000 / scale;
interface LogLine {
  at: number;
  message: string;
  fields: Record<string, unknown>;
}
const lines: LogLine[] = [];
function capture(base: Record<string, unknown>): Logger {
  const write = (message: string, fields: Record<string, unknown> = {}) => {
    const all = { ...base, ...fields };
    lines.push({ at: clock.now(), message, fields: all });
    const waited = typeof all.afterSeconds === 'number' ? all.afterSeconds : undefined;
    const stats = current.getStore();
    if (waited !== undefined && stats) stats.waitMs += waited * unitMs;
  };
  return { debug: write, info: write, warn: write, error: write, child: (f) => capture({ ...base, ...f }) };
}
const log = capture({});

// ---------------------------------------------------------------------------------------------------------
// The org: repos, the deploy repo and its tenants, the App on the local GitHub with limits and latency.

const dataDir = await mkdtemp(join(tmpdir(), 'scale-model-'));
const owners = Array.from({ length: installations }, (_, i) => (installations === 1 ? 'acme' : `acme${i}`));
const deployRef = { owner: owners[0]!, repo: 'deploy' };
const gh: LocalGitHub = await startLocalGitHub({
  dataDir,
  limits: {
    clock,
    latencyMs: { min: latencyMin, max: latencyMax },
    contentPerMinute: num('content-per-minute'),
    contentPerHour: num('content-per-hour'),
    seed: num('seed'),
  },
});
const random = seeded(num('seed') + 1);
const webhookSecret = randomBytes(16).toString('hex');
const credentials = gh.admin.createApp({ webhookSecret });
for (const owner of owners) await gh.admin.installApp(credentials.id, owner);

interface RepoModel {
  owner: string;
  repo: string;
  index: number;
  mainPaths: string[];
  /** The open PR (one at a time, so merges never conflict). */
  open?: { number: number; branch: string; paths: string[] };
  /** Merged commits, oldest first. */
  merged: string[];
  /** A merge of the open PR is on its way. */
  merging?: boolean;
  /** Serializes this repo's git operations. */
  busy: Promise<unknown>;
}
const repos: RepoModel[] = Array.from({ length: repoCount }, (_, index) => ({
  owner: owners[index % installations]!,
  repo: `api-${String(index).padStart(3, '0')}`,
  index,
  mainPaths: ['/items', '/items/{petId}'],
  merged: [],
  busy: Promise.resolve(),
}));
const sourceFiles = (r: RepoModel, paths: string[]) =>
  buildSourceFiles({
    name: r.repo,
    hostnames: [`${r.repo}.example.com`],
    basePath: `/${r.repo}`,
    namespace: r.repo,
    paths,
  });
const tenants = Object.fromEntries(
  repos.map((r) => [
    `${r.owner}/${r.repo}`,
    {
      gateways: ['edge'],
      hostnames: [`${r.repo}.example.com`],
      basePaths: [`/${r.repo}`],
      namespaces: [r.repo],
    },
  ]),
);
await gh.admin.createRepo({ ...deployRef, files: { 'tenants.yaml': stringify({ tenants }) } });
const setupStart = performance.now();
for (const r of repos)
  await gh.admin.createRepo({ owner: r.owner, repo: r.repo, files: sourceFiles(r, r.mainPaths) });
console.log(
  `set up ${repoCount} repos in ${((performance.now() - setupStart) / 1000).toFixed(1)} s; ${describeLoad()}`,
);

// The App: the production wiring of dev/start.ts, with the worker behind a pool of Lambda containers.
const deps = createWorkerDeps(
  {
    appId: credentials.id,
    privateKey: credentials.privateKey!,
    githubApiUrl: gh.url,
    deployRepo: deployRef,
    maxReceiveCount: num('max-receive-count'),
  },
  // Octokit waits retry-after × its unit: a simulated second. Writes are not spaced a (wall) second apart: that
  // spacing cannot be scaled, and GitHub's answers decide here.
  { log, waitUnitMs: unitMs, spaceWrites: false, deployRetry: { backoffMs: 500 / scale } },
);
const worker = createWorker(deps);
const stats: JobStats[] = [];
const containers: { busy: boolean; lastUsed: number }[] = [];
let waiting: (() => void)[] = [];
async function runInContainer(job: Job, delivery: { receiveCount?: number }): Promise<void> {
  // At most `concurrency` at once (reserved concurrency); a container idle too long is cold again.
  let container = containers.find((c) => !c.busy);
  while (!container) {
    if (containers.length < concurrency) {
      container = { busy: false, lastUsed: Number.NEGATIVE_INFINITY };
      containers.push(container);
    } else {
      await new Promise<void>((resolve) => waiting.push(resolve));
      container = containers.find((c) => !c.busy);
    }
  }
  container.busy = true;
  const cold = clock.now() - container.lastUsed > warmMs;
  try {
    if (cold) await clock.sleep(coldStartMs);
    const job$ = {
      deliveryId: job.deliveryId,
      type: job.type,
      wallMs: 0,
      fetchMs: 0,
      waitMs: 0,
      calls: 0,
      cold,
      start: clock.now(),
      end: 0,
    };
    stats.push(job$);
    const started = performance.now();
    try {
      await current.run(job$, () => worker.processJob(job, delivery));
    } finally {
      job$.wallMs = performance.now() - started;
      job$.end = clock.now();
    }
  } finally {
    container.busy = false;
    container.lastUsed = clock.now();
    const next = waiting;
    waiting = [];
    for (const resolve of next) resolve();
  }
}
const visibilityMs = num('visibility-timeout') * 1000;
const queue = createMemoryQueue(runInContainer, {
  maxReceiveCount: num('max-receive-count'),
  deployRepo: deployRef,
  backoffMs: () => visibilityMs / scale,
  now: () => clock.now(),
  onFailure: ({ job, error, attempt, final }) =>
    log[final ? 'error' : 'warn'](final ? 'job given up' : 'job failed; retrying', {
      deliveryId: job.deliveryId,
      attempt,
      error: error instanceof Error ? error.message : String(error),
    }),
});
const webhook = createWebhookApp({ secret: webhookSecret, queue, log });
const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: webhook.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
});
// Node closes an idle keep-alive connection after 5 s, racing the local GitHub's next delivery on it when this
// process is busy ("fetch failed"): GitHub's own deliveries are not lost that way.
(server as Server).keepAliveTimeout = 120_000;
gh.admin.setWebhook(credentials.id, {
  url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
});
gh.admin.setFaults({
  seed: num('seed'),
  rules: [{ kind: 'server-error', share: num('faults'), status: 502 }],
});

// ---------------------------------------------------------------------------------------------------------
// The traffic: Poisson streams of PR events (open a PR, or push to the open one), merges and foreign pushes
// to the deploy repo, on the simulated clock.

interface Sent {
  kind: 'pr' | 'merge';
  at: number;
  repo: RepoModel;
  sha: string;
}
const sent = new Map<string, Sent>();
const merges: { at: number; repo: RepoModel; sha: string }[] = [];
let pathCounter = 0;
let skippedMerges = 0;
const start = clock.now();
const end = start + hours * HOUR;
const exponential = (perHour: number) => (-Math.log(1 - random()) * HOUR) / perHour;
const serialize = <T>(r: RepoModel, work: () => Promise<T>): Promise<T> => {
  const next = r.busy.then(work, work);
  r.busy = next.catch(() => {});
  return next;
};
const remember = (
  kind: Sent['kind'],
  at: number,
  repo: RepoModel,
  outcome: { deliveries: { id: string }[] },
  sha: string,
) => {
  for (const d of outcome.deliveries) sent.set(d.id, { kind, at, repo, sha });
};

const prEvents: { at: number }[] = [];
async function prEvent(r: RepoModel): Promise<void> {
  const at = clock.now();
  prEvents.push({ at });
  const paths = [...r.mainPaths, `/v${++pathCounter}`];
  if (r.open) {
    r.open.paths = paths;
    const pushed = await gh.admin.push({
      owner: r.owner,
      repo: r.repo,
      branch: r.open.branch,
      files: sourceFiles(r, paths),
    });
    remember('pr', at, r, pushed, pushed.sha);
    return;
  }
  const branch = `change-${pathCounter}`;
  await gh.admin.push({ owner: r.owner, repo: r.repo, branch, files: sourceFiles(r, paths), deliver: false });
  const pr = await gh.admin.openPullRequest({ owner: r.owner, repo: r.repo, head: branch });
  r.open = { number: pr.number, branch, paths };
  remember('pr', at, r, pr, pr.headSha);
}

async function merge(r: RepoModel): Promise<void> {
  const open = r.open;
  if (!open) return;
  const at = clock.now();
  const outcome = await gh.admin.mergePullRequest({
    owner: r.owner,
    repo: r.repo,
    number: open.number,
    method: 'squash',
  });
  delete r.open;
  r.mainPaths = open.paths;
  r.merged.push(outcome.sha);
  merges.push({ at, repo: r, sha: outcome.sha });
  remember('merge', at, r, outcome, outcome.sha);
}

/** Someone else's commit on the deploy repo's branch; pushed again when the App's commit got in first. */
async function foreignPush(n: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const files = { [`notes/${n}.md`]: `note ${n}\n` };
      await gh.admin.push({ ...deployRef, branch: 'main', files, deliver: false });
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

const pending = new Set<Promise<unknown>>();
let trafficFailures = 0;
const track = (p: Promise<unknown>) => {
  const tracked = p.catch((error) => {
    trafficFailures += 1;
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    console.error(`traffic step failed: ${error instanceof Error ? error.message : error}${cause}`);
  });
  pending.add(tracked);
  void tracked.finally(() => pending.delete(tracked));
};
async function stream(perHour: number, fire: () => void): Promise<void> {
  if (perHour <= 0) return;
  for (;;) {
    await clock.sleep(exponential(perHour));
    if (clock.now() >= end) return;
    fire();
  }
}
// The deploy repo's branch as it moves: when each commit appeared (polled every simulated second).
const deployHeads: { sha: string; at: number }[] = [];
let polling = true;
const poller = (async () => {
  while (polling) {
    const sha = await gh.admin.resolve({ ...deployRef, ref: 'main' });
    if (sha && sha !== deployHeads.at(-1)?.sha) deployHeads.push({ sha, at: clock.now() });
    await clock.sleep(1000);
  }
})();

let foreign = 0;
const wallStart = performance.now();
const progress = setInterval(() => {
  const simHours = ((clock.now() - start) / HOUR).toFixed(2);
  process.stderr.write(
    `  … ${simHours} h simulated, ${stats.length} jobs run, ${pending.size} traffic steps pending, ${describeLoad()}\n`,
  );
}, 30_000);
await Promise.all([
  stream(prEventsPerHour, () => {
    const r = repos[Math.floor(random() * repos.length)]!;
    track(serialize(r, () => prEvent(r)));
  }),
  stream(mergesPerHour, () => {
    const candidates = repos.filter((r) => r.open && !r.merging);
    if (candidates.length === 0) {
      skippedMerges += 1;
      return;
    }
    const r = candidates[Math.floor(random() * candidates.length)]!;
    r.merging = true;
    track(serialize(r, () => merge(r)).finally(() => delete r.merging));
  }),
  stream(num('conflicts-per-hour'), () => track(foreignPush(++foreign))),
]);
await Promise.all(pending);
const trafficEnd = clock.now();
await queue.idle();
polling = false;
await poller;
clearInterval(progress);
const drainedAt = clock.now();

// ---------------------------------------------------------------------------------------------------------
// What the deploy repo says: each commit's .source.yaml per repo, checked against the merges.

const deployGit = await findDeployGit();
const git = (...args: string[]) =>
  execFileSync('git', ['-C', deployGit, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const commits = git('rev-list', '--reverse', 'main').trim().split('\n').slice(1);
const repoByKey = new Map(repos.map((r) => [`${r.owner}/${r.repo}`, r]));
const recorded = new Map<string, string[]>(); // repo → the source commits its .source.yaml recorded, in deploy order
/** The App's deploy commits: when each appeared and which merge (index into the repo's merges) it recorded per repo. */
const appCommits: { sha: string; at: number; merges: Map<string, number> }[] = [];
const seenAt = new Map(deployHeads.map((h) => [h.sha, h.at]));
for (const commit of commits) {
  const changed = git('diff-tree', '--no-commit-id', '--name-only', '-r', `${commit}^`, commit)
    .split('\n')
    .filter((p) => p.endsWith('/.source.yaml'));
  const touched = new Map<string, number>();
  for (const path of changed) {
    let text: string;
    try {
      text = git('show', `${commit}:${path}`);
    } catch {
      continue; // removed
    }
    const record = parseSourceRecord(text);
    if (!record) continue;
    const key = `${record.repo.owner}/${record.repo.repo}`;
    recorded.set(key, [...(recorded.get(key) ?? []), record.commit]);
    touched.set(key, repoByKey.get(key)?.merged.indexOf(record.commit) ?? -1);
  }
  // Foreign pushes change no .source.yaml.
  if (touched.size > 0) appCommits.push({ sha: commit, at: Number.NaN, merges: touched });
}
// A commit no poll saw (two within one simulated second) takes the time of the next one seen.
for (let i = appCommits.length - 1, next = drainedAt; i >= 0; i--) {
  const commit = appCommits[i]!;
  commit.at = seenAt.get(commit.sha) ?? next;
  next = commit.at;
}
let lost = 0;
let outOfOrder = 0;
for (const [key, r] of repoByKey) {
  const order = (recorded.get(key) ?? []).map((sha) => r.merged.indexOf(sha));
  // A recorded commit that is no merge of the repo, or one older than (or equal to) the one before it.
  outOfOrder += order.filter((o, i) => o < 0 || (i > 0 && o <= order[i - 1]!)).length;
  if (r.merged.length > 0 && recorded.get(key)?.at(-1) !== r.merged.at(-1)) lost += 1;
}
/** A merge is live once a deploy commit records it or a later merge of its repo. */
const deployedAt = (m: (typeof merges)[number]): number | undefined => {
  const key = `${m.repo.owner}/${m.repo.repo}`;
  const index = m.repo.merged.indexOf(m.sha);
  return appCommits.find((c) => (c.merges.get(key) ?? -1) >= index)?.at;
};

// ---------------------------------------------------------------------------------------------------------
// The report, per simulated hour.

/**
 * A job's unscaled part: its wall time in the worker except the waits the clock scales (GitHub's modelled latency,
 * taken at its mean per call, and the rate-limit waits). That is its CPU (render, oasdiff, YAML) and the local
 * GitHub's own processing; on Lambda it takes this long in real time, but the scaled clock counted it `scale`
 * times. Latencies below take the excess off.
 */
const meanLatencyWallMs = (latencyMin + latencyMax) / 2 / scale;
const cpuMs = (s: JobStats) => Math.max(0, s.wallMs - s.waitMs - s.calls * meanLatencyWallMs);
const excess = (s: JobStats) => cpuMs(s) * (scale - 1);
const statsById = new Map<string, JobStats[]>();
for (const s of stats) statsById.set(s.deliveryId, [...(statsById.get(s.deliveryId) ?? []), s]);

const checkLatencies: { at: number; ms: number }[] = [];
for (const line of lines) {
  if (line.message !== 'check done') continue;
  const id = String(line.fields.deliveryId);
  const event = sent.get(id);
  if (!event) continue;
  const own = (statsById.get(id) ?? []).reduce((sum, s) => sum + excess(s), 0);
  checkLatencies.push({ at: event.at, ms: line.at - event.at - own });
}
const deploys = stats.filter((s) => s.type === 'deploy');
const deployLags: { at: number; ms: number }[] = [];
for (const m of merges) {
  const at = deployedAt(m);
  if (at === undefined) continue;
  // Deploys run one at a time (one queue group): every deploy that ran in between counted its CPU too often.
  const over = deploys.filter((s) => s.start >= m.at && s.end <= at).reduce((sum, s) => sum + excess(s), 0);
  deployLags.push({ at: m.at, ms: Math.max(0, at - m.at - over) });
}

const limitCalls: LimitedCall[] = gh.limits!.calls;
const byHour = <T extends { at: number }>(items: T[], h: number) =>
  items.filter((x) => x.at >= start + h * HOUR && x.at < start + (h + 1) * HOUR);
const peakPerMinute = (times: number[]) => {
  let peak = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= MINUTE) i++;
    peak = Math.max(peak, j - i + 1);
  }
  return peak;
};
const pct = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const sec = (ms: number) => (Number.isNaN(ms) ? '—' : `${(ms / 1000).toFixed(1)} s`);
const retried = lines.filter((l) => l.message === 'job failed; retrying');
const givenUp = lines.filter((l) => l.message === 'job given up');
const rows: string[][] = [];
const totalHours = Math.max(1, Math.ceil((drainedAt - start) / HOUR));
for (let h = 0; h < totalHours; h++) {
  const calls = byHour(limitCalls, h);
  const identities = [...new Set(calls.map((c) => c.identity))];
  const writesOf = (id: string) =>
    calls.filter((c) => c.identity === id && c.contentGenerating && !c.refused);
  const peakMinute = Math.max(0, ...identities.map((id) => peakPerMinute(writesOf(id).map((c) => c.at))));
  const peakHour = Math.max(0, ...identities.map((id) => writesOf(id).length));
  const hourMerges = byHour(merges, h).length;
  const hourCommits = byHour(appCommits, h).length;
  const checks = byHour(checkLatencies, h).map((c) => c.ms);
  const lags = byHour(deployLags, h).map((c) => c.ms);
  rows.push([
    `${h + 1}`,
    String(byHour(prEvents, h).length),
    String(hourMerges),
    `${peakMinute} / ${peakHour}`,
    String(calls.filter((c) => c.refused).length),
    String(calls.length),
    `${sec(pct(checks, 50))} / ${sec(pct(checks, 95))}`,
    `${sec(pct(lags, 50))} / ${sec(pct(lags, 95))}`,
    hourMerges ? (hourCommits / hourMerges).toFixed(2) : '—',
    String(byHour(retried, h).length),
    String(byHour(givenUp, h).length),
    String(
      byHour(
        stats.filter((s) => s.cold).map((s) => ({ at: s.start })),
        h,
      ).length,
    ),
  ]);
}
const header = [
  'hour',
  'PR events',
  'merges',
  'writes peak/min / per h',
  'refused',
  'calls',
  'webhook→check p50 / p95',
  'deploy lag p50 / p95',
  'commits/merge',
  'retried',
  'to DLQ',
  'cold starts',
];
console.log(
  `\nScale model: ${hours} simulated h at ×${scale}, load ×${load} (${prEventsPerHour} PR events, ${mergesPerHour} merges an hour), ${repoCount} repos in ${installations} installation(s), worker concurrency ${concurrency}, latency ${flags.latency} ms, 5xx share ${flags.faults}, ${num('conflicts-per-hour')} foreign pushes/h to the deploy repo`,
);
console.log(`| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

const checkJobs = stats.filter((s) => s.type === 'check');
const perEvent = (list: JobStats[]) =>
  list.length ? list.reduce((n, s) => n + s.calls, 0) / list.length : 0;
const writesPerIdentity = new Map<string, number>();
for (const c of limitCalls)
  if (c.contentGenerating && !c.refused)
    writesPerIdentity.set(c.identity, (writesPerIdentity.get(c.identity) ?? 0) + 1);
const prCount = prEvents.length;
const busiest = [...writesPerIdentity].sort((a, b) => b[1] - a[1])[0];
const busiestPerHour = (busiest?.[1] ?? 0) / Math.max(1e-9, (trafficEnd - start) / HOUR);
const busiestMinute = busiest
  ? peakPerMinute(
      limitCalls
        .filter((c) => c.identity === busiest[0] && c.contentGenerating && !c.refused)
        .map((c) => c.at),
    )
  : 0;
const causes = new Map<string, number>();
for (const line of [...retried, ...givenUp]) {
  const cause = String(line.fields.error).slice(0, 120);
  causes.set(cause, (causes.get(cause) ?? 0) + 1);
}
const contentPerJob =
  limitCalls.filter((c) => c.contentGenerating && !c.refused).length / Math.max(1, prCount + merges.length);
console.log(`
jobs: ${checkJobs.length} check tries, ${deploys.length} deploy tries; GitHub calls per try: check ${perEvent(checkJobs).toFixed(1)}, deploy ${perEvent(deploys).toFixed(1)}
unscaled wall per job (median): check ${pct(checkJobs.map(cpuMs), 50).toFixed(0)} ms, deploy ${pct(deploys.map(cpuMs), 50).toFixed(0)} ms (counted 1:1 in the latencies above); of their wall, waiting for the local GitHub (modelled latency and its own processing): check ${pct(
  checkJobs.map((s) => s.fetchMs),
  50,
).toFixed(0)} ms, deploy ${pct(
  deploys.map((s) => s.fetchMs),
  50,
).toFixed(0)} ms
content-generating requests admitted: ${[...writesPerIdentity].map(([id, n]) => `${id} ${n}`).join(', ')} (${contentPerJob.toFixed(2)} per PR event or merge)
refused by a limit: ${limitCalls.filter((c) => c.refused === 'secondary-rate').length} secondary (content), ${limitCalls.filter((c) => c.refused === 'concurrency').length} concurrency, ${limitCalls.filter((c) => c.refused === 'primary-rate').length} primary
jobs retried: ${retried.length}; in the dead-letter queue: ${queue.deadLetters.length}; 5xx injected: ${gh.admin.faultsInjected()['server-error']}; foreign pushes to the deploy repo: ${foreign}; merges skipped (no open PR): ${skippedMerges}; traffic steps failed: ${trafficFailures}
${[...causes].map(([cause, n]) => `  ${n}× ${cause}`).join('\n')}
deploys: ${merges.length} merges, ${appCommits.length} deploy commits; lost ${lost}, out of order ${outOfOrder} (from each repo's .source.yaml history against its merges)
first limit: ${contentPerJob.toFixed(2)} content-generating requests per PR event or merge make ${(contentPerJob * (num('pr-events') + num('merges'))).toFixed(0)} an hour at load ×1 (${num('pr-events')} PR events and ${num('merges')} merges), so one installation reaches 500 an hour at about load ×${(500 / Math.max(1e-9, contentPerJob * (num('pr-events') + num('merges')))).toFixed(2)}. In this run the busiest installation (${busiest?.[0] ?? 'none'}) spent ${busiestPerHour.toFixed(0)} content-generating requests per simulated hour of traffic, so 500 an hour is reached at about load ×${((load * 500) / Math.max(1e-9, busiestPerHour)).toFixed(2)}; its busiest minute held ${busiestMinute} (80 allowed)
wall ${((performance.now() - wallStart) / 1000).toFixed(0)} s for ${((drainedAt - start) / HOUR).toFixed(2)} simulated h (traffic ended at ${((trafficEnd - start) / HOUR).toFixed(2)} h; the rest drained the queue); ${describeLoad()}`);

server.close();
if ('closeAllConnections' in server) server.closeAllConnections();
await gh.stop();
await rm(dataDir, { recursive: true, force: true });
process.exit(lost === 0 && outOfOrder === 0 ? 0 : 1);

async function findDeployGit(): Promise<string> {
  for (const entry of await readdir(dataDir)) {
    if (entry.endsWith(`-${deployRef.owner}`)) return join(dataDir, entry, `${deployRef.repo}.git`);
  }
  throw new Error('deploy repo not found in the data dir');
}

function describeLoad(): string {
  return `load ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores`;
}
