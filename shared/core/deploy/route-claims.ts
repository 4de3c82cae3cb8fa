/**
 * What rendered manifests claim on the mesh edge, read back from the manifest files themselves (so the same
 * code reads this repo's new render and what other tenants already have in the deploy repo): the resources by
 * kind and name, and each route rule's gateway, hostnames, method and path match.
 * @module
 */
import { parse } from 'yaml';
import type { ManifestFile } from '../kuma/render/types.js';
import { asArray, asObject } from '../kuma/validate/problem.js';

export interface ManifestResource {
  /** Kubernetes `apiVersion` (absent in Universal files). */
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
  /** Kuma mesh: the `kuma.io/mesh` label (Kubernetes) or `mesh` (Universal); undefined when not set. */
  mesh?: string;
  spec: Record<string, unknown>;
  /** File the resource came from. */
  path: string;
}

export type PathMatchType = 'Exact' | 'PathPrefix' | 'RegularExpression';

export interface QueryClaim {
  name: string;
  value: string;
}

/** One rule match of a MeshHTTPRoute on a gateway, or of an HTTPRoute on a parent Gateway: the requests it takes. */
export interface RouteClaim {
  /** Route name and index of the rule (MeshHTTPRoute: in `to[].rules`, all `to` entries counted in order). */
  route: string;
  ruleIndex: number;
  /** The MeshGateway's name, or an HTTPRoute's parent Gateway as `namespace/name` ({@link parentGatewayKey}). */
  gateway: string;
  /** Empty: every hostname of the gateway's listeners. */
  hostnames: string[];
  /** Undefined: every method. */
  method?: string;
  path: { type: PathMatchType; value: string };
  /** Exact query-parameter matches the rule also requires (absent: any query). */
  query?: QueryClaim[];
  /** Exact header matches the rule also requires, names lower-case (absent: any headers). */
  headers?: QueryClaim[];
  /** MeshService namespaces the rule sends traffic to. */
  namespaces: string[];
}

/** Resources of manifest files; files that are not a Kuma resource (or not YAML) are skipped. */
export function readManifestResources(files: readonly ManifestFile[]): ManifestResource[] {
  const resources: ManifestResource[] = [];
  for (const file of files) {
    let docs: unknown[];
    try {
      docs = file.content
        .split(/^---$/m)
        .map((doc) => parse(doc, { maxAliasCount: 0 }) as unknown)
        .filter(Boolean);
    } catch {
      continue;
    }
    for (const doc of docs) {
      const resource = toResource(doc, file.path);
      if (resource) resources.push(resource);
    }
  }
  return resources;
}

/** Every rule match of every MeshHTTPRoute that targets a MeshGateway, and of every Gateway API HTTPRoute. */
export function readRouteClaims(resources: readonly ManifestResource[]): RouteClaim[] {
  const claims: RouteClaim[] = [];
  for (const resource of resources) {
    if (isGatewayApiRoute(resource)) {
      claims.push(...readHttpRouteClaims(resource));
      continue;
    }
    if (resource.kind !== 'MeshHTTPRoute') continue;
    const target = asObject(resource.spec.targetRef);
    if (target?.kind !== 'MeshGateway' || typeof target.name !== 'string') continue;
    let ruleIndex = 0;
    for (const to of asArray(resource.spec.to)) {
      const hostnames = asArray(asObject(to)?.hostnames).filter((h): h is string => typeof h === 'string');
      for (const rule of asArray(asObject(to)?.rules)) {
        const namespaces = asArray(asObject(asObject(rule)?.default)?.backendRefs)
          .map((ref) => asObject(ref)?.namespace)
          .filter((ns): ns is string => typeof ns === 'string');
        const matches = asArray(asObject(rule)?.matches);
        for (const match of matches.length > 0 ? matches : [{}]) {
          claims.push(readMatchClaim(resource.name, ruleIndex, target.name, hostnames, match, namespaces));
        }
        ruleIndex += 1;
      }
    }
  }
  return claims;
}

export const gatewayApiGroup = 'gateway.networking.k8s.io';

/** A Gateway API object (HTTPRoute, ReferenceGrant, …): its apiVersion is in the Gateway API group. */
export function isGatewayApiRoute(resource: ManifestResource): boolean {
  return resource.kind === 'HTTPRoute' && (resource.apiVersion ?? '').startsWith(`${gatewayApiGroup}/`);
}

/** A parent Gateway as the tenancy compares and grants it: `namespace/name`. */
export function parentGatewayKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * The parents of an HTTPRoute (namespace defaults to the route's, group and kind to Gateway API's Gateway),
 * each as `namespace/name`, or `Kind namespace/name` for a parent that is not a Gateway.
 */
export function readParentRefs(resource: ManifestResource): string[] {
  return asArray(resource.spec.parentRefs).flatMap((item) => {
    const ref = asObject(item);
    if (!ref || typeof ref.name !== 'string') return [];
    const namespace = typeof ref.namespace === 'string' ? ref.namespace : (resource.namespace ?? 'default');
    const kind = typeof ref.kind === 'string' ? ref.kind : 'Gateway';
    const group = typeof ref.group === 'string' ? ref.group : gatewayApiGroup;
    const key = parentGatewayKey(namespace, ref.name);
    return kind === 'Gateway' && group === gatewayApiGroup ? [key] : [`${kind} ${key}`];
  });
}

/** One claim per rule match and parent Gateway; backends default to the route's namespace. */
function readHttpRouteClaims(resource: ManifestResource): RouteClaim[] {
  const claims: RouteClaim[] = [];
  const hostnames = asArray(resource.spec.hostnames).filter((h): h is string => typeof h === 'string');
  for (const gateway of readParentRefs(resource)) {
    for (const [ruleIndex, rule] of asArray(resource.spec.rules).entries()) {
      const namespaces = asArray(asObject(rule)?.backendRefs).map((ref) => {
        const namespace = asObject(ref)?.namespace;
        return typeof namespace === 'string' ? namespace : (resource.namespace ?? 'default');
      });
      const matches = asArray(asObject(rule)?.matches);
      for (const match of matches.length > 0 ? matches : [{}]) {
        claims.push(readMatchClaim(resource.name, ruleIndex, gateway, hostnames, match, namespaces));
      }
    }
  }
  return claims;
}

function readMatchClaim(
  route: string,
  ruleIndex: number,
  gateway: string,
  hostnames: string[],
  match: unknown,
  namespaces: string[],
): RouteClaim {
  const path = asObject(asObject(match)?.path);
  const method = asObject(match)?.method;
  const query = readQueryClaims(asObject(match)?.queryParams);
  const headers = readQueryClaims(asObject(match)?.headers).map(({ name, value }) => ({
    name: name.toLowerCase(),
    value,
  }));
  return {
    route,
    ruleIndex,
    gateway,
    hostnames,
    ...(typeof method === 'string' ? { method } : {}),
    path:
      path && typeof path.value === 'string' && isPathType(path.type)
        ? { type: path.type, value: path.value }
        : { type: 'PathPrefix', value: '/' },
    ...(query.length > 0 ? { query } : {}),
    ...(headers.length > 0 ? { headers } : {}),
    namespaces,
  };
}

/** Kubernetes (`apiVersion`/`kind`/`metadata`) or Universal (`type`/`name`/`mesh`) shape. */
function toResource(doc: unknown, path: string): ManifestResource | undefined {
  const value = asObject(doc);
  if (!value) return undefined;
  const spec = asObject(value.spec) ?? {};
  const metadata = asObject(value.metadata);
  if (typeof value.kind === 'string' && metadata && typeof metadata.name === 'string') {
    const mesh = asObject(metadata.labels)?.['kuma.io/mesh'];
    return {
      ...(typeof value.apiVersion === 'string' ? { apiVersion: value.apiVersion } : {}),
      kind: value.kind,
      name: metadata.name,
      ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
      ...(typeof mesh === 'string' ? { mesh } : {}),
      spec,
      path,
    };
  }
  if (typeof value.type === 'string' && typeof value.name === 'string') {
    return {
      kind: value.type,
      name: value.name,
      ...(typeof value.mesh === 'string' ? { mesh: value.mesh } : {}),
      spec,
      path,
    };
  }
  return undefined;
}

/**
 * The Exact query (or header) matches of a rule match: other types narrow too, but only Exact ones can exclude
 * each other. A match without `type` is Exact (the default of both).
 */
export function readQueryClaims(value: unknown): QueryClaim[] {
  return asArray(value).flatMap((item) => {
    const query = asObject(item);
    return (query?.type === undefined || query.type === 'Exact') &&
      typeof query?.name === 'string' &&
      typeof query.value === 'string'
      ? [{ name: query.name, value: query.value }]
      : [];
  });
}

function isPathType(value: unknown): value is PathMatchType {
  return value === 'Exact' || value === 'PathPrefix' || value === 'RegularExpression';
}
