/**
 * What a drift report says: the check run on a push to the deploy repo that hand-edited generated files, and
 * the lines a deploy adds when it overwrote such edits. Paths come from the deploy repo (anyone with push
 * access names them): always in inline code.
 * @module
 */
import type { DriftedFile, FolderDriftReport, RecordIssue } from '../deploy/drift.js';
import { sourceRecordFile } from '../deploy/source-record.js';
import { formatRepoRef } from '../repo-ref.js';
import type { CheckRunResult } from './check-run.js';
import { clipText } from './clip-text.js';
import { inlineCode } from './escape.js';
import { githubCheckSummaryLimit } from './render-markdown.js';

/** The check run's name on the deploy repo's commits. */
export const driftCheckRunName = 'kuma-api-forge/drift';

/** Files listed per repo; the rest are counted (and the summary is cut at GitHub's limit whatever the paths). */
const maxListedFiles = 50;
/** Repos listed; the rest are counted. */
const maxListedRepos = 50;

const recordIssueText: Record<RecordIssue, string> = {
  replaced: `its ${inlineCode(sourceRecordFile)} was replaced by one kuma-api-forge did not write (edited by hand, or an older one put back by a revert)`,
  deleted: `its ${inlineCode(sourceRecordFile)} was deleted`,
  unreadable: `its ${inlineCode(sourceRecordFile)} is no longer a record kuma-api-forge can read`,
};

/** The check run of a push that left drift (`reports` not empty). */
export function buildDriftCheckRun(
  deployRepo: string,
  reports: readonly FolderDriftReport[],
): CheckRunResult {
  const files = reports.reduce((sum, report) => sum + report.files.length, 0);
  const records = reports.filter((report) => report.record).length;
  const what = [
    ...(files > 0 ? [`${files} generated file(s)`] : []),
    ...(records > 0 ? [`${records} provenance record(s)`] : []),
  ].join(' and ');
  const sections = reports.slice(0, maxListedRepos).map((report) => {
    const repo = formatRepoRef(report.repo);
    const lines = [
      `### ${inlineCode(repo)}`,
      '',
      `Folder ${inlineCode(report.folder)}, last deployed from ${inlineCode(repo)} commit ${inlineCode(report.deployedCommit.slice(0, 7))}.`,
      '',
      ...(report.record
        ? [
            `- ⚠️ ${recordIssueText[report.record]}: the folder is compared with the record kuma-api-forge wrote before.`,
          ]
        : []),
      ...listFiles(report.files),
    ];
    return lines.join('\n');
  });
  const more =
    reports.length > maxListedRepos ? [`… and ${reports.length - maxListedRepos} more repo(s).`] : [];
  return {
    conclusion: 'failure',
    title: `Hand edits: ${what} of ${reports.length} repo(s) differ from what kuma-api-forge wrote`,
    summary: clipText(
      [
        `This push changed files that kuma-api-forge generates in ${inlineCode(deployRepo)}, relative to what it last wrote there. The next deploy of each repo below overwrites them: change the source repo's spec or config instead.`,
        '',
        ...sections.flatMap((section) => [section, '']),
        ...more,
      ].join('\n'),
      githubCheckSummaryLimit,
    ),
  };
}

/** The lines of the "deployed" comment that say which hand edits the deploy overwrote. */
export function describeOverwrites(files: readonly DriftedFile[]): string[] {
  if (files.length === 0) return [];
  return [
    `⚠️ It overwrites ${files.length} hand edit(s) in the deploy repo (files that differed from what kuma-api-forge last wrote there):`,
    '',
    ...listFiles(files),
  ];
}

function listFiles(files: readonly DriftedFile[]): string[] {
  const shown = files.slice(0, maxListedFiles).map((file) => `- ${file.change} ${inlineCode(file.path)}`);
  return files.length > shown.length ? [...shown, `- … and ${files.length - shown.length} more`] : shown;
}
