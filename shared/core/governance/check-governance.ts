/**
 * A repo's APIs against the platform's governance: each platform ruleset and each scope of limits that applies
 * to the repo. Runs apart from the repo's own lint, with only the platform's rulesets, so nothing of the repo
 * (its ruleset, `overrides`, `extends`, lint fail level, waivers) can turn a platform rule off or down.
 * Every finding is of kind `governance` and says that it is the platform's.
 * @module
 */
import type { Finding } from '../findings.js';
import { lintSpec } from '../lint/lint-spec.js';
import type { RepoRef } from '../repo-ref.js';
import { checkLimits, type GovernedApi } from './check-limits.js';
import { type Governance, governanceFor } from './governance.js';

export type { GovernedApi } from './check-limits.js';

export async function checkGovernance(
  governance: Governance | undefined,
  repo: RepoRef,
  apis: readonly GovernedApi[],
): Promise<Finding[]> {
  const applies = governanceFor(governance, repo);
  const findings: Finding[] = [];
  for (const governed of apis) {
    for (const { file, ruleset } of applies.rulesets) {
      const lint = await lintSpec(governed.spec, { ruleset });
      findings.push(
        ...lint.map((finding) => ({
          ...finding,
          kind: 'governance' as const,
          message: `platform rule (${file}): ${finding.message}`,
        })),
      );
    }
    for (const scoped of applies.limits) findings.push(...checkLimits(governed, scoped));
  }
  return findings;
}
