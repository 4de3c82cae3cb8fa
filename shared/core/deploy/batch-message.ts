/**
 * The message of a deploy commit that carries several source repos' plans (a batch): a headline naming each
 * repo and commit, then each plan's own message (its provenance: source commit, PR, spec hashes, resources and
 * the `Kuma-Api-Forge-Source:` line), in the order given. One plan keeps its own message unchanged.
 * @module
 */
import type { DeployPlan } from './plan-deploy.js';

export function buildBatchMessage(plans: readonly Pick<DeployPlan, 'message'>[]): string {
  if (plans.length === 1) return plans[0]!.message;
  // Each plan's headline is `Deploy owner/repo@abc1234 (#N): …`: its `owner/repo@abc1234` names it here.
  const names = plans.map((plan) => /^Deploy (\S+)/.exec(plan.message)?.[1] ?? '?');
  const headline = `Deploy ${plans.length} repos: ${names.join(', ')}`;
  return `${[headline, ...plans.map((plan) => plan.message.trimEnd())].join('\n\n')}\n`;
}
