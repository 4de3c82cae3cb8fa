import { defineConfig } from 'vitest/config';

/**
 * The stress tier (`npm run test:stress`): concurrent deploys against the local GitHub under injected faults,
 * and a 10,000-operation spec through check and render. Minutes of CPU that prove the same code converges and
 * finishes on either Node version: CI runs it once (on Node 20), not in every pass of the everyday suite.
 */
export default defineConfig({
  test: {
    name: 'stress',
    include: ['test/stress/**/*.test.ts'],
    testTimeout: 480_000,
    pool: 'forks',
    // The deploy test mostly waits on git and loopback HTTP, the spec test computes: side by side on two cores.
    maxWorkers: 2,
  },
});
