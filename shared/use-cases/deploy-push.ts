/**
 * Use case: deploy a pushed commit of a source repo's default branch. Render every API at that commit, check
 * tenancy against the deploy repo's grants and other tenants, plan the folder's changes and commit them as ONE
 * compare-and-swap commit; on a conflict re-read the deploy repo, re-check, re-plan and retry with backoff.
 * Only a commit on the default branch now is deployed, an older source commit never overwrites a newer one
 * (ancestry against the branch head and the commit recorded in the folder), a deploy that changes nothing
 * commits nothing, and the merged PR (as GitHub associates it with the commit) gets a comment linking the
 * deploy commit.
 * @module
 */
import { repoConfigFile } from '../core/config/repo-config.js';
import {
  checkTenancy,
  gatewayWideSettings,
  type OtherTenant,
  type TenancyApi,
  type TenancyCause,
} from '../core/deploy/check-tenancy.js';
import { buildRepoFolder, buildSha256 } from '../core/deploy/deploy-paths.js';
import { checkMeshPrerequisites } from '../core/deploy/mesh-prerequisites.js';
import { type CurrentFile, type DeployPlan, planDeploy } from '../core/deploy/plan-deploy.js';
import { type InputFile, parseSourceRecord, sourceRecordFile } from '../core/deploy/source-record.js';
import { findGrant, parseTenants, type Tenants, tenantsFile } from '../core/deploy/tenants.js';
import { failureFields, UpstreamError } from '../core/errors.js';
import { compareFindings, type Finding, type SourcePosition } from '../core/findings.js';
import type { DeployJob } from '../core/jobs.js';
import {
  buildDeployedComment,
  buildDeployPullRequest,
  buildNotDeployedComment,
} from '../core/report/deploy-comment.js';
import { parseSourceFile } from '../core/spec/parse-source-file.js';
import { defaultLoadLimits, type SourceFile } from '../core/spec/types.js';
import type { CodeHost } from '../ports/code-host.js';
import type { DeployRepo, DeploySnapshot, SourceHistory } from '../ports/deploy-repo.js';
import type { FileSource } from '../ports/file-source.js';
import type { Logger } from '../ports/logger.js';
import { locateRootSetting, type RenderedRepoApi, renderRepo } from './render-repo.js';

export interface DeployPushDeps {
  /** The source repo: files at the pushed commit, comments on the merged PR. */
  source: CodeHost;
  history: SourceHistory;
  deployRepo: DeployRepo;
  log?: Logger;
  /** Attempts of the CAS loop before the job fails (and the queue retries it later). Default 6. */
  maxAttempts?: number;
  /** First backoff in ms, doubled per attempt, with full jitter. Default 500. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export type DeployOutcome =
  | {
      status: 'committed';
      sha: string;
      url: string;
      pullRequestUrl?: string;
      /** `plan.sourceSha` is the commit deployed: the job's, or the branch head's (see `deployPush`). */
      plan: DeployPlan;
      attempts: number;
    }
  /** The deploy repo already holds exactly this render. */
  | { status: 'unchanged'; attempts: number }
  /**
   * The commit has no `.kuma-api-forge.yaml` and the deploy repo has no folder of this repo: not an API repo,
   * nothing is written. (Deleting the config of a deployed repo removes its APIs, like `apis: []`: the PR check
   * reported that as `api-removed`, and the deploy prunes the folder.)
   */
  | { status: 'no-config' }
  /** This commit, or a newer one, is already deployed: an older commit never overwrites a newer one. */
  | { status: 'superseded'; deployed: string }
  /**
   * The commit is not on the default branch any more (force-pushed away, or its event came late after a
   * rewrite): the deploy repo is not read or written. The branch head's own push deploys what is there now.
   */
  | { status: 'not-on-branch'; branch: string; head: string }
  /** Render errors or tenancy errors: nothing is written. */
  | { status: 'rejected'; findings: Finding[] };

/** Thrown when every CAS attempt lost a race: the deploy repo kept moving, so the queue retries the job later. */
export class DeployConflictError extends UpstreamError {
  override name = 'DeployConflictError';
  constructor(message: string) {
    super(message, { service: 'GitHub', retryable: true });
  }
}

export { deployCommentMarker } from '../core/report/deploy-comment.js';

/**
 * Deploys only what is on the source repo's default branch now:
 * - the job's commit must be the branch head or an ancestor of it, else nothing is deployed (`not-on-branch`);
 * - it must be newer than the commit the folder's `.source.yaml` records, else `superseded`;
 * - when the recorded commit is not on the branch any more (a force-push rewrote it away), the branch's current
 *   head is rendered instead of the job's commit, so the deploy repo converges to what the branch holds.
 * The merged PR (provenance and the "deployed" comment) is the one GitHub associates with the deployed commit.
 */
export async function deployPush(job: DeployJob, deps: DeployPushDeps): Promise<DeployOutcome> {
  const sourceRepo = `${job.repository.owner}/${job.repository.repo}`;
  const folder = buildRepoFolder(sourceRepo);
  // Renders are pure functions of the commit, history answers do not change within a job: each asked once.
  const render = memoize((sha: string) => renderSource(deps.source.files(sha), sourceRepo));
  const compare = memoize((base: string, head: string) => deps.history.compare(base, head));
  const pullOf = memoize((sha: string) => deps.source.findMergedPullRequest(sha));
  if (!(await render(job.sha)).configFound && !(await hasFolder(deps.deployRepo, folder)))
    return { status: 'no-config' };

  const { branch, sha: head } = await deps.history.defaultBranchHead();
  const onBranch = async (sha: string) => sha === head || (await compare(sha, head)) === 'ahead';
  if (!(await onBranch(job.sha))) {
    deps.log?.info('deploy skipped: the commit is not on the default branch', {
      repo: sourceRepo,
      sha: job.sha,
      branch,
      head,
    });
    return { status: 'not-on-branch', branch, head };
  }
  /** The commit to deploy over `recorded`, or undefined when `recorded` is the job's commit or newer. */
  const pickCommit = async (recorded: string | undefined): Promise<string | undefined> => {
    if (recorded === undefined) return job.sha;
    if (!(await onBranch(recorded))) {
      deps.log?.info('the deployed commit is not on the default branch any more: deploying its head', {
        repo: sourceRepo,
        sha: job.sha,
        deployed: recorded,
        branch,
        head,
      });
      return head;
    }
    const order = await compare(recorded, job.sha);
    if (order === 'ahead') return job.sha;
    if (order === 'identical' || order === 'behind') return undefined;
    // Both on the branch yet unrelated (a rewritten history merged back): the head holds both.
    return head;
  };

  const maxAttempts = deps.maxAttempts ?? 6;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const snapshot = await deps.deployRepo.readSnapshot();
    const state = await readDeployState(deps.deployRepo, snapshot, folder);
    const sha = await pickCommit(state.recorded);
    if (sha === undefined) {
      deps.log?.info('deploy skipped: this commit or a newer one is already deployed', {
        repo: sourceRepo,
        sha: job.sha,
        deployed: state.recorded,
      });
      return { status: 'superseded', deployed: state.recorded! };
    }
    const rendered = await render(sha);
    // Without a config the render has no APIs: the plan prunes the folder, as the PR's preview showed.
    if (!rendered.configFound && !snapshot.files.some((file) => file.path.startsWith(folder)))
      return { status: 'no-config' };
    const pullNumber = await pullOf(sha);
    const target: DeployTarget = { sourceRepo, sha, ...(pullNumber !== undefined ? { pullNumber } : {}) };
    const decision = decideDeploy({
      sourceRepo,
      sourceSha: sha,
      ...(pullNumber !== undefined ? { pullNumber } : {}),
      rendered,
      state,
      current: snapshot.files.filter((file) => file.path.startsWith(folder)),
    });
    if (decision.status === 'rejected') return reject(target, deps, decision.findings);
    const { plan } = decision;
    if (plan.changes.length === 0) return { status: 'unchanged', attempts: attempt };
    const result = await deps.deployRepo.commit({
      sourceRepo,
      parent: { sha: snapshot.headSha, treeSha: snapshot.treeSha },
      message: plan.message,
      changes: plan.changes,
      pullRequest: buildDeployPullRequest(plan.message),
    });
    if (result.status === 'committed') {
      const deployed = buildDeployedComment({
        deployRepo: deps.deployRepo.description,
        folder: plan.folder,
        summary: plan.summary,
        commit: result,
      });
      await commentOnPull(target, deps, deployed);
      return { ...result, plan, attempts: attempt };
    }
    deps.log?.info('the deploy repo moved: retrying', {
      repo: sourceRepo,
      sha,
      deployRepo: deps.deployRepo.description,
      attempt,
    });
    if (attempt < maxAttempts)
      await sleep(Math.floor(random() * (deps.backoffMs ?? 500) * 2 ** (attempt - 1)));
  }
  throw new DeployConflictError(
    `${deps.deployRepo.description} kept moving: ${maxAttempts} attempts to deploy ${sourceRepo}@${job.sha} lost the race`,
  );
}

/** Whether the deploy repo holds anything of this source repo (one snapshot read). */
async function hasFolder(deployRepo: DeployRepo, folder: string): Promise<boolean> {
  const snapshot = await deployRepo.readSnapshot();
  return snapshot.files.some((file) => file.path.startsWith(folder));
}

/** The commit a deploy renders, and the PR GitHub says it merged. */
interface DeployTarget {
  sourceRepo: string;
  sha: string;
  pullNumber?: number;
}

function memoize<A extends string[], T>(compute: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (...args) => {
    const key = args.join(' ');
    let value = cache.get(key);
    if (!value) {
      value = compute(...args);
      cache.set(key, value);
    }
    return value;
  };
}

/** What deploying `rendered` onto the deploy repo as it is now does: refuse it (with why), or this plan. */
export type DeployDecision =
  | { status: 'rejected'; findings: Finding[] }
  | { status: 'planned'; plan: DeployPlan };

interface DecideInput {
  sourceRepo: string;
  sourceSha: string;
  pullNumber?: number;
  rendered: RenderedSource;
  state: DeployState;
  /** The files now under the source repo's folder (content only where read, for diffs). */
  current: CurrentFile[];
}

/** Pure: the one decision the PR preview shows and the merge then carries out. */
function decideDeploy(input: DecideInput): DeployDecision {
  const { rendered, state, sourceRepo } = input;
  const renderErrors = rendered.findings.filter((finding) => finding.severity === 'error');
  if (renderErrors.length > 0) return { status: 'rejected', findings: renderErrors };
  if (state.tenantsFindings.length > 0) return { status: 'rejected', findings: state.tenantsFindings };
  const findings = checkTenancy(
    { repo: sourceRepo, apis: rendered.apis, configFile: repoConfigFile },
    findGrant(state.tenants, sourceRepo),
    state.others,
  );
  if (findings.length > 0) return { status: 'rejected', findings: findings.sort(compareFindings) };
  const plan = planDeploy({
    sourceRepo,
    sourceSha: input.sourceSha,
    ...(input.pullNumber !== undefined ? { pullNumber: input.pullNumber } : {}),
    rendered: rendered.apis,
    inputs: rendered.inputs,
    current: input.current,
  });
  return { status: 'planned', plan };
}

export interface PreviewDeployInput {
  /** The source repo's files at the commit to preview (a PR's head). */
  files: FileSource;
  /** `owner/repo`. */
  sourceRepo: string;
  sourceSha: string;
  pullNumber?: number;
}

export interface DeployPreview {
  rendered: RenderedSource;
  /** What merging this commit would do to the deploy repo now. */
  decision: DeployDecision;
  /** Warnings: what the manifests need from their mesh and the tenants file says it lacks (mesh-prerequisites.ts). */
  prerequisites?: Finding[];
  /** Deploy-repo API calls the preview made (the render reads through `files`, not counted here). */
  calls: number;
}

/** Files whose current content is read for the diffs of a preview; the rest are listed without a diff. */
export const maxPreviewDiffReads = 30;

/**
 * The plan in the PR: the same render, tenancy check and plan as {@link deployPush}, against the deploy repo as
 * it is now, without writing. Render errors answer without reading the deploy repo (the merge would refuse
 * them too). The contents of changed and removed files are read (by blob id, cached) for the YAML diffs.
 */
export async function previewDeploy(
  input: PreviewDeployInput,
  deployRepo: DeployRepo,
): Promise<DeployPreview> {
  const before = deployRepo.calls;
  const folder = buildRepoFolder(input.sourceRepo);
  const rendered = await renderSource(input.files, input.sourceRepo);
  const renderErrors = rendered.findings.filter((finding) => finding.severity === 'error');
  if (renderErrors.length > 0) {
    return { rendered, decision: { status: 'rejected', findings: renderErrors }, calls: 0 };
  }
  const snapshot = await deployRepo.readSnapshot();
  const state = await readDeployState(deployRepo, snapshot, folder);
  const current: CurrentFile[] = snapshot.files
    .filter((file) => file.path.startsWith(folder))
    .map((file) => ({ ...file }));
  const decide = () =>
    decideDeploy({
      sourceRepo: input.sourceRepo,
      sourceSha: input.sourceSha,
      ...(input.pullNumber !== undefined ? { pullNumber: input.pullNumber } : {}),
      rendered,
      state,
      current,
    });
  let decision = decide();
  if (decision.status === 'planned') {
    const touched = new Set(decision.plan.resources.filter((r) => r.change !== 'added').map((r) => r.path));
    const toRead = current.filter((file) => touched.has(file.path)).slice(0, maxPreviewDiffReads);
    if (toRead.length > 0) {
      const texts = await Promise.all(toRead.map((file) => deployRepo.readText(file.sha)));
      toRead.forEach((file, index) => {
        file.content = texts[index]!;
      });
      decision = decide();
    }
  }
  const prerequisites = checkMeshPrerequisites(rendered.apis, state.tenants?.meshes, repoConfigFile);
  return { rendered, decision, prerequisites, calls: deployRepo.calls - before };
}

interface DeployState {
  tenants?: Tenants;
  tenantsFindings: Finding[];
  /** The source commit the folder was last rendered from. */
  recorded?: string;
  others: OtherTenant[];
}

/** The tenants file, this folder's source record and every other tenant's record (blobs read by id, cached). */
async function readDeployState(
  repo: DeployRepo,
  snapshot: DeploySnapshot,
  folder: string,
): Promise<DeployState> {
  const read = (path: string) => {
    const file = snapshot.files.find((entry) => entry.path === path);
    return file ? repo.readText(file.sha) : Promise.resolve(undefined);
  };
  const recordPaths = snapshot.files
    .map((file) => file.path)
    .filter((path) => /^apis\/[^/]+\/[^/]+\/\.source\.yaml$/.test(path));
  const [tenantsText, ...records] = await Promise.all([read(tenantsFile), ...recordPaths.map(read)]);
  const state: DeployState = { tenantsFindings: [], others: [] };
  if (tenantsText !== undefined) {
    const parsed = parseSourceFile(tenantsFile, Buffer.from(tenantsText), defaultLoadLimits);
    const tenants = parsed.file ? parseTenants(parsed.file) : { findings: parsed.findings };
    state.tenantsFindings = tenants.findings.map((finding) => ({
      ...finding,
      kind: 'tenancy',
      message: `the deploy repo's ${tenantsFile} is invalid, nothing can be deployed: ${finding.message}`,
    }));
    if ('tenants' in tenants && tenants.tenants) state.tenants = tenants.tenants;
  }
  recordPaths.forEach((path, index) => {
    const record = parseSourceRecord(records[index] ?? '');
    if (!record) return;
    if (path === `${folder}${sourceRecordFile}`) state.recorded = record.commit;
    else {
      const { repo, resources, routes, policyKeys } = record;
      state.others.push({ repo, resources, routes, ...(policyKeys ? { policyKeys } : {}) });
    }
  });
  return state;
}

export interface RenderedSource {
  /** False when the commit has no `.kuma-api-forge.yaml`. */
  configFound: boolean;
  apis: (TenancyApi & { files: { path: string; content: string }[] })[];
  findings: Finding[];
  /** Every file the render read, with its hash (provenance). */
  inputs: InputFile[];
}

/**
 * Every API of the repo config at one commit → its Kubernetes manifests (through `renderRepo`, so the CLI, the
 * PR preview and the deploy write the same bytes), with where each tenancy cause sits in the config or spec,
 * and the hash of every file read. The file headers name the repo and spec but not the commit, so an unchanged
 * resource stays byte-identical across commits (the commit is in `.source.yaml` and the deploy commit's message).
 */
export async function renderSource(files: FileSource, sourceRepo: string): Promise<RenderedSource> {
  const inputs = new Map<string, string>();
  const source: FileSource = {
    description: files.description,
    async read(path) {
      const bytes = await files.read(path);
      if (bytes !== undefined) inputs.set(path, buildSha256(bytes));
      return bytes;
    },
  };
  const result = await renderRepo(source, { format: 'k8s', repo: sourceRepo });
  const configFile = result.configFile;
  const apis = result.apis.map((api) => ({
    name: api.name,
    files: api.files,
    ...(configFile ? { locate: buildTenancyLocator(api, configFile) } : {}),
  }));
  const toInputs = () => [...inputs].map(([path, sha256]) => ({ path, sha256 }));
  return { configFound: result.configFound, apis, findings: result.findings, inputs: toInputs() };
}

/** Where a tenancy cause sits: the API's config entry, or the operation in its spec that made the route rule. */
function buildTenancyLocator(
  rendered: RenderedRepoApi,
  configFile: SourceFile,
): (cause: TenancyCause) => SourcePosition | undefined {
  const base = `/apis/${rendered.configIndex ?? 0}`;
  const entry = (configFile.value as { apis?: unknown[] } | undefined)?.apis?.[rendered.configIndex ?? 0];
  const atConfig = (pointer: string): SourcePosition => ({
    file: configFile.path,
    ...configFile.locate(pointer),
  });
  const operationAt = (route: string, ruleIndex: number) => {
    const operation = rendered.operations.find((op) => op.route === route && op.ruleIndex === ruleIndex);
    return operation ? rendered.spec.locate(operation.pointer) : undefined;
  };
  const { api } = rendered;
  return (cause) => {
    switch (cause.kind) {
      case 'api':
        return atConfig(base);
      case 'gateway':
        return atConfig(api.gateway !== undefined ? `${base}/gateway` : base);
      case 'hostname': {
        const at = (api.hostnames ?? []).indexOf(cause.hostname);
        return atConfig(at >= 0 ? `${base}/hostnames/${at}` : base);
      }
      case 'namespace':
        return atConfig(entryHas(entry, 'service', 'namespace') ? `${base}/service/namespace` : base);
      case 'base-path':
        return api.basePath !== undefined
          ? atConfig(`${base}/basePath`)
          : operationAt(cause.route, cause.ruleIndex);
      case 'route':
        return operationAt(cause.route, cause.ruleIndex);
      case 'mesh':
        return atConfig(
          (configFile.value as { mesh?: unknown } | undefined)?.mesh !== undefined ? '/mesh' : base,
        );
      case 'gateway-wide':
        return locateRootSetting(rendered, configFile, gatewayWideSettings[cause.resourceKind] ?? '');
    }
  };
}

function entryHas(entry: unknown, key: string, inner: string): boolean {
  const value = (entry as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'object' && value !== null && inner in value;
}

async function reject(
  target: DeployTarget,
  deps: DeployPushDeps,
  findings: Finding[],
): Promise<DeployOutcome> {
  deps.log?.warn('deploy rejected', { repo: target.sourceRepo, sha: target.sha, problems: findings.length });
  await commentOnPull(
    target,
    deps,
    buildNotDeployedComment({ deployRepo: deps.deployRepo.description, sha: target.sha, findings }),
  );
  return { status: 'rejected', findings };
}

/** The deploy is done whatever happens to its comment: a failed comment is logged, not retried. */
async function commentOnPull(target: DeployTarget, deps: DeployPushDeps, body: string): Promise<void> {
  if (target.pullNumber === undefined) return;
  try {
    await deps.source.createComment(target.pullNumber, body);
  } catch (error) {
    deps.log?.warn('could not comment on the merged pull request', {
      pullNumber: target.pullNumber,
      ...failureFields(error),
    });
  }
}
