/**
 * Which render target an API of the repo config is rendered for, and the config keys that contradict it:
 * `gateway` names a MeshGateway (kuma-gateway only), `parentRef`/`routeNamespace` a Gateway API Gateway and
 * its routes' namespace (gateway-api only), and gateway-api renders Kubernetes objects only. A `--target`
 * override (the CLI) renders the API for that target, dropping the other target's keys instead of refusing
 * them: that is how an API is previewed on the other edge during a migration. Pure.
 * @module
 */
import type { Finding } from '../findings.js';
import type { ApiConfig, ManifestFormat, ParentGatewayRef, RenderTargetName } from '../kuma/render/types.js';
import type { SourceFile } from '../spec/types.js';

export const defaultTarget: RenderTargetName = 'kuma-gateway';

/** Repo-wide defaults (top-level `target` and `parentRef` of the config) or CLI overrides. */
export interface TargetSettings {
  target?: RenderTargetName;
  parentRef?: ParentGatewayRef;
}

/**
 * The API with its effective `target` (and `parentRef` on gateway-api), or findings on the config lines that
 * contradict it (then the API is not rendered).
 */
export function resolveApiTarget(
  file: SourceFile,
  entry: ApiConfig,
  index: number,
  defaults: TargetSettings,
  override: TargetSettings,
  format: ManifestFormat,
): { api?: ApiConfig; findings: Finding[] } {
  const base = `/apis/${index}`;
  const findings: Finding[] = [];
  const refuse = (pointer: string, message: string) =>
    findings.push({
      kind: 'validation',
      id: 'config-target',
      severity: 'error',
      message: `apis[${index}] (${entry.name}): ${message}`,
      file: file.path,
      ...file.locate(pointer),
    });
  const target = override.target ?? entry.target ?? defaults.target ?? defaultTarget;
  const targetAt =
    override.target === undefined && entry.target === undefined && defaults.target !== undefined
      ? '/target'
      : entry.target !== undefined
        ? `${base}/target`
        : base;
  const { gateway, parentRef, routeNamespace, ...rest } = entry;
  if (target === 'kuma-gateway') {
    if (override.target === undefined) {
      for (const [key, value] of [
        ['parentRef', parentRef],
        ['routeNamespace', routeNamespace],
      ] as const) {
        if (value === undefined) continue;
        refuse(
          `${base}/${key}`,
          `"${key}" applies to target gateway-api, but the API's target is kuma-gateway (its routes attach to the MeshGateway "gateway"): set target: gateway-api or remove "${key}"`,
        );
      }
    }
    if (findings.length > 0) return { findings };
    return { api: { ...rest, target, ...(gateway !== undefined ? { gateway } : {}) }, findings };
  }
  if (gateway !== undefined && override.target === undefined) {
    refuse(
      `${base}/gateway`,
      `"gateway" names a MeshGateway of target kuma-gateway, but the API's target is gateway-api (its HTTPRoutes attach to parentRef): remove "gateway" or set target: kuma-gateway`,
    );
  }
  const parent = override.parentRef ?? parentRef ?? defaults.parentRef;
  if (!parent) {
    refuse(
      targetAt,
      'target gateway-api needs parentRef, the Gateway its HTTPRoutes attach to (in the API entry, or a repo-wide parentRef)',
    );
  }
  if (format !== 'k8s') {
    refuse(
      targetAt,
      `target gateway-api renders Kubernetes objects only (HTTPRoute, ReferenceGrant, Envoy Gateway policies), not --format ${format}`,
    );
  }
  if (findings.length > 0 || !parent) return { findings };
  return {
    api: {
      ...rest,
      target,
      parentRef: parent,
      ...(routeNamespace !== undefined ? { routeNamespace } : {}),
    },
    findings,
  };
}
