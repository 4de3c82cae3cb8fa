/**
 * A source repo's folder in the deploy repo: `buildRepoFolder` writes it, `parseRepoFolder` reads whose a path
 * is. Only the folder says whose a file is; a path outside any repo's folder belongs to none.
 */
import { describe, expect, it } from 'vitest';
import { buildRepoFolder, parseRepoFolder } from '../../../shared/core/deploy/deploy-paths.js';

describe('a repo folder', () => {
  it('reads back the repo it was built for, lower-cased like GitHub names', () => {
    for (const repo of [
      { owner: 'acme', repo: 'pets' },
      { owner: 'Acme-Corp', repo: '.github' },
      { owner: 'a', repo: 'x.y_z-1' },
    ]) {
      const folder = buildRepoFolder(repo);
      const lower = { owner: repo.owner.toLowerCase(), repo: repo.repo.toLowerCase() };
      expect(parseRepoFolder(folder)).toEqual(lower);
      expect(parseRepoFolder(`${folder}.source.yaml`)).toEqual(lower);
      expect(parseRepoFolder(`${folder}api/gateway.yaml`)).toEqual(lower);
    }
  });

  it('names no repo for a path outside apis/<owner>/<repo>/', () => {
    for (const path of [
      'tenants.yaml',
      'governance/limits.yaml',
      'apis/acme',
      'apis/acme/pets',
      'envs/staging/apis/acme/pets/.source.yaml',
      'apis//pets/.source.yaml',
      'xapis/acme/pets/.source.yaml',
    ])
      expect(parseRepoFolder(path)).toBeUndefined();
  });
});
