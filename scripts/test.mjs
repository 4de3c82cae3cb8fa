// `npm test`: the type check and the lint run beside vitest instead of before it. The suite spends much of its
// time waiting on git, loopback HTTP and child processes, so tsc and biome fit in its gaps on two cores. Their
// output is held back and printed after vitest's, so the reports do not interleave; any failure fails the run.
// They start first, before the CLI bundle (`npm run build`), which only vitest needs: the CLI tests run
// bin/kuma-api-forge.js, which imports it. tsc keeps its incremental state in .cache/ (git-ignored), so a run
// after a small change re-checks what the change can affect, not the whole project.
import { spawn } from 'node:child_process';

const tsBuildInfo = '.cache/tsc/tsconfig.tsbuildinfo';

function run(command, args, { quiet }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    const output = [];
    child.stdout?.on('data', (chunk) => output.push(chunk));
    child.stderr?.on('data', (chunk) => output.push(chunk));
    child.on('close', (code) =>
      resolve({ name: [command, ...args].join(' '), code: code ?? 1, output: Buffer.concat(output) }),
    );
  });
}

const checks = [
  run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', tsBuildInfo], {
    quiet: true,
  }),
  run('npx', ['biome', 'check', '.'], { quiet: true }),
];
const build = await run(process.execPath, ['scripts/build.mjs'], { quiet: false });
if (build.code !== 0) process.exit(build.code);
// The three tiers as one vitest project (vitest.suite.config.ts): each worker imports the code once for all of them.
const vitest = await run(
  'npx',
  ['vitest', 'run', '--config', 'vitest.suite.config.ts', ...process.argv.slice(2)],
  {
    quiet: false,
  },
);
let failed = vitest.code !== 0;
for (const check of await Promise.all(checks)) {
  if (check.code === 0) {
    process.stdout.write(`✓ ${check.name}\n`);
  } else {
    failed = true;
    process.stdout.write(`✗ ${check.name} (exit ${check.code})\n`);
    process.stdout.write(check.output);
  }
}
process.exit(failed ? 1 : 0);
