// Lambda package sizes and a cold-start proxy: builds and packages the functions like `npm run package` (for this
// machine's architecture, so the worker's oasdiff binary is the one that runs here), then for each function starts
// fresh Node processes that import the unzipped handler — its module init included: settings, clients, the
// Hono app or the worker — and reports the median time of that import.
//
//   node bench/cold-start.mjs [runs=9]
//
// Targets (issue 6): webhook ≤ 300 KB zipped and ≤ 80 ms import+init; worker ≤ 400 ms import+init (the oasdiff
// binary's own first run is not part of it: nothing runs it before the first job). Secrets come from the
// environment here (local mode); in Lambda the one SSM call of a cold start adds its network round trip.
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import AdmZip from 'adm-zip';
import { repoRoot } from './lib.mjs';

const runs = Number(process.argv[2] ?? 9);
const architecture = process.arch === 'arm64' ? 'arm64' : 'x86_64';
const dir = mkdtempSync(path.join(tmpdir(), 'kuma-api-forge-cold-start-'));
const out = path.join(dir, '.serverless');

execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-functions.mjs')], {
  cwd: repoRoot,
  env: { ...process.env, LAMBDA_ARCH: architecture, LAMBDA_OUT_DIR: path.join(dir, 'dist', 'lambda') },
  stdio: 'ignore',
});
copyFileSync(path.join(repoRoot, 'serverless.yml'), path.join(dir, 'serverless.yml'));
execFileSync(
  process.execPath,
  [
    path.join(repoRoot, 'node_modules/osls/bin/serverless.js'),
    'package',
    '--stage',
    'bench',
    '--package',
    out,
  ],
  { cwd: dir, stdio: 'ignore', env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } },
);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const env = {
  PATH: process.env.PATH,
  GITHUB_APP_ID: '1',
  GITHUB_APP_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  GITHUB_WEBHOOK_SECRET: 'bench',
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/bench.fifo',
  AWS_REGION: 'eu-west-1',
  LOG_LEVEL: 'error',
};

// One fresh process per run: the time from before `import()` to its end, measured inside the process.
const probe = `const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));`;

const results = {};
for (const name of ['webhook', 'worker']) {
  const zip = path.join(out, `${name}.zip`);
  const target = path.join(dir, 'unzipped', name);
  mkdirSync(target, { recursive: true });
  new AdmZip(zip).extractAllTo(target, true, true);
  const handler = pathToFileURL(path.join(target, 'dist', 'lambda', name, 'index.mjs')).href;
  const times = [];
  for (let i = 0; i <= runs; i++) {
    // --no-warnings: on Node < 22 the AWS SDK prints an end-of-support warning at init, which Lambda's nodejs22.x
    // never does.
    const result = spawnSync(
      process.execPath,
      ['--no-warnings', '--input-type=module', '-e', probe, handler],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (result.status !== 0) throw new Error(`${name} did not load: ${result.stderr.trim().split('\n')[0]}`);
    if (i > 0) times.push(Number(result.stdout)); // the first run warms the file cache
  }
  times.sort((a, b) => a - b);
  results[name] = {
    zippedKB: statSync(zip).size / 1024,
    median: times[Math.floor(times.length / 2)],
    min: times[0],
    max: times.at(-1),
  };
}

const targets = { webhook: { kb: 300, ms: 80 }, worker: { kb: undefined, ms: 400 } };
console.log(
  `Lambda packages (${architecture}, Node ${process.versions.node}, ${runs} fresh processes each)\n`,
);
console.log('| function | zipped | import+init median (min–max) | target |');
console.log('| --- | --- | --- | --- |');
for (const [name, r] of Object.entries(results)) {
  const t = targets[name];
  const ok = (t.kb === undefined || r.zippedKB <= t.kb) && r.median <= t.ms;
  const target = `${t.kb ? `≤ ${t.kb} KB, ` : ''}≤ ${t.ms} ms ${ok ? '✓' : '✗'}`;
  console.log(
    `| ${name} | ${r.zippedKB.toFixed(0)} KB | ${r.median.toFixed(0)} ms (${r.min.toFixed(0)}–${r.max.toFixed(0)}) | ${target} |`,
  );
}
