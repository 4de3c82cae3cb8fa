/**
 * Where a tenancy finding points: the API's entry in the repo config, or the operation in its spec that made
 * the offending route rule. Pure: reads only the parsed config and the loaded spec.
 * @module
 */
import type { SourcePosition } from '../findings.js';
import type { ApiConfig } from '../kuma/render/index.js';
import type { OperationRoute } from '../kuma/render/render-api.js';
import type { LoadedSpec, SourceFile } from '../spec/types.js';
import { gatewayWideSettings, type TenancyCause } from './check-tenancy.js';

/** What the locator needs of one rendered API (a `RenderedRepoApi` fits). */
export interface LocatableApi {
  /** The API as rendered: config entry, overrides and the namespace default applied. */
  api: Pick<ApiConfig, 'gateway' | 'hostnames' | 'basePath'>;
  /** Index of the API in the config's `apis`; undefined for a bare spec. */
  configIndex?: number;
  spec: Pick<LoadedSpec, 'bundle' | 'locate'>;
  operations: readonly Pick<OperationRoute, 'route' | 'ruleIndex' | 'pointer'>[];
}

/** Where a tenancy cause sits: the API's config entry, or the operation in its spec that made the route rule. */
export function buildTenancyLocator(
  rendered: LocatableApi,
  configFile: SourceFile,
): (cause: TenancyCause) => SourcePosition | undefined {
  const base = `/apis/${rendered.configIndex ?? 0}`;
  const entry = (configFile.value as { apis?: unknown[] } | undefined)?.apis?.[rendered.configIndex ?? 0];
  const atConfig = (pointer: string): SourcePosition => ({
    file: configFile.path,
    ...configFile.locate(pointer),
  });
  const operationAt = (route: string, ruleIndex: number) => {
    const operation = rendered.operations.find((op) => op.route === route && op.ruleIndex === ruleIndex);
    return operation ? rendered.spec.locate(operation.pointer) : undefined;
  };
  const { api } = rendered;
  return (cause) => {
    switch (cause.kind) {
      case 'api':
        return atConfig(base);
      case 'gateway':
        return atConfig(api.gateway !== undefined ? `${base}/gateway` : base);
      case 'hostname': {
        const at = (api.hostnames ?? []).indexOf(cause.hostname);
        return atConfig(at >= 0 ? `${base}/hostnames/${at}` : base);
      }
      case 'namespace':
        if ((entry as { routeNamespace?: unknown } | undefined)?.routeNamespace === cause.namespace)
          return atConfig(`${base}/routeNamespace`);
        return atConfig(hasKey(entry, 'service', 'namespace') ? `${base}/service/namespace` : base);
      case 'parent-gateway':
        return atConfig(
          hasKey(entry, 'parentRef', 'name')
            ? `${base}/parentRef`
            : hasKey(configFile.value, 'parentRef', 'name')
              ? '/parentRef'
              : base,
        );
      case 'base-path':
        return api.basePath !== undefined
          ? atConfig(`${base}/basePath`)
          : operationAt(cause.route, cause.ruleIndex);
      case 'route':
        return operationAt(cause.route, cause.ruleIndex);
      case 'mesh':
        return atConfig(
          (configFile.value as { mesh?: unknown } | undefined)?.mesh !== undefined ? '/mesh' : base,
        );
      case 'gateway-wide':
        return locateRootSetting(rendered, configFile, gatewayWideSettings[cause.resourceKind] ?? '');
    }
  };
}

/**
 * Where a root x-kuma key of an API comes from: the spec's `x-kuma`, else its config entry's `defaults`, else the
 * config's `defaults`, else the API's config entry.
 */
export function locateRootSetting(
  api: Pick<LocatableApi, 'configIndex' | 'spec'>,
  configFile: SourceFile,
  key: string,
): SourcePosition {
  const base = `/apis/${api.configIndex ?? 0}`;
  const entry = (configFile.value as { apis?: unknown[] } | undefined)?.apis?.[api.configIndex ?? 0];
  const atConfig = (pointer: string): SourcePosition => ({
    file: configFile.path,
    ...configFile.locate(pointer),
  });
  if (hasKey(api.spec.bundle, 'x-kuma', key)) return api.spec.locate(`/x-kuma/${key}`);
  if (hasKey(entry, 'defaults', key)) return atConfig(`${base}/defaults/${key}`);
  return atConfig(hasKey(configFile.value, 'defaults', key) ? `/defaults/${key}` : base);
}

function hasKey(value: unknown, key: string, inner: string): boolean {
  const child = (value as Record<string, unknown> | undefined)?.[key];
  return typeof child === 'object' && child !== null && inner in child;
}
