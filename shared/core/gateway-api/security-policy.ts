/**
 * Envoy Gateway SecurityPolicy per HTTPRoute: JWT, OIDC and API keys, from the spec's security schemes and the
 * config. (CORS is a rule filter: cors.ts.) Pure.
 *
 * What one SecurityPolicy can require (Envoy Gateway v1.9, internal/xds/translator): it runs every authentication
 * it configures (JWT, OIDC, API key) and each must pass, so a policy is an AND of at most one of each; within JWT,
 * a token valid for any listed provider passes (an OR of JWT schemes), and `authorization` rules can demand
 * scopes per provider. So an OpenAPI requirement (an OR of ANDs) is expressible when it is
 * - one or more alternatives of one JWT scheme each (scopes: an Allow rule per alternative, default Deny), or
 * - a single alternative of at most one JWT, one OIDC login and one API key scheme, not JWT together with OIDC.
 * Anything else is an error finding and no authentication is rendered for that route, never a weaker policy.
 * @module
 */
import type { Finding } from '../findings.js';
import { valueAt } from '../kuma/render/build-auth.js';
import { isObject } from '../kuma/render/resolve-ref.js';
import type { EdgeInput, EdgeOperation, EdgeOutput, EdgeRoute, ManifestResource } from './edge.js';
import { findKeyLiterals } from './key-literals.js';
import {
  type CheckedScheme,
  createSchemeResolver,
  type SchemeNote,
  type SchemeProblem,
  schemeKinds,
} from './security-schemes.js';

export const securityPolicyApiVersion = 'gateway.envoyproxy.io/v1alpha1';

/** One scheme of one alternative of a requirement, with the scopes it asks for. */
interface Requested {
  name: string;
  scopes: string[];
}

interface Checked extends Requested {
  checked: CheckedScheme;
}

export function buildSecurityPolicies(input: EdgeInput): EdgeOutput {
  const resolve = createSchemeResolver(input);
  const findings: Finding[] = findKeyLiterals(input);
  /** The schemes the gateway cannot check, with the operations that require them: one finding per scheme. */
  const unchecked = new Map<string, { problem: SchemeProblem; labels: string[]; requirement: string }>();
  const notes = new Map<string, SchemeNote>();
  const resources: ManifestResource[] = [];
  for (const route of input.routes) {
    const first = route.operations[0];
    if (!first) continue;
    const alternatives = readRequirement(first.security) ?? [];
    const checked = alternatives.map((alternative) =>
      alternative.flatMap((scheme): Checked[] => {
        const resolution = resolve(scheme.name);
        for (const note of resolution.notes) notes.set(`${note.id} ${note.pointer}`, note);
        if ('checked' in resolution) return [{ ...scheme, checked: resolution.checked }];
        const entry = unchecked.get(scheme.name) ?? {
          problem: resolution.problem,
          labels: [],
          requirement: requirementPointer(input, first),
        };
        entry.labels.push(...route.operations.map((operation) => operation.label));
        unchecked.set(scheme.name, entry);
        return [];
      }),
    );
    // A scheme the gateway cannot check leaves the route without authentication (its finding says so): requiring
    // only the others would refuse requests the spec allows, or pass requests it refuses.
    const complete = checked.every(
      (alternative, index) => alternative.length === alternatives[index]!.length,
    );
    const auth = complete && checked.length > 0 ? composeAuth(checked) : undefined;
    const spec: Record<string, unknown> = {};
    if (auth && 'reason' in auth) {
      findings.push(buildInexpressibleFinding(input, route, first, auth.reason));
    } else if (auth) {
      Object.assign(spec, auth.spec);
      findings.push(...checkCallbacks(input, route, auth.schemes));
    }
    if (Object.keys(spec).length === 0) continue;
    resources.push({
      apiVersion: securityPolicyApiVersion,
      kind: 'SecurityPolicy',
      name: route.name,
      namespace: route.namespace,
      labels: { ...input.labels },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: route.name }],
        ...spec,
      },
    });
  }
  for (const [name, { problem, labels, requirement }] of unchecked) {
    findings.push(buildSchemeFinding(input, name, { pointer: requirement, ...problem }, labels));
  }
  for (const { id, severity, message, pointer } of notes.values()) {
    findings.push({ kind: 'routing', id, severity, message, ...input.locate(pointer) });
  }
  return { resources, findings };
}

/**
 * The alternatives of an OpenAPI security requirement; undefined when it requires nothing: no requirement, an
 * empty list, or an empty alternative (`{}`: anonymous access allowed), which gets no authentication at all.
 */
function readRequirement(security: unknown): Requested[][] | undefined {
  if (!Array.isArray(security)) return undefined;
  const alternatives = security.filter(isObject).map((alternative) =>
    Object.entries(alternative).map(([name, scopes]) => ({
      name,
      scopes: Array.isArray(scopes)
        ? scopes.filter((scope): scope is string => typeof scope === 'string')
        : [],
    })),
  );
  if (alternatives.length === 0 || alternatives.some((alternative) => alternative.length === 0))
    return undefined;
  return alternatives;
}

type Composed = { spec: Record<string, unknown>; schemes: CheckedScheme[] } | { reason: string };

/** The SecurityPolicy fields for a requirement whose schemes are all checkable, or why it cannot say it. */
function composeAuth(alternatives: Checked[][]): Composed {
  const quote = (schemes: Checked[]) => schemes.map((scheme) => `"${scheme.name}"`).join(' and ');
  if (
    alternatives.every((alternative) => alternative.length === 1 && alternative[0]!.checked.kind === 'jwt')
  ) {
    const schemes = alternatives.map((alternative) => alternative[0]!);
    const providers = uniqueByName(schemes.map((scheme) => scheme.checked));
    if (providers.length > 16) return { reason: 'Envoy Gateway accepts at most 16 JWT providers per policy' };
    const scoped = schemes.some((scheme) => scheme.scopes.length > 0);
    return {
      schemes: providers,
      spec: {
        jwt: { providers: providers.map((provider) => (provider as JwtScheme).provider) },
        ...(scoped ? { authorization: buildScopeRules(schemes) } : {}),
      },
    };
  }
  if (alternatives.length > 1) {
    return {
      reason: `it allows ${alternatives.map(quote).join(', or ')}: a SecurityPolicy runs every authentication it configures and each must pass, so only alternatives of one JWT scheme each can be offered side by side`,
    };
  }
  const alternative = alternatives[0]!;
  for (const kind of ['jwt', 'oidc', 'apiKey'] as const) {
    const same = alternative.filter((scheme) => scheme.checked.kind === kind);
    if (same.length > 1) {
      return {
        reason: `it requires ${quote(same)} together, but a SecurityPolicy checks ${schemeKinds[kind]} once per request, not two of them`,
      };
    }
  }
  const jwt = alternative.find((scheme) => scheme.checked.kind === 'jwt');
  const oidc = alternative.find((scheme) => scheme.checked.kind === 'oidc');
  const apiKey = alternative.find((scheme) => scheme.checked.kind === 'apiKey');
  if (jwt && oidc) {
    return {
      reason: `it requires ${quote([jwt, oidc])} together, but a SecurityPolicy either logs the browser in with OIDC or validates a bearer JWT (passThroughAuthHeader makes them alternatives, never both)`,
    };
  }
  if (apiKey && apiKey.scopes.length > 0) {
    return {
      reason: `it asks "${apiKey.name}" for scopes (${apiKey.scopes.join(', ')}), which an API key does not carry`,
    };
  }
  const spec: Record<string, unknown> = {};
  if (jwt) {
    spec.jwt = { providers: [(jwt.checked as JwtScheme).provider] };
    if (jwt.scopes.length > 0) spec.authorization = buildScopeRules([jwt]);
  }
  if (oidc) {
    const { oidc: fields } = oidc.checked as Extract<CheckedScheme, { kind: 'oidc' }>;
    spec.oidc = { ...fields, ...(oidc.scopes.length > 0 ? { scopes: oidc.scopes } : {}) };
  }
  if (apiKey) spec.apiKeyAuth = (apiKey.checked as Extract<CheckedScheme, { kind: 'apiKey' }>).apiKeyAuth;
  return { spec, schemes: alternative.map((scheme) => scheme.checked) };
}

type JwtScheme = Extract<CheckedScheme, { kind: 'jwt' }>;

/**
 * One Allow rule per alternative, everything else denied: a token of that provider with all its scopes (Envoy
 * Gateway matches scopes in the `scope`/`scp` claim of that provider's payload). An alternative without scopes
 * matches any valid token of its provider: its `iss` claim is the provider's issuer, which the JWT filter checked.
 */
function buildScopeRules(schemes: Checked[]): Record<string, unknown> {
  return {
    defaultAction: 'Deny',
    rules: schemes.map((scheme) => {
      const { issuer } = scheme.checked as JwtScheme;
      const jwt =
        scheme.scopes.length > 0
          ? { provider: scheme.name, scopes: scheme.scopes }
          : { provider: scheme.name, claims: [{ name: 'iss', values: [issuer] }] };
      return { action: 'Allow', principal: { jwt } };
    }),
  };
}

function uniqueByName(schemes: CheckedScheme[]): CheckedScheme[] {
  const byName = new Map(schemes.map((scheme) => [scheme.name, scheme]));
  return [...byName.keys()].sort().map((name) => byName.get(name)!);
}

/**
 * Envoy Gateway's OIDC filter only sees requests its route matches: the provider's redirect back (callback) and
 * the logout path must be operations on the same route, or the login ends in a 404.
 */
function checkCallbacks(input: EdgeInput, route: EdgeRoute, schemes: CheckedScheme[]): Finding[] {
  const served = new Set(route.operations.map((operation) => operation.label));
  const base = (input.api.basePath ?? '').replace(/\/+$/, '');
  return schemes.flatMap((scheme) => {
    if (scheme.kind !== 'oidc') return [];
    const missing = scheme.callbackPaths.filter((path) => {
      const own = base && path.startsWith(`${base}/`) ? path.slice(base.length) : path;
      return !served.has(`GET ${own}`) && !served.has(`GET ${path}`);
    });
    if (missing.length === 0) return [];
    const first = route.operations[0]!;
    return [
      {
        kind: 'routing' as const,
        id: 'gateway-api-oidc-callback-unrouted',
        severity: 'warning' as const,
        operation: first.label,
        ...input.locate(first.pointer),
        message: `the OIDC login of "${scheme.name}" on HTTPRoute ${route.name} needs ${missing.map((path) => `GET ${path}`).join(' and ')} routed to the same route (Envoy Gateway only sees requests its route matches): declare ${missing.length === 1 ? 'it as an operation' : 'them as operations'} with the same security requirement, or set oidc.${scheme.name}.redirectUrl / logoutPath to paths of this route`,
      },
    ];
  });
}

function buildInexpressibleFinding(
  input: EdgeInput,
  route: EdgeRoute,
  first: EdgeOperation,
  reason: string,
): Finding {
  const count =
    route.operations.length === 1
      ? first.label
      : `${route.operations.length} operations (first: ${first.label})`;
  return {
    kind: 'routing',
    id: 'gateway-api-auth-inexpressible',
    severity: 'error',
    operation: first.label,
    ...input.locate(requirementPointer(input, first)),
    message: `${first.label}: this security requirement cannot be expressed by an Envoy Gateway SecurityPolicy: ${reason}; ${count} get no authentication at the gateway`,
    hint: 'a SecurityPolicy can require one of several JWT schemes (with scopes), or one JWT, OIDC or API key scheme, or an API key together with one JWT or OIDC scheme; split the operations or the requirement accordingly, or check the rest in the service',
  };
}

/** Where an operation's effective security requirement is written: its own, else the root's. */
function requirementPointer(input: EdgeInput, operation: EdgeOperation): string {
  const declared = valueAt(input.bundle, operation.pointer);
  return isObject(declared) && declared.security !== undefined
    ? `${operation.pointer}/security`
    : '/security';
}

function buildSchemeFinding(
  input: EdgeInput,
  name: string,
  problem: Required<SchemeProblem>,
  labels: string[],
): Finding {
  const operations = [...new Set(labels)];
  const count =
    operations.length === 1
      ? `operation ${operations[0]} gets`
      : `${operations.length} operations (first: ${operations[0]}) get`;
  return {
    kind: 'routing',
    id: problem.id,
    severity: problem.severity,
    ...(operations.length === 1 ? { operation: operations[0] } : {}),
    ...input.locate(problem.pointer),
    message: `security scheme "${name}" ${problem.message}; ${count} no authentication at the gateway`,
  };
}
