/**
 * Adapter: the CodeHost port over GitHub's REST API for one repository, through an installation's Octokit.
 * Answers in domain terms (never `resp.data`) and keeps GitHub's limits here: comment pages, and at most 50
 * annotations per check-run request (the rest go in follow-up updates, which GitHub appends).
 * @module
 */
import type { Job } from '../../core/jobs.js';
import { formatRepoRef, type RepoRef } from '../../core/repo-ref.js';
import type { Annotation, CodeHost } from '../../ports/code-host.js';
import type { AppOctokit, GitHubClients } from './create-octokit.js';
import { type BlobCache, createGitHubFileSource } from './github-file-source.js';
import { buildSourceScope } from './job-scopes.js';

export const annotationsPerRequest = 50;

/** The code host of a job's own repo, through a token for that repo only and what the job does there. */
export function createJobCodeHost(clients: GitHubClients, job: Job): CodeHost {
  return createGitHubCodeHost(
    clients.forInstallation(job.installationId, buildSourceScope(job)),
    job.repository,
  );
}

export function createGitHubCodeHost(octokit: AppOctokit, repo: RepoRef): CodeHost {
  // Shared by the base and head sources: an unchanged file is one blob, read once.
  const blobs: BlobCache = new Map();
  const sources = new Map<string, ReturnType<typeof createGitHubFileSource>>();
  return {
    description: formatRepoRef(repo),
    async getPullRequest(number) {
      const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
      return {
        number: data.number,
        state: data.state === 'open' ? 'open' : 'closed',
        headSha: data.head.sha,
        baseSha: data.base.sha,
        baseRef: data.base.ref,
        defaultBranch: data.base.repo.default_branch,
        labels: data.labels.map((label) => label.name),
        repoUrl: data.base.repo.html_url,
      };
    },
    async branchHead(branch) {
      const { data } = await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
      return data.object.sha;
    },
    files(sha) {
      let source = sources.get(sha);
      if (!source) {
        source = createGitHubFileSource(octokit, repo, sha, blobs);
        sources.set(sha, source);
      }
      return source;
    },
    async findMergedPullRequest(sha) {
      const pulls = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
        ...repo,
        commit_sha: sha,
        per_page: 100,
      });
      const merged = pulls.find(
        (pull) =>
          pull.merged_at !== null &&
          pull.merge_commit_sha === sha &&
          pull.base.ref === pull.base.repo.default_branch,
      );
      return merged?.number;
    },
    async findComment(pullNumber, marker) {
      const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
        ...repo,
        issue_number: pullNumber,
        per_page: 100,
      });
      for await (const { data } of pages) {
        // Only our own (a bot's) comments: a person quoting the marker does not take over the sticky comment.
        const found = data.find((c) => c.user?.type === 'Bot' && c.body?.startsWith(marker));
        if (found) return { id: found.id, body: found.body ?? '' };
      }
      return undefined;
    },
    async createComment(pullNumber, body) {
      const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: pullNumber, body });
      return { id: data.id, body: data.body ?? body };
    },
    async updateComment(commentId, body) {
      await octokit.rest.issues.updateComment({ ...repo, comment_id: commentId, body });
    },
    async startCheckRun({ name, headSha, externalId }) {
      const { data } = await octokit.rest.checks.create({
        ...repo,
        name,
        head_sha: headSha,
        status: 'in_progress',
        ...(externalId ? { external_id: externalId } : {}),
      });
      return data.id;
    },
    async permissionOf(login) {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: login });
      return data.permission;
    },
    async addLabel(pullNumber, label) {
      await octokit.rest.issues.addLabels({ ...repo, issue_number: pullNumber, labels: [label] });
    },
    async completeCheckRun(checkRunId, result) {
      const batches = chunk(result.annotations ?? [], annotationsPerRequest);
      const output = {
        title: result.title,
        summary: result.summary,
        ...(result.text !== undefined ? { text: result.text } : {}),
      };
      // Every batch but the last while still in progress; the last one completes the run.
      for (const batch of batches.slice(0, -1)) {
        await octokit.rest.checks.update({
          ...repo,
          check_run_id: checkRunId,
          output: { title: output.title, summary: output.summary, annotations: batch.map(toGitHub) },
        });
      }
      await octokit.rest.checks.update({
        ...repo,
        check_run_id: checkRunId,
        status: 'completed',
        conclusion: result.conclusion,
        ...(result.actions ? { actions: result.actions } : {}),
        output: {
          ...output,
          ...(batches.length > 0 ? { annotations: (batches.at(-1) ?? []).map(toGitHub) } : {}),
        },
      });
    },
  };
}

function toGitHub(a: Annotation) {
  return {
    path: a.path,
    start_line: a.startLine,
    end_line: a.endLine,
    annotation_level: a.level,
    message: a.message,
    title: a.title,
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
