import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
    // Vitest's default (cores - 1) runs one file at a time on a 2-core machine, yet most suites wait on git,
    // loopback HTTP and child processes: one worker per core runs the whole suite ~20 % faster there.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
