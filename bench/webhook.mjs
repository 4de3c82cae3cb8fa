// Webhook intake throughput and latency on loopback: our Hono app (under @hono/node-server, the queue a no-op)
// against Probot's Node middleware (signature verification + a no-op handler), on the same signed
// `pull_request.opened` payload from @octokit/webhooks-examples. Each server runs in its own process; autocannon
// drives it from this one with a bounded number of connections.
// Two measures per server, each the median of several runs:
// - throughput: as fast as the load generator can send, with the server's CPU time per request (on a machine with
//   few cores autocannon itself is the bottleneck, so CPU µs per request, i.e. capacity per core, is the fair
//   comparison and the number to read);
// - latency (p50/p99 ack): at a steady 200 req/s over 2 connections, far above what one App receives, without the generator
//   starving the server.
// Usage: node bench/webhook.mjs [runs=5] [seconds=5] [connections=10]
// Targets (issue 4): >= 2x Probot's throughput; p99 ack under 10 ms.
import { fork } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sign } from '@octokit/webhooks-methods';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { repoRoot } from './lib.mjs';

const SECRET = 'bench-secret';
const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples/api.github.com/index.json');
const payload = examples
  .find((e) => e.name === 'pull_request')
  .examples.find((p) => p.action === 'opened' && p.installation);
const body = JSON.stringify(payload);
const bundle = path.join(repoRoot, 'node_modules', '.cache', 'kuma-api-forge-bench', 'webhook-app.mjs');

async function serveHono() {
  const { serve } = await import('@hono/node-server');
  const { createWebhookApp } = await import(pathToFileURL(bundle).href);
  const app = createWebhookApp({ secret: SECRET, queue: { enqueue: async () => {} } });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(server));
  });
}

async function serveProbot() {
  const { createNodeMiddleware, createProbot } = await import('probot');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const probot = createProbot({
    overrides: {
      appId: 1,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      secret: SECRET,
      logLevel: 'fatal',
    },
  });
  const middleware = await createNodeMiddleware(
    (app) => {
      app.on('pull_request.opened', async () => {});
    },
    { probot, webhooksPath: '/webhook' },
  );
  const server = createServer((req, res) =>
    middleware(req, res, () => {
      res.writeHead(404).end();
    }),
  );
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function start(kind) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url), ['--serve', kind], {
      env: { ...process.env, LOG_LEVEL: 'fatal' },
    });
    child.once('message', ({ port }) => resolve({ child, url: `http://127.0.0.1:${port}` }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

function cpuOf(child) {
  return new Promise((resolve) => {
    child.once('message', ({ cpu }) => resolve(cpu.user + cpu.system));
    child.send('cpu');
  });
}

function load(url, { seconds, connections, rate }) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/webhook`,
        method: 'POST',
        connections,
        duration: seconds,
        ...(rate ? { overallRate: rate } : {}),
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'pull_request',
          'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
          'x-hub-signature-256': signature,
          'user-agent': 'GitHub-Hookshot/bench',
        },
        body,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

let signature;

async function main() {
  const runs = Number(process.argv[2] ?? 5);
  const seconds = Number(process.argv[3] ?? 5);
  const connections = Number(process.argv[4] ?? 10);
  signature = await sign(SECRET, body);
  await build({
    entryPoints: [path.join(repoRoot, 'shared/app/webhook-app.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  console.log(
    `pull_request.opened, ${body.length} bytes; ${runs} runs x ${seconds} s, ${connections} connections, node ${process.version}`,
  );
  const results = {};
  for (const kind of ['hono', 'probot']) {
    const { child, url } = await start(kind);
    try {
      await load(url, { seconds: 1, connections }); // warm-up
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const before = await cpuOf(child);
        const flat = await load(url, { seconds, connections });
        const cpuUs = ((await cpuOf(child)) - before) / flat.requests.total;
        const steady = await load(url, { seconds, connections: 2, rate: 200 });
        const bad = [flat, steady].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
        if (bad > 0) throw new Error(`${kind}: ${bad} failed requests (non-2xx/errors/timeouts)`);
        samples.push({ rps: flat.requests.average, cpuUs, p50: steady.latency.p50, p99: steady.latency.p99 });
      }
      const result = Object.fromEntries(
        ['rps', 'cpuUs', 'p50', 'p99'].map((key) => [key, median(samples.map((sample) => sample[key]))]),
      );
      results[kind] = result;
      const label = kind === 'hono' ? 'kuma-api-forge (Hono)' : 'Probot middleware    ';
      console.log(
        `  ${label} ${result.rps.toFixed(0).padStart(6)} req/s measured, ${result.cpuUs.toFixed(0).padStart(4)} µs CPU/request (${(1e6 / result.cpuUs).toFixed(0)} req/s per core); at 200 req/s: p50 ${result.p50} ms, p99 ${result.p99} ms`,
      );
    } finally {
      child.kill();
    }
  }
  const capacity = results.probot.cpuUs / results.hono.cpuUs;
  const measured = results.hono.rps / results.probot.rps;
  console.log(
    `  ratio: ${capacity.toFixed(2)}x by CPU per request, ${measured.toFixed(2)}x measured req/s (target >= 2x); p99 ack ${results.hono.p99} ms (target < 10 ms)`,
  );
  process.exit(capacity >= 2 && results.hono.p99 < 10 ? 0 : 1);
}

// Child: serve one implementation and report its port.
if (process.argv[2] === '--serve') {
  const server = await (process.argv[3] === 'hono' ? serveHono() : serveProbot());
  process.send({ port: server.address().port });
  process.on('message', () => process.send({ cpu: process.cpuUsage() }));
} else {
  await main();
}
