/**
 * Shared by the local GitHub's integration and contract tests: a started server with an App installed on
 * `acme`, an API repo, and real `@octokit/rest` clients (installation and App/JWT) pointed at it.
 */
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { type AppCredentials, type LocalGitHub, startLocalGitHub } from '../../dev/github/index.js';

export const SPEC = `openapi: 3.0.3
info:
  title: Pets
  version: 1.0.0
paths:
  /pets:
    get:
      responses:
        '200':
          description: ok
`;

/** Octokit logs every 4xx it sees; the scenarios provoke them on purpose. */
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export interface Started {
  gh: LocalGitHub;
  app: AppCredentials;
  installationId: number;
  /** Authenticated as the installation (tokens minted through the App JWT, like the worker does). */
  octokit: Octokit;
  /** Authenticated as the App itself (JWT). */
  appOctokit: Octokit;
}

export async function startWithApp(): Promise<Started> {
  const gh = await startLocalGitHub();
  const app = gh.admin.createApp();
  const { installationId } = await gh.admin.installApp(app.id, 'acme');
  await gh.admin.createRepo({
    owner: 'acme',
    repo: 'pets',
    files: { 'openapi.yaml': SPEC, 'README.md': '# pets\n' },
  });
  const auth = { appId: app.id, privateKey: app.privateKey! };
  const octokit = new Octokit({
    baseUrl: gh.url,
    authStrategy: createAppAuth,
    auth: { ...auth, installationId },
    log: quiet,
  });
  const appOctokit = new Octokit({ baseUrl: gh.url, authStrategy: createAppAuth, auth, log: quiet });
  return { gh, app, installationId, octokit, appOctokit };
}
