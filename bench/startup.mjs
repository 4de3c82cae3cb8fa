// Where the time of a small check goes: the petstore pair (`check --lint all --format json`, as bench/check.mjs
// runs it) split into Node's own start-up, loading the CLI's modules, Ajv compiling schemas (per caller), the
// rest of our work, and oasdiff. Each part is the median of `runs` fresh processes after one warm-up.
//
//   npm run build && node bench/startup.mjs [runs=7]
//
// CPU times (user + system, from inside the process via bench/startup-probe.cjs) are the figures to read on a busy
// machine; wall times are given too, and are what the target (issue 15: petstore pair ≤ 0.25 s end to end) is
// about, which needs an idle machine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCli } from '../scripts/build.mjs';
import { describeLoad, emptyDir, measure, oasdiffBinary, repoRoot } from './lib.mjs';

const runs = Number(process.argv[2] ?? 7);
const cli = path.join(repoRoot, 'bin', 'kuma-api-forge.js');
const probe = path.join(repoRoot, 'bench', 'startup-probe.cjs');
const base = path.join(repoRoot, 'fixtures/specs/petstore/petstore.yaml');
const head = path.join(repoRoot, 'fixtures/specs/petstore/revisions/removed-operation.yaml');
const commandArgs = ['check', '--base', base, '--head', head, '--format', 'json', '--lint', 'all'];
const checkArgs = [cli, ...commandArgs];
// The probe times Ajv by patching node_modules/ajv, which the CLI bundles: a copy of the CLI built with Ajv left
// external, run like bin/ does, gives those figures (the compiles are the same code either way).
const probeCli = path.join(repoRoot, 'dist', 'cli-probe');
await buildCli({ outdir: probeCli, external: ['ajv', 'ajv-draft-04', 'ajv-formats'] });
const runProbeCli = `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(probeCli, 'main.js')).href)});
process.exitCode = await main(process.argv.slice(1), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), cwd: process.cwd() });`;
const probeFile = path.join(mkdtempSync(path.join(tmpdir(), 'kaf-startup-')), 'probe.json');

/** Runs `node …args` with the probe preloaded, `runs` times after a warm-up; the probe's figures of each run. */
function probed(args) {
  const results = [];
  for (let i = 0; i <= runs; i++) {
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, ['--require', probe, ...args], {
      cwd: repoRoot,
      env: { ...process.env, KAF_STARTUP_PROBE: probeFile },
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    const outsideMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (run.status !== 0 && run.status !== 1) throw new Error(`${args.join(' ')}: ${run.stderr}`);
    if (i === 0) continue;
    results.push({ ...JSON.parse(readFileSync(probeFile, 'utf8')), outsideMs });
  }
  return results;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const ms = (value) => `${value.toFixed(0).padStart(5)} ms`;

console.log(`${runs} runs each, ${describeLoad()} at start, Node ${process.versions.node}`);
const bare = probed(['-e', '0']);
const load = probed([
  '--input-type=module',
  '-e',
  `await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist/cli/main.js')).href)})`,
]);
const check = probed(checkArgs);
const compiles = probed(['--input-type=module', '-e', runProbeCli, ...commandArgs]);
const oasdiff = measure(oasdiffBinary(), ['breaking', base, head, '-f', 'json'], { runs, cwd: emptyDir() });

const callers = [...new Set(compiles.flatMap((run) => Object.keys(run.compileMs)))];
const compile = Object.fromEntries(
  callers.map((caller) => [caller, median(compiles.map((run) => run.compileMs[caller] ?? 0))]),
);
const compileTotal = median(
  compiles.map((run) => Object.values(run.compileMs).reduce((sum, value) => sum + value, 0)),
);
const loadCpu = median(load.map((run) => run.cpuMs)) - median(bare.map((run) => run.cpuMs));
const checkCpu = median(check.map((run) => run.cpuMs));

console.log('\npetstore pair, `check --lint all --format json` (CPU of the Node process; wall from outside)');
console.log(`  end to end (wall, spawn to exit)     ${ms(median(check.map((r) => r.outsideMs)))}`);
console.log(`  end to end (CPU, without oasdiff)    ${ms(checkCpu)}`);
console.log(
  `  Node start-up (node -e 0)            ${ms(median(bare.map((r) => r.cpuMs)))} CPU, ${ms(median(bare.map((r) => r.outsideMs)))} wall`,
);
console.log(
  `  load dist/cli/main.js (import only)  ${ms(loadCpu)} CPU, ${ms(median(load.map((r) => r.outsideMs)) - median(bare.map((r) => r.outsideMs)))} wall`,
);
console.log(`  Ajv compiling schemas                ${ms(compileTotal)} CPU`);
for (const [caller, value] of Object.entries(compile).sort((a, b) => b[1] - a[1]))
  console.log(`    ${caller.padEnd(34)} ${ms(value)}`);
console.log(
  `  the rest (the check's own work)      ${ms(checkCpu - median(bare.map((r) => r.cpuMs)) - loadCpu - compileTotal)} CPU`,
);
console.log(
  `  oasdiff breaking alone               ${ms((oasdiff.cpu ?? 0) * 1000)} CPU, ${ms(oasdiff.median * 1000)} wall (runs in parallel with the check)`,
);
console.log(`\n${describeLoad()} at end`);
