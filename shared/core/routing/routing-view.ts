/**
 * What the routing checks see of one API on one side of a change: its spec, and the base path and hostnames
 * the gateway will route it under (the repo config's when it sets them, else the spec's first server).
 * @module
 */
import type { SourcePosition } from '../findings.js';
import type { ApiConfig } from '../kuma/render/types.js';
import type { LoadedSpec, SourceFile } from '../spec/types.js';
import { readServerPaths } from './server-paths.js';

export interface RoutingView {
  spec: LoadedSpec;
  /** From the repo config, when it sets one: wins over the spec's servers. */
  basePath?: string;
  /** From the repo config, when it sets them: win over the spec's servers. */
  hostnames?: string[];
  /** Where the repo config sets `basePath` / `hostnames` (repo mode), so findings point there. */
  configPositions?: { basePath?: SourcePosition; hostnames?: SourcePosition };
}

/** One side of an API in a check: its spec, its config entry, and where that entry sits in the config (repo mode). */
export interface ConfiguredSpec {
  spec: LoadedSpec;
  api: Pick<ApiConfig, 'basePath' | 'hostnames'>;
  config?: { file: SourceFile; index: number };
}

/** The routing view of one side: the config's base path and hostnames win, and findings point at them. */
export function buildRoutingView(side: ConfiguredSpec): RoutingView {
  const { api, config } = side;
  const at = (key: 'basePath' | 'hostnames'): SourcePosition | undefined => {
    if (!config || api[key] === undefined) return undefined;
    return { file: config.file.path, ...config.file.locate(`/apis/${config.index}/${key}`) };
  };
  const basePathAt = at('basePath');
  const hostnamesAt = at('hostnames');
  return {
    spec: side.spec,
    ...(api.basePath !== undefined ? { basePath: api.basePath } : {}),
    ...(api.hostnames !== undefined ? { hostnames: api.hostnames } : {}),
    configPositions: {
      ...(basePathAt ? { basePath: basePathAt } : {}),
      ...(hostnamesAt ? { hostnames: hostnamesAt } : {}),
    },
  };
}

/** The effective routing of a view, with the place each value comes from. */
export interface EffectiveRouting {
  /**
   * The base paths the gateway serves the API under (server-paths.ts), for people: `/v1`, `/` for the root,
   * `/{v1|v2}` for an enum variable, several joined by `, `.
   */
  basePath: string;
  basePathAt: SourcePosition;
  /** Whether the value is the repo config's (else the spec's servers). */
  basePathFromConfig: boolean;
  /** Lower case; empty = any host. */
  hostnames: string[];
  hostnamesAt: SourcePosition;
  hostnamesFromConfig: boolean;
  /** Server URLs (OpenAPI 3) or the `scheme://host/basePath` they imply (Swagger 2.0), variables substituted. */
  servers: { url: string; at: SourcePosition }[];
}

export function buildEffectiveRouting(view: RoutingView): EffectiveRouting {
  const { spec } = view;
  const doc = spec.bundle ?? {};
  const servers = spec.version === '2.0' ? listSwaggerServers(doc) : listServers(doc);
  const first = servers[0];
  const host = first ? readServerHost(first.url) : undefined;
  const specPathPointer = spec.version === '2.0' ? '/basePath' : '/servers/0/url';
  const specHostPointer = spec.version === '2.0' ? '/host' : '/servers/0/url';
  const { bases } = readServerPaths(spec, view.basePath);
  return {
    basePath: bases.length > 0 ? bases.map((base) => base.display).join(', ') : '(no routable server)',
    basePathFromConfig: view.basePath !== undefined,
    basePathAt:
      view.basePath !== undefined && view.configPositions?.basePath
        ? view.configPositions.basePath
        : spec.locate(specPathPointer),
    hostnamesFromConfig: view.hostnames !== undefined,
    hostnames: (view.hostnames ?? (host ? [host] : [])).map((host) => host.toLowerCase()).sort(),
    hostnamesAt:
      view.hostnames !== undefined && view.configPositions?.hostnames
        ? view.configPositions.hostnames
        : spec.locate(specHostPointer),
    servers: servers.map((server) => ({ url: server.url, at: spec.locate(server.pointer) })),
  };
}

interface ServerRef {
  url: string;
  pointer: string;
}

function listServers(doc: Record<string, unknown>): ServerRef[] {
  const servers = doc.servers;
  if (!Array.isArray(servers)) return [];
  return servers.flatMap((server, index) => {
    const { url, variables } = (server ?? {}) as {
      url?: unknown;
      variables?: Record<string, { default?: unknown }>;
    };
    if (typeof url !== 'string') return [];
    const substituted = url.replace(/\{([^}]*)\}/g, (whole, name: string) => {
      const fallback = variables?.[name]?.default;
      return typeof fallback === 'string' ? fallback : whole;
    });
    return [{ url: substituted, pointer: `/servers/${index}/url` }];
  });
}

function listSwaggerServers(doc: Record<string, unknown>): ServerRef[] {
  const host = typeof doc.host === 'string' ? doc.host : '';
  const basePath = typeof doc.basePath === 'string' ? doc.basePath : '';
  const schemes = Array.isArray(doc.schemes) && doc.schemes.length > 0 ? doc.schemes.map(String) : [''];
  if (!host && !basePath) return [];
  const pointer = host ? '/host' : '/basePath';
  return schemes.map((scheme) => ({
    url: host ? `${scheme ? `${scheme}:` : ''}//${host}${basePath}` : basePath,
    pointer,
  }));
}

/** The host of a server URL (`https://h/…`, `//h/…`); undefined for a path (`/v1`) or an unparsable URL. */
function readServerHost(url: string): string | undefined {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(url)
    ? url
    : url.startsWith('//')
      ? `http:${url}`
      : undefined;
  if (!absolute) return undefined;
  try {
    return new URL(absolute).hostname || undefined;
  } catch {
    return undefined;
  }
}
