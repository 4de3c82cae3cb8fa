// Bundles the CLI (and later the Lambda handlers) with esbuild. Dependencies stay external for the CLI:
// they are installed beside it by npm.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'shared/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
