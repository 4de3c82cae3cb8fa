/**
 * The route table: one line per REST operation the App calls, with the operationId of GitHub's published
 * description (`@octokit/openapi`) it implements. The contract test holds every line to that description
 * (method, path, request and response bodies), checks that its scenario exercises each line, and that the
 * table is exactly the set of operations the App's source calls: a route the App stops using is removed here.
 * @module
 */
import type { Handler, Route } from './http.js';
import { createAccessToken, getAuthenticatedApp, getRepoInstallation } from './routes-app.js';
import { createCheckRun, updateCheckRun } from './routes-checks.js';
import { addLabels, getCollaboratorPermission } from './routes-collaborators.js';
import { getCombinedStatus, listCheckRunsForRef, listCommits } from './routes-commits.js';
import { compareCommits, createRef, getBlob, getRef, getTag, getTree, updateRef } from './routes-git.js';
import {
  createComment,
  createPull,
  listPulls,
  listReviews,
  updateComment,
  updatePull,
} from './routes-pulls.js';

type Line = readonly [method: Route['method'], path: string, operationId: string, handle: Handler];

// biome-ignore format: one route per line, in columns
const TABLE: readonly Line[] = [
  ['POST',  '/app/installations/:installation_id/access_tokens',  'apps/create-installation-access-token',            createAccessToken],
  ['GET',   '/repos/:owner/:repo/installation',                   'apps/get-repo-installation',                       getRepoInstallation],
  ['GET',   '/app',                                               'apps/get-authenticated',                           getAuthenticatedApp],
  ['GET',   '/repos/:owner/:repo/commits',                        'repos/list-commits',                               listCommits],
  ['GET',   '/repos/:owner/:repo/commits/:ref{.+}/status',        'repos/get-combined-status-for-ref',                getCombinedStatus],
  ['GET',   '/repos/:owner/:repo/commits/:ref{.+}/check-runs',    'checks/list-for-ref',                              listCheckRunsForRef],
  ['GET',   '/repos/:owner/:repo/compare/:basehead{.+}',          'repos/compare-commits-with-basehead',              compareCommits],
  ['GET',   '/repos/:owner/:repo/git/ref/:ref{.+}',               'git/get-ref',                                      getRef],
  ['POST',  '/repos/:owner/:repo/git/refs',                       'git/create-ref',                                   createRef],
  ['GET',   '/repos/:owner/:repo/git/blobs/:file_sha',            'git/get-blob',                                     getBlob],
  ['PATCH', '/repos/:owner/:repo/git/refs/:ref{.+}',              'git/update-ref',                                   updateRef],
  ['GET',   '/repos/:owner/:repo/git/tags/:tag_sha',              'git/get-tag',                                      getTag],
  ['GET',   '/repos/:owner/:repo/git/trees/:tree_sha',            'git/get-tree',                                     getTree],
  ['GET',   '/repos/:owner/:repo/pulls',                          'pulls/list',                                       listPulls],
  ['POST',  '/repos/:owner/:repo/pulls',                          'pulls/create',                                     createPull],
  ['PATCH', '/repos/:owner/:repo/pulls/:pull_number',             'pulls/update',                                     updatePull],
  ['GET',   '/repos/:owner/:repo/pulls/:pull_number/reviews',     'pulls/list-reviews',                               listReviews],
  ['POST',  '/repos/:owner/:repo/issues/:issue_number/comments',  'issues/create-comment',                            createComment],
  ['PATCH', '/repos/:owner/:repo/issues/comments/:comment_id',    'issues/update-comment',                            updateComment],
  ['POST',  '/repos/:owner/:repo/issues/:issue_number/labels',    'issues/add-labels',                                addLabels],
  ['GET',   '/repos/:owner/:repo/collaborators/:username/permission', 'repos/get-collaborator-permission-level',    getCollaboratorPermission],
  ['POST',  '/repos/:owner/:repo/check-runs',                     'checks/create',                                    createCheckRun],
  ['PATCH', '/repos/:owner/:repo/check-runs/:check_run_id',       'checks/update',                                    updateCheckRun],
];

/** The App endpoints (`apps/*`) take the App's JWT; every other route an installation token. */
export const ROUTES: readonly Route[] = TABLE.map(([method, path, operationId, handle]) => ({
  method,
  path,
  operationId,
  auth: operationId.startsWith('apps/') ? 'jwt' : 'installation',
  handle,
}));
