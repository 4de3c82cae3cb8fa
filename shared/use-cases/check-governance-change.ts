/**
 * Use case: a pull request on the deploy repo that changes the platform's governance (`governance/`) gets its
 * own check run saying which deployed APIs the proposed rules would now fail, per source repo. Each deployed
 * repo is rendered at the commit its `.source.yaml` records (read through the App's installation there) and
 * checked exactly as its next PR and deploy would be. A PR that leaves governance alone gets nothing from here.
 * @module
 */
import { parseRepoFolder } from '../core/deploy/deploy-paths.js';
import { findSourceRecordPaths } from '../core/deploy/deploy-state.js';
import { parseSourceRecord } from '../core/deploy/source-record.js';
import { isRetryable } from '../core/errors.js';
import type { Finding } from '../core/findings.js';
import { checkGovernance } from '../core/governance/check-governance.js';
import {
  type Governance,
  type GovernanceFiles,
  governanceLimitsFile,
  governanceRulesetFile,
  namedRulesetPaths,
  parseGovernance,
} from '../core/governance/governance.js';
import type { GovernanceJob } from '../core/jobs.js';
import { formatRepoRef, type RepoRef, repoKey } from '../core/repo-ref.js';
import { buildCheckFailedResult } from '../core/report/check-run.js';
import { describeFailure } from '../core/report/describe-failure.js';
import {
  buildGovernanceChangeResult,
  buildInvalidGovernanceResult,
  type DeployedRepoResult,
  findingKey,
  governanceCheckRunName,
} from '../core/report/governance-change.js';
import type { CheckRunResult, CodeHost } from '../ports/code-host.js';
import type { DeployRepo } from '../ports/deploy-repo.js';
import type { DeployedSources } from '../ports/deployed-sources.js';
import type { FileSource } from '../ports/file-source.js';
import type { Logger } from '../ports/logger.js';
import { renderSource } from './preview-deploy.js';

export interface CheckGovernanceChangeDeps {
  /** The deploy repo as a code host (its PR, its files at the PR's commits, the check run). */
  codeHost: CodeHost;
  /** The deploy repo's branch as deployed: which source repos are deployed, at which commit. */
  deployRepo: () => Promise<DeployRepo>;
  sources: DeployedSources;
  /**
   * An environment that is a folder of the deploy branch (`envs/staging`): `codeHost` and `deployRepo` are
   * narrowed to it, and the check run (named after the environment) annotates its files by their full paths.
   */
  environment?: { name: string; folder: string };
  log?: Logger;
}

export type GovernanceOutcome =
  | { status: 'skipped'; reason: 'closed' | 'head-moved' | 'governance-unchanged' }
  | { status: 'reported'; checkRunId: number; conclusion: string; repos: number }
  /** `checkRunId` is absent when even the failure could not be reported. */
  | { status: 'failed'; checkRunId?: number; error: string };

export async function checkGovernanceChange(
  job: GovernanceJob,
  deps: CheckGovernanceChangeDeps,
): Promise<GovernanceOutcome> {
  const host = deps.codeHost;
  const pr = await host.getPullRequest(job.pullNumber);
  if (pr.state === 'closed') return { status: 'skipped', reason: 'closed' };
  if (pr.headSha !== job.headSha) return { status: 'skipped', reason: 'head-moved' };
  const [base, head] = await Promise.all([
    readGovernanceFiles(host.files(pr.baseSha)),
    readGovernanceFiles(host.files(pr.headSha)),
  ]);
  if (sameFiles(base, head)) return { status: 'skipped', reason: 'governance-unchanged' };

  // Created once, with its result (one write): the run appears when the deployed repos have been checked.
  const report = (result: CheckRunResult) =>
    host.createCheckRun(
      {
        name: deps.environment
          ? `${governanceCheckRunName} (${deps.environment.name})`
          : governanceCheckRunName,
        headSha: pr.headSha,
        externalId: job.deliveryId,
      },
      result,
    );
  try {
    // Spectral's parts load only when a governance change is checked.
    const { parseRuleset } = await import('../core/lint/ruleset.js');
    const proposed = parseGovernance(head, parseRuleset);
    if (proposed.findings.length > 0) {
      const folder = deps.environment?.folder;
      const result = buildInvalidGovernanceResult(
        folder
          ? proposed.findings.map((finding) => ({ ...finding, file: `${folder}/${finding.file}` }))
          : proposed.findings,
      );
      const checkRunId = await report(result);
      return { status: 'reported', checkRunId, conclusion: result.conclusion, repos: 0 };
    }
    const current = parseGovernance(base, parseRuleset).governance;
    const repos = await checkDeployedRepos(proposed.governance, current, deps);
    const webBase = pr.repoUrl.replace(/\/[^/]+\/[^/]+$/, '');
    const result = buildGovernanceChangeResult(repos, {
      file: (repo, commit, file, line) =>
        `${webBase}/${formatRepoRef(repo)}/blob/${commit}/${file.split('/').map(encodeURIComponent).join('/')}#L${line}`,
    });
    const checkRunId = await report(result);
    return { status: 'reported', checkRunId, conclusion: result.conclusion, repos: repos.length };
  } catch (error) {
    const retryable = isRetryable(error);
    let checkRunId: number | undefined;
    try {
      checkRunId = await report(buildCheckFailedResult(describeFailure(error), retryable));
    } catch (reportError) {
      deps.log?.warn('could not report the failure on the check run', {
        error: describeFailure(reportError),
      });
    }
    if (retryable) throw error;
    return {
      status: 'failed',
      ...(checkRunId !== undefined ? { checkRunId } : {}),
      error: describeFailure(error),
    };
  }
}

/** Most deployed repos one governance check renders (each is a render of a whole repo). */
export const maxCheckedRepos = 200;

async function checkDeployedRepos(
  proposed: Governance | undefined,
  current: Governance | undefined,
  deps: CheckGovernanceChangeDeps,
): Promise<DeployedRepoResult[]> {
  const deployRepo = await deps.deployRepo();
  const snapshot = await deployRepo.readSnapshot();
  const records = findSourceRecordPaths(snapshot.files.map((file) => file.path));
  const deployed = new Map<string, { repo: RepoRef; commit: string }>();
  for (const path of records) {
    const file = snapshot.files.find((entry) => entry.path === path)!;
    const record = parseSourceRecord(await deployRepo.readText(file.sha), parseRepoFolder(path));
    if (record) deployed.set(repoKey(record.repo), { repo: record.repo, commit: record.commit });
  }
  const results: DeployedRepoResult[] = [];
  for (const { repo, commit } of [...deployed.values()].slice(0, maxCheckedRepos)) {
    try {
      const files = await deps.sources.files(repo, commit);
      const rendered = await renderSource(files, repo);
      const governed = rendered.governed ?? [];
      const findings = await checkGovernance(proposed, repo, governed);
      const before = current ? await checkGovernance(current, repo, governed) : [];
      results.push({
        repo,
        commit,
        findings: sortFindings(findings),
        before: new Set(before.map(findingKey)),
      });
    } catch (error) {
      if (isRetryable(error)) throw error;
      results.push({ repo, commit, findings: [], before: new Set(), unreadable: describeFailure(error) });
    }
  }
  return results;
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.id.localeCompare(b.id));
}

/**
 * The governance files at one commit, read by name (a commit's files cannot be listed through the port): the
 * ruleset, the limits, and the further rulesets the limits name.
 */
async function readGovernanceFiles(source: FileSource): Promise<GovernanceFiles> {
  const files = new Map<string, string>();
  const read = async (path: string) => {
    const bytes = await source.read(path);
    if (bytes !== undefined) files.set(path, new TextDecoder().decode(bytes));
  };
  await Promise.all([read(governanceRulesetFile), read(governanceLimitsFile)]);
  const limits = files.get(governanceLimitsFile);
  if (limits !== undefined) await Promise.all(namedRulesetPaths(limits).map(read));
  return files;
}

function sameFiles(a: GovernanceFiles, b: GovernanceFiles): boolean {
  return a.size === b.size && [...a].every(([path, text]) => b.get(path) === text);
}
