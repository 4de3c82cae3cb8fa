/**
 * The walk of one PR event through the worker, against in-memory fakes: it posts the comment and the check run
 * with the merge's preview, and never takes the deploy's path (write access to the deploy repo, the source
 * repo's history, a commit). The import graph is held by test/unit/architecture.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createJsonLogger } from '../../../shared/adapters/json-logger.js';
import { createWorker } from '../../../shared/app/worker.js';
import type { DeployRepoAccess, DeployTarget } from '../../../shared/ports/deploy-repo.js';
import {
  checkJobFactory,
  createFakeBreakingDiff,
  createFakeDeployRepo,
  createFakeSourceRepo,
} from '../../helpers/factories.js';
import { buildSourceFiles, grant } from '../deploy/helpers.js';

describe('a PR event through the worker', () => {
  it('comments with the mesh preview, reading the deploy repo only, never its history or a write', async () => {
    // Prepare
    const source = createFakeSourceRepo({ files: buildSourceFiles() });
    source.push('feature', buildSourceFiles({ paths: ['/pets', '/pets/{petId}', '/toys'] }));
    const number = source.openPull({ head: 'feature' });
    const deployRepo = createFakeDeployRepo({
      'tenants.yaml': stringify({ tenants: { 'acme/pets': grant } }),
    });
    const asked: DeployRepoAccess[] = [];
    const deploy: DeployTarget = {
      description: deployRepo.description,
      async repo(access) {
        asked.push(access);
        if (access === 'write') throw new Error('a PR event asked for write access to the deploy repo');
        return deployRepo;
      },
      history() {
        throw new Error("a PR event asked for the source repo's history");
      },
    };
    const lines: Record<string, unknown>[] = [];
    const worker = createWorker({
      codeHost: () => source.codeHost,
      breakingDiff: createFakeBreakingDiff(),
      log: createJsonLogger('info', (line) => lines.push(JSON.parse(line))),
      deploy,
    });

    // Act
    await worker.processJob(checkJobFactory(source, number, source.head('feature')));

    // Assess
    expect(lines.filter((line) => line.level !== 'info')).toEqual([]);
    expect(asked).toEqual(['read']);
    expect(source.comments(number)).toHaveLength(1);
    expect(source.comments(number)[0]!.body).toContain('### Mesh changes');
    expect(source.checkRuns.map((run) => [run.status, run.result?.conclusion])).toEqual([
      ['completed', 'success'],
    ]);
    expect(deployRepo.commits).toEqual([]);
    expect(source.calls).not.toContain('findMergedPullRequest');
  });
});
