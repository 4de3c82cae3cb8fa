/**
 * x-kuma → Envoy Gateway BackendTrafficPolicy, one per HTTPRoute. Inputs are built the way the routing hands
 * them over (edge.ts); every rendered policy is checked against Envoy Gateway v1.9.0's CRD and rules (the vendored validator).
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/core/findings.js';
import { buildBackendTrafficPolicies } from '../../../shared/core/gateway-api/backend-traffic-policy.js';
import type { EdgeInput, EdgeOperation, EdgeRoute } from '../../../shared/core/gateway-api/edge.js';
import { validateGatewayApiResources } from '../../../shared/core/gateway-api/validate/index.js';
import { retriesFor } from '../../../shared/core/kuma/render/build-policies.js';
import type { ApiConfig, XKumaRoot, XKumaRoute } from '../../../shared/core/kuma/render/types.js';
import { checkXKumaValue } from '../../../shared/core/kuma/render/x-kuma.js';

/** An operation with its x-kuma written on the operation itself (so every key's origin is its own block). */
function operation(method: string, path: string, settings: XKumaRoute, origin?: string): EdgeOperation {
  const pointer = `/paths/${path.replaceAll('/', '~1')}/${method.toLowerCase()}`;
  const retries = retriesFor(method, settings.retries);
  const at = origin ?? `${pointer}/x-kuma`;
  return {
    label: `${method} ${path}`,
    pointer,
    method,
    security: undefined,
    settings,
    origins: Object.fromEntries(Object.keys(settings).map((key) => [key, `${at}/${key}`])),
    routeSettings: {
      ...(settings.timeout ? { timeout: settings.timeout } : {}),
      ...(settings.idleTimeout ? { idleTimeout: settings.idleTimeout } : {}),
      ...(retries ? { retries } : {}),
      ...(settings.rateLimit ? { rateLimit: settings.rateLimit } : {}),
    },
  };
}

/** Why the API server or Envoy Gateway would refuse this BackendTrafficPolicy spec (the vendored CRDs and rules). */
const btpSpecProblems = (spec: unknown) =>
  validateGatewayApiResources([
    {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'BackendTrafficPolicy',
      name: 'r',
      namespace: 'apps',
      spec: spec as Record<string, unknown>,
    },
  ]).map((problem) => `${problem.path} ${problem.message}`);

function render(
  routes: EdgeRoute[],
  options: { api?: Partial<ApiConfig>; root?: XKumaRoot } = {},
): ReturnType<typeof buildBackendTrafficPolicies> {
  const input: EdgeInput = {
    api: { name: 'shop', spec: 'openapi.yaml', ...options.api },
    bundle: {},
    root: options.root ?? {},
    routes,
    labels: { 'app.kubernetes.io/managed-by': 'kuma-api-forge' },
    locate: (pointer) => ({ file: 'openapi.yaml', line: 7, column: 3, pointer }),
  };
  const output = buildBackendTrafficPolicies(input);
  for (const resource of output.resources) expect(btpSpecProblems(resource.spec)).toEqual([]);
  return output;
}

const route = (name: string, ...operations: EdgeOperation[]): EdgeRoute => ({
  name,
  namespace: 'shop',
  operations,
});
const specOf = (output: ReturnType<typeof render>, name: string) =>
  // biome-ignore lint/suspicious/noExplicitAny: a rendered policy, read field by field by the assertions
  output.resources.find((r) => r.name === name)?.spec as Record<string, any> | undefined;
const brief = (f: Finding) => ({ id: f.id, severity: f.severity, pointer: f.pointer });

describe('every route: routing to the Service ClusterIP, so the traffic stays in the mesh', () => {
  it('gives each HTTPRoute its own policy with routingType Service, even with no x-kuma', () => {
    const output = render([
      route('shop-a', operation('GET', '/a', {})),
      route('shop-b', operation('GET', '/b', {})),
    ]);
    expect(output.resources.map((r) => [r.apiVersion, r.kind, r.namespace, r.name])).toEqual([
      ['gateway.envoyproxy.io/v1alpha1', 'BackendTrafficPolicy', 'shop', 'shop-a'],
      ['gateway.envoyproxy.io/v1alpha1', 'BackendTrafficPolicy', 'shop', 'shop-b'],
    ]);
    expect(specOf(output, 'shop-a')).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'shop-a' }],
      routingType: 'Service',
    });
    expect(output.resources[0]!.labels).toEqual({ 'app.kubernetes.io/managed-by': 'kuma-api-forge' });
  });

  it('leaves routingType to the platform EnvoyProxy when the config says so (Envoy Gateway before 1.7)', () => {
    const output = render(
      [
        route('shop-a', operation('GET', '/a', {})),
        route('shop-b', operation('GET', '/b', { idleTimeout: '90s' })),
      ],
      { api: { envoyGateway: { routingType: 'EnvoyProxy' } } },
    );
    expect(output.resources.map((r) => r.name)).toEqual(['shop-b']);
    expect(specOf(output, 'shop-b')!.routingType).toBeUndefined();
    expect(specOf(output, 'shop-b')!.timeout).toEqual({ http: { streamIdleTimeout: '1m30s' } });
  });
});

describe('rateLimit', () => {
  it('is a local limit per route by default, in Envoy Gateway units', () => {
    const output = render([
      route('shop-m', operation('GET', '/m', { rateLimit: { requests: 100, interval: '1m' } })),
      route('shop-d', operation('GET', '/d', { rateLimit: { requests: 5, interval: '24h' } })),
      route('shop-s', operation('GET', '/s', { rateLimit: { requests: 7, interval: '1000ms' } })),
    ]);
    expect(specOf(output, 'shop-m')!.rateLimit).toEqual({
      local: { rules: [{ limit: { requests: 100, unit: 'Minute' } }] },
    });
    expect(specOf(output, 'shop-d')!.rateLimit.local.rules[0].limit.unit).toBe('Day');
    expect(specOf(output, 'shop-s')!.rateLimit.local.rules[0].limit).toEqual({ requests: 7, unit: 'Second' });
    expect(output.findings).toEqual([]);
  });

  it('is global when x-kuma asks for it and the config says the rate limit service is there', () => {
    const output = render(
      [
        route(
          'shop-g',
          operation('POST', '/login', { rateLimit: { requests: 10, interval: '1s', scope: 'global' } }),
        ),
      ],
      { api: { envoyGateway: { globalRateLimit: true } } },
    );
    expect(specOf(output, 'shop-g')!.rateLimit).toEqual({
      global: { rules: [{ limit: { requests: 10, unit: 'Second' } }] },
    });
    expect(output.findings).toEqual([]);
  });

  it('refuses a global limit without the config: an error on the rateLimit key, no limit rendered', () => {
    const output = render([
      route(
        'shop-g',
        operation('POST', '/login', { rateLimit: { requests: 10, interval: '1s', scope: 'global' } }),
      ),
    ]);
    expect(output.findings.map(brief)).toEqual([
      {
        id: 'envoy-gateway-global-rate-limit',
        severity: 'error',
        pointer: '/paths/~1login/post/x-kuma/rateLimit',
      },
    ]);
    expect(output.findings[0]!.message).toContain('envoyGateway.globalRateLimit: true');
    expect(output.findings[0]!.operation).toBe('POST /login');
    expect(specOf(output, 'shop-g')!.rateLimit).toBeUndefined();
  });

  it('refuses an interval Envoy Gateway has no unit for, naming the target that takes it', () => {
    const output = render([
      route('shop-x', operation('GET', '/x', { rateLimit: { requests: 50, interval: '10s' } })),
    ]);
    expect(output.findings.map(brief)).toEqual([
      { id: 'x-kuma-target-unsupported', severity: 'error', pointer: '/paths/~1x/get/x-kuma/rateLimit' },
    ]);
    expect(output.findings[0]!.message).toMatch(/"10s".*kuma-gateway/);
    expect(specOf(output, 'shop-x')!.rateLimit).toBeUndefined();
  });

  it('warns that a status other than 429 cannot be sent, and still limits', () => {
    const output = render([
      route('shop-x', operation('GET', '/x', { rateLimit: { requests: 50, interval: '1s', status: 503 } })),
    ]);
    expect(output.findings.map(brief)).toEqual([
      { id: 'x-kuma-target-unsupported', severity: 'warning', pointer: '/paths/~1x/get/x-kuma/rateLimit' },
    ]);
    expect(specOf(output, 'shop-x')!.rateLimit.local).toBeDefined();
  });

  it('reports a limit inherited from the root once, on the root, for every route that has it', () => {
    const limit = { rateLimit: { requests: 1, interval: '7s' } };
    const output = render([
      route('shop-a', operation('GET', '/a', limit, '/x-kuma')),
      route('shop-b', operation('GET', '/b', limit, '/x-kuma')),
    ]);
    expect(output.findings.map((f) => [f.pointer, f.operation])).toEqual([['/x-kuma/rateLimit', undefined]]);
  });
});

describe('retries', () => {
  it('maps attempts, per-try timeout, back-off and conditions (status codes via retriable-status-codes)', () => {
    const retries = {
      attempts: 3,
      perTryTimeout: '1.5s',
      backOff: { base: '100ms', max: '1s' },
      on: ['5xx', 503, 'GatewayError', 409, 'Reset'] as (string | number)[],
    };
    const output = render([route('shop-get', operation('GET', '/pets', { retries }))]);
    expect(specOf(output, 'shop-get')!.retry).toEqual({
      numRetries: 3,
      retryOn: {
        triggers: ['5xx', 'gateway-error', 'reset', 'retriable-status-codes'],
        httpStatusCodes: [409, 503],
      },
      perRetry: { timeout: '1s500ms', backOff: { baseInterval: '100ms', maxInterval: '1s' } },
    });
    expect(output.findings).toEqual([]);
  });

  it('uses the x-kuma default conditions when `on` is not given', () => {
    const output = render([route('r', operation('PUT', '/p', { retries: { attempts: 2 } }))]);
    expect(specOf(output, 'r')!.retry).toEqual({
      numRetries: 2,
      retryOn: { triggers: ['5xx', 'connect-failure', 'refused-stream', 'reset'] },
    });
  });

  it('limits POST without opt-in to failures the backend never saw, with a warning on the retries key', () => {
    const output = render([
      route('shop-orders', operation('POST', '/orders', { retries: { attempts: 3, on: ['5xx'] } })),
    ]);
    expect(specOf(output, 'shop-orders')!.retry).toEqual({
      numRetries: 3,
      retryOn: { triggers: ['connect-failure', 'refused-stream'] },
    });
    expect(output.findings.map(brief)).toEqual([
      {
        id: 'envoy-gateway-retries-limited',
        severity: 'warning',
        pointer: '/paths/~1orders/post/x-kuma/retries',
      },
    ]);
    expect(output.findings[0]!.message).toContain('nonIdempotent: true');
  });

  it('retries POST on every condition once opted in, without a warning', () => {
    const output = render([
      route(
        'r',
        operation('PATCH', '/o', { retries: { attempts: 2, on: ['GatewayError'], nonIdempotent: true } }),
      ),
    ]);
    expect(specOf(output, 'r')!.retry.retryOn).toEqual({ triggers: ['gateway-error'] });
    expect(output.findings).toEqual([]);
  });

  it('renders no retry for a POST whose x-kuma asks for none (Envoy Gateway has no default retries)', () => {
    const output = render([route('r', operation('POST', '/o', { timeout: '5s' }))]);
    expect(specOf(output, 'r')!.retry).toBeUndefined();
    expect(output.findings).toEqual([]);
  });

  it('drops a condition Envoy Gateway lacks with a warning naming kuma-gateway', () => {
    const output = render([
      route('r', operation('GET', '/g', { retries: { attempts: 2, on: ['EnvoyRatelimited', '5xx'] } })),
    ]);
    expect(specOf(output, 'r')!.retry.retryOn).toEqual({ triggers: ['5xx'] });
    expect(output.findings.map(brief)).toEqual([
      { id: 'x-kuma-target-unsupported', severity: 'warning', pointer: '/paths/~1g/get/x-kuma/retries' },
    ]);
    expect(output.findings[0]!.message).toMatch(/"EnvoyRatelimited".*kuma-gateway/);
  });

  it('renders no retry at all when no condition is left', () => {
    const output = render([
      route('r', operation('GET', '/g', { retries: { attempts: 2, on: ['Http3PostConnectFailure'] } })),
    ]);
    expect(specOf(output, 'r')!.retry).toBeUndefined();
    expect(output.findings.map((f) => f.id)).toEqual(['x-kuma-target-unsupported']);
  });

  it('refuses a back-off Envoy Gateway rejects (max below base, or 0s)', () => {
    for (const backOff of [{ base: '2s', max: '1s' }, { base: '0s' }, { max: '0ms' }]) {
      const output = render([route('r', operation('GET', '/g', { retries: { attempts: 2, backOff } }))]);
      expect(specOf(output, 'r')!.retry).toBeUndefined();
      expect(output.findings.map(brief)).toEqual([
        { id: 'envoy-gateway-unsupported', severity: 'error', pointer: '/paths/~1g/get/x-kuma/retries' },
      ]);
    }
  });
});

describe('idleTimeout, circuitBreaker, faultInjection', () => {
  it('puts the idle timeout on the route, in Gateway API duration form', () => {
    const output = render([route('r', operation('GET', '/g', { idleTimeout: '1.25s' }))]);
    expect(specOf(output, 'r')!.timeout).toEqual({ http: { streamIdleTimeout: '1s250ms' } });
  });

  it('refuses durations longer than Gateway API can write, on their key, instead of dropping them silently', () => {
    const output = render([
      route(
        'r',
        operation('GET', '/g', {
          idleTimeout: '100000h',
          faultInjection: { delay: { duration: '100001h' }, abort: { status: 500 } },
        }),
      ),
    ]);
    expect(output.findings.map(brief)).toEqual([
      { id: 'envoy-gateway-unsupported', severity: 'error', pointer: '/paths/~1g/get/x-kuma/idleTimeout' },
      { id: 'envoy-gateway-unsupported', severity: 'error', pointer: '/paths/~1g/get/x-kuma/faultInjection' },
    ]);
    expect(specOf(output, 'r')!.timeout).toBeUndefined();
    expect(specOf(output, 'r')!.faultInjection).toEqual({ abort: { httpStatus: 500, percentage: 100 } });
  });

  it('raises the edge connection limits; outlier detection is left to the mesh leg', () => {
    const output = render([route('r', operation('GET', '/g', {}))], {
      root: { circuitBreaker: { maxConnections: 2000, maxRequests: 5000, consecutiveErrors: 5 } },
    });
    expect(specOf(output, 'r')!.circuitBreaker).toEqual({ maxConnections: 2000, maxParallelRequests: 5000 });
    expect(specOf(output, 'r')!.healthCheck).toBeUndefined();
  });

  it('injects delays and aborts with their percentages (100 when not given)', () => {
    const output = render([
      route(
        'r',
        operation('GET', '/g', {
          faultInjection: { delay: { duration: '2s', percentage: 12.5 }, abort: { status: 503 } },
        }),
      ),
    ]);
    expect(specOf(output, 'r')!.faultInjection).toEqual({
      delay: { fixedDelay: '2s', percentage: 12.5 },
      abort: { httpStatus: 503, percentage: 100 },
    });
  });

  it('refuses fault percentages above 100, a status out of range and an empty fault in the x-kuma schema', () => {
    const problems = (value: unknown) => checkXKumaValue(value, 'operation').map((p) => p.path);
    expect(problems({ faultInjection: { abort: { status: 503, percentage: 100.5 } } })).toEqual([
      '/faultInjection/abort/percentage',
    ]);
    expect(problems({ faultInjection: { delay: { duration: '1s', percentage: -1 } } })).toEqual([
      '/faultInjection/delay/percentage',
    ]);
    expect(problems({ faultInjection: { abort: { status: 99 } } })).toEqual(['/faultInjection/abort/status']);
    expect(problems({ faultInjection: {} })).toEqual(['/faultInjection']);
    expect(problems({ rateLimit: { requests: 1, interval: '1s', scope: 'cluster' } })).toEqual([
      '/rateLimit/scope',
    ]);
  });
});

describe('keys Envoy Gateway keeps gateway-wide', () => {
  it('leaves access log and trace to the routing, which warns once per key (render-gateway-api.test.ts)', () => {
    const output = render([route('a', operation('GET', '/a', {})), route('b', operation('GET', '/b', {}))], {
      root: { accessLog: { file: '/dev/stdout' }, trace: { zipkin: 'http://zipkin:9411/api/v2/spans' } },
    });
    expect(output.findings).toEqual([]);
    expect(JSON.stringify(output.resources)).not.toMatch(/zipkin|dev\/stdout/);
  });
});

describe('the CRD check these tests rely on', () => {
  it('refuses what the API server would (typo, bad enum, bad duration, CEL target rule)', () => {
    const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r' }];
    expect(btpSpecProblems({ targetRefs, routingType: 'Service' })).toEqual([]);
    expect(btpSpecProblems({ targetRefs, retry: { numRetry: 2 } })).not.toEqual([]);
    expect(
      btpSpecProblems({
        targetRefs,
        rateLimit: { local: { rules: [{ limit: { requests: 1, unit: 'Decade' } }] } },
      }),
    ).not.toEqual([]);
    expect(btpSpecProblems({ targetRefs, timeout: { http: { streamIdleTimeout: '1.5s' } } })).not.toEqual([]);
    expect(btpSpecProblems({ targetRefs: [{ ...targetRefs[0], kind: 'Service', group: '' }] })).not.toEqual(
      [],
    );
  });
});
