// Benchmark of `kuma-api-forge check` (all lint rules on) against bare oasdiff on the same pairs.
// Usage: npm run build && node bench/check.mjs [runs=5]
// Targets (issue 2): petstore pair < 1 s end to end (issue 15: ≤ 0.25 s; bench/startup.mjs says where it goes); GitHub pair within 2x oasdiff alone and < 1.5 GB peak.
// Each figure is the median of `runs` fresh processes after one warm-up; peak RSS is the largest seen. The CLI is
// the built one (bin/ → dist/cli), so run `npm run build` after changing the code.
import path from 'node:path';
import { describeLoad, emptyDir, fmt, githubSpec, measure, oasdiffBinary, repoRoot } from './lib.mjs';

const runs = Number(process.argv[2] ?? 5);
const cli = path.join(repoRoot, 'bin', 'kuma-api-forge.js');
const pairs = [
  {
    name: 'petstore (removed operation)',
    base: path.join(repoRoot, 'fixtures/specs/petstore/petstore.yaml'),
    head: path.join(repoRoot, 'fixtures/specs/petstore/revisions/removed-operation.yaml'),
    verdict: (ours) =>
      `target < 1 s (issue 2): ${ours.median < 1 ? 'met' : 'MISSED'}; ≤ 0.25 s (issue 15): ${ours.median <= 0.25 ? 'met' : 'MISSED'}`,
  },
  {
    name: 'GitHub REST 19.1.0 -> 23.0.2',
    base: githubSpec('19.1.0'),
    head: githubSpec('23.0.2'),
    verdict: (ours, oasdiff) =>
      `target <= 2x oasdiff and < 1.5 GB: ${ours.median <= 2 * oasdiff.median && ours.peakMb < 1536 ? 'met' : 'MISSED'}`,
  },
];

console.log(`${runs} runs each, ${describeLoad()} at start`);
for (const pair of pairs) {
  const ours = measure(
    process.execPath,
    [cli, 'check', '--base', pair.base, '--head', pair.head, '--format', 'json', '--lint', 'all'],
    { runs },
  );
  const oasdiff = measure(oasdiffBinary(), ['breaking', pair.base, pair.head, '-f', 'json'], {
    runs,
    cwd: emptyDir(),
  });
  console.log(`${pair.name}`);
  // Both pairs have breaking changes: the check's gate fails (exit 1); exit 2 would mean it could not run.
  console.log(`  kuma-api-forge check: ${fmt(ours)}`);
  console.log(`  oasdiff breaking:     ${fmt(oasdiff)}`);
  console.log(`  ratio (median):       ${(ours.median / oasdiff.median).toFixed(2)}x`);
  console.log(`  ${pair.verdict(ours, oasdiff)}`);
}
console.log(`${describeLoad()} at end`);
