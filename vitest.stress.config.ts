import { defineConfig } from 'vitest/config';

/**
 * The stress tier (`npm run test:stress`): concurrent deploys against the local GitHub under injected faults,
 * a 10,000-operation spec through check and render, the default file limit at its real size (thousands of files),
 * the proofs on GitHub's REST description (no shadowed operation for Kuma and Envoy Gateway, exact tenancy
 * against 1,100 routes), and the OpenAPI schema parity on every breakage of every fixture spec (a fresh Ajv
 * compile each on swagger-parser's side). Minutes of CPU that prove the same code converges, finishes and scales
 * on either Node version: CI runs it once (on Node 20), not in every pass of the everyday suite. Each is the
 * large version of a property the everyday suite proves on small inputs.
 */
export default defineConfig({
  test: {
    name: 'stress',
    include: ['test/stress/**/*.test.ts'],
    testTimeout: 480_000,
    // The deploy test's local GitHub and its repos are set up and torn down in hooks, beside CPU-bound files: a
    // loaded machine took over the default 10 s.
    hookTimeout: 120_000,
    pool: 'forks',
    // The run's temporary files in one folder of its own, removed when the run ends.
    globalSetup: ['test/setup/run-tmpdir.ts'],
    // The deploy test mostly waits on git and loopback HTTP, the others compute: side by side on two cores.
    maxWorkers: 2,
  },
});
