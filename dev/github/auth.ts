/**
 * GitHub App authentication as GitHub does it: an RS256 JWT signed with the App's private key (iss = app id,
 * at most 10 minutes of validity) buys a one-hour installation token, which the repo endpoints require.
 * @module
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { HttpError } from './http.js';
import type { AppRecord, State, TokenRecord } from './state.js';

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

export function issueInstallationToken(
  state: State,
  installationId: number,
  nowMs: number,
): { token: string; record: TokenRecord } {
  const token = `ghs_${randomBytes(18).toString('base64url')}`;
  const record = { installationId, expiresAt: nowMs + 3_600_000 };
  state.tokens.set(token, record);
  return { token, record };
}

/** The installation a token belongs to; 401 "Bad credentials" when unknown or expired. */
export function verifyInstallationToken(state: State, token: string | undefined, nowMs: number) {
  const record = token ? state.tokens.get(token) : undefined;
  if (!record || record.expiresAt <= nowMs) throw badCredentials('Bad credentials');
  const installation = state.installations.get(record.installationId);
  if (!installation) throw badCredentials('Bad credentials');
  return installation;
}
