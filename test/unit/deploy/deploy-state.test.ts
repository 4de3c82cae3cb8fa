/** The pure half of a deploy's read of the deploy repo: which files are records, and what they say. */
import { describe, expect, it } from 'vitest';
import { decideDeploy } from '../../../shared/core/deploy/decide-deploy.js';
import { findSourceRecordPaths, parseDeployState } from '../../../shared/core/deploy/deploy-state.js';
import { renderSourceRecord } from '../../../shared/core/deploy/source-record.js';
import type { Finding } from '../../../shared/core/findings.js';
import { formatRepoRef, parseRepoRef } from '../../../shared/core/repo-ref.js';

const record = (repo: string, commit: string) =>
  renderSourceRecord({
    repo: parseRepoRef(repo)!,
    commit,
    inputs: [],
    resources: [`MeshHTTPRoute kuma-system/${repo.replace('/', '-')}`],
    routes: [],
  });
const ours = 'a'.repeat(40);
const theirs = 'b'.repeat(40);

describe('deploy state', () => {
  it('finds only the records of repo folders, not nested or look-alike files', () => {
    expect(
      findSourceRecordPaths([
        'tenants.yaml',
        'apis/acme/pets/.source.yaml',
        'apis/acme/pets/users/.source.yaml',
        'apis/acme/.source.yaml',
        'apis/acme/shop/.source.yml',
        'other/acme/shop/.source.yaml',
        'apis/acme/shop/.source.yaml',
      ]),
    ).toEqual(['apis/acme/pets/.source.yaml', 'apis/acme/shop/.source.yaml']);
  });

  it("splits this folder's commit from the other tenants, and skips records that do not parse", () => {
    const state = parseDeployState({
      folder: 'apis/acme/pets/',
      records: [
        { path: 'apis/acme/pets/.source.yaml', text: record('acme/pets', ours) },
        { path: 'apis/acme/shop/.source.yaml', text: record('acme/shop', theirs) },
        { path: 'apis/acme/torn/.source.yaml', text: 'repo: acme/torn\ncommit: [' },
        { path: 'apis/acme/gone/.source.yaml', text: undefined },
      ],
    });
    expect(state.recorded).toBe(ours);
    expect(state.others.map((other) => formatRepoRef(other.repo))).toEqual(['acme/shop']);
    expect(state.others[0]!.resources).toEqual(['MeshHTTPRoute kuma-system/acme-shop']);
    expect(state.tenants).toBeUndefined();
    expect(state.tenantsFindings).toEqual([]);
  });

  it("reads the repo of a record as owner/repo; one that is not (no deploy writes it) is its folder's", () => {
    const hand = (repo: string) => record('acme/shop', theirs).replace('repo: acme/shop', `repo: ${repo}`);
    const state = parseDeployState({
      folder: 'apis/acme/pets/',
      records: [
        { path: 'apis/globex/shop/.source.yaml', text: hand('Globex/Shop') },
        { path: 'apis/acme/a/.source.yaml', text: hand('acme') },
        { path: 'apis/acme/b/.source.yaml', text: hand('acme/b/c') },
        { path: 'apis/acme/c/.source.yaml', text: hand('"acme/c d"') },
      ],
    });
    // Their claims still count: read as the folder's repo.
    expect(state.others.map((other) => formatRepoRef(other.repo))).toEqual([
      'Globex/Shop',
      'acme/a',
      'acme/b',
      'acme/c',
    ]);
    expect(state.others.every((other) => other.resources.length === 1)).toBe(true);
  });

  it('turns an invalid tenants file into tenancy findings that refuse every deploy', () => {
    const state = parseDeployState({ folder: 'apis/acme/pets/', tenantsText: 'tenants: [', records: [] });
    expect(state.tenants).toBeUndefined();
    expect(state.tenantsFindings.length).toBeGreaterThan(0);
    for (const finding of state.tenantsFindings) {
      expect(finding.kind).toBe('tenancy');
      expect(finding.file).toBe('tenants.yaml');
      expect(finding.message).toMatch(
        /^the deploy repo's tenants\.yaml is invalid, nothing can be deployed: /,
      );
    }
    const decision = decideDeploy({
      sourceRepo: { owner: 'acme', repo: 'pets' },
      sourceSha: ours,
      rendered: { configFound: true, apis: [], findings: [], inputs: [] },
      state,
      current: [],
    });
    expect(decision).toEqual({ status: 'rejected', findings: state.tenantsFindings });
  });

  it('refuses on render errors before it looks at the tenants file; warnings do not refuse', () => {
    const state = parseDeployState({ folder: 'apis/acme/pets/', tenantsText: 'tenants: [', records: [] });
    const error: Finding = {
      id: 'x-error',
      kind: 'validation',
      severity: 'error',
      message: 'broken',
      file: 'a.yaml',
      line: 1,
      column: 1,
      pointer: '',
    };
    const warning: Finding = { ...error, id: 'x-warning', severity: 'warning' };
    const decision = decideDeploy({
      sourceRepo: { owner: 'acme', repo: 'pets' },
      sourceSha: ours,
      rendered: { configFound: true, apis: [], findings: [warning, error], inputs: [] },
      state,
      current: [],
    });
    expect(decision).toEqual({ status: 'rejected', findings: [error] });
  });
});
