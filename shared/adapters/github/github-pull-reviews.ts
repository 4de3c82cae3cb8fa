/**
 * GitHub's reviews and commits of a pull request (`pulls/list-reviews`, `repos/compare-commits-with-basehead`).
 * @module
 */
import type { ReviewState } from '../../core/deploy/approval-promotion.js';
import type { RepoRef } from '../../core/repo-ref.js';
import type { PullReviews } from '../../ports/pull-reviews.js';
import type { AppOctokit } from './create-octokit.js';

export function createGitHubPullReviews(octokit: AppOctokit, repo: RepoRef): PullReviews {
  return {
    async reviews(pullNumber) {
      const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
        ...repo,
        pull_number: pullNumber,
        per_page: 100,
      });
      return reviews.map((review) => ({
        login: review.user?.login ?? '',
        state: review.state as ReviewState,
        commitId: review.commit_id ?? '',
      }));
    },
    async commitAuthors(base, head) {
      // A deploy PR has a few commits; the comparison lists up to 250, and any beyond count as unknown authors.
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
        ...repo,
        basehead: `${base}...${head}`,
        per_page: 100,
      });
      const authors = data.commits.map((commit) => commit.author?.login ?? commit.commit.author?.name ?? '');
      return data.total_commits > authors.length ? [...authors, '(unlisted)'] : authors;
    },
  };
}
