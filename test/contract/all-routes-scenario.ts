/**
 * Drives every route of the local GitHub through the real `@octokit/rest` client, the way the App calls them,
 * including the error answers the App must cope with. The contract test validates everything this records.
 */
import { Octokit } from '@octokit/rest';
import type { GitHubClients } from '../../shared/adapters/github/create-octokit.js';
import {
  buildPullRequestPageQuery,
  createGitHubCodeHost,
} from '../../shared/adapters/github/github-code-host.js';
import { createGitHubDeployHistory } from '../../shared/adapters/github/github-deploy-history.js';
import { createGitHubExtendedRepos } from '../../shared/adapters/github/github-extended-repos.js';
import { createGitHubDeployRepo } from '../../shared/adapters/github-deploy-repo.js';
import { quiet, type Started } from './setup.js';

/** Runs a call that must fail and answers its HTTP status. */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 0;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}

export async function exerciseAllRoutes({ gh, octokit, appOctokit, installationId }: Started) {
  const repo = { owner: 'acme', repo: 'pets' };
  const { sha: head } = await gh.admin.push({
    ...repo,
    branch: 'feature',
    files: { 'openapi.yaml': 'openapi: 3.1.0\n', 'specs/pets.yaml': 'type: object\n' },
  });
  const { number } = await gh.admin.openPullRequest({ ...repo, head: 'feature', title: 'Bump spec' });
  await gh.admin.addLabel({ ...repo, number, label: 'breaking-approved' });

  // The App finds the repo's installation with its JWT; auth-app mints the installation token on the next call.
  await appOctokit.rest.apps.getRepoInstallation(repo);

  // A PR check reads through GraphQL, with the App's own adapter: the pull, the default branch and files at
  // three commits in one query, more files in one more (a binary one through the REST blob), and the stale-head
  // guard with the sticky comment; then the comment and the check run through REST.
  await gh.admin.push({ ...repo, branch: 'feature', files: { 'logo.png': new Uint8Array([0, 1, 2]) } });
  const host = createGitHubCodeHost(octokit as never, repo);
  const pull = await host.getPullRequest(number, {
    files: { head, paths: ['openapi.yaml', 'nothing.yaml'] },
  });
  await host.prefetch([{ sha: pull.headSha, paths: ['specs/pets.yaml', 'logo.png', 'specs'] }]);
  await host.files(pull.headSha).read('logo.png');
  // A release tag (annotated): its ref names the tag object, which names the commit.
  await gh.admin.pushTag({ ...repo, tag: 'v1.0.0', sha: head, message: 'Release 1.0.0', deliver: false });
  const tagRef = await octokit.rest.git.getRef({ ...repo, ref: 'tags/v1.0.0' });
  await octokit.rest.git.getTag({ ...repo, tag_sha: tagRef.data.object.sha });
  const tree = await octokit.rest.git.getTree({ ...repo, tree_sha: head, recursive: '1' });
  const blobSha = tree.data.tree.find((entry) => entry.path === 'README.md')?.sha ?? '';
  await octokit.rest.git.getBlob({ ...repo, file_sha: blobSha });

  const comment = await octokit.rest.issues.createComment({
    ...repo,
    issue_number: number,
    body: '<!-- marker --> hi',
  });
  await octokit.rest.issues.createComment({ ...repo, issue_number: number, body: 'second' });
  await host.getPullRequest(number, { marker: '<!-- marker -->' });
  // A PR with over a hundred labels or comments: their next pages.
  for (const field of ['labels', 'comments'] as const) {
    const first = await octokit.graphql<{
      repository: { pullRequest: Record<string, { pageInfo: { endCursor: string } }> };
    }>(
      `query($number: Int!) { repository(owner: "acme", name: "pets") {
        pullRequest(number: $number) { ${field}(first: 1) { pageInfo { endCursor } } } } }`,
      { number },
    );
    const after = first.repository.pullRequest[field]?.pageInfo.endCursor;
    await octokit.graphql(buildPullRequestPageQuery(field), { owner: 'acme', name: 'pets', number, after });
  }
  await octokit.rest.issues.updateComment({
    ...repo,
    comment_id: comment.data.id,
    body: '<!-- marker --> updated',
  });
  await statusOf(
    octokit.rest.issues.createComment({ ...repo, issue_number: number, body: 'x'.repeat(65_537) }),
  );

  const annotation = {
    path: 'openapi.yaml',
    start_line: 1,
    end_line: 1,
    annotation_level: 'failure' as const,
    message: 'Breaking change',
    title: 'removed path',
  };
  const run = await octokit.rest.checks.create({
    ...repo,
    name: 'kuma-api-forge',
    head_sha: head,
    status: 'in_progress',
  });
  await octokit.rest.checks.update({
    ...repo,
    check_run_id: run.data.id,
    conclusion: 'failure',
    output: { title: '1 breaking change', summary: 'See annotations', annotations: [annotation] },
  });
  await statusOf(
    octokit.rest.checks.update({
      ...repo,
      check_run_id: run.data.id,
      output: { title: 't', summary: 's', annotations: Array.from({ length: 51 }, () => annotation) },
    }),
  );
  await statusOf(
    octokit.rest.checks.update({
      ...repo,
      check_run_id: run.data.id,
      output: { title: 't', summary: 's'.repeat(65_536) },
    }),
  );

  // The Accept button: a run with it, the presser's access (a collaborator, someone without access, nobody),
  // the approval label added; a button over GitHub's 20-character limit is refused.
  await octokit.rest.checks.update({
    ...repo,
    check_run_id: run.data.id,
    actions: [{ identifier: 'accept-breaking', label: 'Accept breaking', description: 'Adds the label' }],
  });
  await statusOf(
    octokit.rest.checks.update({
      ...repo,
      check_run_id: run.data.id,
      actions: [{ identifier: 'accept-breaking', label: 'Accept breaking changes', description: 'x' }],
    }),
  );
  gh.admin.setCollaborator({ ...repo, login: 'reader', role: 'read' });
  await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: 'octocat' });
  await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: 'reader' });
  await statusOf(octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: 'nobody-at-all' }));
  await octokit.rest.issues.addLabels({
    ...repo,
    issue_number: number,
    labels: ['breaking-approved', 'new'],
  });
  await statusOf(octokit.rest.issues.addLabels({ ...repo, issue_number: 9999, labels: ['x'] }));

  // A deploy, with the App's own adapters: the source's default branch head, the PRs associated with the pushed
  // commit and its configs in one query, the deploy repo's snapshot in one (a deeper file's text in one more),
  // one createCommitOnBranch, and a stale one refused.
  await createGitHubCodeHost(octokit as never, repo).readDefaultBranch({
    commits: [head],
    paths: ['openapi.yaml', 'nothing.yaml'],
  });
  // The next deploy's: how the head stands against the commit deployed last, in the same query.
  await createGitHubCodeHost(octokit as never, repo).readDefaultBranch({
    commits: [head],
    compareWith: head,
  });
  // A PR preview's snapshot: with the texts of one folder's files.
  await createGitHubDeployRepo(octokit as never, repo, { branch: 'feature' }).readSnapshot(undefined, {
    textsOf: 'specs',
  });
  const deployRepo = createGitHubDeployRepo(octokit as never, repo, { branch: 'feature' });
  const snapshot = await deployRepo.readSnapshot();
  await deployRepo.readText(snapshot.files.find((file) => file.path === 'specs/pets.yaml')!.sha);
  const parent = { sha: snapshot.headSha, treeSha: snapshot.treeSha };
  const change = { path: 'apis/acme/pets/route.yaml', content: 'kind: MeshHTTPRoute\n' };
  await deployRepo.commit({ sourceRepo: repo, parent, message: 'Deploy', changes: [change] });
  await deployRepo.commit({ sourceRepo: repo, parent, message: 'Stale', changes: [change] });
  // Promotion after a time: the App's own login, the newest commit of a path (the deploy commit GitHub signed
  // for the App), the statuses a cluster agent posted on it and the check runs on a commit; unknown refs.
  await appOctokit.rest.apps.getAuthenticated();
  const history = createGitHubDeployHistory(octokit as never, repo);
  const deployed = await history.lastChange((await deployRepo.readSnapshot()).headSha, change.path);
  gh.admin.setCommitStatus({ ...repo, sha: deployed!.sha, context: 'argocd/app', state: 'pending' });
  gh.admin.setCommitStatus({ ...repo, sha: deployed!.sha, context: 'argocd/app', state: 'success' });
  gh.admin.setCommitStatus({ ...repo, sha: deployed!.sha, context: 'kustomization/apps', state: 'error' });
  await history.signals(deployed!.sha);
  await history.signals(run.data.head_sha);
  await history.lastChange(head, 'nothing/here.yaml');
  await statusOf(octokit.rest.repos.listCommits({ ...repo, sha: 'f'.repeat(40), path: 'x', per_page: 1 }));
  await statusOf(octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: 'nope' }));
  // `_extends`: another repo's file at its default branch, each folder on the way in the same query.
  const clients = { forInstallation: () => octokit } as unknown as GitHubClients;
  await createGitHubExtendedRepos(clients, { installationId, repository: repo }).read(
    'pets',
    'specs/pets.yaml',
  );

  // Ref moves: a fast-forward, and a rewind refused without `force` (deploy commits themselves are GraphQL's
  // createCommitOnBranch).
  const main = await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' });
  const next = await gh.admin.push({
    ...repo,
    branch: 'next',
    from: 'main',
    files: { 'apis/acme/pets/route.yaml': 'kind: MeshHTTPRoute\n' },
    deliver: false,
  });
  const commit = { data: { sha: next.sha } };
  await octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: commit.data.sha, force: false });
  await statusOf(octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: main.data.object.sha }));
  await statusOf(octokit.rest.git.getRef({ ...repo, ref: 'heads/nope' }));

  // Pull-request mode: a branch per source repo (force-moved, created when missing) and its PR, opened or updated.
  await statusOf(
    octokit.rest.git.updateRef({ ...repo, ref: 'heads/deploy-pr', sha: commit.data.sha, force: true }),
  );
  await octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/deploy-pr', sha: commit.data.sha });
  await octokit.rest.pulls.list({
    ...repo,
    state: 'open',
    head: 'acme:deploy-pr',
    base: 'feature',
    per_page: 1,
  });
  const deployPull = await octokit.rest.pulls.create({
    ...repo,
    title: 'Deploy',
    body: 'from acme/pets',
    head: 'deploy-pr',
    base: 'feature',
  });
  await octokit.rest.pulls.update({
    ...repo,
    pull_number: deployPull.data.number,
    title: 'Deploy again',
    body: 'Now with a body',
  });
  // Promotion by approval: a person approves the deploy PR; the App lists its reviews.
  await gh.admin.submitReview({ ...repo, number: deployPull.data.number, event: 'APPROVE', deliver: false });
  await octokit.rest.pulls.listReviews({ ...repo, pull_number: deployPull.data.number, per_page: 100 });
  await statusOf(octokit.rest.pulls.listReviews({ ...repo, pull_number: 99_999 }));

  // The deploy's history questions: how commits relate (diverged, unknown), and which merged PR a commit is.
  // A force-push (non-fast-forward with `force`) rewinds main under them.
  await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${head}...${commit.data.sha}` });
  await statusOf(
    octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${'f'.repeat(40)}...${head}` }),
  );
  await octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: main.data.object.sha, force: true });
  await createGitHubCodeHost(octokit as never, repo).findMergedPullRequest(head);
  const merged = await gh.admin.mergePullRequest({ ...repo, number, method: 'squash' });
  await createGitHubCodeHost(octokit as never, repo).findMergedPullRequest(merged.sha);
  await createGitHubCodeHost(octokit as never, repo).findMergedPullRequest('f'.repeat(40));

  // A token narrowed to reading this repo: 403 on a write, 404 on another repo; 422 asking beyond the grant.
  const narrowed = async (body: Record<string, unknown>) =>
    (
      await appOctokit.request('POST /app/installations/{installation_id}/access_tokens', {
        installation_id: installationId,
        ...body,
      })
    ).data.token;
  await gh.admin.createRepo({ owner: 'acme', repo: 'other', files: { 'README.md': '# other\n' } });
  const reader = new Octokit({
    baseUrl: gh.url,
    auth: await narrowed({ repositories: ['pets'], permissions: { contents: 'read' } }),
    log: quiet,
  });
  await reader.rest.git.getRef({ ...repo, ref: 'heads/main' });
  await statusOf(reader.rest.git.createRef({ ...repo, ref: 'refs/heads/nope', sha: commit.data.sha }));
  await statusOf(reader.rest.issues.createComment({ ...repo, issue_number: number, body: 'no' }));
  await statusOf(reader.rest.git.getRef({ ...repo, repo: 'other', ref: 'heads/main' }));
  await statusOf(narrowed({ repositories: ['nope'] }));
  await statusOf(narrowed({ permissions: { administration: 'write' } }));

  // Without credentials, with a made-up token, and a JWT route without one: 401s.
  const mainRef = { ...repo, ref: 'heads/main' };
  await statusOf(new Octokit({ baseUrl: gh.url, log: quiet }).rest.git.getRef(mainRef));
  await statusOf(new Octokit({ baseUrl: gh.url, auth: 'ghs_forged', log: quiet }).rest.git.getRef(mainRef));
  await statusOf(new Octokit({ baseUrl: gh.url, log: quiet }).rest.apps.getRepoInstallation(repo));
  return { number, head, checkRunId: run.data.id };
}
