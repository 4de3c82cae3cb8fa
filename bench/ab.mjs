// Interleaved A/B of commands on a busy machine: runs each variant in turn (A, B, A, B, …) so that a change in
// the machine's load hits every variant alike, after one warm-up round, and prints per variant the median wall
// time, the median CPU time (user + system, children included: the figure to trust when the load is high), the
// largest peak RSS, and the ratio of medians to the first variant. Peak RSS and CPU need GNU /usr/bin/time.
//
//   node bench/ab.mjs [--runs=5] [--cwd=dir] '<label>=<command …>' '<label>=<command …>' …
//
// Each command is split on spaces (no shell): e.g.
//   node bench/ab.mjs --runs=7 'base=node /tmp/base/bin/kuma-api-forge.js check --base a.yaml --head b.yaml' \
//     'branch=node bin/kuma-api-forge.js check --base a.yaml --head b.yaml'
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describeLoad, repoRoot } from './lib.mjs';

const options = Object.fromEntries(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith('--'))
    .map((a) => a.slice(2).split('=')),
);
const runs = Number(options.runs ?? 5);
const cwd = options.cwd ?? repoRoot;
const variants = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map((spec) => {
    const at = spec.indexOf('=');
    const [command, ...args] = spec
      .slice(at + 1)
      .trim()
      .split(/\s+/);
    return { label: spec.slice(0, at), command, args, walls: [], cpus: [], peakMb: 0, codes: new Set() };
  });
if (variants.length === 0 || !existsSync('/usr/bin/time')) {
  console.error('usage: node bench/ab.mjs [--runs=5] [--cwd=dir] label=command … (needs GNU /usr/bin/time)');
  process.exit(2);
}

const loads = [describeLoad()];
for (let round = 0; round <= runs; round++) {
  for (const variant of variants) {
    const start = process.hrtime.bigint();
    const result = spawnSync('/usr/bin/time', ['-f', '%M %U %S', variant.command, ...variant.args], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    if (round === 0) continue; // warm-up: file cache, compile cache
    const [kb, user, system] = (result.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
    variant.walls.push(wall);
    variant.cpus.push(user + system);
    variant.peakMb = Math.max(variant.peakMb, kb / 1024);
    variant.codes.add(result.status);
  }
  loads.push(describeLoad());
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const first = variants[0];
console.log(`${runs} interleaved runs each after a warm-up; ${loads[0]} at start, ${loads.at(-1)} at end`);
for (const v of variants) {
  const wall = median(v.walls);
  const cpu = median(v.cpus);
  console.log(
    `${v.label.padEnd(16)} wall ${wall.toFixed(2)} s (${Math.min(...v.walls).toFixed(2)}–${Math.max(...v.walls).toFixed(2)}), cpu ${cpu.toFixed(2)} s, peak ${v.peakMb.toFixed(0)} MB, exit ${[...v.codes].join('/')}` +
      (v === first
        ? ''
        : `; vs ${first.label}: wall ${(wall / median(first.walls)).toFixed(2)}×, cpu ${(cpu / median(first.cpus)).toFixed(2)}×`),
  );
}
