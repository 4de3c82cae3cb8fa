/**
 * The deploy decision: what deploying one render onto the deploy repo as it is now does, refuse it (with the
 * findings that say why) or this plan. Pure: the PR preview shows it and the merge then carries it out.
 * @module
 */

import { repoConfigFile } from '../config/repo-config.js';
import { compareFindings, type Finding } from '../findings.js';
import type { GovernedApi } from '../governance/check-governance.js';
import type { RepoRef } from '../repo-ref.js';
import { checkTenancy, type TenancyApi } from './check-tenancy.js';
import { buildRepoFolder } from './deploy-paths.js';
import type { DeployState } from './deploy-state.js';
import { findFolderDrift } from './drift.js';
import { type CurrentFile, type DeployPlan, planDeploy } from './plan-deploy.js';
import type { InputFile } from './source-record.js';
import { findGrant } from './tenants.js';

export interface RenderedSource {
  /** False when the commit has no `.kuma-api-forge.yaml` (nor `.github/kuma-api-forge.yaml`). */
  configFound: boolean;
  /**
   * The config file the render read, as the repo has it (root or `.github/`): findings and messages name it.
   * Default `.kuma-api-forge.yaml`.
   */
  configPath?: string;
  apis: (TenancyApi & { files: { path: string; content: string }[] })[];
  findings: Finding[];
  /** Every file the render read, with its hash (provenance). */
  inputs: InputFile[];
  /** Each API's spec and settings, for the platform's governance (`core/governance/`). */
  governed?: GovernedApi[];
}

/** What deploying `rendered` onto the deploy repo as it is now does: refuse it (with why), or this plan. */
export type DeployDecision =
  | { status: 'rejected'; findings: Finding[] }
  | { status: 'planned'; plan: DeployPlan };

export interface DecideDeployInput {
  sourceRepo: RepoRef;
  sourceSha: string;
  pullNumber?: number;
  rendered: RenderedSource;
  state: DeployState;
  /** The files now under the source repo's folder (content only where read, for diffs). */
  current: CurrentFile[];
  /** The render against the platform's governance (`checkGovernance`): its errors refuse the deploy. */
  governance?: Finding[];
}

/**
 * Render errors first, then an invalid tenants file or governance folder, then tenancy and the platform's
 * governance; else the plan.
 */
export function decideDeploy(input: DecideDeployInput): DeployDecision {
  const { rendered, state, sourceRepo } = input;
  const renderErrors = findRenderErrors(rendered);
  if (renderErrors.length > 0) return { status: 'rejected', findings: renderErrors };
  if (state.tenantsFindings.length > 0) return { status: 'rejected', findings: state.tenantsFindings };
  if (state.governanceFindings.length > 0) return { status: 'rejected', findings: state.governanceFindings };
  const findings = checkTenancy(
    { repo: sourceRepo, apis: rendered.apis, configFile: rendered.configPath ?? repoConfigFile },
    findGrant(state.tenants, sourceRepo),
    state.others,
  );
  // The platform's warnings are shown with a refusal; alone they do not refuse (the preview shows them).
  const governance = input.governance ?? [];
  if (findings.length > 0 || governance.some((f) => f.severity === 'error')) findings.push(...governance);
  if (findings.length > 0) return { status: 'rejected', findings: findings.sort(compareFindings) };
  const plan = planDeploy({
    sourceRepo,
    sourceSha: input.sourceSha,
    ...(input.pullNumber !== undefined ? { pullNumber: input.pullNumber } : {}),
    rendered: rendered.apis,
    inputs: rendered.inputs,
    current: input.current,
    ...(state.recordedFiles
      ? { overwrites: findFolderDrift(buildRepoFolder(sourceRepo), input.current, state.recordedFiles) }
      : {}),
  });
  return { status: 'planned', plan };
}

/** The render's errors: any one refuses the deploy before the deploy repo is consulted. */
export function findRenderErrors(rendered: Pick<RenderedSource, 'findings'>): Finding[] {
  return rendered.findings.filter((finding) => finding.severity === 'error');
}
