/**
 * One OpenAPI security scheme → what an Envoy Gateway SecurityPolicy checks for it: a JWT provider (`x-kuma.auth`),
 * an OIDC login (config `oidc`) or an API key (config `apiKeys`), or why the gateway cannot check it. Pure.
 * @module
 */
import { isJwtScheme, readSchemes, valueAt } from '../kuma/render/build-auth.js';
import { isObject } from '../kuma/render/resolve-ref.js';
import type { ApiKeySecrets, JwtProvider, OidcClient } from '../kuma/render/types.js';
import { appendPointer } from '../spec/json-pointer.js';
import type { EdgeInput } from './edge.js';

/** A scheme the gateway can check, as SecurityPolicy fragments. */
export type CheckedScheme =
  | { kind: 'jwt'; name: string; provider: Record<string, unknown>; issuer: string }
  | { kind: 'oidc'; name: string; oidc: Record<string, unknown>; callbackPaths: string[] }
  | { kind: 'apiKey'; name: string; apiKeyAuth: Record<string, unknown> };

/** Why a scheme is not checked: the finding to report for the operations that require it. */
export interface SchemeProblem {
  id: string;
  severity: 'error' | 'warning';
  /** Undefined: on the security requirement that names the scheme (it is declared nowhere). */
  pointer?: string;
  /** Completes "security scheme "<name>" …". */
  message: string;
}

/** A finding about a scheme that does not stop it being checked (a setting this target cannot express). */
export type SchemeNote = Required<SchemeProblem>;

export type SchemeResolution =
  | { checked: CheckedScheme; notes: SchemeNote[] }
  | { problem: SchemeProblem; notes: SchemeNote[] };

export const schemeKinds = {
  jwt: 'a JWT',
  oidc: 'an OIDC login',
  apiKey: 'an API key',
} as const;

/** Resolves every scheme name once; the same answer for every route. */
export function createSchemeResolver(input: EdgeInput): (name: string) => SchemeResolution {
  const { schemes, pointer: schemesPointer } = readSchemes(input.bundle);
  const cache = new Map<string, SchemeResolution>();
  return (name) => {
    let resolution = cache.get(name);
    if (!resolution) {
      resolution = resolveScheme(input, name, own(schemes, name), appendPointer(schemesPointer, name));
      cache.set(name, resolution);
    }
    return resolution;
  };
}

function resolveScheme(input: EdgeInput, name: string, scheme: unknown, pointer: string): SchemeResolution {
  const notes: SchemeNote[] = [];
  const problem = (id: string, severity: SchemeProblem['severity'], message: string) => ({
    problem: { id, severity, pointer, message },
    notes,
  });
  if (!isObject(scheme)) {
    return {
      problem: {
        id: 'gateway-api-auth-unknown-scheme',
        severity: 'error',
        message: 'is not declared in the securitySchemes: the gateway cannot know what to check',
      },
      notes,
    };
  }
  if (scheme.type === 'apiKey') return resolveApiKey(input, name, scheme, pointer);
  const oidc = own(input.api.oidc, name);
  if ((scheme.type === 'openIdConnect' || scheme.type === 'oauth2') && oidc) {
    const resolution = resolveOidc(input, name, scheme, oidc, pointer);
    if (own(input.root.auth, name)) {
      resolution.notes.push({
        id: 'gateway-api-oidc-replaces-jwt',
        severity: 'warning',
        pointer,
        message: `security scheme "${name}" has both oidc.${name} in the config and x-kuma.auth.${name}: on target gateway-api the gateway logs browsers in with OIDC and does not validate bearer tokens of this scheme, so API clients sending one are redirected to the login; remove one of the two`,
      });
    }
    return resolution;
  }
  if (!isJwtScheme(scheme)) {
    const type = [scheme.type, scheme.scheme].filter((part) => typeof part === 'string').join(' ');
    return problem(
      'kuma-auth-unenforceable',
      'warning',
      `(${type || 'unknown type'}) cannot be enforced by Envoy Gateway from this spec: the operations reach the service without authentication at the edge, so the service must check it`,
    );
  }
  const provider = own(input.root.auth, name);
  if (!provider) {
    const login =
      scheme.type === 'openIdConnect' || scheme.type === 'oauth2'
        ? `, or oidc.${name} with clientId and clientSecretRef in the API's entry of .kuma-api-forge.yaml for a browser login`
        : '';
    return problem(
      scheme.type === 'openIdConnect' ? 'gateway-api-oidc-not-configured' : 'kuma-auth-not-configured',
      'warning',
      `is not enforced at the gateway: add x-kuma.auth.${name} with issuer and jwksUri so the gateway validates its JWTs${login}`,
    );
  }
  return resolveJwt(input, name, provider, pointer, notes);
}

/** Qualified name (Kubernetes `IsQualifiedName`, what Envoy Gateway wants of a JWT provider name). */
const qualifiedName = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function resolveJwt(
  input: EdgeInput,
  name: string,
  provider: JwtProvider,
  schemePointer: string,
  notes: SchemeNote[],
): SchemeResolution {
  const declared = appendPointer('/x-kuma/auth', name);
  const at = valueAt(input.bundle, declared) === undefined ? schemePointer : declared;
  const where = at === declared ? `x-kuma.auth.${name}` : `x-kuma.auth.${name} (from the config defaults)`;
  const problem = (message: string, field?: string) => ({
    problem: {
      id: 'gateway-api-jwt-invalid',
      severity: 'error' as const,
      pointer: field && at === declared ? `${at}/${field}` : at,
      message,
    },
    notes,
  });
  const url = parseUrl(provider.jwksUri);
  if (url?.protocol === 'http:') {
    return {
      problem: {
        id: 'gateway-api-jwks-insecure',
        severity: 'error',
        pointer: at === declared ? `${at}/jwksUri` : at,
        message: `is not enforced: ${where}.jwksUri "${provider.jwksUri}" is plain http, so anyone on the path could serve the keys tokens are checked against; use an https:// JWKS URI`,
      },
      notes,
    };
  }
  if (url?.protocol !== 'https:') {
    return problem(`is not enforced: ${where}.jwksUri must be an https:// URL`, 'jwksUri');
  }
  if (provider.jwksUri.length > 253) {
    return problem(
      `is not enforced: ${where}.jwksUri is longer than the 253 characters Envoy Gateway accepts`,
      'jwksUri',
    );
  }
  if (!qualifiedName.test(name)) {
    return problem(
      `is not enforced: Envoy Gateway names a JWT provider after its scheme, and "${name}" is not a valid provider name (letters, digits, "-", "_", "." ; starting and ending with a letter or digit; at most 63 characters)`,
    );
  }
  const issuerProblem = checkIssuer(provider.issuer);
  if (issuerProblem) return problem(`is not enforced: ${where}.issuer ${issuerProblem}`, 'issuer');
  if ((provider.audiences?.length ?? 0) > 8) {
    return problem(
      `is not enforced: Envoy Gateway accepts at most 8 audiences per JWT provider`,
      'audiences',
    );
  }
  if (provider.forward === false) {
    notes.push({
      id: 'x-kuma-target-unsupported',
      severity: 'warning',
      pointer: at === declared ? `${at}/forward` : at,
      message: `${where}.forward: false cannot be expressed on target gateway-api: Envoy Gateway always forwards the token to the service; use target: kuma-gateway to strip it at the edge`,
    });
  }
  return {
    checked: {
      kind: 'jwt',
      name,
      issuer: provider.issuer,
      provider: {
        name,
        issuer: provider.issuer,
        ...(provider.audiences ? { audiences: provider.audiences } : {}),
        // Envoy Gateway fetches over TLS and checks the chain against the proxy's system trust store.
        remoteJWKS: { uri: provider.jwksUri },
        // Where an http bearer scheme carries it, and nowhere else: without this Envoy also takes the token from
        // an `access_token` query parameter, which ends up in access logs.
        extractFrom: { headers: [{ name: 'Authorization', valuePrefix: 'Bearer ' }] },
      },
    },
    notes,
  };
}

/** Envoy Gateway's issuer rule (validateJWTProvider): with ":" a URI, with "@" an e-mail address. */
function checkIssuer(issuer: string): string | undefined {
  if (issuer.length > 253) return 'is longer than the 253 characters Envoy Gateway accepts';
  if (issuer.includes(':')) {
    // Go's url.ParseRequestURI also refuses a malformed %-escape, which WHATWG URL lets through.
    const valid = parseUrl(issuer) !== undefined && !/%(?![0-9A-Fa-f]{2})/.test(issuer);
    return valid ? undefined : 'contains ":" but is not a valid URI';
  }
  if (issuer.includes('@') && !/^[^@\s]+@[^@\s]+$/.test(issuer)) {
    return 'contains "@" but is not a valid e-mail address';
  }
  return undefined;
}

function resolveOidc(
  input: EdgeInput,
  name: string,
  scheme: Record<string, unknown>,
  client: OidcClient,
  pointer: string,
): SchemeResolution {
  const notes: SchemeNote[] = [];
  const problem = (message: string) => ({
    problem: { id: 'gateway-api-oidc-invalid', severity: 'error' as const, pointer, message },
    notes,
  });
  const provider: Record<string, unknown> = {};
  if (scheme.type === 'oauth2') {
    const flows = isObject(scheme.flows) ? scheme.flows : {};
    // OpenAPI 3 flows.authorizationCode; Swagger 2 flow: accessCode with the URLs on the scheme itself.
    const code = isObject(flows.authorizationCode)
      ? flows.authorizationCode
      : scheme.flow === 'accessCode'
        ? scheme
        : undefined;
    if (!code) {
      return problem(
        'is not enforced: an OIDC login needs an authorizationCode flow in this oauth2 scheme (other flows do not log a browser in); for bearer tokens use x-kuma.auth instead of oidc',
      );
    }
    for (const [field, key] of [
      ['authorizationUrl', 'authorizationEndpoint'],
      ['tokenUrl', 'tokenEndpoint'],
    ] as const) {
      const url = code[field];
      if (typeof url !== 'string' || parseUrl(url)?.protocol !== 'https:') {
        return problem(
          `is not enforced: flows.authorizationCode.${field} must be an https:// URL for the OIDC login`,
        );
      }
      provider[key] = url;
    }
  }
  const discovery = typeof scheme.openIdConnectUrl === 'string' ? scheme.openIdConnectUrl : undefined;
  const issuer =
    client.issuer ??
    discovery?.replace(/\/\.well-known\/openid-configuration$/, '') ??
    own(input.root.auth, name)?.issuer;
  if (!issuer || parseUrl(issuer)?.protocol !== 'https:') {
    return problem(
      `is not enforced: the OIDC login needs the provider's https issuer URL: set oidc.${name}.issuer in the API's entry of .kuma-api-forge.yaml${issuer ? ` ("${issuer}" is not https)` : ''}`,
    );
  }
  return {
    checked: {
      kind: 'oidc',
      name,
      oidc: {
        provider: { issuer, ...provider },
        clientID: client.clientId,
        clientSecret: { name: client.clientSecretRef.name },
        ...(client.redirectUrl ? { redirectURL: client.redirectUrl } : {}),
        ...(client.logoutPath ? { logoutPath: client.logoutPath } : {}),
      },
      callbackPaths: [
        client.redirectUrl
          ? (parseUrl(client.redirectUrl)?.pathname ?? '/oauth2/callback')
          : '/oauth2/callback',
        client.logoutPath ?? '/logout',
      ],
    },
    notes,
  };
}

const keyLocations = { header: 'headers', query: 'params', cookie: 'cookies' } as const;

function resolveApiKey(
  input: EdgeInput,
  name: string,
  scheme: Record<string, unknown>,
  pointer: string,
): SchemeResolution {
  const notes: SchemeNote[] = [];
  const location = keyLocations[scheme.in as keyof typeof keyLocations];
  if (!location || typeof scheme.name !== 'string' || scheme.name === '') {
    return {
      problem: {
        id: 'gateway-api-apikey-invalid',
        severity: 'error',
        pointer,
        message:
          'is not enforced: an apiKey scheme needs "in" (header, query or cookie) and a non-empty "name"',
      },
      notes,
    };
  }
  const config: ApiKeySecrets | undefined = own(input.api.apiKeys, name);
  if (!config) {
    return {
      problem: {
        id: 'gateway-api-apikey-not-configured',
        severity: 'warning',
        pointer,
        message: `is not enforced at the gateway: add apiKeys.${name}.secretRefs (the Secrets holding the keys, by name) to the API's entry of .kuma-api-forge.yaml`,
      },
      notes,
    };
  }
  const literal = Object.keys(config).filter((key) => key !== 'secretRefs');
  if (literal.length > 0 || !Array.isArray(config.secretRefs) || config.secretRefs.length === 0) {
    return {
      problem: {
        id: 'gateway-api-apikey-literal',
        severity: 'error',
        pointer,
        message: `is not enforced: apiKeys.${name} in .kuma-api-forge.yaml may only name Secrets (secretRefs)${literal.length > 0 ? `, not ${literal.map((key) => `"${key}"`).join(', ')}: keys are never written into git` : ''}; nothing is rendered from it`,
      },
      notes,
    };
  }
  return {
    checked: {
      kind: 'apiKey',
      name,
      apiKeyAuth: {
        credentialRefs: config.secretRefs.map((ref) => ({ name: ref.name })),
        extractFrom: [{ [location]: [scheme.name] }],
      },
    },
    notes,
  };
}

/** The header a scheme's credential travels in, for the CORS allow-list (none for query and cookie keys). */
export function credentialHeader(checked: CheckedScheme): string | undefined {
  if (checked.kind === 'jwt') return 'Authorization';
  if (checked.kind !== 'apiKey') return undefined;
  const [source] = checked.apiKeyAuth.extractFrom as Record<string, string[]>[];
  return source?.headers?.[0];
}

/** A record's own entry: a scheme named `constructor` or `__proto__` is not found on Object.prototype. */
function own<T>(record: Record<string, T> | undefined, name: string): T | undefined {
  return record && Object.hasOwn(record, name) ? record[name] : undefined;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
