/**
 * GitHub App authentication as GitHub does it: an RS256 JWT signed with the App's private key (iss = app id,
 * at most 10 minutes of validity) buys a one-hour installation token, which the repo endpoints require. A token
 * may be narrowed to some repos and permissions when minted; repo endpoints then answer 404 for a repo outside
 * it and 403 for an operation it lacks the permission for, as GitHub does.
 * @module
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { HttpError, notFound, type Route } from './http.js';
import {
  type AppRecord,
  installationPermissions,
  type Permissions,
  type RepoRecord,
  type State,
  type TokenRecord,
} from './state.js';

const badCredentials = (why: string) => new HttpError(401, why, { status: '401' });

/** The bearer/token credential of a request, or undefined. */
export function readCredential(header: string | undefined): string | undefined {
  const match = /^(?:bearer|token)\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** Verifies an App JWT and answers the App it was signed for (401 with GitHub's wording otherwise). */
export function verifyAppJwt(state: State, jwt: string, nowSeconds: number): AppRecord {
  const [header, payload, signature, ...rest] = jwt.split('.');
  if (!header || !payload || !signature || rest.length > 0)
    throw badCredentials('A JSON web token could not be decoded');
  let claims: { iss?: unknown; exp?: unknown; iat?: unknown };
  let alg: unknown;
  try {
    alg = JSON.parse(Buffer.from(header, 'base64url').toString()).alg;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  } catch {
    throw badCredentials('A JSON web token could not be decoded');
  }
  if (alg !== 'RS256') throw badCredentials("'Algorithm' must be RS256");
  const app = state.apps.get(Number(claims.iss));
  if (!app) throw badCredentials("'Issuer' claim ('iss') must be an Integer");
  const valid = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey(app.publicKey),
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) throw badCredentials('A JSON web token could not be decoded');
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') {
    throw badCredentials(
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    );
  }
  if (claims.exp <= nowSeconds) {
    throw badCredentials(
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    );
  }
  // GitHub allows some clock drift on iat but refuses tokens valid for more than ten minutes.
  if (claims.exp - nowSeconds > 600 || claims.exp - claims.iat > 660) {
    throw badCredentials("'Expiration time' claim ('exp') is too far in the future");
  }
  if (claims.iat > nowSeconds + 60)
    throw badCredentials(
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    );
  return app;
}

/** What a token is narrowed to; each part left out means all the installation has. */
export interface TokenScope {
  repositoryIds?: readonly number[];
  permissions?: Permissions;
}

/** Mints a token for the scope, which the caller has checked is within the installation's grant. */
export function issueInstallationToken(
  state: State,
  installationId: number,
  nowMs: number,
  scope: TokenScope = {},
): { token: string; record: TokenRecord } {
  const token = `ghs_${randomBytes(18).toString('base64url')}`;
  const record: TokenRecord = {
    installationId,
    expiresAt: nowMs + 3_600_000,
    // GitHub adds metadata: read to every token: without it the token could not even see the repo.
    permissions: scope.permissions
      ? { ...scope.permissions, metadata: 'read' }
      : { ...installationPermissions },
    ...(scope.repositoryIds ? { repositoryIds: [...scope.repositoryIds] } : {}),
  };
  state.tokens.set(token, record);
  return { token, record };
}

/** Requested permissions beyond the installation's grant (names with their level), empty when within it. */
export function findUngrantedPermissions(requested: Permissions): string[] {
  return Object.entries(requested)
    .filter(([name, level]) => !allows(installationPermissions, [name], level))
    .map(([name, level]) => `${name}: ${level}`);
}

/**
 * The repo a request may touch with this (already verified) installation token: a repo of another account or
 * outside the repos the token was narrowed to does not exist for it (404); an operation whose permission it
 * lacks is refused (403, GitHub's wording).
 */
export function authorizeRepoRequest(
  state: State,
  token: string,
  repo: RepoRecord | undefined,
  route: Pick<Route, 'method' | 'operationId'>,
): RepoRecord {
  const record = state.tokens.get(token);
  const installation = record && state.installations.get(record.installationId);
  if (!record || !installation) throw badCredentials('Bad credentials');
  if (!repo || repo.owner.id !== installation.account.id) throw notFound();
  if (record.repositoryIds && !record.repositoryIds.includes(repo.id)) throw notFound();
  const level = route.method === 'GET' ? 'read' : 'write';
  if (!allows(record.permissions, permissionsFor(route.operationId), level)) {
    throw new HttpError(403, 'Resource not accessible by integration', { status: '403' });
  }
  return repo;
}

/** The permissions GitHub accepts for an operation (any one of them will do). */
function permissionsFor(operationId: string): string[] {
  if (operationId === 'repos/get' || operationId === 'repos/get-collaborator-permission-level')
    return ['metadata'];
  if (operationId === 'repos/get-combined-status-for-ref') return ['statuses'];
  const [category] = operationId.split('/');
  switch (category) {
    case 'repos':
    case 'git':
      return ['contents'];
    case 'checks':
      return ['checks'];
    case 'pulls':
      return ['pull_requests'];
    // Every issue here is a pull request, and GitHub takes either permission for a pull request's comments and
    // labels.
    case 'issues':
      return ['issues', 'pull_requests'];
    default:
      // A route nobody mapped is refused rather than silently allowed.
      return [];
  }
}

function allows(granted: Readonly<Permissions>, names: string[], level: 'read' | 'write'): boolean {
  return names.some((name) => granted[name] === 'write' || (level === 'read' && granted[name] === 'read'));
}

/** The installation a token belongs to; 401 "Bad credentials" when unknown or expired. */
export function verifyInstallationToken(state: State, token: string | undefined, nowMs: number) {
  const record = token ? state.tokens.get(token) : undefined;
  if (!record || record.expiresAt <= nowMs) throw badCredentials('Bad credentials');
  const installation = state.installations.get(record.installationId);
  if (!installation) throw badCredentials('Bad credentials');
  return installation;
}
