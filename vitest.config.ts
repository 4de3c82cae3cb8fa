import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Three tiers, each a vitest project (`vitest run --project unit`, or `npm run test:unit` and friends); a plain
 * `vitest run` runs all three, and `npm test` runs them as one project (vitest.suite.config.ts: fewer workers to
 * start):
 * - unit: the core and the use cases in process, without the network (use cases against the in-memory fakes of
 *   test/helpers/factories.ts). Every test folder not named below is unit, so a new folder is never left out.
 * - integration: one adapter or one seam for real: the local GitHub over HTTP with the real Octokit, the oasdiff
 *   binary, the Go and Python YAML parsers, `serverless package`, the cluster agents' Go templates, the contract
 *   of the local GitHub.
 * - e2e: what a user drives: the CLI, and the App receiving signed webhooks from the local GitHub.
 * The stress tier (concurrent deploys under injected faults, a 10,000-operation spec, GitHub's REST description)
 * is not part of the everyday suite: see vitest.stress.config.ts.
 */
const integration = [
  'test/integration/**/*.test.ts',
  'test/infra/**/*.test.ts',
  'test/contract/**/*.test.ts',
  'test/yaml-parity/**/*.test.ts',
  'test/packaging/**/*.test.ts',
];
const e2e = ['test/e2e/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // The e2e files start the local GitHub and the App in beforeAll: on a busy machine that takes over the
    // default 10 s.
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default (cores - 1) runs one file at a time on a 2-core machine, yet most suites wait on git,
    // loopback HTTP and child processes: one worker per core runs the whole suite ~20 % faster there.
    maxWorkers: Math.max(2, availableParallelism()),
    // One module cache per worker instead of one per file: 20-35 % less CPU per tier, most of which went to
    // importing Octokit, Spectral, Ajv and the spec parsers again for every file. So a test file must leave no
    // state behind: restore the env it stubs (vi.unstubAllEnvs) and the mocks it spies, close what it starts.
    isolate: false,
    // The run's temporary files in one folder of its own, removed when the run ends.
    globalSetup: ['test/setup/run-tmpdir.ts'],
    // Imported by Node itself, not through vitest's transform, which rewrote their imports at ~1 s per MB: the
    // Lambda bundles test/packaging unzips (dist/lambda/<function>/index.mjs, as Lambda imports them; ~2.5 s per
    // bundle) and the validators generated as plain JavaScript (shared/core/**/generated/*.js, 1.7 MB; ~1 s per
    // worker).
    server: { deps: { external: [/\/dist\/lambda\//, /\/shared\/core\/.+\/generated\/[^/]+\.js$/] } },
    // A young generation of 32 MB instead of V8's default 16: the suite allocates much short-lived data (YAML and
    // JSON documents, rendered manifests), which with the default is scavenged and promoted too often. Measured on
    // test/unit + the CLI fixture checks + yaml-parity (2 cores): 44 s -> 36 s wall, 65 -> 53 s user CPU.
    execArgv: ['--max-semi-space-size=32'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...integration, ...e2e, 'test/stress/**'],
        },
      },
      { extends: true, test: { name: 'integration', include: integration } },
      { extends: true, test: { name: 'e2e', include: e2e } },
    ],
  },
});
