/**
 * Use case: a push to the deploy repo's deploy branch. Compare the pushed commit with the one before it in the
 * folders the push touched; for each, judge by content whether it left generated files differing from what the
 * App last wrote (`core/deploy/drift.ts`), and if any did, report them as a check run on the pushed commit. A
 * push that leaves every folder as the App wrote it (the App's own deploys, edits outside `apis/`) gets none.
 * Reads: two tree listings and the touched folders' records (blobs by id, cached), never a generated file.
 * @module
 */
import {
  type FolderDriftReport,
  findTouchedFolders,
  judgeFolder,
  type RecordAt,
} from '../core/deploy/drift.js';
import { sourceRecordFile } from '../core/deploy/source-record.js';
import type { DriftJob } from '../core/jobs.js';
import { buildDriftCheckRun, driftCheckRunName } from '../core/report/drift-report.js';
import type { CodeHost } from '../ports/code-host.js';
import type { DeployRepo, DeploySnapshot } from '../ports/deploy-repo.js';
import type { Logger } from '../ports/logger.js';

export interface DriftReportDeps {
  /** The deploy repo, read at the push's two commits. */
  deployRepo: DeployRepo;
  /** The deploy repo as a code host: the check run goes there. */
  checks: Pick<CodeHost, 'createCheckRun'>;
  /** The check run's name; default `kuma-api-forge/drift` (environments that are folders of one branch name theirs). */
  checkRunName?: string;
  log?: Logger;
}

export type DriftOutcome =
  | { status: 'reported'; checkRunId: number; drift: FolderDriftReport[] }
  /** Every folder the push touched is as the App wrote it (or has a record too old to tell). */
  | { status: 'none'; folders: number };

export async function reportDrift(job: DriftJob, deps: DriftReportDeps): Promise<DriftOutcome> {
  const [before, after] = await Promise.all([
    deps.deployRepo.readSnapshot(job.before),
    deps.deployRepo.readSnapshot(job.sha),
  ]);
  const folders = findTouchedFolders(before.files, after.files);
  const drift: FolderDriftReport[] = [];
  for (const folder of folders) {
    const inFolder = (snapshot: DeploySnapshot) => snapshot.files.filter((f) => f.path.startsWith(folder));
    const [beforeRecord, afterRecord] = await Promise.all([
      readRecord(deps.deployRepo, before, folder),
      readRecord(deps.deployRepo, after, folder),
    ]);
    const report = judgeFolder({
      folder,
      before: inFolder(before),
      after: inFolder(after),
      ...(beforeRecord ? { beforeRecord } : {}),
      ...(afterRecord ? { afterRecord } : {}),
    });
    if (report) drift.push(report);
  }
  if (drift.length === 0) return { status: 'none', folders: folders.length };
  const checkRunId = await deps.checks.createCheckRun(
    { name: deps.checkRunName ?? driftCheckRunName, headSha: job.sha, externalId: job.deliveryId },
    buildDriftCheckRun(deps.deployRepo.description, drift),
  );
  deps.log?.warn('drift reported', {
    sha: job.sha,
    repos: drift.length,
    files: drift.reduce((sum, report) => sum + report.files.length, 0),
  });
  return { status: 'reported', checkRunId, drift };
}

async function readRecord(
  deployRepo: DeployRepo,
  snapshot: DeploySnapshot,
  folder: string,
): Promise<RecordAt | undefined> {
  const file = snapshot.files.find((f) => f.path === `${folder}${sourceRecordFile}`);
  return file ? { sha: file.sha, text: await deployRepo.readText(file.sha) } : undefined;
}
