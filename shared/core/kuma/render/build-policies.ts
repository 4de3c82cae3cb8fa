/**
 * Mesh* policies. Per-route ones (timeout, retry, rate limit) target the MeshHTTPRoute of a group: on a builtin
 * gateway that is the only way to scope them (and it applies to every rule of the route, hence the grouping).
 * Backend ones (circuit breaker, health check) target the gateway's traffic to our services only. Access log and
 * tracing can only be gateway-wide in Kuma 2.x.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Backend } from './build-route-parts.js';
import { formatDuration, parseDuration } from './duration.js';
import { buildTrafficPermission, type GatewayIdentity } from './traffic-permission.js';
import type { ManifestFormat, XKumaRoot, XKumaRoute } from './types.js';

export type PolicyDraft = {
  kind: string;
  suffix: string;
  spec: Record<string, unknown>;
  /** Labels beyond the API's own (which every resource gets). */
  labels?: Record<string, string>;
};

/** Retry conditions when `x-kuma.retries.on` says none. */
export const defaultRetryOn = ['5xx', 'ConnectFailure', 'RefusedStream', 'Reset'];

/** Methods a retry cannot apply twice (RFC 9110 §9.2.2). */
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * Retry conditions under which the request never reached the upstream, so retrying cannot apply it twice: the
 * connection failed, or the upstream refused the HTTP/2 stream before reading it (MeshRetry `retryOn` enum).
 */
export const neverDeliveredRetryOn = ['ConnectFailure', 'RefusedStream'];

/**
 * The retries of one operation's route. Idempotent methods get the user's retries (or none: Kuma's default
 * applies). Others are always limited to failures that never reached the upstream, unless the user opts in with
 * `retries.nonIdempotent`: without a route MeshRetry, Kuma's default `mesh-retry-all` (top-level `Mesh`, so
 * gateways too) retries them 5 times on `gateway-error`, i.e. after a 502/503/504 the backend may have acted on.
 * The user's count, per-try timeout and back-off are kept; without them Kuma's default ones apply.
 */
export function retriesFor(method: string, retries: XKumaRoute['retries']): RouteRetries | undefined {
  if (!limitsRetries(method, retries)) return retries;
  const { attempts, perTryTimeout, backOff } = retries ?? {};
  return {
    ...(attempts ? { attempts } : {}),
    ...(perTryTimeout ? { perTryTimeout } : {}),
    ...(backOff ? { backOff } : {}),
    on: neverDeliveredRetryOn,
  };
}

/** Whether {@link retriesFor} limits this method's retries (a non-idempotent method, no opt-in). */
export function limitsRetries(method: string, retries: XKumaRoute['retries']): boolean {
  return !idempotentMethods.has(method) && retries?.nonIdempotent !== true;
}

type RouteRetries = Omit<NonNullable<XKumaRoute['retries']>, 'attempts'> & { attempts?: number };

/** The policies a route group needs, targeting the MeshHTTPRoute `route`. */
export function buildRoutePolicies(route: string, settings: RouteSettings): PolicyDraft[] {
  const targetRef = { kind: 'MeshHTTPRoute', name: route };
  const to = (defaults: Record<string, unknown>) => [{ targetRef: { kind: 'Mesh' }, default: defaults }];
  const policies: PolicyDraft[] = [];
  if (settings.timeout || settings.idleTimeout) {
    const streamIdleTimeout = settings.idleTimeout ?? outlast(settings.timeout);
    const http = {
      ...(settings.timeout ? { requestTimeout: settings.timeout } : {}),
      ...(streamIdleTimeout ? { streamIdleTimeout } : {}),
    };
    policies.push({ kind: 'MeshTimeout', suffix: 'timeout', spec: { targetRef, to: to({ http }) } });
  }
  if (settings.retries) {
    const { attempts, perTryTimeout, backOff, on } = settings.retries;
    const http = {
      ...(attempts ? { numRetries: attempts } : {}),
      ...(perTryTimeout ? { perTryTimeout } : {}),
      ...(backOff
        ? {
            backOff: {
              ...(backOff.base ? { baseInterval: backOff.base } : {}),
              ...(backOff.max ? { maxInterval: backOff.max } : {}),
            },
          }
        : {}),
      retryOn: (on ?? defaultRetryOn).map(String),
    };
    policies.push({ kind: 'MeshRetry', suffix: 'retry', spec: { targetRef, to: to({ http }) } });
  }
  if (settings.rateLimit) {
    const { requests, interval, status } = settings.rateLimit;
    const http = { requestRate: { num: requests, interval }, onRateLimit: { status: status ?? 429 } };
    policies.push({
      kind: 'MeshRateLimit',
      suffix: 'rate-limit',
      spec: { targetRef, to: to({ local: { http } }) },
    });
  }
  return policies;
}

/**
 * A stream idle timeout that lets the request timeout fire first. Kuma's default `mesh-gateways-timeout-all` gives
 * every gateway route `streamIdleTimeout: 5s`, and the route policy merges over it field by field: with only
 * `requestTimeout` set, a backend silent for 5 s gets Envoy's 408, whatever the timeout says. One second longer,
 * so the two timers never race and the client gets the request timeout's 504.
 */
function outlast(timeout: string | undefined): string | undefined {
  if (timeout === undefined) return undefined;
  const ms = parseDuration(timeout);
  return ms === undefined ? timeout : formatDuration(ms + 1000);
}

/** The subset of settings that needs its own route (and so decides the grouping). */
export type RouteSettings = Pick<XKumaRoute, 'timeout' | 'idleTimeout' | 'rateLimit'> & {
  retries?: RouteRetries;
};

/** Gateway- and backend-wide policies of one API. */
export function buildGatewayPolicies(input: {
  gateway: string;
  /** Who the backends let in, and the manifest format that decides how Kuma names them. */
  gatewayIdentity: GatewayIdentity;
  format: ManifestFormat;
  root: XKumaRoot;
  backends: Backend[];
}): PolicyDraft[] {
  const { gateway, gatewayIdentity, format, root, backends } = input;
  const targetRef = { kind: 'MeshGateway', name: gateway };
  const toServices = (defaults: Record<string, unknown>) =>
    backends.map((backend) => ({ targetRef: serviceRef(backend), default: defaults }));
  const policies: PolicyDraft[] = [];
  if (root.circuitBreaker && backends.length > 0) {
    policies.push({
      kind: 'MeshCircuitBreaker',
      suffix: 'circuit-breaker',
      spec: { targetRef, to: toServices(buildCircuitBreaker(root.circuitBreaker)) },
    });
  }
  if (root.healthCheck && backends.length > 0) {
    policies.push({
      kind: 'MeshHealthCheck',
      suffix: 'health-check',
      spec: { targetRef, to: toServices(buildHealthCheck(root.healthCheck)) },
    });
  }
  if (root.accessLog) {
    const backend = root.accessLog.file
      ? { type: 'File', file: { path: root.accessLog.file } }
      : { type: 'Tcp', tcp: { address: root.accessLog.tcp } };
    policies.push({
      kind: 'MeshAccessLog',
      suffix: 'access-log',
      spec: { targetRef, to: [{ targetRef: { kind: 'Mesh' }, default: { backends: [backend] } }] },
    });
  }
  if (root.trace) {
    const { zipkin, openTelemetry, sampling } = root.trace;
    const collector = zipkin === undefined && openTelemetry ? buildOtelBackend(openTelemetry) : undefined;
    const backend = collector
      ? {
          type: 'OpenTelemetry',
          openTelemetry: { backendRef: { kind: 'MeshOpenTelemetryBackend', labels: collector.labels } },
        }
      : { type: 'Zipkin', zipkin: { url: zipkin } };
    const defaults = {
      backends: [backend],
      ...(sampling === undefined ? {} : { sampling: { overall: sampling } }),
    };
    policies.push({ kind: 'MeshTrace', suffix: 'trace', spec: { targetRef, default: defaults } });
    if (collector) policies.push(collector);
  }
  // Under mTLS a service only accepts what a MeshTrafficPermission allows: let the gateway proxies in.
  for (const backend of backends) {
    policies.push({
      kind: 'MeshTrafficPermission',
      suffix: `${backend.name}-from-gateway`,
      spec: buildTrafficPermission(backend, gatewayIdentity, format),
    });
  }
  return policies;
}

/** Label that ties a MeshTrace to its collector: the digest of the collector's spec (see buildOtelBackend). */
export const otelBackendLabel = 'kuma-api-forge.dev/otel-backend';

/**
 * The OpenTelemetry collector `host:port` as a MeshOpenTelemetryBackend, the form Kuma 3.0 keeps (the inline
 * `openTelemetry.endpoint` is deprecated in 2.14 and removed in 3.0; 2.14 resolves `backendRef` by labels).
 * gRPC, as Kuma used for the inline endpoint. The label is a digest of the spec, so the MeshTrace of every API
 * that names the same collector is the same (two APIs' equal traces do not conflict), and whichever of the
 * equal backends Kuma picks (the oldest) is the right one.
 */
function buildOtelBackend(endpoint: string): PolicyDraft {
  const at = endpoint.lastIndexOf(':');
  const address = endpoint.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const spec = { endpoint: { address, port: Number(endpoint.slice(at + 1)) }, protocol: 'grpc' };
  const digest = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
  return { kind: 'MeshOpenTelemetryBackend', suffix: 'otel', spec, labels: { [otelBackendLabel]: digest } };
}

function serviceRef(backend: Backend): Record<string, unknown> {
  return {
    kind: 'MeshService',
    name: backend.name,
    ...(backend.namespace ? { namespace: backend.namespace } : {}),
  };
}

/** MeshHealthCheck `default` of `x-kuma.healthCheck`, with the schema's documented defaults. */
export function buildHealthCheck(config: NonNullable<XKumaRoot['healthCheck']>): Record<string, unknown> {
  const { path, interval, timeout, unhealthyThreshold, healthyThreshold } = config;
  return {
    interval: interval ?? '10s',
    timeout: timeout ?? '2s',
    unhealthyThreshold: unhealthyThreshold ?? 3,
    healthyThreshold: healthyThreshold ?? 1,
    http: { path },
  };
}

/** MeshCircuitBreaker `default` of `x-kuma.circuitBreaker`. */
export function buildCircuitBreaker(
  config: NonNullable<XKumaRoot['circuitBreaker']>,
): Record<string, unknown> {
  const {
    maxConnections,
    maxPendingRequests,
    maxRequests,
    consecutiveErrors,
    interval,
    baseEjectionTime,
    maxEjectionPercent,
  } = config;
  const limits = {
    ...(maxConnections ? { maxConnections } : {}),
    ...(maxPendingRequests ? { maxPendingRequests } : {}),
    ...(maxRequests ? { maxRequests } : {}),
  };
  const outlier = consecutiveErrors || interval || baseEjectionTime || maxEjectionPercent;
  return {
    ...(Object.keys(limits).length > 0 ? { connectionLimits: limits } : {}),
    ...(outlier
      ? {
          outlierDetection: {
            interval: interval ?? '10s',
            baseEjectionTime: baseEjectionTime ?? '30s',
            maxEjectionPercent: maxEjectionPercent ?? 20,
            // Kuma's webhook requires at least one detector.
            detectors: { totalFailures: { consecutive: consecutiveErrors ?? 5 } },
          },
        }
      : {}),
  };
}
