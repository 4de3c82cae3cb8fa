/**
 * App endpoints: the authenticated App, its installation on a repo, installation access tokens.
 * @module
 */
import { issueInstallationToken } from './auth.js';
import { HttpError, notFound, type Route } from './http.js';
import { buildInstallation, buildIntegration, buildRepository } from './shapes.js';

export const appRoutes: Route[] = [
  {
    method: 'GET',
    path: '/app',
    operationId: 'apps/get-authenticated',
    auth: 'jwt',
    handle: ({ hub, app }) => ({ status: 200, body: buildIntegration(hub.urls, app!) }),
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/installation',
    operationId: 'apps/get-repo-installation',
    auth: 'jwt',
    handle: ({ hub, app, params }) => {
      const repo = hub.state.repo(params.owner ?? '', params.repo ?? '');
      const installation = repo ? hub.state.installationFor(repo.owner.login, app!.id) : undefined;
      if (!installation) throw notFound();
      return { status: 200, body: buildInstallation(hub.urls, installation, app!) };
    },
  },
  {
    method: 'POST',
    path: '/app/installations/:installation_id/access_tokens',
    operationId: 'apps/create-installation-access-token',
    auth: 'jwt',
    handle: ({ hub, app, params, body }) => {
      const installation = hub.state.installations.get(Number(params.installation_id));
      if (!installation || installation.appId !== app!.id) throw notFound();
      const names = Array.isArray(body.repositories) ? body.repositories.map(String) : undefined;
      const repos = [...hub.state.repos.values()].filter(
        (repo) => repo.owner.id === installation.account.id && (!names || names.includes(repo.name)),
      );
      if (names && repos.length !== names.length) {
        throw new HttpError(
          422,
          'There is at least one repository that does not exist or is not accessible to the parent installation.',
          { status: '422' },
        );
      }
      const { token, record } = issueInstallationToken(hub.state, installation.id, Date.now());
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(record.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          permissions: {
            checks: 'write',
            contents: 'write',
            metadata: 'read',
            pull_requests: 'write',
            issues: 'write',
          },
          repository_selection: names ? 'selected' : 'all',
          ...(names ? { repositories: repos.map((repo) => buildRepository(hub.urls, repo)) } : {}),
        },
      };
    },
  },
];
