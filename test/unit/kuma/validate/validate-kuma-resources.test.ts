import { describe, expect, it } from 'vitest';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';

const labels = { 'kuma.io/mesh': 'default', 'kuma.io/origin': 'zone' };
const system = { namespace: 'kuma-system', mesh: 'default', labels };

/** The complete example of research kuma.md §2 (K8s, zone CP 2.14), as format-neutral resources. */
const example: KumaResource[] = [
  {
    kind: 'MeshGatewayInstance',
    name: 'api-gateway',
    namespace: 'kuma-gateways',
    mesh: 'default',
    labels: { 'kuma.io/mesh': 'default' },
    spec: { replicas: 2, serviceType: 'LoadBalancer' },
  },
  {
    kind: 'MeshGateway',
    name: 'api-gateway',
    mesh: 'default',
    spec: {
      selectors: [{ match: { 'kuma.io/service': 'api-gateway_kuma-gateways_svc' } }],
      conf: {
        listeners: [
          { port: 8080, protocol: 'HTTP', hostname: 'api.example.com', tags: { listener: 'public-http' } },
        ],
      },
    },
  },
  {
    kind: 'MeshHTTPRoute',
    name: 'api-gateway-get-user-by-id',
    ...system,
    spec: {
      targetRef: { kind: 'MeshGateway', name: 'api-gateway' },
      to: [
        {
          targetRef: { kind: 'Mesh' },
          hostnames: ['api.example.com'],
          rules: [
            {
              matches: [{ path: { type: 'RegularExpression', value: '^/v1/users/[^/]+$' }, method: 'GET' }],
              default: {
                backendRefs: [
                  { kind: 'MeshService', name: 'user-profile-v1', namespace: 'apps', port: 8080, weight: 90 },
                  { kind: 'MeshService', name: 'user-profile-v2', namespace: 'apps', port: 8080, weight: 10 },
                ],
              },
            },
          ],
        },
      ],
    },
  },
  {
    kind: 'MeshRateLimit',
    name: 'api-gateway-get-user-by-id-rl',
    ...system,
    spec: {
      targetRef: { kind: 'MeshHTTPRoute', name: 'api-gateway-get-user-by-id' },
      to: [
        {
          targetRef: { kind: 'Mesh' },
          default: {
            local: {
              http: {
                requestRate: { num: 100, interval: '1m' },
                onRateLimit: { status: 429, headers: { set: [{ name: 'retry-after', value: '60' }] } },
              },
            },
          },
        },
      ],
    },
  },
  {
    kind: 'MeshTimeout',
    name: 'api-gateway-timeouts',
    ...system,
    spec: {
      targetRef: { kind: 'MeshGateway', name: 'api-gateway' },
      to: [
        {
          targetRef: { kind: 'Mesh' },
          default: {
            connectionTimeout: '2s',
            idleTimeout: '1h',
            http: { requestTimeout: '10s', streamIdleTimeout: '30s' },
          },
        },
      ],
    },
  },
  {
    kind: 'MeshRetry',
    name: 'api-gateway-retries',
    ...system,
    spec: {
      targetRef: { kind: 'MeshGateway', name: 'api-gateway' },
      to: [
        {
          targetRef: { kind: 'Mesh' },
          default: {
            http: {
              numRetries: 2,
              perTryTimeout: '3s',
              backOff: { baseInterval: '100ms', maxInterval: '1s' },
              retryOn: ['5xx', 'ConnectFailure', 'RefusedStream', 'HttpMethodGet'],
            },
          },
        },
      ],
    },
  },
  {
    kind: 'MeshCircuitBreaker',
    name: 'api-gateway-user-profile-cb',
    ...system,
    spec: {
      targetRef: { kind: 'MeshGateway', name: 'api-gateway' },
      to: ['user-profile-v1', 'user-profile-v2'].map((name) => ({
        targetRef: { kind: 'MeshService', name, namespace: 'apps' },
        default: {
          connectionLimits: { maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024 },
          outlierDetection: {
            interval: '5s',
            baseEjectionTime: '30s',
            maxEjectionPercent: 20,
            detectors: { totalFailures: { consecutive: 5 }, gatewayFailures: { consecutive: 5 } },
          },
        },
      })),
    },
  },
  {
    kind: 'MeshTrafficPermission',
    name: 'allow-api-gateway',
    namespace: 'apps',
    mesh: 'default',
    spec: {
      targetRef: { kind: 'Dataplane', labels: { app: 'user-profile' } },
      from: [
        {
          targetRef: { kind: 'MeshSubset', tags: { 'kuma.io/service': 'api-gateway_kuma-gateways_svc' } },
          default: { action: 'Allow' },
        },
      ],
    },
  },
];

/** A deep copy of one example resource with `edit` applied to its spec. */
// biome-ignore lint/suspicious/noExplicitAny: tests edit deep, untyped specs
function variant(kind: string, edit: (spec: any) => void, meta: Partial<KumaResource> = {}): KumaResource {
  const original = example.find((resource) => resource.kind === kind)!;
  const copy = structuredClone(original);
  edit(copy.spec);
  return { ...copy, ...meta };
}

function problemsOf(resource: KumaResource) {
  return validateKumaResources([resource]).map(({ path, rule, message }) => ({ path, rule, message }));
}

describe('validateKumaResources', () => {
  it('accepts the complete gateway example of the research notes', () => {
    expect(validateKumaResources(example)).toEqual([]);
  });

  it('names the resource, the path and the rule of each problem', () => {
    const problems = validateKumaResources([
      variant('MeshRateLimit', (spec) => {
        spec.to[0].default.local.http.requestRate.interval = '50ms';
      }),
    ]);
    expect(problems).toEqual([
      {
        resource: 'MeshRateLimit/api-gateway-get-user-by-id-rl',
        path: 'spec.to[0].default.local.http.requestRate.interval',
        message: 'must be greater than 50ms',
        rule: 'rate-limit-interval',
      },
    ]);
  });

  it('accepts a rate-limit interval just above 50ms', () => {
    const ok = variant('MeshRateLimit', (spec) => {
      spec.to[0].default.local.http.requestRate.interval = '51ms';
    });
    expect(problemsOf(ok)).toEqual([]);
  });

  it("rejects retryOn '5XX' like the webhook does, with a hint", () => {
    const problems = problemsOf(
      variant('MeshRetry', (spec) => {
        spec.to[0].default.http.retryOn = ['5XX', '503', 'HttpMethodGet', '999'];
      }),
    );
    expect(problems).toEqual([
      {
        path: 'spec.to[0].default.http.retryOn[0]',
        rule: 'retry-on',
        message: "unknown item '5XX' (Kuma accepts '5xx' in lower case)",
      },
      { path: 'spec.to[0].default.http.retryOn[3]', rule: 'retry-on', message: "unknown item '999'" },
    ]);
  });

  it('requires circuit-breaker detectors when outlier detection is configured', () => {
    const problems = problemsOf(
      variant('MeshCircuitBreaker', (spec) => {
        delete spec.to[1].default.outlierDetection.detectors;
        spec.to[0].default.outlierDetection.detectors = { totalFailures: { consecutive: 0 } };
      }),
    );
    expect(problems).toEqual([
      {
        path: 'spec.to[0].default.outlierDetection.detectors.totalFailures.consecutive',
        rule: 'circuit-breaker-detectors',
        message: 'must be greater than 0',
      },
      {
        path: 'spec.to[1].default.outlierDetection.detectors',
        rule: 'circuit-breaker-detectors',
        message: 'must be defined',
      },
    ]);
  });

  it('rejects upper-case header names in matches and modifiers', () => {
    const problems = problemsOf(
      variant('MeshHTTPRoute', (spec) => {
        const rule = spec.to[0].rules[0];
        rule.matches[0].headers = [{ type: 'Exact', name: 'X-Tenant', value: 'a' }];
        rule.default.filters = [
          { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Api', value: '1' }] } },
        ];
      }),
    );
    expect(problems).toEqual([
      {
        path: 'spec.to[0].rules[0].default.filters[0].requestHeaderModifier.set[0].name',
        rule: 'header-name-lowercase',
        message: 'must be a lower-case HTTP header name',
      },
      {
        path: 'spec.to[0].rules[0].matches[0].headers[0].name',
        rule: 'header-name-lowercase',
        message: 'must be a lower-case HTTP header name',
      },
    ]);
  });

  it('rejects header changes Envoy refuses: host in any case (HeaderUtility::isModifiableHeader tests)', () => {
    const modifier = (changes: Record<string, unknown>) =>
      problemsOf(
        variant('MeshHTTPRoute', (spec) => {
          spec.to[0].rules[0].default.filters = [
            { type: 'ResponseHeaderModifier', responseHeaderModifier: changes },
          ];
        }),
      ).filter((problem) => problem.rule === 'envoy-header-parser');
    const base = 'spec.to[0].rules[0].default.filters[0].responseHeaderModifier';
    expect(modifier({ set: [{ name: 'host', value: 'a' }] }).map((p) => p.path)).toEqual([
      `${base}.set[0].name`,
    ]);
    expect(
      modifier({
        add: [
          { name: 'x', value: '1' },
          { name: 'host', value: 'a' },
        ],
      }).map((p) => p.path),
    ).toEqual([`${base}.add[1].name`]);
    expect(modifier({ remove: ['Host', ':path'] }).map((p) => p.path)).toEqual([
      `${base}.remove[0]`,
      `${base}.remove[1]`,
    ]);
    expect(modifier({ set: [{ name: 'hostname', value: 'a' }], remove: ['content-type'] })).toEqual([]);
  });

  it.each([
    ['%', 0],
    ['100%', 3],
    ['%REQ(x-user)', 0],
    ['%protocol%', 0],
    ['a %% b % c', 7],
    ['%START_TIME(%s)', 0],
  ])('rejects header value %j that Envoy’s formatter cannot parse (position %d)', (value, position) => {
    const problems = problemsOf(
      variant('MeshHTTPRoute', (spec) => {
        spec.to[0].rules[0].default.filters = [
          { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-v', value }] } },
        ];
      }),
    );
    expect(problems).toEqual([
      {
        path: 'spec.to[0].rules[0].default.filters[0].requestHeaderModifier.set[0].value',
        rule: 'envoy-formatter',
        message: `Envoy's formatter finds no valid command at position ${position} (write a literal % as %%)`,
      },
    ]);
  });

  it.each([
    '',
    'plain',
    '%%',
    '100%%',
    '%PROTOCOL%',
    '%REQ(:AUTHORITY)%',
    '%REQ(x-user):10%',
    '%START_TIME(%s)%',
  ])('accepts header value %j', (value) => {
    const problems = problemsOf(
      variant('MeshHTTPRoute', (spec) => {
        spec.to[0].rules[0].default.filters = [
          { type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-v', value }] } },
        ];
      }),
    );
    expect(problems.filter((p) => p.rule === 'envoy-formatter')).toEqual([]);
  });

  it('allows ReplacePrefixMatch only when every match of the rule is a PathPrefix', () => {
    const rewrite = {
      type: 'URLRewrite',
      urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } },
    };
    const withRegex = variant('MeshHTTPRoute', (spec) => {
      spec.to[0].rules[0].default.filters = [rewrite];
    });
    expect(problemsOf(withRegex)).toEqual([
      {
        path: 'spec.to[0].rules[0].default.filters[0].urlRewrite.path.replacePrefixMatch',
        rule: 'route-replace-prefix',
        message: 'can only appear if all matches match a path prefix (type PathPrefix)',
      },
    ]);
    const withPrefix = variant('MeshHTTPRoute', (spec) => {
      spec.to[0].rules[0].matches[0].path = { type: 'PathPrefix', value: '/v1/users' };
      spec.to[0].rules[0].default.filters = [rewrite];
    });
    expect(problemsOf(withPrefix)).toEqual([]);
  });

  it('rejects regular expressions that RE2 (Envoy) cannot compile, which the webhook lets through', () => {
    const problems = problemsOf(
      variant('MeshHTTPRoute', (spec) => {
        spec.to[0].rules[0].matches[0].path.value = '^/v1/users/(?=me)[^/]+$';
      }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      path: 'spec.to[0].rules[0].matches[0].path.value',
      rule: 'regex-re2',
    });
    expect(problems[0]?.message).toContain('not a valid RE2 regular expression');
  });

  it('checks Exact and PathPrefix values like the webhook', () => {
    const problems = problemsOf(
      variant('MeshHTTPRoute', (spec) => {
        const rule = spec.to[0].rules[0];
        rule.matches = [
          { path: { type: 'Exact', value: 'v1/users' } },
          { path: { type: 'PathPrefix', value: '/v1/users/' } },
        ];
      }),
    );
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['spec.to[0].rules[0].matches[0].path.value', 'must be an absolute path'],
      [
        'spec.to[0].rules[0].matches[1].path.value',
        'does not need a trailing slash because only a `/`-separated prefix or an entire path is matched',
      ],
    ]);
  });

  it('rejects malformed durations', () => {
    const problems = problemsOf(
      variant('MeshTimeout', (spec) => {
        spec.to[0].default.http.requestTimeout = '10 seconds';
      }),
    );
    expect(problems).toEqual([
      {
        path: 'spec.to[0].default.http.requestTimeout',
        rule: 'duration',
        message: "'10 seconds' is not a duration; use Go syntax such as 500ms, 10s, 1m30s, 1h",
      },
    ]);
  });

  it('allows a gateway as top-level target only in the system namespace', () => {
    const problems = problemsOf(variant('MeshTimeout', () => {}, { namespace: 'apps' }));
    expect(problems).toEqual([
      {
        path: 'spec.targetRef.kind',
        rule: 'target-ref-kind',
        message:
          "value 'MeshGateway' is only allowed for policies in the system namespace (kuma-system) or on Universal",
      },
    ]);
  });

  it('checks targetRef kinds per section: a gateway route must send to kind Mesh', () => {
    const problems = problemsOf(
      variant('MeshHTTPRoute', (spec) => {
        spec.to[0].targetRef = { kind: 'MeshService', name: 'user-profile-v1' };
      }),
    );
    expect(problems).toEqual([
      {
        path: 'spec.to[0].targetRef.kind',
        rule: 'target-ref-kind',
        message: "value 'MeshService' is not supported here; allowed: Mesh",
      },
    ]);
  });

  it('rejects fields a targetRef kind does not take', () => {
    const problems = problemsOf(
      variant('MeshRetry', (spec) => {
        spec.targetRef.namespace = 'kuma-system';
        spec.to[0].targetRef.name = 'x';
      }),
    );
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['spec.targetRef.namespace', 'must not be set with kind MeshGateway'],
      ['spec.to[0].targetRef.name', 'must not be set with kind Mesh'],
    ]);
  });

  it('forbids MeshTimeout connection-level timeouts on a route-targeted policy', () => {
    const problems = problemsOf(
      variant('MeshTimeout', (spec) => {
        spec.targetRef = { kind: 'MeshHTTPRoute', name: 'api-gateway-get-user-by-id' };
      }),
    );
    expect(problems.map((p) => [p.path, p.rule])).toEqual([
      ['spec.to[0].default.connectionTimeout', 'timeout-route'],
      ['spec.to[0].default.idleTimeout', 'timeout-route'],
    ]);
  });

  it('reports unknown fields (typos) that Kubernetes would silently prune', () => {
    const problems = problemsOf(
      variant('MeshRateLimit', (spec) => {
        spec.to[0].default.local.http.requestRate.intervall = '1s';
      }),
    );
    expect(problems).toContainEqual({
      path: 'spec.to[0].default.local.http.requestRate.intervall',
      rule: 'crd-schema',
      message: 'unknown field',
    });
  });

  it('reports CRD enum violations with the allowed values', () => {
    const problems = problemsOf(
      variant('MeshHTTPRoute', (spec) => {
        spec.to[0].rules[0].matches[0].method = 'get';
      }),
    );
    expect(problems).toEqual([
      {
        path: 'spec.to[0].rules[0].matches[0].method',
        rule: 'crd-schema',
        message: expect.stringMatching(/^must be one of "CONNECT", "DELETE", "GET"/),
      },
    ]);
  });

  it('requires a backend on a gateway rule unless it redirects', () => {
    const problems = problemsOf(
      variant('MeshHTTPRoute', (spec) => {
        delete spec.to[0].rules[0].default.backendRefs;
      }),
    );
    expect(problems.map((p) => p.rule)).toEqual(['route-backend-refs']);
  });

  it('checks names: DNS-1123 and at most 63 characters', () => {
    const long = `a${'-b'.repeat(32)}`;
    const problems = validateKumaResources([
      { ...example[4]!, name: long },
      { ...example[4]!, name: 'Timeouts_1' },
    ]);
    expect(problems.map((p) => [p.resource, p.path, p.rule])).toEqual([
      [`MeshTimeout/${long}`, 'name', 'name'],
      ['MeshTimeout/Timeouts_1', 'name', 'name'],
    ]);
  });

  it('checks labels Kuma reads: origin and mesh', () => {
    const problems = problemsOf({
      ...example[4]!,
      labels: { 'kuma.io/mesh': 'other', 'kuma.io/origin': 'local' },
    });
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['labels.kuma.io/mesh', "must equal the resource's mesh 'default'"],
      ['labels.kuma.io/origin', "must be 'zone' or 'global'"],
    ]);
  });

  it('reports an unknown kind instead of passing it', () => {
    expect(problemsOf({ kind: 'MeshGatewayRoute', name: 'r', mesh: 'default', spec: {} })).toEqual([
      { path: 'kind', rule: 'kind', message: "unknown Kuma kind 'MeshGatewayRoute'" },
    ]);
  });

  it('does not crash on spec values of the wrong type', () => {
    const odd = variant('MeshHTTPRoute', (spec) => {
      spec.to = [{ targetRef: 'Mesh', rules: 'all' }, null];
    });
    expect(() => validateKumaResources([odd])).not.toThrow();
    expect(validateKumaResources([odd]).length).toBeGreaterThan(0);
  });
});

describe('validateKumaResources on MeshGateway (proto schema + webhook rules)', () => {
  const gateway = (
    conf: unknown,
    selectors: unknown = [{ match: { 'kuma.io/service': 'gw_kuma-gateways_svc' } }],
  ) => problemsOf({ kind: 'MeshGateway', name: 'gw', mesh: 'default', spec: { selectors, conf } });

  it('requires the kuma.io/service selector and at least one listener', () => {
    expect(gateway({ listeners: [] }, [{ match: { app: 'gw' } }])).toEqual([
      {
        path: 'spec.selectors[0].match',
        rule: 'gateway-selectors',
        message: 'must contain the kuma.io/service tag',
      },
      { path: 'spec.conf.listeners', rule: 'gateway-listeners', message: 'cannot be empty' },
    ]);
  });

  it('requires TLS termination with certificates on HTTPS listeners', () => {
    expect(gateway({ listeners: [{ port: 443, protocol: 'HTTPS', hostname: 'api.example.com' }] })).toEqual([
      { path: 'spec.conf.listeners[0].tls', rule: 'gateway-tls', message: 'cannot be empty' },
    ]);
    expect(
      gateway({
        listeners: [{ port: 443, protocol: 'HTTPS', tls: { mode: 'TERMINATE', certificates: [] } }],
      }),
    ).toEqual([
      {
        path: 'spec.conf.listeners[0].tls.certificates',
        rule: 'gateway-tls',
        message: 'cannot be empty in TLS termination mode',
      },
    ]);
  });

  it('rejects listeners that cannot share a port and reserved tags', () => {
    const problems = gateway({
      listeners: [
        { port: 8080, protocol: 'HTTP', hostname: 'a.example.com' },
        { port: 8080, protocol: 'HTTP', hostname: 'a.example.com' },
        { port: 8080, protocol: 'TCP', tags: { 'kuma.io/service': 'x' } },
        { port: 70000, protocol: 'HTTP' },
      ],
    });
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['spec.conf.listeners[1]', 'multiple listeners for hostname on this port'],
      ['spec.conf.listeners[2].tags.kuma.io/service', 'tag name must not be "kuma.io/service"'],
      ['spec.conf.listeners[2]', 'protocol conflicts with other listeners on this port'],
      ['spec.conf.listeners[3].port', 'port must be in the range [1, 65535]'],
    ]);
  });

  it('reports typos the proto decoder would silently drop', () => {
    expect(gateway({ listeners: [{ port: 80, protocol: 'HTTP', hostnmae: 'x' }] })).toEqual([
      { path: 'spec.conf.listeners[0].hostnmae', rule: 'crd-schema', message: 'unknown field' },
    ]);
  });

  it('takes no namespace: MeshGateway is cluster-scoped', () => {
    expect(problemsOf({ ...example[1]!, namespace: 'kuma-system' }).map((p) => [p.path, p.rule])).toEqual([
      ['namespace', 'namespace'],
    ]);
  });
});
