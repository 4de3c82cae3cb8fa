// Bundles the CLI with esbuild into dist/cli/. Dependencies stay external: npm installs them beside it.
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
  // Split chunks so that modules imported on demand (Spectral, swagger2openapi) load only when used.
  splitting: true,
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
