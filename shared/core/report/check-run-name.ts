/**
 * The name of a PR's check run. GitHub's required status check reads the newest check run of its name on the
 * head commit, whichever PR wrote it, and one commit can be the head of several PRs. So only a PR into the
 * default branch (what branch protection guards) writes `kuma-api-forge`; a PR into any other branch writes
 * `kuma-api-forge (into <branch>)`, which the default branch's protection never reads.
 * Its own module: the webhook endpoint uses it to route a re-run, without the report builders.
 * @module
 */

/** The check run a repo's branch protection requires. */
export const checkRunName = 'kuma-api-forge';

export function buildCheckRunName(baseRef: string, defaultBranch: string): string {
  return baseRef === defaultBranch ? checkRunName : `${checkRunName} (into ${baseRef})`;
}
