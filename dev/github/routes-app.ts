/**
 * App endpoints (the App's JWT): its installation on a repo, installation access tokens (narrowed to the
 * repos and permissions asked for, refused with 422 beyond what the installation has, as on GitHub).
 * @module
 */
import { findUngrantedPermissions, issueInstallationToken } from './auth.js';
import { type Handler, notFound, unprocessable } from './http.js';
import { buildInstallation, buildRepository } from './shapes.js';
import type { Permissions, RepoRecord } from './state.js';

/** The App the JWT belongs to (its slug names its bot, `<slug>[bot]`, the author of its commits). */
export const getAuthenticatedApp: Handler = ({ hub, app }) => ({ status: 200, body: hub.appJson(app!.id) });

export const getRepoInstallation: Handler = ({ hub, app, params }) => {
  const repo = hub.state.repo(params.owner ?? '', params.repo ?? '');
  const installation = repo ? hub.state.installationFor(repo.owner.login, app!.id) : undefined;
  if (!installation) throw notFound();
  return { status: 200, body: buildInstallation(hub.urls, installation, app!) };
};

export const createAccessToken: Handler = ({ hub, app, params, body }) => {
  const installation = hub.state.installations.get(Number(params.installation_id));
  if (!installation || installation.appId !== app!.id) throw notFound();
  const owned = [...hub.state.repos.values()].filter((repo) => repo.owner.id === installation.account.id);
  const repos = selectRepos(owned, body.repositories, body.repository_ids);
  const permissions = readPermissions(body.permissions);
  const { token, record } = issueInstallationToken(hub.state, installation.id, Date.now(), {
    ...(repos ? { repositoryIds: repos.map((repo) => repo.id) } : {}),
    ...(permissions ? { permissions } : {}),
  });
  return {
    status: 201,
    body: {
      token,
      expires_at: new Date(record.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      permissions: record.permissions,
      repository_selection: repos ? 'selected' : 'all',
      ...(repos ? { repositories: repos.map((repo) => buildRepository(hub.urls, repo)) } : {}),
    },
  };
};

/** The repos named (by name or id) among the installation's, or undefined for all; 422 for any other. */
function selectRepos(owned: RepoRecord[], names: unknown, ids: unknown): RepoRecord[] | undefined {
  if (names === undefined && ids === undefined) return undefined;
  const wanted = [
    ...(Array.isArray(names) ? names : []).map((name) =>
      owned.find((repo) => repo.name.toLowerCase() === String(name).toLowerCase()),
    ),
    ...(Array.isArray(ids) ? ids : []).map((id) => owned.find((repo) => repo.id === id)),
  ];
  if (wanted.some((repo) => repo === undefined)) {
    throw unprocessable(
      'There is at least one repository that does not exist or is not accessible to the parent installation.',
    );
  }
  return [...new Set(wanted as RepoRecord[])];
}

/** The permissions asked for, or undefined for all the installation has; 422 beyond them. */
function readPermissions(value: unknown): Permissions | undefined {
  if (value === undefined) return undefined;
  const asked = (value ?? {}) as Record<string, unknown>;
  const entries = Object.entries(asked);
  if (entries.some(([, level]) => level !== 'read' && level !== 'write')) {
    throw unprocessable('Invalid request.\n\nPermission levels must be "read" or "write".');
  }
  const permissions = Object.fromEntries(entries) as Permissions;
  if (findUngrantedPermissions(permissions).length > 0) {
    throw unprocessable('The permissions requested are not granted to this installation.');
  }
  return permissions;
}
