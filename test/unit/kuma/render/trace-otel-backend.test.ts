/**
 * x-kuma `trace.openTelemetry` in the form Kuma 3.0 keeps (issue 11, D9): a MeshOpenTelemetryBackend for the
 * collector and a MeshTrace that references it by labels (`openTelemetry.backendRef`, supported by Kuma 2.14.3),
 * never the inline `endpoint` 3.0 removes. The backend passes our port of Kuma's validator, which agrees with
 * Kuma's own MeshOpenTelemetryBackend validator cases.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import { serializeResources } from '../../../../shared/core/kuma/render/serialize-resources.js';
import type { KumaResource } from '../../../../shared/core/kuma/resource.js';
import { validateKumaResources } from '../../../../shared/core/kuma/validate/index.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';

async function render(trace: string, name = 'users') {
  const spec = await loadSpecFromFiles(
    {
      'api.yaml': [
        'openapi: 3.0.3',
        'info: {title: t, version: "1"}',
        `x-kuma: {trace: ${trace}}`,
        'paths:',
        '  /users:',
        '    get: {responses: {"200": {description: ok}}}',
      ].join('\n'),
    },
    'api.yaml',
  );
  return renderApi({ spec, api: { name, spec: 'api.yaml', gateway: 'edge' } });
}

const ofKind = (resources: KumaResource[], kind: string) => resources.filter((r) => r.kind === kind);

describe('trace.openTelemetry renders a MeshOpenTelemetryBackend and a MeshTrace referencing it', () => {
  it('no inline endpoint; the backendRef labels select exactly the rendered backend; all valid for Kuma', async () => {
    const { findings, resources } = await render(
      '{openTelemetry: "otel-collector.observability:4317", sampling: 10}',
    );
    expect(findings).toEqual([]);
    expect(validateKumaResources(resources)).toEqual([]);
    const [trace] = ofKind(resources, 'MeshTrace');
    const [backend] = ofKind(resources, 'MeshOpenTelemetryBackend');
    expect(JSON.stringify(trace!.spec)).not.toContain('endpoint');
    expect(trace!.spec).toMatchObject({
      targetRef: { kind: 'MeshGateway', name: 'edge' },
      default: { sampling: { overall: 10 } },
    });
    const { backends } = trace!.spec.default as { backends: { openTelemetry: { backendRef: unknown } }[] };
    const ref = backends[0]!.openTelemetry.backendRef as { kind: string; labels: Record<string, string> };
    expect(ref.kind).toBe('MeshOpenTelemetryBackend');
    // Kuma resolves the ref by label subset (oldest on a tie): the backend must carry every label of the ref.
    expect(backend).toMatchObject({ namespace: 'kuma-system', labels: ref.labels });
    expect(backend!.spec).toEqual({
      endpoint: { address: 'otel-collector.observability', port: 4317 },
      protocol: 'grpc',
    });
  });

  it('the labels reach the manifests in both formats', async () => {
    const { resources } = await render('{openTelemetry: "otel.example.com:4317"}');
    const ref = (
      ofKind(resources, 'MeshTrace')[0]!.spec.default as {
        backends: { openTelemetry: { backendRef: { labels: Record<string, string> } } }[];
      }
    ).backends[0]!.openTelemetry.backendRef.labels;
    for (const format of ['k8s', 'universal'] as const) {
      const docs = serializeResources(resources, format, { spec: 'api.yaml' }).flatMap((file) =>
        file.content
          .split(/^---$/m)
          .map((doc) => parse(doc))
          .filter(Boolean),
      );
      const backend = docs.find((doc) => (doc.kind ?? doc.type) === 'MeshOpenTelemetryBackend');
      expect(backend.metadata?.labels ?? backend.labels, format).toMatchObject(ref);
    }
  });

  it('two APIs naming the same collector render the same MeshTrace spec; another collector another one', async () => {
    const spec = async (api: string, endpoint: string) =>
      ofKind((await render(`{openTelemetry: "${endpoint}"}`, api)).resources, 'MeshTrace')[0]!.spec;
    expect(await spec('a', 'otel.example.com:4317')).toEqual(await spec('b', 'otel.example.com:4317'));
    expect(await spec('a', 'otel.example.com:4317')).not.toEqual(await spec('b', 'otel.example.com:4318'));
  });

  it('an IPv6 collector keeps its address without brackets', async () => {
    const { findings, resources } = await render('{openTelemetry: "[fd00::1]:4317"}');
    expect(findings).toEqual([]);
    expect(ofKind(resources, 'MeshOpenTelemetryBackend')[0]!.spec.endpoint).toEqual({
      address: 'fd00::1',
      port: 4317,
    });
  });

  it('a collector Kuma would refuse (not a hostname, port out of range) is an error, never emitted', async () => {
    for (const endpoint of ['bad!host:4317', 'otel.example.com:70000']) {
      const { findings, resources } = await render(`{openTelemetry: "${endpoint}"}`);
      expect(
        findings.map((f) => `${f.id} ${f.severity}`),
        endpoint,
      ).toEqual(['kuma-invalid-resource error']);
      expect(ofKind(resources, 'MeshOpenTelemetryBackend'), endpoint).toEqual([]);
    }
  });

  it('zipkin stays inline (Kuma 3.0 keeps it)', async () => {
    const { resources } = await render('{zipkin: "http://zipkin.example.com:9411/api/v2/spans"}');
    expect(ofKind(resources, 'MeshOpenTelemetryBackend')).toEqual([]);
    expect(ofKind(resources, 'MeshTrace')[0]!.spec.default).toEqual({
      backends: [{ type: 'Zipkin', zipkin: { url: 'http://zipkin.example.com:9411/api/v2/spans' } }],
    });
  });
});

describe("MeshOpenTelemetryBackend validation agrees with Kuma's own cases", () => {
  // kumahq/kuma v2.14.3 (0c7aaec033b7dad03c3a9f4d5b56eb6d941bfff9), Apache-2.0:
  // pkg/core/resources/apis/meshopentelemetrybackend/api/v1alpha1/testdata/<name>.input.yaml (spec) and, for
  // the invalid ones, the field of the violation in <name>.output.yaml.
  const cases: [name: string, spec: string, field: string | undefined][] = [
    ['minimal-valid', 'endpoint: {address: otel-collector.observability, port: 4317}', undefined],
    ['empty-spec-valid', 'protocol: grpc', undefined],
    ['endpoint-only-port-valid', 'endpoint: {port: 4318}', undefined],
    [
      'full-valid-http',
      'endpoint: {address: otel-collector.observability, port: 4318, path: /v1/custom}\nprotocol: http',
      undefined,
    ],
    ['endpoint-empty-address-invalid', 'endpoint: {address: "", port: 4317}', 'spec.endpoint.address'],
    ['invalid-address', 'endpoint: {address: "not a valid address!@#", port: 4317}', 'spec.endpoint.address'],
    [
      'port-out-of-range-invalid',
      'endpoint: {address: otel-collector.observability, port: 70000}',
      'spec.endpoint.port',
    ],
    [
      'grpc-with-path-invalid',
      'endpoint: {address: otel-collector.observability, port: 4317, path: /some/path}\nprotocol: grpc',
      'spec.endpoint.path',
    ],
    [
      'path-no-slash-invalid',
      'endpoint: {address: otel-collector.observability, port: 4318, path: v1/traces}\nprotocol: http',
      'spec.endpoint.path',
    ],
    [
      'path-with-query-invalid',
      'endpoint: {address: otel-collector.observability, port: 4318, path: "/v1/traces?format=json"}\nprotocol: http',
      'spec.endpoint.path',
    ],
    [
      'invalid-protocol',
      'endpoint: {address: otel-collector.observability, port: 4317}\nprotocol: tcp',
      'spec.protocol',
    ],
  ];
  it.each(cases)('%s', (_name, text, field) => {
    const resource: KumaResource = {
      kind: 'MeshOpenTelemetryBackend',
      name: 'otel',
      namespace: 'kuma-system',
      mesh: 'default',
      spec: parse(text) as Record<string, unknown>,
    };
    const problems = validateKumaResources([resource]);
    if (field === undefined) expect(problems).toEqual([]);
    else expect(problems.map((p) => p.path)).toContain(field);
  });

  it('lives in the system namespace only (allowed_on_system_namespace_only)', () => {
    const problems = validateKumaResources([
      { kind: 'MeshOpenTelemetryBackend', name: 'otel', namespace: 'users', mesh: 'default', spec: {} },
    ]);
    expect(problems.map((p) => p.path)).toContain('namespace');
  });
});
