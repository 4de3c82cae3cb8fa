/**
 * What the routing checks see of one API on one side of a change: its spec, and the base path and hostnames
 * the gateway will route it under (the repo config's when it sets them, else the spec's first server).
 * @module
 */
import type { SourcePosition } from '../findings.js';
import type { LoadedSpec } from '../spec/types.js';

export interface RoutingView {
  spec: LoadedSpec;
  /** From the repo config, when it sets one: wins over the spec's servers. */
  basePath?: string;
  /** From the repo config, when it sets them: win over the spec's servers. */
  hostnames?: string[];
  /** Where the repo config sets `basePath` / `hostnames` (repo mode), so findings point there. */
  configPositions?: { basePath?: SourcePosition; hostnames?: SourcePosition };
}

/** The effective routing of a view, with the place each value comes from. */
export interface EffectiveRouting {
  /** Normalised: leading `/`, no trailing `/` (the root is `/`). */
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
  const fromSpec = first ? parseServerUrl(first.url) : { path: '/', host: undefined };
  const specPathPointer = spec.version === '2.0' ? '/basePath' : '/servers/0/url';
  const specHostPointer = spec.version === '2.0' ? '/host' : '/servers/0/url';
  return {
    basePath: normalisePath(view.basePath ?? fromSpec.path),
    basePathFromConfig: view.basePath !== undefined,
    basePathAt:
      view.basePath !== undefined && view.configPositions?.basePath
        ? view.configPositions.basePath
        : spec.locate(specPathPointer),
    hostnamesFromConfig: view.hostnames !== undefined,
    hostnames: (view.hostnames ?? (fromSpec.host ? [fromSpec.host] : []))
      .map((host) => host.toLowerCase())
      .sort(),
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

/** Host and path of a server URL; relative URLs (`/v1`) have no host. */
export function parseServerUrl(url: string): { path: string; host: string | undefined } {
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(url)
    ? url
    : url.startsWith('//')
      ? `http:${url}`
      : undefined;
  if (absolute) {
    try {
      const parsed = new URL(absolute);
      return { path: decodePath(parsed.pathname), host: parsed.hostname || undefined };
    } catch {
      return { path: '/', host: undefined };
    }
  }
  return { path: url.split(/[?#]/)[0] ?? '/', host: undefined };
}

function decodePath(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

export function normalisePath(path: string): string {
  const trimmed = path.trim().replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
