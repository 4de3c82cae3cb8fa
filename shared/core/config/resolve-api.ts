/**
 * The API as it is rendered: its config entry with the CLI's overrides and the namespace default applied, or,
 * for a bare spec without a repo config, an API named after the spec.
 *
 * Service namespace: on Kubernetes a MeshService reference without a namespace would mean `kuma-system`, which
 * is never right, so an API whose config gives no `service.namespace` gets `default` (the Kubernetes default
 * namespace), for the CLI and the App alike. Universal has no namespaces.
 * @module
 */
import { buildName, buildSlug } from '../kuma/render/names.js';
import type { ApiConfig, ManifestFormat, ParentGatewayRef, RenderTargetName } from '../kuma/render/types.js';
import type { LoadedSpec } from '../spec/types.js';

/** Namespace of the backing MeshService on Kubernetes when the config names none. */
export const defaultServiceNamespace = 'default';

/** Settings that win over every API's config (CLI flags). */
export interface ApiOverrides {
  /** Render every API for this target (api-target.ts); `parentRef` names its Gateway on gateway-api. */
  target?: RenderTargetName;
  parentRef?: ParentGatewayRef;
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
    ...(overrides.gateway && entry.target !== 'gateway-api' ? { gateway: overrides.gateway } : {}),
    ...(overrides.hostnames ? { hostnames: overrides.hostnames } : {}),
  };
}

/**
 * The gateway an API's routes are on, as the repo and tenancy checks compare it: the MeshGateway's name, or for
 * gateway-api the parent Gateway as `namespace/name` (a slash no MeshGateway name has).
 */
export function routeGateway(api: ApiConfig): string {
  if (api.target !== 'gateway-api' || !api.parentRef) return api.gateway ?? 'gateway';
  const namespace =
    api.parentRef.namespace ?? api.routeNamespace ?? api.service?.namespace ?? defaultServiceNamespace;
  return `${namespace}/${api.parentRef.name}`;
}

/** A bare spec's API is named after its title (else its file), so resources read `users-…`, not `openapi-…`. */
export function nameFromSpec(spec: LoadedSpec): string {
  const title = (spec.bundle?.info as { title?: unknown } | undefined)?.title;
  const fromTitle = typeof title === 'string' ? nameFromTitle(title) : '';
  if (fromTitle) return fromTitle;
  const file = spec.entry.slice(spec.entry.lastIndexOf('/') + 1);
  return buildName(file.replace(/\.(ya?ml|json)$/i, ''));
}

/**
 * A title as people write it, as a DNS-1123 label: `GitHub v3 REST API` → `github-v3-rest`, `APIs.guru` →
 * `apis-guru`, `OpenAI API` → `openai`, `Café` → `cafe`. Words are kept whole (a brand's capitals are not word
 * breaks, unlike an operationId's camelCase); the word "API" alone says nothing and is dropped; at most 40
 * characters, cut at a word. '' when nothing is left.
 */
export function nameFromTitle(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: é → e
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '' && word.toLowerCase() !== 'api')
    .flatMap((word) => (camelBreaks(word) >= 2 ? buildSlug(word).split('-') : [word.toLowerCase()]));
  let name = '';
  for (const word of words) {
    const next = name ? `${name}-${word}` : word;
    if (next.length > 40) return name || word.slice(0, 40);
    name = next;
  }
  return name;
}

/**
 * Case changes inside a word: one is a brand (`GitHub`, `OpenAI`, `IoT`), two or more an identifier used as a
 * title (`BackupManagementClient`, `AWSMainframeModernization`), whose words are split.
 */
function camelBreaks(word: string): number {
  return (word.match(/[a-z0-9][A-Z]/g)?.length ?? 0) + (word.match(/[A-Z][A-Z][a-z]/g)?.length ?? 0);
}

/** The API name `check` gives one spec compared without a repo config: its file name without the extension. */
export function nameFromEntry(entry: string): string {
  return entry.replace(/^.*\//, '').replace(/\.(ya?ml|json)$/i, '');
}
