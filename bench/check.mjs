// Benchmark of `kuma-api-forge check` (all lint rules on) against bare oasdiff on the same pairs.
// Usage: npm run build && node bench/check.mjs [runs]
// Targets (issue 2): petstore pair < 1 s end to end; GitHub pair within 2x oasdiff alone and < 1.5 GB peak.
import path from 'node:path';
import { emptyDir, fmt, githubSpec, measure, oasdiffBinary, repoRoot } from './lib.mjs';

const runs = Number(process.argv[2] ?? 5);
const cli = path.join(repoRoot, 'bin', 'kuma-api-forge.js');
const pairs = [
  {
    name: 'petstore (removed operation)',
    base: path.join(repoRoot, 'fixtures/specs/petstore/petstore.yaml'),
    head: path.join(repoRoot, 'fixtures/specs/petstore/revisions/removed-operation.yaml'),
  },
  { name: 'GitHub REST 19.1.0 -> 23.0.2', base: githubSpec('19.1.0'), head: githubSpec('23.0.2') },
];

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
  console.log(`  kuma-api-forge check: ${fmt(ours)}`);
  console.log(`  oasdiff breaking:     ${fmt(oasdiff)}`);
  console.log(`  ratio (median):       ${(ours.median / oasdiff.median).toFixed(2)}x`);
}
