/**
 * Drift: generated files of the deploy repo that differ from what the App last wrote. Each folder's
 * `.source.yaml` records every file the deploy wrote with its git blob id (`generated`) and the blob id of the
 * record it replaced (`replaces`), so a push is judged from two tree listings and the records of the folders it
 * touched: by content, whoever made the commit (a commit's author is whatever its maker typed).
 *
 * What is detectable, per folder a push touched:
 * - a generated file changed, deleted or renamed, or a file added inside the folder, against the record;
 * - a record edited or deleted by hand: a record the App writes names the blob it replaced, so a record that
 *   does not (a hand edit of it, a revert of a deploy commit that puts an older record back) is not the App's,
 *   and the folder is then judged against the record it replaced.
 * What is not: a push that rewrites files AND the record consistently, with `replaces` set to the previous
 * record's blob id (all public), is indistinguishable from a deploy by content; so is a folder created by hand
 * with a record. Folders whose record predates `generated` are not judged (nothing is known of them).
 * Pure: the use case reads the trees and the records.
 * @module
 */

import { formatRepoRef, type RepoRef } from '../repo-ref.js';
import { parseRepoFolder } from './deploy-paths.js';
import { parseSourceRecord, type SourceRecord, sourceRecordFile } from './source-record.js';

export type DriftChange = 'changed' | 'added' | 'deleted';

export interface DriftedFile {
  /** Deploy-repo path. */
  path: string;
  change: DriftChange;
}

/** A file of a tree listing: path and git blob id. */
export interface TreeFile {
  path: string;
  sha: string;
}

/**
 * The files of `folder` that differ from what `generated` (paths inside the folder → blob ids) records,
 * sorted by path; the record itself is not a generated file.
 */
export function findFolderDrift(
  folder: string,
  files: readonly TreeFile[],
  generated: Readonly<Record<string, string>>,
): DriftedFile[] {
  const recorded = new Map(Object.entries(generated).map(([path, sha]) => [`${folder}${path}`, sha]));
  const drift: DriftedFile[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    if (!file.path.startsWith(folder) || file.path === `${folder}${sourceRecordFile}`) continue;
    seen.add(file.path);
    const sha = recorded.get(file.path);
    if (sha === undefined) drift.push({ path: file.path, change: 'added' });
    else if (sha !== file.sha) drift.push({ path: file.path, change: 'changed' });
  }
  for (const path of recorded.keys()) if (!seen.has(path)) drift.push({ path, change: 'deleted' });
  return drift.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** How a push left a folder's record: kept (or replaced by a deploy), or not the App's any more. */
export type RecordIssue =
  /** Replaced by a record that does not name the one it replaced: edited by hand, or an older one put back. */
  | 'replaced'
  /** Deleted while the folder kept files (or the whole folder deleted). */
  | 'deleted'
  /** Not a record any more (not YAML, a required key gone). */
  | 'unreadable';

export interface FolderDriftReport {
  repo: RepoRef;
  folder: string;
  /** Every file of the folder that differs from what the App last wrote (also those of earlier pushes). */
  files: DriftedFile[];
  record?: RecordIssue;
  /** The source commit the App last deployed to the folder, per the record it is judged against. */
  deployedCommit: string;
}

/** The deploy-repo folders (`apis/<owner>/<repo>/`) in which the two trees differ. */
export function findTouchedFolders(before: readonly TreeFile[], after: readonly TreeFile[]): string[] {
  const was = new Map(before.map((file) => [file.path, file.sha]));
  const is = new Map(after.map((file) => [file.path, file.sha]));
  const folders = new Set<string>();
  for (const [path, sha] of is) if (was.get(path) !== sha) addFolder(folders, path);
  for (const path of was.keys()) if (!is.has(path)) addFolder(folders, path);
  return [...folders].sort();
}

function addFolder(folders: Set<string>, path: string): void {
  const folder = /^apis\/[^/]+\/[^/]+\//.exec(path)?.[0];
  if (folder) folders.add(folder);
}

/** A folder's record at one side of a push: its blob id and text (undefined when the folder has none). */
export interface RecordAt {
  sha: string;
  text: string;
}

export interface JudgeFolderInput {
  folder: string;
  before: readonly TreeFile[];
  after: readonly TreeFile[];
  beforeRecord?: RecordAt;
  afterRecord?: RecordAt;
}

/**
 * The drift a push left in one folder it touched, or undefined when there is none to report: the push changed
 * no file that now differs from what the App last wrote, and left the record the App's.
 */
export function judgeFolder(input: JudgeFolderInput): FolderDriftReport | undefined {
  const { folder, beforeRecord, afterRecord } = input;
  const folderRepo = parseRepoFolder(folder);
  const parse = (record: RecordAt | undefined) =>
    record ? parseSourceRecord(record.text, folderRepo) : undefined;
  const was = parse(beforeRecord);
  const is = parse(afterRecord);
  let record: RecordIssue | undefined;
  let reference: SourceRecord | undefined = is;
  if (afterRecord?.sha !== beforeRecord?.sha && beforeRecord) {
    if (!afterRecord) record = 'deleted';
    else if (!is) record = 'unreadable';
    else if (is.replaces !== beforeRecord.sha) record = 'replaced';
    if (record) reference = was;
  }
  if (!reference?.generated) return undefined;
  const files = findFolderDrift(folder, input.after, reference.generated);
  const changedByPush = new Set(changedPaths(input.before, input.after));
  if (!record && !files.some((file) => changedByPush.has(file.path))) return undefined;
  // The folder names the repo; a record (anyone can edit it) naming another one is not believed.
  const named = formatRepoRef(reference.repo).toLowerCase();
  const repo = folderRepo && named !== formatRepoRef(folderRepo) ? folderRepo : reference.repo;
  return {
    repo,
    folder,
    files,
    ...(record ? { record } : {}),
    deployedCommit: reference.commit,
  };
}

function changedPaths(before: readonly TreeFile[], after: readonly TreeFile[]): string[] {
  const was = new Map(before.map((file) => [file.path, file.sha]));
  const is = new Set(after.map((file) => file.path));
  return [
    ...after.filter((file) => was.get(file.path) !== file.sha).map((file) => file.path),
    ...before.filter((file) => !is.has(file.path)).map((file) => file.path),
  ];
}
