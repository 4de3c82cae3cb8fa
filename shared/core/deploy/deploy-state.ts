/**
 * What the deploy repo says about a source repo's folder before a deploy: the tenants file (its grants, or why
 * it is invalid), the source commit the folder was last rendered from, and every other tenant's claims. Pure:
 * the use case reads the files, this parses them.
 * @module
 */

import type { Finding } from '../findings.js';
import {
  type Governance,
  type GovernanceFiles,
  parseGovernance,
  type RulesetParser,
} from '../governance/governance.js';
import { parseSourceFile } from '../spec/parse-source-file.js';
import { defaultLoadLimits } from '../spec/types.js';
import type { OtherTenant } from './check-tenancy.js';
import { parseRepoFolder } from './deploy-paths.js';
import { parseSourceRecord, sourceRecordFile } from './source-record.js';
import { parseTenants, type Tenants, tenantsFile } from './tenants.js';

export interface DeployState {
  tenants?: Tenants;
  tenantsFindings: Finding[];
  /** The source commit the folder was last rendered from. */
  recorded?: string;
  /** The folder's files as the deploy last wrote them (`generated` of its record), when the record has it. */
  recordedFiles?: Record<string, string>;
  others: OtherTenant[];
  /** The platform's governance (`governance/`), when the deploy repo has any. */
  governance?: Governance;
  /** Why the governance files cannot be used: every deploy is refused until they are fixed. */
  governanceFindings: Finding[];
}

/** The deploy-repo paths of every folder's source record, `apis/<owner>/<repo>/.source.yaml`. */
export function findSourceRecordPaths(paths: readonly string[]): string[] {
  return paths.filter((path) => /^apis\/[^/]+\/[^/]+\/\.source\.yaml$/.test(path));
}

export interface DeployStateFiles {
  /** The folder of the repo being deployed, `apis/<owner>/<repo>/`. */
  folder: string;
  /** The tenants file's text; undefined when the deploy repo has none. */
  tenantsText?: string;
  /** Every source record (see {@link findSourceRecordPaths}) with its text, undefined when unreadable. */
  records: readonly { path: string; text: string | undefined }[];
  /** The files under `governance/` with their texts, and the (repo rulesets') parser for its rulesets. */
  governance?: { files: GovernanceFiles; parseRuleset: RulesetParser };
}

export function parseDeployState({
  folder,
  tenantsText,
  records,
  governance,
}: DeployStateFiles): DeployState {
  const state: DeployState = { tenantsFindings: [], others: [], governanceFindings: [] };
  if (governance) {
    const parsed = parseGovernance(governance.files, governance.parseRuleset);
    state.governanceFindings = parsed.findings;
    if (parsed.governance) state.governance = parsed.governance;
  }
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
  for (const { path, text } of records) {
    const record = parseSourceRecord(text ?? '', parseRepoFolder(path));
    if (!record) continue;
    if (path === `${folder}${sourceRecordFile}`) {
      state.recorded = record.commit;
      if (record.generated) state.recordedFiles = record.generated;
    } else {
      const { repo, resources, routes, policyKeys } = record;
      state.others.push({ repo, resources, routes, ...(policyKeys ? { policyKeys } : {}) });
    }
  }
  return state;
}
