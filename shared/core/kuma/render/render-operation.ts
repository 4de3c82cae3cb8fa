/**
 * One spec operation → the MeshHTTPRoute rule that serves it (matches, filters, backends) and its route
 * settings, or nothing once a finding says why it is not exposed.
 * @module
 */
import type { Finding } from '../../findings.js';
import type { RequestMatch } from '../../routing/path-fragment.js';
import { readRoutablePath } from '../../routing/path-problems.js';
import type { ServerBase } from '../../routing/server-paths.js';
import type { SpecOperation } from '../../spec/operations.js';
import type { LoadedSpec } from '../../spec/types.js';
import { limitsRetries, type RouteSettings, retriesFor } from './build-policies.js';
import {
  addSunsetHeader,
  buildBackendRefs,
  buildHeaderModifier,
  refusedHeaderChanges,
  type ServiceConfig,
} from './build-route-parts.js';
import { findRouteSource, type GroupMember } from './group-routes.js';
import { buildSlug } from './names.js';
import {
  buildSegmentsMatch,
  type PathMatch,
  type PathSegment,
  readPathParameters,
  splitPathTemplate,
} from './path-match.js';
import { type EffectiveSettings, resolveSettings, type SettingsLevel } from './settings.js';
import { reportKumaGatewayGaps } from './target-gaps.js';
import type { ApiConfig, XKumaRoute } from './types.js';

/** One path match of an operation: one per base path the API is served under (server-paths.ts). */
export interface RenderedMatch {
  /** Base path + OpenAPI path. */
  pathTemplate: string;
  segments: PathSegment[];
  match: PathMatch;
}

export interface RenderedOperation extends GroupMember {
  method: string;
  label: string;
  pointer: string;
  /** In the order of the bases; the rule's `matches`. */
  matches: RenderedMatch[];
  /** Query parameters and headers every match requires (a `#name=value` path fragment, path-fragment.ts). */
  params: RequestMatch[];
  ruleDefault: { filters?: Record<string, unknown>[]; backendRefs: Record<string, unknown>[] };
  security: unknown;
  /** Bundle pointer of the x-kuma block each effective key came from (absent: from the repo config). */
  origins: EffectiveSettings['origins'];
}

/** What every operation of one API is rendered against. */
export interface OperationContext {
  spec: LoadedSpec;
  bundle: Record<string, unknown>;
  api: ApiConfig;
  /** The settings levels above the path item, lowest precedence first: repo defaults, API defaults, spec root. */
  inherited: SettingsLevel[];
  /** An x-kuma block of the bundle; where checkXKuma found bad keys, the block without them. */
  block(pointer: string, owner: Record<string, unknown>): unknown;
  /** Every base path the API is served under; none: nothing is exposed. */
  bases: ServerBase[];
  service: ServiceConfig;
  /** Where the reasons an operation is not exposed go. */
  findings: Finding[];
}

type Report = (id: string, message: string, pointer: string) => void;

export function renderOperation(
  context: OperationContext,
  operation: SpecOperation,
): RenderedOperation | undefined {
  const { spec, bundle, bases } = context;
  const label = `${operation.method.toUpperCase()} ${operation.path}`;
  const effective = resolveOperationSettings(context, operation);
  const { settings, origins } = effective;
  if (settings.disabled) return undefined;
  reportKumaGatewayGaps(context.findings, effective, { label, pointer: operation.pointer }, spec.locate);
  const report: Report = (id, message, pointer) =>
    context.findings.push({
      kind: 'routing',
      id,
      severity: 'error',
      message,
      operation: label,
      ...spec.locate(pointer),
    });

  const routable = readRoutablePath(bundle, operation, bases[0]?.template ?? '');
  if (bases.length === 0 || 'reason' in routable) return undefined;
  const matches = buildMatches(bundle, operation, bases, routable.path);
  const backends = buildBackendRefs(context.service, settings.weights);
  if ('problem' in backends) {
    report('kuma-service-versions', `${label}: ${backends.problem}`, origins.weights ?? operation.pointer);
    return undefined;
  }
  const filters = buildFilters(
    context,
    operation,
    label,
    { settings, origins },
    matches,
    routable.path,
    report,
  );
  if (!filters) return undefined;
  const method = operation.method.toUpperCase();
  return {
    method,
    label,
    pointer: operation.pointer,
    matches,
    params: routable.params,
    ruleDefault: { ...(filters.length > 0 ? { filters } : {}), backendRefs: backends.backendRefs },
    settings,
    routeSettings: buildRouteSettings(method, settings),
    limitedRetries: limitsRetries(method, settings.retries),
    source: findRouteSource(settings, origins, operation),
    slug:
      buildSlug(typeof operation.operation.operationId === 'string' ? operation.operation.operationId : '') ||
      buildSlug(`${operation.method} ${operation.path}`),
    security: operation.operation.security ?? bundle.security,
    origins,
  };
}

/** The operation's effective x-kuma: inherited levels, then its path item's block, then its own. */
function resolveOperationSettings(context: OperationContext, operation: SpecOperation): EffectiveSettings {
  const pathItemPointer = `${operation.pathItemPointer}/x-kuma`;
  const operationPointer = `${operation.pointer}/x-kuma`;
  return resolveSettings([
    ...context.inherited,
    { value: context.block(pathItemPointer, operation.pathItem), pointer: pathItemPointer },
    { value: context.block(operationPointer, operation.operation), pointer: operationPointer },
  ]);
}

/** One path match per base path, the operation's own segments after the base's. */
function buildMatches(
  bundle: Record<string, unknown>,
  operation: SpecOperation,
  bases: readonly ServerBase[],
  path: string,
): RenderedMatch[] {
  const parameters = new Map(
    [...readPathParameters(bundle, operation)].map(([name, parameter]) => [name, parameter.info]),
  );
  const ownSegments = splitPathTemplate(path, parameters).slice(1);
  return bases.map((base): RenderedMatch => {
    const segments = [{ text: '' }, ...base.segments, ...ownSegments];
    return { pathTemplate: base.template + path, segments, match: buildSegmentsMatch(segments) };
  });
}

/**
 * The rule's filters (path rewrite, request and response header changes), or undefined once a finding says
 * why the operation cannot be exposed with them.
 */
function buildFilters(
  { api, bases }: OperationContext,
  operation: SpecOperation,
  label: string,
  { settings, origins }: EffectiveSettings,
  matches: readonly RenderedMatch[],
  path: string,
  report: Report,
): Record<string, unknown>[] | undefined {
  const filters: Record<string, unknown>[] = [];
  if (api.rewrite !== undefined) {
    if (matches.some(({ match }) => match.type !== 'Exact')) {
      report(
        'kuma-rewrite-templated-path',
        `${label} cannot be rewritten to "${api.rewrite}": ${api.target === 'gateway-api' ? 'Gateway API (ReplacePrefixMatch)' : 'Kuma'} rewrites a prefix only on PathPrefix matches, which would shadow other operations; serve ${bases.map((base) => base.display).join(', ')} on the service or remove "rewrite" (not exposed)`,
        operation.pointer,
      );
      return undefined;
    }
    filters.push({
      type: 'URLRewrite',
      urlRewrite: {
        path: { type: 'ReplaceFullPath', replaceFullPath: joinPath(api.rewrite, path) },
      },
    });
  }
  const refusedHeaders = (['requestHeaders', 'responseHeaders'] as const).flatMap((key) =>
    refusedHeaderChanges(settings[key], key === 'requestHeaders' ? 'request' : 'response').map((change) => ({
      ...change,
      origin: origins[key],
    })),
  );
  for (const { name, pointer, origin } of refusedHeaders) {
    report(
      'x-kuma-header-refused',
      `${label}: Envoy refuses to add, set or remove the "${name}" header (pseudo-headers and host are off limits) and would reject the route configuration of every API on the gateway (not exposed)`,
      origin ? `${origin}${pointer}` : operation.pointer,
    );
  }
  if (refusedHeaders.length > 0) return undefined;
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
  return filters;
}

/** The route's timeout, retries (limited for POST/PATCH, see `retriesFor`) and rate limit, as rendered. */
function buildRouteSettings(method: string, settings: XKumaRoute): RouteSettings {
  const retries = retriesFor(method, settings.retries);
  return {
    ...(settings.timeout ? { timeout: settings.timeout } : {}),
    ...(settings.idleTimeout ? { idleTimeout: settings.idleTimeout } : {}),
    ...(retries ? { retries } : {}),
    ...(settings.rateLimit ? { rateLimit: settings.rateLimit } : {}),
  };
}

function joinPath(prefix: string, path: string): string {
  return `${prefix.replace(/\/+$/, '')}${path}` || '/';
}
