/**
 * One API (spec + repo config entry) → the Kuma 2.x resources that expose it on a builtin MeshGateway.
 * Pure: no I/O. Mapping and inheritance rules: the README, "How a spec becomes Kuma resources".
 * @module
 */
import type { Finding } from '../../findings.js';
import type { RequestMatch } from '../../routing/path-fragment.js';
import { findPathProblems, readRoutablePath } from '../../routing/path-problems.js';
import { readServerPaths } from '../../routing/server-paths.js';
import { listOperations } from '../../spec/operations.js';
import type { LoadedSpec, SourcePosition } from '../../spec/types.js';
import type { KumaResource } from '../resource.js';
import { validateKumaResources } from '../validate/index.js';
import type { ExpectedOperation } from '../validate/route-simulator.js';
import { buildAuth } from './build-auth.js';
import {
  buildGatewayPolicies,
  buildRoutePolicies,
  limitsRetries,
  type PolicyDraft,
  type RouteSettings,
  retriesFor,
} from './build-policies.js';
import {
  addSunsetHeader,
  type Backend,
  buildBackendRefs,
  buildHeaderModifier,
  refusedHeaderChanges,
  type ServiceConfig,
} from './build-route-parts.js';
import { dropPinConflicts, findRouteSource, type GroupMember, groupRoutes } from './group-routes.js';
import { buildName, buildSlug } from './names.js';
import {
  buildSegmentsMatch,
  type PathMatch,
  type PathSegment,
  readPathParameters,
  splitPathTemplate,
} from './path-match.js';
import { planRegexWraps } from './plan-regex-order.js';
import { resolveRootSettings, resolveSettings } from './settings.js';
import { resolveGatewayIdentity } from './traffic-permission.js';
import type { ApiConfig, ManifestFormat, XKumaRoot } from './types.js';
import { checkXKuma } from './x-kuma.js';

export interface RenderInput {
  spec: LoadedSpec;
  api: ApiConfig;
  /** Repo-wide defaults (`defaults` of the repo config); `api.defaults` and the spec's x-kuma win over them. */
  defaults?: XKumaRoot;
  /** Kuma mesh; default `default`. */
  mesh?: string;
  /** Label resources `kuma.io/origin: zone` (required on a federated zone CP, rejected on a global CP). */
  zoneOrigin?: boolean;
  source?: { repo?: string; commit?: string };
  /** Manifest format the resources are for; default `k8s`. Kuma names a workload differently in each. */
  format?: ManifestFormat;
}

export interface RenderResult {
  resources: KumaResource[];
  findings: Finding[];
  /** Where each exposed operation was put: route name and rule index (input of `proveNoShadowing`). */
  operations: OperationRoute[];
}

/** An exposed operation and the MeshHTTPRoute rule that serves it. */
export interface OperationRoute extends ExpectedOperation {
  /** `METHOD /path` as in the spec (without the base path), like `Finding.operation`. */
  operation: string;
  /** JSON pointer of the operation in the bundled spec. */
  pointer: string;
}

/** Policies that reference a gateway or a route must live in the control plane's system namespace. */
export const systemNamespace = 'kuma-system';

/** One path match of an operation: one per base path the API is served under (server-paths.ts). */
interface RenderedMatch {
  /** Base path + OpenAPI path. */
  pathTemplate: string;
  segments: PathSegment[];
  match: PathMatch;
}

interface RenderedOperation extends GroupMember {
  method: string;
  label: string;
  pointer: string;
  /** In the order of the bases; the rule's `matches`. */
  matches: RenderedMatch[];
  /** Query parameters and headers every match requires (a `#name=value` path fragment, path-fragment.ts). */
  params: RequestMatch[];
  ruleDefault: { filters?: Record<string, unknown>[]; backendRefs: Record<string, unknown>[] };
  security: unknown;
}

export function renderApi(input: RenderInput): RenderResult {
  const { spec, api } = input;
  const bundle = spec.bundle;
  if (!bundle) return { resources: [], findings: [], operations: [] };
  const checked = checkXKuma(spec);
  const findings: Finding[] = [...checked.findings];
  const block = (pointer: string, owner: Record<string, unknown>) =>
    checked.invalid.has(pointer) ? undefined : owner['x-kuma'];
  const rootBlock = block('/x-kuma', bundle);
  const root = resolveRootSettings([input.defaults, api.defaults, rootBlock]);
  const gateway = api.gateway ?? 'gateway';
  const service: ServiceConfig = {
    name: api.service?.name ?? buildName(api.name),
    port: api.service?.port ?? 80,
    versions: api.service?.versions ?? [],
    // Kuma resolves a MeshService reference by (mesh, zone, namespace, name): a Universal MeshService has no
    // namespace, so one in the reference would match nothing (resolve/backendref.go TargetRefToKRI).
    ...(api.service?.namespace && (input.format ?? 'k8s') === 'k8s'
      ? { namespace: api.service.namespace }
      : {}),
  };
  // Every base path the API is served under (config basePath, else every server's path), and why a server is not.
  const served = readServerPaths(spec, api.basePath);
  findings.push(...served.findings);
  const bases = served.bases;
  const firstBase = bases[0]?.template ?? '';
  const hostnames = [...(api.hostnames ?? [])].sort();
  // Unroutable paths (errors: not exposed) and ignored parameter patterns, word for word as `check` says them.
  findings.push(...findPathProblems(spec, firstBase));

  const rendered: RenderedOperation[] = [];
  for (const operation of listOperations(bundle)) {
    const label = `${operation.method.toUpperCase()} ${operation.path}`;
    const { settings, origins } = resolveSettings([
      { value: input.defaults },
      { value: api.defaults },
      { value: rootBlock, pointer: '/x-kuma' },
      {
        value: block(`${operation.pathItemPointer}/x-kuma`, operation.pathItem),
        pointer: `${operation.pathItemPointer}/x-kuma`,
      },
      {
        value: block(`${operation.pointer}/x-kuma`, operation.operation),
        pointer: `${operation.pointer}/x-kuma`,
      },
    ]);
    if (settings.disabled) continue;
    const problem = (id: string, message: string, pointer: string) =>
      findings.push({
        kind: 'routing',
        id,
        severity: 'error',
        message,
        operation: label,
        ...spec.locate(pointer),
      });

    const routable = readRoutablePath(bundle, operation, firstBase);
    if (bases.length === 0 || 'reason' in routable) continue;
    const parameters = new Map(
      [...readPathParameters(bundle, operation)].map(([name, parameter]) => [name, parameter.info]),
    );
    const ownSegments = splitPathTemplate(routable.path, parameters).slice(1);
    const matches = bases.map((base): RenderedMatch => {
      const segments = [{ text: '' }, ...base.segments, ...ownSegments];
      return { pathTemplate: base.template + routable.path, segments, match: buildSegmentsMatch(segments) };
    });
    const backends = buildBackendRefs(service, settings.weights);
    if ('problem' in backends) {
      problem('kuma-service-versions', `${label}: ${backends.problem}`, origins.weights ?? operation.pointer);
      continue;
    }
    const filters: Record<string, unknown>[] = [];
    if (api.rewrite !== undefined) {
      if (matches.some(({ match }) => match.type !== 'Exact')) {
        problem(
          'kuma-rewrite-templated-path',
          `${label} cannot be rewritten to "${api.rewrite}": Kuma rewrites a prefix only on PathPrefix matches, which would shadow other operations; serve ${bases.map((base) => base.display).join(', ')} on the service or remove "rewrite" (not exposed)`,
          operation.pointer,
        );
        continue;
      }
      filters.push({
        type: 'URLRewrite',
        urlRewrite: {
          path: { type: 'ReplaceFullPath', replaceFullPath: joinPath(api.rewrite, routable.path) },
        },
      });
    }
    const refusedHeaders = (['requestHeaders', 'responseHeaders'] as const).flatMap((key) =>
      refusedHeaderChanges(settings[key], key === 'requestHeaders' ? 'request' : 'response').map(
        (change) => ({
          ...change,
          origin: origins[key],
        }),
      ),
    );
    for (const { name, pointer, origin } of refusedHeaders) {
      problem(
        'x-kuma-header-refused',
        `${label}: Envoy refuses to add, set or remove the "${name}" header (pseudo-headers and host are off limits) and would reject the route configuration of every API on the gateway (not exposed)`,
        origin ? `${origin}${pointer}` : operation.pointer,
      );
    }
    if (refusedHeaders.length > 0) continue;
    if (settings.requestHeaders) {
      filters.push({
        type: 'RequestHeaderModifier',
        requestHeaderModifier: buildHeaderModifier(settings.requestHeaders),
      });
    }
    const responseHeaders =
      operation.operation.deprecated === true
        ? addSunsetHeader(settings.responseHeaders, operation.operation['x-sunset'])
        : settings.responseHeaders;
    if (responseHeaders) {
      filters.push({
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: buildHeaderModifier(responseHeaders),
      });
    }
    const method = operation.method.toUpperCase();
    const retries = retriesFor(method, settings.retries);
    const routeSettings: RouteSettings = {
      ...(settings.timeout ? { timeout: settings.timeout } : {}),
      ...(settings.idleTimeout ? { idleTimeout: settings.idleTimeout } : {}),
      ...(retries ? { retries } : {}),
      ...(settings.rateLimit ? { rateLimit: settings.rateLimit } : {}),
    };
    rendered.push({
      method,
      label,
      pointer: operation.pointer,
      matches,
      params: routable.params,
      ruleDefault: { ...(filters.length > 0 ? { filters } : {}), backendRefs: backends.backendRefs },
      settings,
      routeSettings,
      limitedRetries: limitsRetries(method, settings.retries),
      source: findRouteSource(settings, origins, operation),
      slug:
        buildSlug(
          typeof operation.operation.operationId === 'string' ? operation.operation.operationId : '',
        ) || buildSlug(`${operation.method} ${operation.path}`),
      security: operation.operation.security ?? bundle.security,
    });
  }

  // Sorted first so that which of two colliding operations wins does not depend on the document's key order.
  rendered.sort((a, b) => compareText(a.label, b.label));
  const routable = dropPinConflicts(dropCollisions(rendered, findings, spec), findings, spec.locate);
  const operations = orderRegexMatches(routable);
  operations.sort((a, b) => compareKumaOrder(firstMatch(a), firstMatch(b)));
  const labels = buildLabels(api.name, input.zoneOrigin === true);
  const mesh = input.mesh ?? 'default';
  const resource = (kind: string, name: string, spec: Record<string, unknown>): KumaResource => ({
    kind,
    name,
    namespace: systemNamespace,
    mesh,
    labels,
    spec,
  });
  const resources: KumaResource[] = [];
  const placed: OperationRoute[] = [];
  /** Where a route's name comes from, for locating a name collision. */
  const namedBy = new Map<KumaResource, NameOrigin>();
  const grouped = groupRoutes(api.name, operations, spec.locate);
  findings.push(...grouped.findings);
  for (const group of grouped.groups) {
    placed.push(
      ...group.operations.flatMap((operation, ruleIndex) =>
        operation.matches.map((match, matchIndex) => ({
          method: operation.method,
          pathTemplate: match.pathTemplate,
          route: group.name,
          ruleIndex,
          ...(matchIndex > 0 ? { matchIndex } : {}),
          operation: operation.label,
          pointer: operation.pointer,
        })),
      ),
    );
    resources.push(
      resource('MeshHTTPRoute', group.name, {
        targetRef: { kind: 'MeshGateway', name: gateway },
        to: [
          {
            targetRef: { kind: 'Mesh' },
            ...(hostnames.length > 0 ? { hostnames } : {}),
            rules: group.operations.map((operation) => ({
              matches: operation.matches.map(({ match }) => ({
                path: match,
                method: operation.method,
                ...buildParamMatches(operation.params),
              })),
              default: operation.ruleDefault,
            })),
          },
        ],
      }),
    );
    const policies = buildRoutePolicies(group.name, group.operations[0]!.routeSettings);
    resources.push(...policies.map((policy) => fromDraft(policy, group.name)));
    for (const made of resources.slice(-1 - policies.length)) namedBy.set(made, group.origin);
  }
  if (operations.length > 0) {
    const drafts: PolicyDraft[] = buildGatewayPolicies({
      gateway,
      gatewayIdentity: resolveGatewayIdentity(api, gateway, input.format ?? 'k8s'),
      format: input.format ?? 'k8s',
      root,
      backends: collectBackends(operations),
    });
    resources.push(...drafts.map((draft) => fromDraft(draft, api.name)));
    const auth = buildAuth({
      api: api.name,
      gateway,
      bundle,
      hostnames,
      // One jwt_authn rule per route match, in Kuma's order, so Envoy's first match is the operation Kuma routes to.
      operations: operations
        .flatMap((operation) => operation.matches.map(({ match }) => ({ ...operation, match })))
        .sort(compareKumaOrder),
      providers: root.auth ?? {},
      locate: spec.locate,
    });
    findings.push(...auth.findings);
    if (auth.spec) resources.push(resource('MeshProxyPatch', buildName(api.name, 'jwt'), auth.spec));
  }
  const unique = dropNameCollisions(resources, namedBy, findings, spec);
  const valid = dropInvalid(unique, findings, () => spec.locate('/x-kuma'));
  const routes = new Set(valid.filter((r) => r.kind === 'MeshHTTPRoute').map((r) => r.name));
  return {
    resources: valid.sort(compareResources),
    findings,
    operations: placed.filter((operation) => routes.has(operation.route)),
  };

  function fromDraft(draft: PolicyDraft, prefix: string): KumaResource {
    const made = resource(draft.kind, buildName(prefix, draft.suffix), draft.spec);
    return draft.labels ? { ...made, labels: { ...made.labels, ...draft.labels } } : made;
  }
}

/**
 * Invalid output is a bug, never emitted: resources Kuma would reject (and policies on a rejected route) are
 * dropped, each with an error finding.
 */
function dropInvalid(
  resources: KumaResource[],
  findings: Finding[],
  locate: () => SourcePosition,
): KumaResource[] {
  const problems = validateKumaResources(resources);
  if (problems.length === 0) return resources;
  // Located only now: the first lookup builds the spec's position index, costly on a large spec.
  const position = locate();
  const rejected = new Set(problems.map((problem) => problem.resource));
  for (const problem of problems) {
    findings.push({
      kind: 'validation',
      id: 'kuma-invalid-resource',
      severity: 'error',
      message: `rendered ${problem.resource} would be rejected by Kuma (${problem.rule}) at ${problem.path}: ${problem.message}; it is not emitted`,
      ...position,
    });
  }
  return resources.filter((resource) => {
    const target = (resource.spec.targetRef ?? {}) as { kind?: string; name?: string };
    return (
      !rejected.has(`${resource.kind}/${resource.name}`) &&
      !(target.kind === 'MeshHTTPRoute' && rejected.has(`MeshHTTPRoute/${target.name}`))
    );
  });
}

/** Where a resource's name comes from: its route's group, or the API (gateway-wide policies). */
type NameOrigin = { pointer: string; operation?: string };

/**
 * Two resources of one kind and name would be one file and one object in `kuma-system`: one would silently
 * replace the other. Route names are distinct by construction (group-routes.ts), so this guards the names of
 * the other resources: an error on both origins; only the first resource of a name is kept.
 */
function dropNameCollisions(
  resources: KumaResource[],
  namedBy: ReadonlyMap<KumaResource, NameOrigin>,
  findings: Finding[],
  spec: LoadedSpec,
): KumaResource[] {
  const first = new Map<string, KumaResource>();
  const kept: KumaResource[] = [];
  for (const resource of resources) {
    const key = `${resource.kind}/${resource.name}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, resource);
      kept.push(resource);
      continue;
    }
    for (const origin of new Set([namedBy.get(earlier), namedBy.get(resource)])) {
      findings.push({
        kind: 'routing',
        id: 'kuma-name-collision',
        severity: 'error',
        message: `${resource.kind} "${resource.name}" is rendered twice: one would overwrite the other; pin a distinct route name with x-kuma.route`,
        ...(origin?.operation ? { operation: origin.operation } : {}),
        ...spec.locate(origin?.pointer ?? '/x-kuma'),
      });
    }
  }
  return kept;
}

/** Two operations with the same method and the same match would be one route: an error, the second is dropped. */
function dropCollisions(
  operations: RenderedOperation[],
  findings: Finding[],
  spec: LoadedSpec,
): RenderedOperation[] {
  const seen = new Map<string, RenderedOperation>();
  const kept: RenderedOperation[] = [];
  for (const operation of operations) {
    const params = operation.params.map((p) => `${p.in}:${p.name}=${p.value ?? '*'}`).join('&');
    const keys = operation.matches.map(
      ({ match }) => `${operation.method} ${match.type} ${match.value} ${params}`,
    );
    const clash = keys.findIndex((key) => seen.has(key));
    if (clash >= 0) {
      const first = seen.get(keys[clash]!)!;
      findings.push({
        kind: 'routing',
        id: 'kuma-route-collision',
        severity: 'error',
        message: `${operation.label} matches exactly the same requests as ${first.label} (${operation.matches[clash]!.match.value}); only the first is exposed`,
        operation: operation.label,
        ...spec.locate(operation.pointer),
      });
      continue;
    }
    for (const key of keys) seen.set(key, operation);
    kept.push(operation);
  }
  return kept;
}

/** Templated matches made just long enough that Kuma's length ranking picks the most specific (plan-regex-order.ts). */
function orderRegexMatches(operations: RenderedOperation[]): RenderedOperation[] {
  const templated = operations.flatMap((operation) =>
    operation.matches
      .filter(({ match }) => match.type === 'RegularExpression')
      .map((match) => ({
        method: operation.method,
        query: operation.params.map((p) => ({
          name: `${p.in}:${p.name}`,
          ...(p.value === undefined ? {} : { value: p.value }),
        })),
        match,
      })),
  );
  const wraps = planRegexWraps(
    templated.map(({ method, query, match }) => ({
      method,
      segments: match.segments,
      query,
      length: match.match.value.length,
    })),
  );
  templated.forEach(({ match }, index) => {
    if (wraps[index]! > 0) match.match = buildSegmentsMatch(match.segments, wraps[index]);
  });
  return operations;
}

/** Kuma's own order (Exact before regex, longer value first) so jwt_authn's first match agrees with routing. */
function compareKumaOrder(
  a: { match: PathMatch; method: string; params: RequestMatch[] },
  b: { match: PathMatch; method: string; params: RequestMatch[] },
): number {
  const rank = (match: PathMatch) => (match.type === 'Exact' ? 0 : 1);
  return (
    rank(a.match) - rank(b.match) ||
    b.match.value.length - a.match.value.length ||
    count(b.params, 'header') - count(a.params, 'header') ||
    count(b.params, 'query') - count(a.params, 'query') ||
    compareText(a.match.value, b.match.value) ||
    compareText(a.method, b.method)
  );
}

const kindOrder = [
  'MeshHTTPRoute',
  'MeshTimeout',
  'MeshRetry',
  'MeshRateLimit',
  'MeshCircuitBreaker',
  'MeshHealthCheck',
  'MeshTrafficPermission',
  'MeshProxyPatch',
  'MeshAccessLog',
  'MeshTrace',
];

export function compareResources(a: KumaResource, b: KumaResource): number {
  return kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || compareText(a.name, b.name);
}

function collectBackends(operations: RenderedOperation[]): Backend[] {
  const backends = new Map<string, Backend>();
  for (const operation of operations) {
    for (const ref of operation.ruleDefault.backendRefs as unknown as Backend[]) {
      backends.set(`${ref.namespace ?? ''}/${ref.name}`, {
        name: ref.name,
        port: ref.port,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
      });
    }
  }
  return [...backends.keys()].sort().map((key) => backends.get(key)!);
}

function buildLabels(api: string, zoneOrigin: boolean): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'kuma-api-forge',
    'kuma-api-forge.dev/api': buildName(api),
    ...(zoneOrigin ? { 'kuma.io/origin': 'zone' } : {}),
  };
}

function firstMatch(operation: RenderedOperation) {
  return { match: operation.matches[0]!.match, method: operation.method, params: operation.params };
}

function count(params: RequestMatch[], location: RequestMatch['in']): number {
  return params.filter((param) => param.in === location).length;
}

/**
 * A rule match's `headers` and `queryParams` for the parameters an operation's requests carry: Exact, or for a
 * parameter that only has to be present, `Present` (headers) or the regex `.*` (queries: Kuma has no presence).
 */
function buildParamMatches(params: RequestMatch[]): Record<string, unknown> {
  const headers = params
    .filter((param) => param.in === 'header')
    .map(({ name, value }) =>
      value === undefined ? { type: 'Present', name } : { type: 'Exact', name, value },
    );
  const queryParams = params
    .filter((param) => param.in === 'query')
    .map(({ name, value }) =>
      value === undefined ? { type: 'RegularExpression', name, value: '.*' } : { type: 'Exact', name, value },
    );
  return {
    ...(headers.length > 0 ? { headers } : {}),
    ...(queryParams.length > 0 ? { queryParams } : {}),
  };
}

function joinPath(prefix: string, path: string): string {
  return `${prefix.replace(/\/+$/, '')}${path}` || '/';
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
