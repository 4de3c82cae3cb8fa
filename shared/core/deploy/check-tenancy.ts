/**
 * Tenancy: a source repo may only claim what its grant in the deploy repo's tenants file allows (meshes,
 * gateways, hostnames, base paths, backend namespaces, gateway-wide policies), and may not take requests or
 * resource names another tenant already has, nor silently share a per-route policy key, an access log or a
 * trace with another tenant's API on a gateway (shared-policy-keys.ts). Checked on the rendered manifests
 * themselves, in the PR and again at deploy. Paths are decided exactly (path-overlap.ts: automata, not samples). Each problem is an error
 * finding on the spec or config line that caused it, when the caller can tell (`locate`).
 * @module
 */

import type { Finding, SourcePosition } from '../findings.js';
import {
  describeGatewayConflict,
  describeSharedRule,
  findGatewayConflicts,
  findSharedRuleKeys,
  type PolicyKeys,
  readPolicyKeys,
} from '../kuma/render/shared-policy-keys.js';
import type { ManifestFile } from '../kuma/render/types.js';
import { formatRepoRef, type RepoRef, sameRepo } from '../repo-ref.js';
import {
  coversHostname,
  findOutsidePrefixes,
  findPathOverlap,
  hostnamesOverlap,
  indexByPathStart,
  methodsOverlap,
  type PathOverlap,
  queriesOverlap,
} from './path-overlap.js';
import {
  type ManifestResource,
  type RouteClaim,
  readManifestResources,
  readRouteClaims,
} from './route-claims.js';
import { buildResourceKey, type ResourceKey } from './source-record.js';
import { defaultMeshes, type TenantGrant, tenantsFile } from './tenants.js';

/** The x-kuma root key behind each gateway-wide policy kind we render (where its finding points). */
export const gatewayWideSettings: Readonly<Record<string, string>> = {
  MeshAccessLog: 'accessLog',
  MeshTrace: 'trace',
  MeshProxyPatch: 'auth',
};

/** What made a resource claim something: the caller maps it to a spec or config line. */
export type TenancyCause =
  | { kind: 'api' }
  | { kind: 'gateway'; gateway: string }
  | { kind: 'hostname'; hostname: string }
  | { kind: 'namespace'; namespace: string }
  /** A route rule: its operation in the spec. */
  | { kind: 'route'; route: string; ruleIndex: number }
  /** A route rule outside the granted base paths: the base path setting, else its operation. */
  | { kind: 'base-path'; route: string; ruleIndex: number }
  /** A resource in a mesh that is not granted: the config's `mesh`. */
  | { kind: 'mesh'; mesh: string }
  /** A gateway-wide policy that is not granted: the x-kuma (or config `defaults`) key that asked for it. */
  | { kind: 'gateway-wide'; resourceKind: string };

/** One API of the source repo as rendered, with its manifest files. */
export interface TenancyApi {
  name: string;
  files: ManifestFile[];
  /** Where `cause` comes from in the source repo; undefined falls back to the API, then to the config file. */
  locate?: (cause: TenancyCause) => SourcePosition | undefined;
}

export interface RenderedRepo {
  repo: RepoRef;
  apis: TenancyApi[];
  /** Repo config path, where findings land when nothing better is known. */
  configFile: string;
}

/** Another tenant's folder in the deploy repo, as its source record tells. */
export interface OtherTenant {
  repo: RepoRef;
  resources: ResourceKey[];
  routes: Omit<RouteClaim, 'namespaces'>[];
  /** What its APIs would share on a gateway; unknown (not checked) for records written before it existed. */
  policyKeys?: PolicyKeys;
}

export function checkTenancy(
  rendered: RenderedRepo,
  grant: TenantGrant | undefined,
  others: readonly OtherTenant[],
): Finding[] {
  const findings = new Map<string, Finding>();
  const repo = formatRepoRef(rendered.repo);
  const strangers: Stranger[] = others
    .filter((other) => !sameRepo(other.repo, rendered.repo))
    .map((other) => ({
      ...other,
      repo: formatRepoRef(other.repo),
      candidates: indexByPathStart(other.routes),
    }));
  for (const api of rendered.apis) {
    const at = (cause: TenancyCause): SourcePosition =>
      api.locate?.(cause) ??
      api.locate?.({ kind: 'api' }) ?? { file: rendered.configFile, line: 1, column: 1, pointer: '' };
    const report: TenancyReport = (id, cause, message) => {
      const finding: Finding = { kind: 'tenancy', id, severity: 'error', message, ...at(cause) };
      findings.set(`${id}\u0000${finding.file}:${finding.line}\u0000${message}`, finding);
    };
    const resources = readManifestResources(api.files);
    if (resources.length === 0) continue;
    if (!grant) {
      report(
        'tenancy-no-grant',
        { kind: 'api' },
        `API "${api.name}": ${repo} has no grant in the deploy repo's ${tenantsFile}, so it may deploy nothing; ask the platform team to add it`,
      );
      continue;
    }
    const check: ApiCheck = { api: api.name, repo, grant, report };
    for (const resource of resources) checkResourceGrant(check, resource);
    const collided = checkRouteClaims(check, readRouteClaims(resources), strangers);
    checkSharedPolicies(check, readPolicyKeys(api.name, resources), strangers, collided);
    checkResourceNames(check, resources, strangers);
  }
  return [...findings.values()];
}

export type TenancyReport = (id: string, cause: TenancyCause, message: string) => void;

/** One granted API being checked: what every step needs to word and place its findings. */
export interface ApiCheck {
  api: string;
  repo: string;
  grant: TenantGrant;
  report: TenancyReport;
}

/** Another tenant, `owner/repo` as findings word it, with its route claims indexed by where their paths start. */
type Stranger = Omit<OtherTenant, 'repo'> & {
  repo: string;
  candidates(path: RouteClaim['path']): OtherTenant['routes'];
};

/** Whether one resource stays within the grant: its mesh, backend namespaces, gateway, gateway-wide kinds. */
export function checkResourceGrant({ api, repo, grant, report }: ApiCheck, resource: ManifestResource) {
  const meshes = grant.meshes ?? defaultMeshes;
  const gatewayWide = grant.gatewayWide ?? [];
  const target = resource.spec.targetRef as
    | { kind?: unknown; name?: unknown; namespace?: unknown }
    | undefined;
  const mesh = resource.mesh ?? 'default';
  if (!meshes.includes(mesh)) {
    report(
      'tenancy-mesh',
      { kind: 'mesh', mesh },
      `API "${api}" is in mesh "${mesh}", which ${repo} is not granted (granted: ${list(meshes)}${grant.meshes ? '' : ', the default when tenants.yaml names none'})`,
    );
  }
  // Backend policies (permissions, circuit breakers…) target the MeshService in its namespace, at the top
  // or in `to` entries.
  const toTargets = asList(resource.spec.to).map(
    (entry) => (entry as { targetRef?: { kind?: unknown; namespace?: unknown } } | null)?.targetRef,
  );
  for (const service of [target, ...toTargets]) {
    if (
      service?.kind === 'MeshService' &&
      typeof service.namespace === 'string' &&
      !grant.namespaces.includes(service.namespace)
    ) {
      report(
        'tenancy-namespace',
        { kind: 'namespace', namespace: service.namespace },
        `API "${api}" sends traffic to namespace "${service.namespace}", which ${repo} is not granted (granted: ${list(grant.namespaces)})`,
      );
    }
  }
  if (isGatewayWide(resource.kind, target, toTargets) && !gatewayWide.includes(resource.kind)) {
    const setting = gatewayWideSettings[resource.kind];
    report(
      'tenancy-gateway-wide',
      { kind: 'gateway-wide', resourceKind: resource.kind },
      `API "${api}" renders ${resource.kind} ${resource.name}${setting ? ` (x-kuma ${setting})` : ''}, which applies to the whole gateway "${String(target?.name)}", every tenant on it included; ${repo} is not granted it (tenants.yaml gatewayWide: ${list(gatewayWide)})`,
    );
  }
  if (
    target?.kind === 'MeshGateway' &&
    typeof target.name === 'string' &&
    !grant.gateways.includes(target.name)
  ) {
    report(
      'tenancy-gateway',
      { kind: 'gateway', gateway: target.name },
      `API "${api}" uses gateway "${target.name}", which ${repo} is not granted (granted: ${list(grant.gateways)})`,
    );
  }
}

/**
 * Whether each route rule stays within the grant and takes no request another tenant already takes. Returns
 * `repo route#rule` of the rules that collided: reported once, as the collision.
 */
function checkRouteClaims(
  check: ApiCheck,
  claims: readonly RouteClaim[],
  strangers: readonly Stranger[],
): Set<string> {
  const collided = new Set<string>();
  for (const claim of claims) {
    checkClaimGrant(check, claim);
    for (const other of strangers) {
      if (checkClaimCollision(check, claim, other))
        collided.add(`${other.repo} ${claim.route}#${claim.ruleIndex}`);
    }
  }
  return collided;
}

/** Whether one route rule stays within the granted hostnames, base paths and namespaces. */
export function checkClaimGrant({ api, repo, grant, report }: ApiCheck, claim: RouteClaim) {
  const where = describeClaim(claim);
  if (claim.hostnames.length === 0 && !grant.hostnames.includes('*')) {
    report(
      'tenancy-hostname',
      { kind: 'route', route: claim.route, ruleIndex: claim.ruleIndex },
      `API "${api}": ${where} lists no hostname, so it would take every hostname of gateway "${claim.gateway}"; set hostnames within the grant (${list(grant.hostnames)})`,
    );
  }
  for (const hostname of claim.hostnames) {
    if (grant.hostnames.some((pattern) => coversHostname(pattern, hostname))) continue;
    report(
      'tenancy-hostname',
      { kind: 'hostname', hostname },
      `API "${api}" claims hostname "${hostname}", which ${repo} is not granted (granted: ${list(grant.hostnames)})`,
    );
  }
  const outside = findOutsidePrefixes(claim.path, grant.basePaths);
  if (outside) {
    report(
      'tenancy-base-path',
      { kind: 'base-path', route: claim.route, ruleIndex: claim.ruleIndex },
      `API "${api}": ${where} is outside the base paths granted to ${repo} (${list(grant.basePaths)}): ${explain(outside, 'it takes')}`,
    );
  }
  for (const namespace of claim.namespaces) {
    if (grant.namespaces.includes(namespace)) continue;
    report(
      'tenancy-namespace',
      { kind: 'namespace', namespace },
      `API "${api}" sends traffic to namespace "${namespace}", which ${repo} is not granted (granted: ${list(grant.namespaces)})`,
    );
  }
}

/** Whether one route rule takes a request one of another tenant's rules already takes (reported once, the first). */
function checkClaimCollision({ api, report }: ApiCheck, claim: RouteClaim, other: Stranger): boolean {
  for (const taken of other.candidates(claim.path)) {
    if (
      taken.gateway !== claim.gateway ||
      !hostnamesOverlap(taken.hostnames, claim.hostnames) ||
      !methodsOverlap(taken.method, claim.method) ||
      !queriesOverlap(taken.query, claim.query) ||
      !queriesOverlap(taken.headers, claim.headers)
    )
      continue;
    const overlap = findPathOverlap(taken.path, claim.path);
    if (!overlap) continue;
    report(
      'tenancy-route-collision',
      { kind: 'route', route: claim.route, ruleIndex: claim.ruleIndex },
      `API "${api}": ${describeClaim(claim)} collides with ${describeClaim(taken)} of ${other.repo}, already deployed: ${explain(overlap, 'both take')}`,
    );
    return true;
  }
  return false;
}

/** Whether the API would share a per-route policy key or a gateway-wide policy with another tenant's API. */
function checkSharedPolicies(
  { api, report }: ApiCheck,
  keys: PolicyKeys,
  strangers: readonly Stranger[],
  collided: ReadonlySet<string>,
) {
  for (const other of strangers) {
    if (!other.policyKeys) continue;
    for (const shared of findSharedRuleKeys(keys.rules, other.policyKeys.rules)) {
      if (collided.has(`${other.repo} ${shared.mine.route}#${shared.mine.ruleIndex}`)) continue;
      report(
        'kuma-policy-shared',
        { kind: 'route', route: shared.mine.route, ruleIndex: shared.mine.ruleIndex },
        `API "${api}": ${shared.mine.label} for ${hostsOf(shared.mine.hostnames)} and ${shared.theirs.label} of API "${shared.theirs.api}" of ${other.repo}, already deployed, for ${hostsOf(shared.theirs.hostnames)}, ${describeSharedRule(shared)}`,
      );
    }
    for (const conflict of findGatewayConflicts(keys.gateway, other.policyKeys.gateway)) {
      report(
        'kuma-gateway-policy-conflict',
        { kind: 'gateway-wide', resourceKind: conflict.mine.kind },
        `API "${api}" ${describeGatewayConflict(conflict.mine, `API "${conflict.theirs.api}" of ${other.repo}, already deployed`)}`,
      );
    }
  }
}

/** Whether another tenant already deploys a resource under the same name. */
function checkResourceNames(
  { api, report }: ApiCheck,
  resources: readonly ManifestResource[],
  strangers: readonly Stranger[],
) {
  for (const resource of resources) {
    const key = buildResourceKey(resource);
    const owner = strangers.find((other) => other.resources.includes(key));
    if (!owner) continue;
    report(
      'tenancy-resource-name',
      { kind: 'api' },
      `API "${api}" renders ${key}, which ${owner.repo} already deploys; rename the API so its resources get other names`,
    );
  }
}

function describeClaim(claim: Omit<RouteClaim, 'namespaces'>): string {
  const hosts = claim.hostnames.length > 0 ? claim.hostnames.join(',') : '*';
  return `${claim.method ?? '*'} ${claim.path.value} (${claim.path.type}) on gateway "${claim.gateway}" for ${hosts}`;
}

/**
 * Policies that change the gateway for every tenant on it: anything with a top-level `MeshGateway` targetRef
 * except the routes (checked by their claims) and policies whose every `to` entry is one of our MeshServices
 * (circuit breaker, health check: only the traffic to that service, namespace-checked). Unknown kinds fail
 * closed: they need a grant too.
 */
function isGatewayWide(kind: string, target: { kind?: unknown } | undefined, to: unknown[]): boolean {
  if (target?.kind !== 'MeshGateway' || kind === 'MeshHTTPRoute') return false;
  return !(
    to.length > 0 && to.every((ref) => (ref as { kind?: unknown } | undefined)?.kind === 'MeshService')
  );
}

function explain(overlap: PathOverlap, verb: string): string {
  return 'path' in overlap ? `${verb} the request path ${JSON.stringify(overlap.path)}` : overlap.unknown;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function hostsOf(hostnames: readonly string[]): string {
  return hostnames.length > 0 ? hostnames.join(', ') : 'every hostname';
}

function list(values: readonly string[]): string {
  return values.length > 0 ? values.join(', ') : 'none';
}
