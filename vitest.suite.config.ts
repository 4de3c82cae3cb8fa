import { configDefaults, defineConfig } from 'vitest/config';
import tiers from './vitest.config.js';

/**
 * The everyday suite in one run (`npm test`, and the Node 22 pass of .ci/run): the three tiers of
 * vitest.config.ts, every test outside test/stress, as ONE project. Vitest gives each project workers of its
 * own (a worker takes only files of its project), so three projects start three times the workers, each
 * importing Octokit, Spectral, Ajv and the generated validators again; as one project each worker imports them
 * once for the whole run. Measured on 35 files of the three tiers (a loaded 2-core machine, two runs each):
 * 48 and 58 s of CPU as one project, 63 and 76 s as three.
 */
const { projects: _tiers, ...options } = tiers.test ?? {};

export default defineConfig({
  test: {
    ...options,
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/stress/**'],
  },
});
