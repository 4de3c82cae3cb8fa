/**
 * Envoy Gateway BackendTrafficPolicy per HTTPRoute (Envoy Gateway v1.9.0, `api/v1alpha1`; what its translator
 * rejects: `internal/gatewayapi/backendtrafficpolicy.go`, `clustersettings.go`): rate limit, retries, stream
 * idle timeout, connection limits, fault injection, and `routingType: Service`. Pure.
 *
 * `routingType: Service` is what keeps the gateway's traffic in the mesh: by default Envoy Gateway sends to the
 * backends' pod IPs, which Kuma's transparent proxy does not intercept as a service (no mTLS; a strict mesh
 * refuses it). Sent to the Service ClusterIP, the request goes through the gateway pod's Kuma sidecar. The field
 * exists on BackendTrafficPolicy since Envoy Gateway 1.7 and on EnvoyProxy since 1.1 (config
 * `envoyGateway.routingType`). The same reason puts health checks and outlier detection in the mesh leg: with
 * Service routing Envoy Gateway sees one endpoint per backend (the ClusterIP), so only the sidecar, which
 * balances over the pods, can eject or probe one pod.
 *
 * The request timeout is the HTTPRoute's own `timeouts.request` (the routing renders it).
 * @module
 */
import type { Finding } from '../findings.js';
import { defaultRetryOn, limitsRetries } from '../kuma/render/build-policies.js';
import { parseDuration } from '../kuma/render/duration.js';
import type { EnvoyGatewayConfig, XKumaRoot } from '../kuma/render/types.js';
import type { EdgeInput, EdgeOperation, EdgeOutput, EdgeRoute, ManifestResource } from './edge.js';
import { toGatewayDuration } from './gateway-duration.js';

export const envoyGatewayApiVersion = 'gateway.envoyproxy.io/v1alpha1';

/** Envoy Gateway's rate limit units that an x-kuma interval can be exactly. */
const rateLimitUnits = new Map<number, string>([
  [1000, 'Second'],
  [60_000, 'Minute'],
  [3_600_000, 'Hour'],
  [86_400_000, 'Day'],
]);

/** x-kuma (MeshRetry) retry conditions → Envoy Gateway's `retryOn.triggers`; numbers become status codes. */
const retryTriggers: Record<string, string> = {
  '5xx': '5xx',
  GatewayError: 'gateway-error',
  Reset: 'reset',
  Retriable4xx: 'retriable-4xx',
  ConnectFailure: 'connect-failure',
  RefusedStream: 'refused-stream',
};

/** Where an x-kuma key is written: its bundle pointer, and the operation when it is an operation's own. */
type Place = { pointer: string; operation?: string };

/** Reports a finding once per id, place and message (a root-level key is shared by every route). */
type Report = (severity: Finding['severity'], id: string, message: string, at: Place) => void;

export function buildBackendTrafficPolicies(input: EdgeInput): EdgeOutput {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const report: Report = (severity, id, message, at) => {
    const key = `${id}\n${at.pointer}\n${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push({
      kind: 'routing',
      id,
      severity,
      message,
      ...(at.operation ? { operation: at.operation } : {}),
      ...input.locate(at.pointer),
    });
  };
  const config = input.api.envoyGateway ?? {};
  const resources: ManifestResource[] = [];
  for (const route of input.routes) {
    const spec = buildPolicySpec(route, input.root, config, report);
    if (!spec) continue;
    resources.push({
      apiVersion: envoyGatewayApiVersion,
      kind: 'BackendTrafficPolicy',
      name: route.name,
      namespace: route.namespace,
      labels: input.labels,
      spec,
    });
  }
  return { resources, findings };
}

/** The policy of one route, or undefined when it would only name its target. */
function buildPolicySpec(
  route: EdgeRoute,
  root: XKumaRoot,
  config: EnvoyGatewayConfig,
  report: Report,
): Record<string, unknown> | undefined {
  // The routing puts only operations with equal route-wide settings on one route (edgePolicyKey).
  const operation = route.operations[0];
  if (!operation) return undefined;
  const { settings } = operation;
  const rateLimit = settings.rateLimit && buildRateLimit(operation, config, report);
  const retry = buildRetry(route, report);
  const streamIdleTimeout =
    settings.idleTimeout &&
    gatewayDuration(settings.idleTimeout, 'idleTimeout', placeOf(operation, 'idleTimeout'), report);
  const circuitBreaker = root.circuitBreaker && buildConnectionLimits(root.circuitBreaker);
  const faultInjection =
    settings.faultInjection &&
    buildFaultInjection(settings.faultInjection, placeOf(operation, 'faultInjection'), report);
  const policy = {
    ...(rateLimit ? { rateLimit } : {}),
    ...(retry ? { retry } : {}),
    ...(streamIdleTimeout ? { timeout: { http: { streamIdleTimeout } } } : {}),
    ...(circuitBreaker ? { circuitBreaker } : {}),
    ...(faultInjection ? { faultInjection } : {}),
    ...(config.routingType === 'EnvoyProxy' ? {} : { routingType: 'Service' }),
  };
  if (Object.keys(policy).length === 0) return undefined;
  return {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: route.name }],
    ...policy,
  };
}

/** An x-kuma duration as Gateway API writes it; undefined, with an error, beyond what it can write (99999h). */
function gatewayDuration(text: string, key: string, at: Place, report: Report): string | undefined {
  const duration = toGatewayDuration(text);
  if (duration === undefined) {
    report(
      'error',
      'envoy-gateway-unsupported',
      `x-kuma.${key} "${text}": longer than a Gateway API duration can be (99999h); not rendered`,
      at,
    );
  }
  return duration;
}

/** Where a key of an operation's effective x-kuma was written (the operation itself when it came from config). */
function placeOf(operation: EdgeOperation, key: keyof EdgeOperation['settings']): Place {
  const pointer = operation.origins[key] ?? operation.pointer;
  return { pointer, ...(pointer.startsWith('/paths/') ? { operation: operation.label } : {}) };
}

/**
 * A local limit counts per gateway replica (Envoy's local_ratelimit), like Kuma's MeshRateLimit; a global one
 * asks Envoy Gateway's rate limit service, which the EnvoyGateway configuration must name (`rateLimit.backend`):
 * without it the translator rejects the policy ("enable Ratelimit in the EnvoyGateway config to configure global
 * rateLimit"), so the repo config has to say it is there.
 */
function buildRateLimit(
  operation: EdgeOperation,
  config: EnvoyGatewayConfig,
  report: Report,
): Record<string, unknown> | undefined {
  const { requests, interval, status, scope } = operation.settings.rateLimit!;
  const at = placeOf(operation, 'rateLimit');
  const unit = rateLimitUnits.get(parseDuration(interval) ?? -1);
  if (!unit) {
    // An error although target kuma-gateway can say it: a rate limit that is silently not there protects nothing.
    report(
      'error',
      'x-kuma-target-unsupported',
      `x-kuma.rateLimit.interval "${interval}": Envoy Gateway counts a rate limit per second, minute, hour or day only; use 1s, 1m, 1h or 24h (target kuma-gateway takes any interval). The limit is not rendered`,
      at,
    );
    return undefined;
  }
  if (status !== undefined && status !== 429) {
    report(
      'warning',
      'x-kuma-target-unsupported',
      `x-kuma.rateLimit.status ${status}: Envoy Gateway answers rate-limited requests with 429; only target kuma-gateway sends another status`,
      at,
    );
  }
  const rules = [{ limit: { requests, unit } }];
  if (scope !== 'global') return { local: { rules } };
  if (config.globalRateLimit !== true) {
    report(
      'error',
      'envoy-gateway-global-rate-limit',
      'x-kuma.rateLimit.scope global needs the rate limit service of Envoy Gateway: configure rateLimit.backend in the EnvoyGateway configuration, then set envoyGateway.globalRateLimit: true for this API in the repo config (Envoy Gateway rejects a global limit without it). The limit is not rendered',
      at,
    );
    return undefined;
  }
  return { global: { rules } };
}

/**
 * The route's retries as rendered by `retriesFor` (POST and PATCH limited to failures that never reached the
 * backend unless `nonIdempotent`). Envoy Gateway retries nothing without a policy, so a route whose x-kuma asks
 * for no retries gets none (there is no default to override, unlike Kuma's `mesh-retry-all`).
 */
function buildRetry(route: EdgeRoute, report: Report): Record<string, unknown> | undefined {
  const operation = route.operations[0]!;
  const retries = operation.routeSettings.retries;
  if (!retries?.attempts) return undefined;
  const at = placeOf(operation, 'retries');
  const limited = [
    ...new Set(
      route.operations.filter((op) => limitsRetries(op.method, op.settings.retries)).map((op) => op.method),
    ),
  ];
  if (limited.length > 0) {
    report(
      'warning',
      'envoy-gateway-retries-limited',
      `x-kuma.retries: ${limited.join(', ')} requests are retried only when the connection failed or the stream was refused (the backend never saw them), because ${limited.join(' and ')} is not idempotent; set x-kuma.retries.nonIdempotent: true to retry them on every condition`,
      at,
    );
  }
  const triggers = new Set<string>();
  const statusCodes: number[] = [];
  for (const condition of retries.on ?? defaultRetryOn) {
    if (typeof condition === 'number') {
      statusCodes.push(condition);
      triggers.add('retriable-status-codes');
    } else if (retryTriggers[condition]) {
      triggers.add(retryTriggers[condition]);
    } else {
      report(
        'warning',
        'x-kuma-target-unsupported',
        `x-kuma.retries.on "${condition}": Envoy Gateway has no such retry condition (it has ${Object.keys(retryTriggers).join(', ')} and status codes); not retried on it. Target kuma-gateway (MeshRetry) can`,
        at,
      );
    }
  }
  if (triggers.size === 0) return undefined;
  const perRetry = buildPerRetry(retries, at, report);
  if (perRetry === null) return undefined;
  return {
    numRetries: retries.attempts,
    retryOn: {
      triggers: [...triggers].sort(),
      ...(statusCodes.length > 0 ? { httpStatusCodes: statusCodes.sort((a, b) => a - b) } : {}),
    },
    ...(perRetry ? { perRetry } : {}),
  };
}

/** Per-try timeout and back-off; null when Envoy Gateway would reject them (reported). */
function buildPerRetry(
  retries: NonNullable<EdgeOperation['routeSettings']['retries']>,
  at: Place,
  report: Report,
): Record<string, unknown> | undefined | null {
  const { perTryTimeout, backOff } = retries;
  const base = backOff?.base === undefined ? undefined : parseDuration(backOff.base);
  const max = backOff?.max === undefined ? undefined : parseDuration(backOff.max);
  // clustersettings.go buildRetry: "baseInterval cannot be set to 0s", "maxInterval cannot be less than baseInterval".
  if (base === 0 || max === 0 || (base !== undefined && max !== undefined && base > max)) {
    report(
      'error',
      'envoy-gateway-unsupported',
      `x-kuma.retries.backOff: Envoy Gateway rejects a back-off of 0s and a max shorter than the base (base ${backOff?.base ?? 'unset'}, max ${backOff?.max ?? 'unset'}). The retries are not rendered`,
      at,
    );
    return null;
  }
  const timeout = perTryTimeout && gatewayDuration(perTryTimeout, 'retries.perTryTimeout', at, report);
  const baseInterval = backOff?.base && gatewayDuration(backOff.base, 'retries.backOff.base', at, report);
  const maxInterval = backOff?.max && gatewayDuration(backOff.max, 'retries.backOff.max', at, report);
  const backOffPolicy = {
    ...(baseInterval ? { baseInterval } : {}),
    ...(maxInterval ? { maxInterval } : {}),
  };
  const perRetry = {
    ...(timeout ? { timeout } : {}),
    ...(Object.keys(backOffPolicy).length > 0 ? { backOff: backOffPolicy } : {}),
  };
  return Object.keys(perRetry).length > 0 ? perRetry : undefined;
}

/**
 * Connection limits at the edge. Envoy Gateway builds a cluster per route rule with default limits of 1024, so
 * limits above that need the policy; the per-service limits and outlier detection are the mesh leg's
 * MeshCircuitBreaker (mesh-leg.ts).
 */
function buildConnectionLimits(
  config: NonNullable<XKumaRoot['circuitBreaker']>,
): Record<string, unknown> | undefined {
  const limits = {
    ...(config.maxConnections ? { maxConnections: config.maxConnections } : {}),
    ...(config.maxPendingRequests ? { maxPendingRequests: config.maxPendingRequests } : {}),
    ...(config.maxRequests ? { maxParallelRequests: config.maxRequests } : {}),
  };
  return Object.keys(limits).length > 0 ? limits : undefined;
}

function buildFaultInjection(
  config: NonNullable<EdgeOperation['settings']['faultInjection']>,
  at: Place,
  report: Report,
): Record<string, unknown> | undefined {
  const fixedDelay =
    config.delay && gatewayDuration(config.delay.duration, 'faultInjection.delay.duration', at, report);
  const fault = {
    ...(config.delay && fixedDelay
      ? { delay: { fixedDelay, percentage: config.delay.percentage ?? 100 } }
      : {}),
    ...(config.abort
      ? { abort: { httpStatus: config.abort.status, percentage: config.abort.percentage ?? 100 } }
      : {}),
  };
  return Object.keys(fault).length > 0 ? fault : undefined;
}
