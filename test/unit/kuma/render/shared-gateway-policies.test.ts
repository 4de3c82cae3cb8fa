/**
 * APIs of one repo on one builtin MeshGateway must not silently change each other's behaviour (issue 11, D7/D9):
 * Kuma keys per-route policies by a rule's matches alone (not its hostnames), and replaces one access log or
 * trace with another. Both are reported on the lines that cause them; routing stays as it is.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryFileSource } from '../../../../shared/adapters/memory-file-source.js';
import { hashMatches } from '../../../../shared/core/kuma/render/shared-policy-keys.js';
import { renderRepo } from '../../../../shared/use-cases/render-repo.js';

/** A spec: `root` is its root x-kuma (flow YAML) and `paths` lines of `  /path:\n    method: {…}`. */
function spec(operations: string[], root?: string): string {
  return [
    'openapi: 3.0.3',
    'info: {title: t, version: "1"}',
    ...(root ? [`x-kuma: ${root}`] : []),
    'paths:',
    ...operations,
  ].join('\n');
}
const op = (path: string, method: string, xKuma?: string) => [
  `  ${path}:`,
  `    ${method}: {${xKuma ? `x-kuma: ${xKuma}, ` : ''}responses: {"200": {description: ok}}}`,
];

function repo(a: string, b: string, files: { a: string; b: string }, extra = '') {
  const config = [
    'version: 1',
    ...(extra ? [extra] : []),
    'apis:',
    `  - {name: a, spec: a.yaml, ${a}}`,
    `  - {name: b, spec: b.yaml, ${b}}`,
  ].join('\n');
  return createMemoryFileSource({ '.kuma-api-forge.yaml': config, 'a.yaml': files.a, 'b.yaml': files.b });
}

const where = (f: { id: string; file: string; line: number }) => `${f.id} ${f.file}:${f.line}`;
const idsOf = async (source: ReturnType<typeof repo>) =>
  (await renderRepo(source)).findings.map(where).sort();

const hosts = (a: string, b: string) => [`hostnames: [${a}]`, `hostnames: [${b}]`] as const;
const rateLimit = '{rateLimit: {requests: 10, interval: 1s}}';

describe("Kuma's per-route policy key (HashMatches)", () => {
  it('is the Envoy route name of Kuma 2.14.3 gateway goldens, whatever the YAML key order', () => {
    // kumahq/kuma v2.14.3 pkg/plugins/policies/meshhttproute/plugin/v1alpha1/testdata/
    // gateway-listener-different-hostnames-specific.routes.golden.yaml: `name:` of the /to-go-dev and
    // /to-other-dev routes, two PathPrefix matches on two hostnames of one listener.
    expect(hashMatches([{ path: { value: '/to-go-dev', type: 'PathPrefix' } }])).toBe(
      'Frbf/SZpiW1b8rEPrn3A7c4EKGSGnefVDLJRfVGAYpE=',
    );
    expect(hashMatches([{ path: { type: 'PathPrefix', value: '/to-other-dev' } }])).toBe(
      'lDbZlCo24LgzLwJXScqSGn9A/Cc48ZccKoWZ5to5nIE=',
    );
  });

  it("hashes Go's json.Marshal bytes: struct field order, omitempty, HTML-escaped <, >, &", () => {
    const go = (json: string) => createHash('sha256').update(json).digest('base64');
    expect(
      hashMatches([
        {
          method: 'GET',
          headers: [{ name: 'x-a', type: 'Exact', value: 'a&b' }],
          queryParams: [{ value: '<1>', name: 'q', type: 'Exact' }],
          path: { type: 'Exact', value: '/a' },
        },
      ]),
    ).toBe(
      go(
        '[{"path":{"value":"/a","type":"Exact"},"method":"GET","queryParams":[{"type":"Exact","name":"q","value":"\\u003c1\\u003e"}],"headers":[{"type":"Exact","name":"x-a","value":"a\\u0026b"}]}]',
      ),
    );
    expect(hashMatches([{ headers: [{ name: 'x-present', type: 'Present' }] }])).toBe(
      go('[{"headers":[{"type":"Present","name":"x-present"}]}]'),
    );
  });
});

describe('kuma-policy-shared: equal matches of two APIs on one gateway, per-route policies that differ', () => {
  it('same path on different hostnames, a rate limit on one: an error on both operations', async () => {
    const source = repo(...hosts('a.example.com', 'b.example.com'), {
      a: spec([...op('/health', 'get', rateLimit)]),
      b: spec([...op('/other', 'get'), ...op('/health', 'get')]),
    });
    const { findings } = await renderRepo(source);
    expect(findings.map(where).sort()).toEqual([
      'kuma-policy-shared a.yaml:5',
      'kuma-policy-shared b.yaml:7',
    ]);
    const onB = findings.find((f) => f.file === 'b.yaml')!;
    expect(onB).toMatchObject({ severity: 'error', kind: 'routing', operation: 'GET /health' });
    expect(onB.message).toContain('API "a"');
    expect(onB.message).toContain('MeshRateLimit');
  });

  it('different kinds on each side (timeout vs retries) leak both ways', async () => {
    const source = repo(...hosts('a.example.com', 'b.example.com'), {
      a: spec([...op('/x', 'get', '{timeout: 30s}')]),
      b: spec([...op('/x', 'get', '{retries: {attempts: 2}}')]),
    });
    const { findings } = await renderRepo(source);
    expect(findings.map(where).sort()).toEqual([
      'kuma-policy-shared a.yaml:5',
      'kuma-policy-shared b.yaml:5',
    ]);
    expect(findings[0]!.message).toContain('MeshRetry, MeshTimeout');
  });

  it('a wildcard and an exact host that do not overlap (*.example.com, example.com) share the key', async () => {
    const source = repo(...hosts('"*.example.com"', 'example.com'), {
      a: spec([...op('/x', 'get')], '{timeout: 2s}'),
      b: spec([...op('/x', 'get')]),
    });
    expect(await idsOf(source)).toEqual(['kuma-policy-shared a.yaml:6', 'kuma-policy-shared b.yaml:5']);
  });

  it('templated paths that render the same regex share the key; the route names play no part', async () => {
    const source = repo(...hosts('a.example.com', 'b.example.com'), {
      a: spec([...op('/users/{id}', 'get', '{timeout: 3s}')]),
      b: spec([...op('/users/{name}', 'get')]),
    });
    const result = await renderRepo(source);
    const regex = (api: number) =>
      (result.apis[api]!.resources.find((r) => r.kind === 'MeshHTTPRoute')!.spec.to as never[]).flatMap(
        (to: { rules: { matches: unknown[] }[] }) => to.rules.map((rule) => rule.matches),
      );
    expect(regex(0)).toEqual(regex(1));
    expect(result.findings.map(where).sort()).toEqual([
      'kuma-policy-shared a.yaml:5',
      'kuma-policy-shared b.yaml:5',
    ]);
  });

  it('an overlapping wildcard is already a collision: reported once, as kuma-api-collision', async () => {
    const source = repo(...hosts('"*.example.com"', 'a.example.com'), {
      a: spec([...op('/x', 'get', rateLimit)]),
      b: spec([...op('/x', 'get')]),
    });
    expect(await idsOf(source)).toEqual(['kuma-api-collision b.yaml:5']);
  });

  it('no finding: other methods, equal policies, no policies, other gateways, other regex', async () => {
    const cases: [string, ReturnType<typeof repo>][] = [
      [
        'GET vs DELETE',
        repo(...hosts('a.example.com', 'b.example.com'), {
          a: spec([...op('/x', 'get', rateLimit)]),
          b: spec([...op('/x', 'delete')]),
        }),
      ],
      [
        'equal timeouts',
        repo(...hosts('a.example.com', 'b.example.com'), {
          a: spec([...op('/x', 'get', '{timeout: 9s}')]),
          b: spec([...op('/x', 'get')], '{timeout: 9s}'),
        }),
      ],
      [
        'no policies',
        repo(...hosts('a.example.com', 'b.example.com'), {
          a: spec([...op('/x', 'get')]),
          b: spec([...op('/x', 'get')]),
        }),
      ],
      [
        'two gateways',
        repo('gateway: one', 'gateway: two', {
          a: spec([...op('/x', 'get', rateLimit)]),
          b: spec([...op('/x', 'get')]),
        }),
      ],
      [
        'same template, other base path',
        repo('hostnames: [a.example.com], basePath: /v1', 'hostnames: [b.example.com], basePath: /v2', {
          a: spec([...op('/users/{id}', 'get', rateLimit)]),
          b: spec([...op('/users/{id}', 'get')]),
        }),
      ],
    ];
    for (const [name, source] of cases) expect(await idsOf(source), name).toEqual([]);
  });
});

describe('kuma-gateway-policy-conflict: two APIs setting different access logs or traces on one gateway', () => {
  it('different access log files: an error on the x-kuma accessLog line of both specs', async () => {
    const source = repo(...hosts('a.example.com', 'b.example.com'), {
      a: spec([...op('/a', 'get')], '{accessLog: {file: /dev/stdout}}'),
      b: spec([...op('/b', 'get')], '{accessLog: {tcp: "logs.example.com:5000"}}'),
    });
    const { findings } = await renderRepo(source);
    expect(findings.map(where).sort()).toEqual([
      'kuma-gateway-policy-conflict a.yaml:3',
      'kuma-gateway-policy-conflict b.yaml:3',
    ]);
    expect(findings[0]!.message).toContain('accessLog');
    expect(findings[0]!.pointer).toBe('/x-kuma/accessLog');
  });

  it('zipkin vs OpenTelemetry, or another sampling: a conflict; set from config defaults: on that line', async () => {
    const otel = '{trace: {openTelemetry: "otel.example.com:4317"}}';
    const source = repo(
      'hostnames: [a.example.com]',
      'hostnames: [b.example.com], defaults: {trace: {zipkin: "http://z:9411/api/v2/spans"}}',
      {
        a: spec([...op('/a', 'get')], otel),
        b: spec([...op('/b', 'get')]),
      },
    );
    expect(await idsOf(source)).toEqual([
      'kuma-gateway-policy-conflict .kuma-api-forge.yaml:4',
      'kuma-gateway-policy-conflict a.yaml:3',
    ]);
    const sampling = repo(...hosts('a.example.com', 'b.example.com'), {
      a: spec([...op('/a', 'get')], '{trace: {openTelemetry: "otel.example.com:4317", sampling: 10}}'),
      b: spec([...op('/b', 'get')], otel),
    });
    expect(await idsOf(sampling)).toEqual([
      'kuma-gateway-policy-conflict a.yaml:3',
      'kuma-gateway-policy-conflict b.yaml:3',
    ]);
  });

  it('no finding: the same sink on both, one API only, or two gateways', async () => {
    const log = '{accessLog: {file: /dev/stdout}}';
    const cases: [string, ReturnType<typeof repo>][] = [
      ['same file', repo('', '', { a: spec([...op('/a', 'get')], log), b: spec([...op('/b', 'get')], log) })],
      ['one API', repo('', '', { a: spec([...op('/a', 'get')], log), b: spec([...op('/b', 'get')]) })],
      [
        'two gateways',
        repo('gateway: one', 'gateway: two', {
          a: spec([...op('/a', 'get')], log),
          b: spec([...op('/b', 'get')], '{accessLog: {file: /tmp/b.log}}'),
        }),
      ],
    ];
    for (const [name, source] of cases) expect(await idsOf(source), name).toEqual([]);
  });
});
