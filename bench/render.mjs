// Benchmark of Kuma rendering on GitHub's REST description (1,200+ operations, @octokit/openapi devDependency).
// Usage: npm run build && node bench/render.mjs [runs]
// Target (issue 3): the render itself (loaded spec in, validated resources out) < 1 s, and < 300 MB.
// 1. In this process: the spec is loaded once, then rendered `runs` times (the first, cold render is shown apart:
//    it compiles the CRD schemas and warms the JIT).
// 2. A fresh process (`kuma-api-forge render`, the built CLI): load + render + serialise, wall time and peak RSS.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { fmt, measure, repoRoot } from './lib.mjs';

const runs = Number(process.argv[2] ?? 10);
const spec = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
const api = { name: 'github', spec: 'api.github.com.json', hostnames: ['api.github.com'] };

// The core is TypeScript: bundle the few entry points into .cache (inside the repo, so packages resolve).
const outfile = path.join(repoRoot, '.cache', 'bench', 'render-core.mjs');
mkdirSync(path.dirname(outfile), { recursive: true });
await build({
  stdin: {
    contents: [
      "export { renderApi } from './shared/core/kuma/render/render-api.ts';",
      "export { loadSpec } from './shared/core/spec/load-spec.ts';",
      "export { createLocalDirSource } from './shared/adapters/local-dir-source.ts';",
    ].join('\n'),
    resolveDir: repoRoot,
    loader: 'ts',
  },
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const { renderApi, loadSpec, createLocalDirSource } = await import(pathToFileURL(outfile).href);

const loaded = await loadSpec(createLocalDirSource(path.dirname(spec)), path.basename(spec), {
  maxFileBytes: 64 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
});
const timeRender = () => {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = renderApi({ spec: loaded, api });
  const { user, system } = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu: (user + system) / 1e6, result };
};
const cold = timeRender();
const rules = cold.result.operations.length;
const errors = cold.result.findings.filter((finding) => finding.severity === 'error').length;
const times = Array.from({ length: runs }, () => timeRender().seconds).sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const rssMb = process.memoryUsage().rss / 1024 / 1024;

console.log(`GitHub REST description: ${rules} operations routed, ${errors} error findings`);
console.log(
  `  render (in process): cold ${cold.seconds.toFixed(2)} s (CPU ${cold.cpu.toFixed(2)} s), then median ${median.toFixed(3)} s`,
);
console.log(
  `    (min ${times[0].toFixed(3)}, max ${times.at(-1).toFixed(3)}) over ${runs}; RSS now ${rssMb.toFixed(0)} MB`,
);

const cli = path.join(repoRoot, 'bin', 'kuma-api-forge.js');
const fresh = measure(process.execPath, [cli, 'render', spec, '--hostname', 'api.github.com'], {
  runs: Math.min(runs, 5),
});
console.log(`  fresh process, load + render + YAML to stdout: ${fmt(fresh)}`);
