/**
 * What the rendered manifests make Kuma's gateway (Envoy) do, not just how they look: each case evaluates the
 * output the way Envoy or Kuma's default policies would and asserts the behaviour the user asked for.
 * @module
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import type { ApiConfig } from '../../../../shared/core/kuma/render/types.js';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';
import { parseGoDuration } from '../../../../shared/core/kuma/validate/go-duration.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { runCli } from '../../../helpers/cli.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';
import { applyProxyPatches, jwtRequirements, type Request } from './proxy-patch-sim.js';

async function renderSpec(spec: Record<string, unknown>, api: Partial<ApiConfig> = {}) {
  const loaded = await loadSpecFromFiles({ 'api.yaml': stringify(spec) }, 'api.yaml');
  return renderApi({ spec: loaded, api: { name: 'shop', spec: 'api.yaml', ...api } });
}

const bearer = {
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  'x-kuma': {
    auth: { bearer: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' } },
  },
};

function ops(paths: Record<string, string[]>, security?: unknown) {
  return Object.fromEntries(
    Object.entries(paths).map(([path, methods]) => [
      path,
      Object.fromEntries(
        methods.map((method) => [
          method,
          { responses: { 200: { description: 'ok' } }, ...(security ? { security } : {}) },
        ]),
      ),
    ]),
  );
}

/**
 * The jwt_authn decision for a request on the gateway's listener, as Envoy makes it (proxy-patch-sim.ts: Kuma's
 * patch merge, then each filter's first matching rule); `null`: no rule matched or it requires nothing.
 */
function jwtRequirement(resources: KumaResource[], request: Request): unknown {
  const listener = applyProxyPatches(resources).listeners.find((l) => l.origin === 'gateway')!;
  return jwtRequirements(listener.httpFilters, request)[0] ?? null;
}

describe('D1: JWT cannot be skipped by changing the Host header', () => {
  const spec = {
    openapi: '3.0.3',
    info: { title: 'shop', version: '1' },
    ...bearer,
    security: [{ bearer: [] }],
    paths: ops({ '/orders': ['get', 'post'], '/orders/{id}': ['get'] }),
  };
  const hostnames = ['api.example.com', '*.shop.example.com'];

  it.each([
    ['API.EXAMPLE.COM', 'GET', '/orders'],
    ['Api.Example.Com:443', 'POST', '/orders'],
    ['api.example.com:8080', 'GET', '/orders/42'],
    ['a.b.shop.example.com', 'GET', '/orders'],
    ['X.Y.Z.SHOP.EXAMPLE.COM:443', 'GET', '/orders/7'],
  ])('Host %s: %s %s needs a JWT', async (authority, method, path) => {
    const { resources } = await renderSpec(spec, { hostnames });
    expect(jwtRequirement(resources, { method, path, authority })).toEqual({ providerName: 'bearer' });
  });

  it.each([
    'api.other.com',
    'shop.example.com', // `*.shop.example.com` needs a non-empty prefix, like Envoy's wildcard domain
    'evilapi.example.com',
    'api.example.com.evil.com',
    'api.example.com:80x',
  ])("another host's requests (%s) are not this API's: no rule applies", async (authority) => {
    const { resources } = await renderSpec(spec, { hostnames });
    expect(jwtRequirement(resources, { method: 'GET', path: '/orders', authority })).toBeNull();
  });

  it('without hostnames: any host of the gateway, but only this API’s methods and paths', async () => {
    const { resources } = await renderSpec(spec);
    for (const authority of ['API.EXAMPLE.COM', 'x.y.example.org:8443', '10.0.0.1']) {
      expect(jwtRequirement(resources, { method: 'GET', path: '/orders/1', authority })).toEqual({
        providerName: 'bearer',
      });
    }
    for (const [method, path] of [
      ['GET', '/billing'],
      ['DELETE', '/orders'],
      ['GET', '/orders/1/items'],
    ] as const) {
      expect(jwtRequirement(resources, { method, path, authority: 'api.example.com' })).toBeNull();
    }
  });
});

interface IdpCertificate {
  /** DNS names in the certificate's SAN. */
  dnsNames: string[];
  /** IP addresses in the certificate's SAN, in Envoy's text form. */
  ipAddresses?: string[];
  /** `public`: chains to a CA in the system bundle of kuma-dp images; `self`: self-signed. */
  issuer: 'public' | 'self';
}

/** The system CA bundle kuma-dp images ship, as the research note on D2 names it. */
const systemCaBundle = '/etc/ssl/certs/ca-certificates.crt';

interface RemoteJwksConfig {
  httpUri: { cluster: string };
  asyncFetch?: unknown;
  retryPolicy?: { numRetries: number; retryBackOff: { baseInterval: string; maxInterval: string } };
}

/** The embedded Envoy config of the MeshProxyPatch: the jwt_authn filter and the clusters by name. */
function envoyConfig(resources: KumaResource[]) {
  const patch = resources.find((r) => r.kind === 'MeshProxyPatch')!;
  const modifications = (patch.spec.default as { appendModifications: Record<string, { value: string }>[] })
    .appendModifications;
  const filter = parse(modifications.find((m) => m.httpFilter)!.httpFilter!.value);
  const clusters = new Map(
    modifications
      .filter((m) => m.cluster)
      .map((m) => {
        const cluster = parse(m.cluster!.value);
        return [cluster.name as string, cluster];
      }),
  );
  return {
    providers: filter.typedConfig.providers as Record<string, { remoteJwks: RemoteJwksConfig }>,
    clusters,
  };
}

/** Envoy's DNS SAN match (`Utility::dnsNameMatch`): a `*.` name in the certificate covers exactly one label. */
function dnsNameMatch(pattern: string, name: string): boolean {
  const lower = name.toLowerCase();
  if (!pattern.startsWith('*.')) return pattern.toLowerCase() === lower;
  const dot = lower.indexOf('.');
  return dot > 0 && lower.slice(dot) === pattern.slice(1).toLowerCase();
}

/**
 * Whether the gateway's Envoy completes the TLS handshake to fetch a provider's JWKS when the server presents
 * `certificate`: without a validation context, any certificate; with one, it must chain to the trusted CA bundle
 * and one of its DNS SANs must meet a `match_typed_subject_alt_names` entry.
 */
function jwksFetchAccepts(resources: KumaResource[], provider: string, certificate: IdpCertificate): boolean {
  const { providers, clusters } = envoyConfig(resources);
  const cluster = clusters.get(providers[provider]!.remoteJwks.httpUri.cluster)!;
  const tls = cluster.transportSocket?.typedConfig;
  const validation = tls?.commonTlsContext?.validationContext;
  if (!validation) return true;
  const trusted = validation.trustedCa?.filename === systemCaBundle && certificate.issuer === 'public';
  const matchers = (validation.matchTypedSubjectAltNames ?? []) as {
    sanType: string;
    matcher: { exact: string };
  }[];
  const sanMatched =
    matchers.length === 0 ||
    matchers.some((m) =>
      m.sanType === 'DNS'
        ? certificate.dnsNames.some((name) => dnsNameMatch(name, m.matcher.exact))
        : m.sanType === 'IP_ADDRESS' && (certificate.ipAddresses ?? []).includes(m.matcher.exact),
    );
  return trusted && sanMatched;
}

describe('D2: the gateway fetches JWKS only from the IdP’s real, CA-signed host', () => {
  const twoIdps = {
    openapi: '3.0.3',
    info: { title: 'shop', version: '1' },
    components: {
      securitySchemes: {
        staff: { type: 'http', scheme: 'bearer' },
        partners: { type: 'openIdConnect', openIdConnectUrl: 'https://auth.partner.example.org/.well-known' },
      },
    },
    'x-kuma': {
      auth: {
        staff: { issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks' },
        partners: {
          issuer: 'https://auth.partner.example.org',
          jwksUri: 'https://Auth.Partner.example.org:8443/keys.json',
        },
      },
    },
    security: [{ staff: [] }, { partners: [] }],
    paths: ops({ '/orders': ['get'] }),
  };
  const idps = [
    ['staff', 'idp.example.com'],
    ['partners', 'auth.partner.example.org'],
  ] as const;

  it.each(idps)(
    '%s: the real host’s publicly signed certificate is accepted (%s)',
    async (provider, host) => {
      const { resources } = await renderSpec(twoIdps);
      expect(jwksFetchAccepts(resources, provider, { dnsNames: [host], issuer: 'public' })).toBe(true);
      // A wildcard certificate for the IdP's domain, as many IdPs use, also covers it.
      const wildcard = `*.${host.split('.').slice(1).join('.')}`;
      expect(jwksFetchAccepts(resources, provider, { dnsNames: [wildcard], issuer: 'public' })).toBe(true);
    },
  );

  it.each(idps)(
    '%s: a self-signed certificate for the right host is refused (%s)',
    async (provider, host) => {
      const { resources } = await renderSpec(twoIdps);
      expect(jwksFetchAccepts(resources, provider, { dnsNames: [host], issuer: 'self' })).toBe(false);
    },
  );

  it.each(idps)('%s: a publicly signed certificate for another host is refused', async (provider, host) => {
    const { resources } = await renderSpec(twoIdps);
    const others = [
      'attacker.example.net',
      `${host}.attacker.example.net`,
      `evil.${host}`, // a name under the IdP's host is not the host
      `*.${host}`, // nor does a wildcard one label below cover it
      ...idps.map(([, other]) => other).filter((other) => other !== host), // nor the other IdP's certificate
    ];
    for (const name of others) {
      expect(jwksFetchAccepts(resources, provider, { dnsNames: [name], issuer: 'public' }), name).toBe(false);
    }
  });

  it.each(idps)('%s: SNI names the host, and keys are fetched ahead with retries', async (provider, host) => {
    const { resources } = await renderSpec(twoIdps);
    const { providers, clusters } = envoyConfig(resources);
    const remote = providers[provider]!.remoteJwks;
    expect(clusters.get(remote.httpUri.cluster).transportSocket.typedConfig.sni).toBe(host);
    expect(remote.asyncFetch).toBeTypeOf('object');
    expect(remote.retryPolicy?.numRetries).toBeGreaterThan(0);
    const backOff = remote.retryPolicy?.retryBackOff;
    const base = parseGoDuration(backOff?.baseInterval ?? '');
    expect(base).toBeGreaterThan(0);
    expect(parseGoDuration(backOff?.maxInterval ?? '')).toBeGreaterThanOrEqual(base!);
    expect(validateKumaResources(resources)).toEqual([]);
  });

  it('an IdP addressed by IP literal is checked against the IP SAN, and connected to without brackets', async () => {
    const byIp = {
      ...twoIdps,
      'x-kuma': {
        auth: {
          staff: { issuer: 'https://idp', jwksUri: 'https://10.0.0.5:8443/jwks' },
          partners: { issuer: 'https://idp6', jwksUri: 'https://[2001:DB8:0:0::1]/jwks' },
        },
      },
    };
    const { resources } = await renderSpec(byIp);
    expect(validateKumaResources(resources)).toEqual([]);
    const { providers, clusters } = envoyConfig(resources);
    for (const [provider, ip, port] of [
      ['staff', '10.0.0.5', 8443],
      ['partners', '2001:db8::1', 443],
    ] as const) {
      const cluster = clusters.get(providers[provider]!.remoteJwks.httpUri.cluster);
      const endpoint = cluster.loadAssignment.endpoints[0].lbEndpoints[0].endpoint;
      expect(endpoint.address.socketAddress).toEqual({ address: ip, portValue: port });
      expect(cluster.transportSocket.typedConfig.sni).toBeUndefined();
      const accepts = (certificate: IdpCertificate) => jwksFetchAccepts(resources, provider, certificate);
      expect(accepts({ dnsNames: [], ipAddresses: [ip], issuer: 'public' })).toBe(true);
      expect(accepts({ dnsNames: [], ipAddresses: [ip], issuer: 'self' })).toBe(false);
      expect(accepts({ dnsNames: [ip], issuer: 'public' })).toBe(false); // a DNS name spelled like the IP
      expect(accepts({ dnsNames: [], ipAddresses: ['10.0.0.6', '2001:db8::2'], issuer: 'public' })).toBe(
        false,
      );
    }
  });
});

/** Kuma 2.14's `mesh-gateways-timeout-all` `to` default (pkg/defaults/mesh/meshtimeout.go, core/defaults/consts.go). */
const kumaGatewayDefaults = { streamIdleTimeout: '5s' };

/**
 * What the client of a route gets when the backend says nothing for `silentMs`: Kuma merges the route's MeshTimeout
 * over the default field by field; Envoy answers 504 when the request timeout fires, 408 when the stream idle timer
 * does, whichever comes first.
 */
function silentBackend(resources: KumaResource[], route: string, silentMs: number): number {
  const policy = resources.find(
    (r) => r.kind === 'MeshTimeout' && (r.spec.targetRef as { name: string }).name === route,
  );
  const to = (policy?.spec.to as { default: { http?: Record<string, string> } }[] | undefined) ?? [];
  const http: { requestTimeout?: string; streamIdleTimeout: string } = {
    ...kumaGatewayDefaults,
    ...to[0]?.default.http,
  };
  const request = http.requestTimeout ? parseGoDuration(http.requestTimeout)! : Number.POSITIVE_INFINITY;
  const idle = parseGoDuration(http.streamIdleTimeout)!;
  if (Math.min(request, idle) > silentMs) return 200;
  return request <= idle ? 504 : 408;
}

describe('D4: x-kuma.timeout above Kuma’s 5 s gateway stream idle default takes effect', () => {
  const timed = (xKuma: Record<string, unknown>) => ({
    openapi: '3.0.3',
    info: { title: 'shop', version: '1' },
    paths: { '/reports': { get: { 'x-kuma': xKuma, responses: { 200: { description: 'ok' } } } } },
  });
  const route = (resources: KumaResource[]) => resources.find((r) => r.kind === 'MeshHTTPRoute')!.name;

  it.each([
    ['30s', 29_000, 30_000],
    ['1m30s', 89_500, 90_000],
    ['2500ms', 2_400, 2_500],
    ['1h', 3_599_000, 3_600_000],
  ])(
    'timeout %s: a backend silent for %d ms answers; at the timeout the client gets 504',
    async (timeout, ok, due) => {
      const { resources, findings } = await renderSpec(timed({ timeout }));
      expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(validateKumaResources(resources)).toEqual([]);
      expect(silentBackend(resources, route(resources), ok)).toBe(200);
      expect(silentBackend(resources, route(resources), due)).toBe(504);
    },
  );

  it('an explicit idleTimeout is the user’s stream idle timeout, kept as written', async () => {
    const { resources } = await renderSpec(timed({ timeout: '30s', idleTimeout: '10s' }));
    expect(silentBackend(resources, route(resources), 9_000)).toBe(200);
    expect(silentBackend(resources, route(resources), 10_000)).toBe(408);
  });
});

/**
 * Kuma 2.14's `mesh-retry-all` default (pkg/defaults/mesh/meshretry.go; top-level `Mesh`, so gateways too), and the
 * `retryOn` Kuma's configurer uses when no policy sets one (meshretry/plugin/xds/configurer.go).
 */
const kumaRetryDefaults = { numRetries: 5 };
const kumaDefaultRetryOn = ['GatewayError', 'ConnectFailure', 'RefusedStream'];

/** Which MeshRetry `retryOn` conditions make Envoy retry after each kind of failure. */
const retriedBy: Record<string, string[]> = {
  // The request reached the backend, which answered 503: it may have acted on it.
  'backend answered 503': ['5xx', 'GatewayError'],
  // The connection was reset after the request was sent: it may have been acted on.
  'reset after sending': ['5xx', 'Reset'],
  // The request never left the gateway.
  'connect failure': ['5xx', 'GatewayError', 'ConnectFailure'],
  'refused stream': ['5xx', 'RefusedStream'],
};

/** How many times Envoy retries the route's requests after `failure`, with Kuma's default merged under ours. */
function retriesAfter(resources: KumaResource[], route: string, failure: string): number {
  const policy = resources.find(
    (r) => r.kind === 'MeshRetry' && (r.spec.targetRef as { name: string }).name === route,
  );
  const to = (policy?.spec.to as { default: { http?: Record<string, unknown> } }[] | undefined) ?? [];
  const http = { ...kumaRetryDefaults, ...to[0]?.default.http } as { numRetries: number; retryOn?: string[] };
  const retryOn = http.retryOn ?? kumaDefaultRetryOn;
  return retryOn.some((condition) => retriedBy[failure]!.includes(condition)) ? http.numRetries : 0;
}

describe('D5: POST and PATCH are only retried when the request never reached the backend, unless opted in', () => {
  const withRetries = (method: string, xKuma?: Record<string, unknown>) => ({
    openapi: '3.0.3',
    info: { title: 'shop', version: '1' },
    paths: {
      '/orders': {
        [method]: { ...(xKuma ? { 'x-kuma': xKuma } : {}), responses: { 200: { description: 'ok' } } },
      },
    },
  });
  const retries = async (method: string, xKuma?: Record<string, unknown>) => {
    const { resources, findings } = await renderSpec(withRetries(method, xKuma));
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(validateKumaResources(resources)).toEqual([]);
    const route = resources.find((r) => r.kind === 'MeshHTTPRoute')!.name;
    return Object.fromEntries(Object.keys(retriedBy).map((f) => [f, retriesAfter(resources, route, f)]));
  };

  it.each(['post', 'patch'])(
    '%s without x-kuma retries: Kuma’s default no longer retries a 503',
    async (method) => {
      expect(await retries(method)).toEqual({
        'backend answered 503': 0,
        'reset after sending': 0,
        'connect failure': 5,
        'refused stream': 5,
      });
    },
  );

  it('POST with retries but no opt-in: the count is kept, the conditions are the safe ones', async () => {
    expect(await retries('post', { retries: { attempts: 3, on: ['5xx', 'Reset'] } })).toEqual({
      'backend answered 503': 0,
      'reset after sending': 0,
      'connect failure': 3,
      'refused stream': 3,
    });
  });

  it('POST opted in with retries.nonIdempotent: retried as the user wrote', async () => {
    expect(await retries('post', { retries: { attempts: 2, on: ['5xx'], nonIdempotent: true } })).toEqual({
      'backend answered 503': 2,
      'reset after sending': 2,
      'connect failure': 2,
      'refused stream': 2,
    });
  });

  it('GET keeps Kuma’s default retries, or the user’s', async () => {
    expect((await retries('get'))['backend answered 503']).toBe(5);
    expect((await retries('get', { retries: { attempts: 3 } }))['backend answered 503']).toBe(3);
  });
});

/**
 * The header value Envoy sends for a configured value: header values are formatter strings, where `%%` is a
 * literal `%`, `%COMMAND%` or `%COMMAND(arg)%` is replaced at run time (shown here as `<COMMAND>`), and any other
 * `%` makes Envoy reject the route configuration ("Couldn't find valid command").
 */
function envoyHeaderValue(configured: string): string {
  let sent = '';
  for (let i = 0; i < configured.length; i++) {
    if (configured[i] !== '%') sent += configured[i];
    else if (configured[i + 1] === '%') {
      sent += '%';
      i++;
    } else {
      const command = /^%([A-Z][A-Z0-9_]*)(\([^)]*\))?(:[0-9]+)?%/.exec(configured.slice(i));
      if (!command) throw new Error(`Couldn't find valid command at position ${i}`);
      sent += `<${command[1]}>`;
      i += command[0].length - 1;
    }
  }
  return sent;
}

describe('D6: header changes Envoy would reject are refused; values arrive as written', () => {
  const headerSpec = (xKuma: string) =>
    [
      'openapi: 3.0.3',
      'info: {title: shop, version: "1"}',
      'paths:',
      '  /orders:',
      '    get:',
      '      responses: {"200": {description: ok}}',
      '    post:',
      '      x-kuma:',
      ...xKuma.split('\n').map((line) => `        ${line}`),
      '      responses: {"200": {description: ok}}',
    ].join('\n');
  const renderText = async (text: string) =>
    renderApi({
      spec: await loadSpecFromFiles({ 'api.yaml': text }, 'api.yaml'),
      api: { name: 'shop', spec: 'api.yaml' },
    });
  const modifiers = (resources: KumaResource[]) =>
    resources
      .filter((r) => r.kind === 'MeshHTTPRoute')
      .flatMap(
        (r) => (r.spec.to as { rules: { default: { filters?: Record<string, unknown>[] } }[] }[])[0]!.rules,
      )
      .flatMap((rule) => rule.default.filters ?? [])
      .map(
        (filter) =>
          (filter.requestHeaderModifier ?? filter.responseHeaderModifier) as Record<string, unknown>,
      );

  it.each(['100%', '50% off', '%DOWNSTREAM_REMOTE_ADDRESS%', 'a%%b', '%', '%REQ(x-user)%'])(
    'value %j reaches the client and the service exactly as written',
    async (value) => {
      const xKuma = `requestHeaders: {set: {x-note: ${JSON.stringify(value)}}}\nresponseHeaders: {add: {x-note: ${JSON.stringify(value)}}}`;
      const { resources, findings } = await renderText(headerSpec(xKuma));
      expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
      const changes = modifiers(resources).flatMap((m) => [
        ...((m.set as { value: string }[]) ?? []),
        ...((m.add as { value: string }[]) ?? []),
      ]);
      expect(changes).toHaveLength(2);
      for (const change of changes) expect(envoyHeaderValue(change.value)).toBe(value);
    },
  );

  it.each([
    ['responseHeaders: {set: {host: internal.example.com}}', 'host'],
    ['requestHeaders:\n  add:\n    Host: internal.example.com', 'Host'],
    ['responseHeaders:\n  remove: [x-powered-by, HOST]', 'HOST'],
    ['requestHeaders:\n  set: {x-ok: "1"}\n  remove:\n    - host', 'host'],
  ])('%j is refused on its line, and that operation is not exposed', async (xKuma, name) => {
    const text = headerSpec(xKuma);
    const { resources, findings } = await renderText(text);
    const lines = text.split('\n');
    const line =
      lines.findIndex((l, i) => i >= 7 && new RegExp(`(^|[\\s{\\[,-])${name}[:\\],}]|- ${name}$`).test(l)) +
      1;
    expect(findings).toContainEqual(
      expect.objectContaining({
        id: 'x-kuma-header-refused',
        kind: 'routing',
        severity: 'error',
        file: 'api.yaml',
        line,
        operation: 'POST /orders',
      }),
    );
    const routes = JSON.stringify(resources.filter((r) => r.kind === 'MeshHTTPRoute'));
    expect(routes).toContain('"method":"GET"');
    expect(routes).not.toContain('"method":"POST"');
    expect(routes.toLowerCase()).not.toContain('"host"');
  });

  it('set host on a request is kept: the Kuma gateway turns it into a host rewrite, not an Envoy header change', async () => {
    const { resources, findings } = await renderText(
      headerSpec('requestHeaders: {set: {Host: internal.example.com}}'),
    );
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(JSON.stringify(resources)).toContain('{"name":"host","value":"internal.example.com"}');
    expect(validateKumaResources(resources)).toEqual([]);
  });

  it('a pseudo-header is an error before it reaches the output', async () => {
    const { resources, findings } = await renderText(headerSpec('requestHeaders: {set: {":path": /admin}}'));
    expect(findings.some((f) => f.severity === 'error' && f.line === 9)).toBe(true);
    expect(JSON.stringify(resources)).not.toContain(':path');
  });
});

describe('D6 through the CLI: what the user sees', () => {
  const renderFile = async (xKuma: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mesh-semantics-'));
    writeFileSync(
      path.join(dir, 'api.yaml'),
      [
        'openapi: 3.0.3',
        'info: {title: t, version: "1"}',
        'paths:',
        '  /orders:',
        '    get:',
        '      x-kuma:',
        `        ${xKuma}`,
        '      responses: {"200": {description: ok}}',
      ].join('\n'),
    );
    return runCli(['render', 'api.yaml'], dir);
  };

  it('a host change exits 1 with the finding on its line and prints no manifests', async () => {
    const run = await renderFile('requestHeaders: {add: {Host: a.example.com}}');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^api\.yaml:7:\d+: error: GET \/orders: Envoy refuses to add, set or remove the "Host" header.*\[x-kuma-header-refused\]$/m,
    );
    expect(run.stdout).toBe('');
  });

  it('a value with % exits 0 and carries it escaped', async () => {
    const run = await renderFile('responseHeaders: {set: {x-discount: "10% off"}}');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('value: 10%% off');
  });
});
