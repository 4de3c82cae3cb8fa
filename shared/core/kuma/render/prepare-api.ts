/**
 * The target-neutral half of rendering one API: the spec's x-kuma checked, the base paths it is served under,
 * one rendered rule per exposed operation (render-operation.ts), and the operations no target may expose
 * (collisions, conflicting route pins) dropped with a finding. Every render target assembles its resources
 * from this. Pure.
 * @module
 */
import type { Finding } from '../../findings.js';
import { findPathProblems } from '../../routing/path-problems.js';
import { readServerPaths } from '../../routing/server-paths.js';
import { listOperations } from '../../spec/operations.js';
import type { LoadedSpec } from '../../spec/types.js';
import type { ServiceConfig } from './build-route-parts.js';
import { dropPinConflicts } from './group-routes.js';
import { buildName } from './names.js';
import { type OperationContext, type RenderedOperation, renderOperation } from './render-operation.js';
import { resolveRootSettings } from './settings.js';
import type { ApiConfig, ManifestFormat, XKumaRoot } from './types.js';
import { checkXKuma } from './x-kuma.js';

/** One API with its exposed operations, before any target has placed them on routes. */
export interface PreparedApi {
  bundle: Record<string, unknown>;
  /** Root-level effective x-kuma: repo defaults < API defaults < the spec's root block. */
  root: XKumaRoot;
  /** The exposed operations, sorted by label; each with its rule's matches, filters and backends. */
  operations: RenderedOperation[];
  /** Every finding so far, in the order they were found; targets append theirs. */
  findings: Finding[];
}

export interface PrepareInput {
  spec: LoadedSpec;
  api: ApiConfig;
  defaults?: XKumaRoot;
  format?: ManifestFormat;
}

/** Undefined when the spec did not bundle (its findings say why): nothing to render. */
export function prepareApi(input: PrepareInput): PreparedApi | undefined {
  const { spec, api } = input;
  const bundle = spec.bundle;
  if (!bundle) return undefined;
  const checked = checkXKuma(spec);
  const findings: Finding[] = [...checked.findings];
  const block = (pointer: string, owner: Record<string, unknown>) =>
    checked.invalid.has(pointer) ? checked.kept.get(pointer) : owner['x-kuma'];
  const rootBlock = block('/x-kuma', bundle);
  // Every base path the API is served under (config basePath, else every server's path), and why a server is not.
  const served = readServerPaths(spec, api.basePath);
  findings.push(...served.findings);
  // Unroutable paths (errors: not exposed) and ignored parameter patterns, word for word as `check` says them.
  findings.push(...findPathProblems(spec, served.bases[0]?.template ?? ''));

  const context: OperationContext = {
    spec,
    bundle,
    api,
    inherited: [{ value: input.defaults }, { value: api.defaults }, { value: rootBlock, pointer: '/x-kuma' }],
    block,
    bases: served.bases,
    service: buildServiceConfig(api, input.format ?? 'k8s'),
    findings,
  };
  const rendered = listOperations(bundle).flatMap((operation) => renderOperation(context, operation) ?? []);
  // Sorted first so that which of two colliding operations wins does not depend on the document's key order.
  rendered.sort((a, b) => compareText(a.label, b.label));
  const operations = dropPinConflicts(dropCollisions(rendered, findings, spec), findings, spec.locate);
  return {
    bundle,
    root: resolveRootSettings([input.defaults, api.defaults, rootBlock]),
    operations,
    findings,
  };
}

function buildServiceConfig(api: ApiConfig, format: ManifestFormat): ServiceConfig {
  return {
    name: api.service?.name ?? buildName(api.name),
    port: api.service?.port ?? 80,
    versions: api.service?.versions ?? [],
    // Kuma resolves a MeshService reference by (mesh, zone, namespace, name): a Universal MeshService has no
    // namespace, so one in the reference would match nothing (resolve/backendref.go TargetRefToKRI).
    ...(api.service?.namespace && format === 'k8s' ? { namespace: api.service.namespace } : {}),
  };
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

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
