// The load at which the scale model first meets one of GitHub's limits: runs bench/scale-model.ts at growing load
// multipliers (doubling from --from, then halving the interval --steps times) and reports the largest load at
// which no call was refused. Every other flag is passed to the model as it is.
//
//   node bench/scale-model-search.mjs [--from=0.05] [--steps=3] [model flags, e.g. --hours=0.25 --repos=60 --scale=4]
import { spawnSync } from 'node:child_process';
import { repoRoot } from './lib.mjs';

const args = process.argv.slice(2);
const own = (name, fallback) => {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const from = own('from', 0.05);
const steps = own('steps', 3);
const passed = args.filter((a) => !/^--(from|steps|load)=/.test(a));

/** Runs the model at `load`; the number of calls a limit refused (or the run's failure). */
function refusedAt(load) {
  const run = spawnSync('npx', ['tsx', 'bench/scale-model.ts', `--load=${load}`, ...passed], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('refused by a limit:'));
  if (!line) throw new Error(`the model failed at load ${load}:\n${run.stdout}\n${run.stderr}`);
  const refused = [...line.matchAll(/(\d+) (secondary|concurrency|primary)/g)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
  console.log(`load ×${load}: ${line.slice('refused by a limit: '.length)}`);
  return refused;
}

let below = 0;
let above;
for (let load = from; above === undefined; load *= 2) {
  if (refusedAt(load) > 0) above = load;
  else below = load;
  if (load > 1000) throw new Error('no limit met up to load ×1000');
}
for (let i = 0; i < steps; i++) {
  const middle = Number(((below + above) / 2).toPrecision(3));
  if (refusedAt(middle) > 0) above = middle;
  else below = middle;
}
console.log(`\nfirst limit met between load ×${below} (none refused) and ×${above}`);
