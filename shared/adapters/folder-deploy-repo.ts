/**
 * Adapter: an environment that is a folder of a deploy branch (`path: envs/staging`) seen as a deploy repo of
 * its own. Its snapshot lists only the files under the folder, with the folder taken off their paths, and its
 * commits put the folder back on every path: the deploy, the preview, promotion and the drift report read and
 * write `tenants.yaml`, `governance/` and `apis/<owner>/<repo>/` exactly as at a branch's root, and nothing they
 * write can land outside the folder (`toEnvironmentPath` refuses any path that would climb out of it).
 * @module
 */
import { fromEnvironmentPath, toEnvironmentPath } from '../core/deploy/deploy-paths.js';
import type { CodeHost } from '../ports/code-host.js';
import type { DeployHistory } from '../ports/deploy-history.js';
import type { DeployRepo, DeploySnapshot, DeployTarget } from '../ports/deploy-repo.js';
import { createSubdirSource } from './subdir-source.js';

/** `repo` narrowed to `folder`; its description names the folder (`platform/deploy@main:envs/staging`). */
export function withinFolder(repo: DeployRepo, folder: string): DeployRepo {
  const narrow = (snapshot: DeploySnapshot): DeploySnapshot => ({
    ...snapshot,
    files: snapshot.files.flatMap((file) => {
      const path = fromEnvironmentPath(folder, file.path);
      return path === undefined ? [] : [{ path, sha: file.sha }];
    }),
  });
  return {
    description: `${repo.description}:${folder}`,
    url: repo.url,
    get calls() {
      return repo.calls;
    },
    readSnapshot: async (commit, read) =>
      narrow(
        await repo.readSnapshot(
          commit,
          read?.textsOf
            ? { textsOf: toEnvironmentPath(folder, read.textsOf.replace(/\/+$/, '')) }
            : undefined,
        ),
      ),
    readText: (blobSha) => repo.readText(blobSha),
    commit: async (request) =>
      repo.commit({
        ...request,
        changes: request.changes.map((change) => ({
          ...change,
          path: toEnvironmentPath(folder, change.path),
        })),
      }),
  };
}

/** A deploy target whose repos are narrowed to `folder` (the source history is the source repo's, unchanged). */
export function withinFolderTarget(target: DeployTarget, folder: string): DeployTarget {
  return {
    description: `${target.description}:${folder}`,
    ...(target.mode ? { mode: target.mode } : {}),
    repo: async (access, asker) => withinFolder(await target.repo(access, asker), folder),
    history: (job) => target.history(job),
  };
}

/** A deploy branch's history asked about paths of `folder` (the time promotion's `.source.yaml` records). */
export function withinFolderHistory(history: DeployHistory, folder: string): DeployHistory {
  return {
    lastChange: async (head, path) => history.lastChange(head, toEnvironmentPath(folder, path)),
    signals: (sha) => history.signals(sha),
  };
}

/** The deploy repo as a code host whose files are those of `folder` (a deploy-repo PR's governance check). */
export function withinFolderHost(host: CodeHost, folder: string): CodeHost {
  return Object.assign(Object.create(host) as CodeHost, {
    files: (sha: string) => createSubdirSource(host.files(sha), folder),
  });
}
