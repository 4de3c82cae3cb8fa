import { describe, expect, it } from 'vitest';
import { buildGitBlobSha } from '../../../shared/core/deploy/deploy-paths.js';
import { findFolderDrift, findTouchedFolders, judgeFolder } from '../../../shared/core/deploy/drift.js';
import { planDeploy } from '../../../shared/core/deploy/plan-deploy.js';
import { parseSourceRecord, renderSourceRecord } from '../../../shared/core/deploy/source-record.js';

const folder = 'apis/acme/pets/';
const recordPath = `${folder}.source.yaml`;
const repo = { owner: 'acme', repo: 'pets' };
const shaA = 'a'.repeat(40);
const shaB = 'b'.repeat(40);

/** A deploy of `files` (api/file → content) over `current`, as the App plans it: the folder's new tree. */
function deploy(
  sourceSha: string,
  files: Record<string, string>,
  current: { path: string; sha: string }[] = [],
) {
  const plan = planDeploy({
    sourceRepo: repo,
    sourceSha,
    rendered: [{ name: 'pets', files: Object.entries(files).map(([path, content]) => ({ path, content })) }],
    current,
  });
  const tree = new Map(current.map((f) => [f.path, f.sha]));
  const texts = new Map<string, string>();
  for (const change of plan.changes) {
    if (change.content === null) tree.delete(change.path);
    else {
      tree.set(change.path, buildGitBlobSha(change.content));
      texts.set(change.path, change.content);
    }
  }
  const record = texts.get(recordPath)!;
  return {
    files: [...tree].map(([path, sha]) => ({ path, sha })),
    record: { sha: buildGitBlobSha(record), text: record },
  };
}

const edit = (files: { path: string; sha: string }[], path: string, content: string | null) => [
  ...files.filter((f) => f.path !== path),
  ...(content === null ? [] : [{ path, sha: buildGitBlobSha(content) }]),
];

describe('drift', () => {
  const v1 = deploy(shaA, { 'route.yaml': 'kind: MeshHTTPRoute\n' });
  const route = `${folder}pets/route.yaml`;

  it('a record lists each generated file by blob id, and survives a render/parse round trip', () => {
    const record = parseSourceRecord(v1.record.text)!;
    expect(record.generated).toEqual({ 'pets/route.yaml': buildGitBlobSha('kind: MeshHTTPRoute\n') });
    expect(parseSourceRecord(renderSourceRecord(record))).toEqual(record);
  });

  it('finds changed, added and deleted files against the record', () => {
    const generated = { 'pets/a.yaml': buildGitBlobSha('a'), 'pets/b.yaml': buildGitBlobSha('b') };
    const files = [
      { path: `${folder}pets/a.yaml`, sha: buildGitBlobSha('a2') },
      { path: `${folder}pets/c.yaml`, sha: buildGitBlobSha('c') },
      { path: recordPath, sha: shaA },
    ];
    expect(findFolderDrift(folder, files, generated)).toEqual([
      { path: `${folder}pets/a.yaml`, change: 'changed' },
      { path: `${folder}pets/b.yaml`, change: 'deleted' },
      { path: `${folder}pets/c.yaml`, change: 'added' },
    ]);
  });

  it('touched folders: only apis/<owner>/<repo>/ folders whose files differ', () => {
    const before = [{ path: 'tenants.yaml', sha: shaA }, ...v1.files];
    expect(findTouchedFolders(before, [{ path: 'tenants.yaml', sha: shaB }, ...v1.files])).toEqual([]);
    expect(findTouchedFolders(before, [...before, { path: 'apis/x/y/z.yaml', sha: shaA }])).toEqual([
      'apis/x/y/',
    ]);
  });

  it("the App's next deploy is not drift; a hand edit is; a revert of the hand edit is not", () => {
    const v2 = deploy(shaB, { 'route.yaml': 'kind: MeshHTTPRoute\n# v2\n' }, v1.files);
    expect(
      judgeFolder({
        folder,
        before: v1.files,
        after: v2.files,
        beforeRecord: v1.record,
        afterRecord: v2.record,
      }),
    ).toBeUndefined();
    const edited = edit(v2.files, route, 'hand\n');
    const common = { folder, beforeRecord: v2.record, afterRecord: v2.record };
    expect(judgeFolder({ ...common, before: v2.files, after: edited })).toMatchObject({
      files: [{ path: route, change: 'changed' }],
      deployedCommit: shaB,
    });
    expect(judgeFolder({ ...common, before: edited, after: v2.files })).toBeUndefined();
  });

  it('a revert of a deploy puts back a record that does not name the one it replaced: reported', () => {
    const v2 = deploy(shaB, { 'route.yaml': 'kind: MeshHTTPRoute\n# v2\n' }, v1.files);
    const report = judgeFolder({
      folder,
      before: v2.files,
      after: v1.files,
      beforeRecord: v2.record,
      afterRecord: v1.record,
    });
    expect(report).toMatchObject({
      record: 'replaced',
      files: [{ path: route, change: 'changed' }],
      deployedCommit: shaB,
    });
  });

  it('an old record (no generated) is read, and its folder is not judged', () => {
    const old = parseSourceRecord(v1.record.text)!;
    delete old.generated;
    const text = renderSourceRecord(old);
    const record = { sha: buildGitBlobSha(text), text };
    const files = edit(v1.files, recordPath, text);
    expect(parseSourceRecord(text)).toBeDefined();
    expect(
      judgeFolder({
        folder,
        before: files,
        after: edit(files, route, 'x\n'),
        beforeRecord: record,
        afterRecord: record,
      }),
    ).toBeUndefined();
  });

  it('a record that is no longer YAML, or deleted, is reported; the folder is judged against the one before', () => {
    const broken = 'repo: [acme/pets\n';
    const unreadable = judgeFolder({
      folder,
      before: v1.files,
      after: edit(v1.files, recordPath, broken),
      beforeRecord: v1.record,
      afterRecord: { sha: buildGitBlobSha(broken), text: broken },
    });
    expect(unreadable).toMatchObject({ record: 'unreadable', files: [], deployedCommit: shaA });
    const deleted = judgeFolder({
      folder,
      before: v1.files,
      after: edit(edit(v1.files, recordPath, null), route, null),
      beforeRecord: v1.record,
    });
    expect(deleted).toMatchObject({ record: 'deleted', files: [{ path: route, change: 'deleted' }] });
  });

  it('reports under the repo its folder names, not one a hand-edited record claims', () => {
    const record = parseSourceRecord(v1.record.text)!;
    const text = renderSourceRecord({ ...record, repo: { owner: 'evil', repo: 'other' } });
    const claimed = { sha: buildGitBlobSha(text), text };
    const files = edit(v1.files, recordPath, text);
    const report = judgeFolder({
      folder,
      before: files,
      after: edit(files, route, 'x\n'),
      beforeRecord: claimed,
      afterRecord: claimed,
    });
    expect(report?.repo).toEqual({ owner: 'acme', repo: 'pets' });
  });
});
