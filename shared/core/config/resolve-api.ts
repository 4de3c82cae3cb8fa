/**
 * The API as it is rendered: its config entry with the CLI's overrides and the namespace default applied, or,
 * for a bare spec without a repo config, an API named after the spec.
 *
 * Service namespace: on Kubernetes a MeshService reference without a namespace would mean `kuma-system`, which
 * is never right, so an API whose config gives no `service.namespace` gets `default` (the Kubernetes default
 * namespace), for the CLI and the App alike. Universal has no namespaces.
 * @module
 */
import { buildName } from '../kuma/render/names.js';
import type { ApiConfig, ManifestFormat } from '../kuma/render/types.js';
import type { LoadedSpec } from '../spec/types.js';

/** Namespace of the backing MeshService on Kubernetes when the config names none. */
export const defaultServiceNamespace = 'default';

/** Settings that win over every API's config (CLI flags). */
export interface ApiOverrides {
  gateway?: string;
  hostnames?: string[];
  service?: { name?: string; namespace?: string; port?: number };
}

export function applyOverrides(entry: ApiConfig, overrides: ApiOverrides, format: ManifestFormat): ApiConfig {
  const service = { ...entry.service, ...overrides.service };
  if (format === 'k8s' && !service.namespace) service.namespace = defaultServiceNamespace;
  return {
    ...entry,
    service,
    ...(overrides.gateway ? { gateway: overrides.gateway } : {}),
    ...(overrides.hostnames ? { hostnames: overrides.hostnames } : {}),
  };
}

/** A bare spec's API is named after its title (else its file), so resources read `users-…`, not `openapi-…`. */
export function nameFromSpec(spec: LoadedSpec): string {
  const title = (spec.bundle?.info as { title?: unknown } | undefined)?.title;
  const fromTitle = typeof title === 'string' ? buildName(title.replace(/\bapi\b/gi, '')) : '';
  if (fromTitle && fromTitle !== 'unnamed') return fromTitle.slice(0, 40).replace(/-+$/, '');
  const file = spec.entry.slice(spec.entry.lastIndexOf('/') + 1);
  return buildName(file.replace(/\.(ya?ml|json)$/i, ''));
}

/** The API name `check` gives one spec compared without a repo config: its file name without the extension. */
export function nameFromEntry(entry: string): string {
  return entry.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/i, '');
}
