/**
 * Use case: what merging a commit would do to the deploy repo now, without writing. The same render, deploy
 * state and decision (`core/deploy/decide-deploy.ts`) the deploy carries out: the PR check and
 * `check --deployed` show it, `deployPush` commits it.
 * @module
 */
import { repoConfigFile } from '../core/config/repo-config.js';
import {
  type DeployDecision,
  decideDeploy,
  findRenderErrors,
  type RenderedSource,
} from '../core/deploy/decide-deploy.js';
import { buildRepoFolder, buildSha256 } from '../core/deploy/deploy-paths.js';
import {
  type DeployState,
  type DeployStateFiles,
  findSourceRecordPaths,
  parseDeployState,
} from '../core/deploy/deploy-state.js';
import { checkMeshPrerequisites } from '../core/deploy/mesh-prerequisites.js';
import type { CurrentFile } from '../core/deploy/plan-deploy.js';
import { buildTenancyLocator } from '../core/deploy/tenancy-locator.js';
import { tenantsFile } from '../core/deploy/tenants.js';
import type { Finding } from '../core/findings.js';
import { checkGovernance } from '../core/governance/check-governance.js';
import { isGovernancePath, isMainGovernanceFile } from '../core/governance/governance.js';
import { formatRepoRef, type RepoRef } from '../core/repo-ref.js';
import type { DeployRepo, DeploySnapshot } from '../ports/deploy-repo.js';
import type { FileSource } from '../ports/file-source.js';
import { renderRepo } from './render-repo.js';

export type { DeployDecision, RenderedSource } from '../core/deploy/decide-deploy.js';

export interface PreviewDeployInput {
  /** The source repo's files at the commit to preview (a PR's head). */
  files: FileSource;
  sourceRepo: RepoRef;
  sourceSha: string;
  pullNumber?: number;
}

export interface DeployPreview {
  rendered: RenderedSource;
  /** What merging this commit would do to the deploy repo now. */
  decision: DeployDecision;
  /**
   * Warnings: what the manifests need from their mesh and the tenants file says it lacks (mesh-prerequisites.ts),
   * and the platform governance's warnings.
   */
  prerequisites?: Finding[];
  /** Deploy-repo API calls the preview made (the render reads through `files`, not counted here). */
  calls: number;
}

/** Files whose current content is read for the diffs of a preview; the rest are listed without a diff. */
export const maxPreviewDiffReads = 30;

/**
 * The plan in the PR: the same render, tenancy check and plan as `deployPush`, against the deploy repo as
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
  const renderErrors = findRenderErrors(rendered);
  if (renderErrors.length > 0) {
    return { rendered, decision: { status: 'rejected', findings: renderErrors }, calls: 0 };
  }
  // With the texts of this repo's folder: the diffs below read some of them.
  const snapshot = await deployRepo.readSnapshot(undefined, { textsOf: folder });
  const state = await readDeployState(deployRepo, snapshot, folder);
  const current: CurrentFile[] = snapshot.files
    .filter((file) => file.path.startsWith(folder))
    .map((file) => ({ ...file }));
  const governance = await checkRenderGovernance(state, rendered, input.sourceRepo);
  const decide = () =>
    decideDeploy({
      governance,
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
  // The platform's warnings do not refuse the deploy: they are shown beside the plan, like the prerequisites.
  const platformWarnings = decision.status === 'planned' ? governance : [];
  const prerequisites = [
    ...checkMeshPrerequisites(rendered.apis, state.tenants?.meshes, rendered.configPath ?? repoConfigFile),
    ...platformWarnings,
  ];
  return { rendered, decision, prerequisites, calls: deployRepo.calls - before };
}

/** The tenants file, this folder's source record and every other tenant's record (blobs read by id, cached). */
export async function readDeployState(
  repo: DeployRepo,
  snapshot: DeploySnapshot,
  folder: string,
): Promise<DeployState> {
  const read = (path: string) => {
    const file = snapshot.files.find((entry) => entry.path === path);
    return file ? repo.readText(file.sha) : Promise.resolve(undefined);
  };
  const recordPaths = findSourceRecordPaths(snapshot.files.map((file) => file.path));
  const [tenantsText, governance, ...texts] = await Promise.all([
    read(tenantsFile),
    readGovernanceFiles(repo, snapshot),
    ...recordPaths.map(read),
  ]);
  const records = recordPaths.map((path, index) => ({ path, text: texts[index] }));
  return parseDeployState({
    folder,
    ...(tenantsText !== undefined ? { tenantsText } : {}),
    records,
    ...(governance ? { governance } : {}),
  });
}

/**
 * The files under `governance/` (the platform's rulesets and limits), read through the same port and cache as
 * the tenants file; undefined when there are none. At most {@link maxGovernanceFiles} are read, ruleset.yaml and
 * limits.yaml first (a further ruleset beyond them reads as missing, a finding), so a folder cannot make a check
 * read without bound.
 */
export async function readGovernanceFiles(
  repo: DeployRepo,
  snapshot: DeploySnapshot,
): Promise<DeployStateFiles['governance']> {
  const entries = snapshot.files
    .filter((file) => isGovernancePath(file.path) && /\.(ya?ml|json)$/i.test(file.path))
    .sort((a, b) => Number(!isMainGovernanceFile(a.path)) - Number(!isMainGovernanceFile(b.path)))
    .slice(0, maxGovernanceFiles);
  if (entries.length === 0) return undefined;
  const texts = await Promise.all(entries.map((file) => repo.readText(file.sha)));
  // Spectral's parts load only for a deploy repo that has governance (~0.4 s to import).
  const { parseRuleset } = await import('../core/lint/ruleset.js');
  return { files: new Map(entries.map((file, index) => [file.path, texts[index]!])), parseRuleset };
}

/** Most files of `governance/` a check reads (rulesets and limits: a handful in practice). */
export const maxGovernanceFiles = 32;

/** The render against the platform's governance, as the deploy decision takes it (`decideDeploy`). */
export async function checkRenderGovernance(
  state: DeployState,
  rendered: RenderedSource,
  sourceRepo: RepoRef,
): Promise<Finding[]> {
  if (!state.governance) return [];
  return checkGovernance(state.governance, sourceRepo, rendered.governed ?? []);
}

/**
 * Every API of the repo config at one commit → its Kubernetes manifests (through `renderRepo`, so the CLI, the
 * PR preview and the deploy write the same bytes), with where each tenancy cause sits in the config or spec,
 * and the hash of every file read. The file headers name the repo and spec but not the commit, so an unchanged
 * resource stays byte-identical across commits (the commit is in `.source.yaml` and the deploy commit's message).
 */
export async function renderSource(files: FileSource, sourceRepo: RepoRef): Promise<RenderedSource> {
  const inputs = new Map<string, string>();
  const source: FileSource = {
    description: files.description,
    async read(path) {
      const bytes = await files.read(path);
      if (bytes !== undefined) inputs.set(path, buildSha256(bytes));
      return bytes;
    },
    // The config's `_extends` (org defaults) is resolved for the deploy as for the check.
    ...(files.extendedRepos ? { extendedRepos: files.extendedRepos } : {}),
  };
  const result = await renderRepo(source, { format: 'k8s', repo: formatRepoRef(sourceRepo) });
  const configFile = result.configFile;
  const apis = result.apis.map((api) => ({
    name: api.name,
    files: api.files,
    ...(configFile ? { locate: buildTenancyLocator(api, configFile) } : {}),
  }));
  const governed = result.apis.map(({ name, spec, api, defaults, configIndex }) => ({
    name,
    spec,
    api,
    ...(defaults ? { defaults } : {}),
    ...(configIndex !== undefined ? { configIndex } : {}),
    ...(configFile ? { configFile } : {}),
  }));
  const toInputs = () => [...inputs].map(([path, sha256]) => ({ path, sha256 }));
  return {
    configFound: result.configFound,
    configPath: configFile?.path ?? repoConfigFile,
    apis,
    findings: result.findings,
    inputs: toInputs(),
    governed,
  };
}
