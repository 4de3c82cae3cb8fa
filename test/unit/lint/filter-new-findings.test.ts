import { describe, expect, it } from 'vitest';
import { filterNewFindings } from '../../../shared/core/lint/filter-new-findings.js';
import { lintSpec } from '../../../shared/core/lint/lint-spec.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';
import { cleanOpenApi30, edit } from './lint-fixtures.js';

const lint = async (text: string) =>
  lintSpec(await loadSpecFromFiles({ 'openapi.yaml': text }, 'openapi.yaml'));

// Base: GET /users/{id} has no description (an old finding).
const base = edit(cleanOpenApi30, '      description: Get one user.\n', '');

describe('filterNewFindings', () => {
  it('keeps only what the head adds, although every line moved', async () => {
    // Head: lines shift (new text on top), the old finding stays, and GET /users loses its tags (new finding).
    const head = edit(
      edit(base, 'info:\n', '# Users API\n# maintained by the API team\ninfo:\n'),
      '      description: List users.\n      tags: [users]\n',
      '      description: List users.\n',
    );
    const [baseFindings, headFindings] = await Promise.all([lint(base), lint(head)]);
    expect(headFindings.map((f) => f.id).sort()).toEqual(['operation-description', 'operation-tags']);
    const fresh = filterNewFindings(headFindings, baseFindings);
    expect(fresh.map((f) => [f.id, f.operation, f.line])).toEqual([['operation-tags', 'GET /users', 23]]);
  });

  it('reports a finding again when the same problem appears on another operation', async () => {
    const head = edit(base, '      description: List users.\n', '');
    const fresh = filterNewFindings(await lint(head), await lint(base));
    expect(fresh.map((f) => [f.id, f.operation])).toEqual([['operation-description', 'GET /users']]);
  });

  it('keeps everything when the base has no findings', async () => {
    const headFindings = await lint(base);
    expect(filterNewFindings(headFindings, [])).toEqual(headFindings);
  });
});
