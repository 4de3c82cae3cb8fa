/**
 * Tenancy: a source repo may only claim what its grant in the deploy repo's tenants file allows (gateways,
 * hostnames, base paths, backend namespaces), and may not take requests or resource names another tenant
 * already has. Checked on the rendered manifests themselves, in the PR and again at deploy. Each problem is an
 * error finding on the spec or config line that caused it, when the caller can tell (`locate`).
 * @module
 */
import type { Finding, SourcePosition } from '../findings.js';
import type { ManifestFile } from '../kuma/render/types.js';
import {
  coversHostname,
  hostnamesOverlap,
  isMatchUnder,
  methodsOverlap,
  pathsOverlap,
} from './path-overlap.js';
import { type RouteClaim, readManifestResources, readRouteClaims } from './route-claims.js';
import { buildResourceKey, type ResourceKey } from './source-record.js';
import { type TenantGrant, tenantsFile } from './tenants.js';

/** What made a resource claim something: the caller maps it to a spec or config line. */
export type TenancyCause =
  | { kind: 'api' }
  | { kind: 'gateway'; gateway: string }
  | { kind: 'hostname'; hostname: string }
  | { kind: 'namespace'; namespace: string }
  /** A route rule: its operation in the spec. */
  | { kind: 'route'; route: string; ruleIndex: number }
  /** A route rule outside the granted base paths: the base path setting, else its operation. */
  | { kind: 'base-path'; route: string; ruleIndex: number };

/** One API of the source repo as rendered, with its manifest files. */
export interface TenancyApi {
  name: string;
  files: ManifestFile[];
  /** Where `cause` comes from in the source repo; undefined falls back to the API, then to the config file. */
  locate?: (cause: TenancyCause) => SourcePosition | undefined;
}

export interface RenderedRepo {
  /** `owner/repo`. */
  repo: string;
  apis: TenancyApi[];
  /** Repo config path, where findings land when nothing better is known. */
  configFile: string;
}

/** Another tenant's folder in the deploy repo, as its source record tells. */
export interface OtherTenant {
  repo: string;
  resources: ResourceKey[];
  routes: Omit<RouteClaim, 'namespaces'>[];
}

export function checkTenancy(
  rendered: RenderedRepo,
  grant: TenantGrant | undefined,
  others: readonly OtherTenant[],
): Finding[] {
  const findings = new Map<string, Finding>();
  const strangers = others.filter((other) => other.repo.toLowerCase() !== rendered.repo.toLowerCase());
  for (const api of rendered.apis) {
    const at = (cause: TenancyCause): SourcePosition =>
      api.locate?.(cause) ??
      api.locate?.({ kind: 'api' }) ?? { file: rendered.configFile, line: 1, column: 1, pointer: '' };
    const report = (id: string, cause: TenancyCause, message: string) => {
      const finding: Finding = { kind: 'tenancy', id, severity: 'error', message, ...at(cause) };
      findings.set(`${id}\u0000${finding.file}:${finding.line}\u0000${message}`, finding);
    };
    const resources = readManifestResources(api.files);
    if (resources.length === 0) continue;
    if (!grant) {
      report(
        'tenancy-no-grant',
        { kind: 'api' },
        `API "${api.name}": ${rendered.repo} has no grant in the deploy repo's ${tenantsFile}, so it may deploy nothing; ask the platform team to add it`,
      );
      continue;
    }
    for (const resource of resources) {
      const target = resource.spec.targetRef as
        | { kind?: unknown; name?: unknown; namespace?: unknown }
        | undefined;
      // Backend policies (permissions, circuit breakers…) target the MeshService in its namespace.
      if (
        target?.kind === 'MeshService' &&
        typeof target.namespace === 'string' &&
        !grant.namespaces.includes(target.namespace)
      ) {
        report(
          'tenancy-namespace',
          { kind: 'namespace', namespace: target.namespace },
          `API "${api.name}" sends traffic to namespace "${target.namespace}", which ${rendered.repo} is not granted (granted: ${list(grant.namespaces)})`,
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
          `API "${api.name}" uses gateway "${target.name}", which ${rendered.repo} is not granted (granted: ${list(grant.gateways)})`,
        );
      }
    }
    const claims = readRouteClaims(resources);
    for (const claim of claims) {
      const where = describeClaim(claim);
      if (claim.hostnames.length === 0 && !grant.hostnames.includes('*')) {
        report(
          'tenancy-hostname',
          { kind: 'route', route: claim.route, ruleIndex: claim.ruleIndex },
          `API "${api.name}": ${where} lists no hostname, so it would take every hostname of gateway "${claim.gateway}"; set hostnames within the grant (${list(grant.hostnames)})`,
        );
      }
      for (const hostname of claim.hostnames) {
        if (grant.hostnames.some((pattern) => coversHostname(pattern, hostname))) continue;
        report(
          'tenancy-hostname',
          { kind: 'hostname', hostname },
          `API "${api.name}" claims hostname "${hostname}", which ${rendered.repo} is not granted (granted: ${list(grant.hostnames)})`,
        );
      }
      if (!grant.basePaths.some((base) => isMatchUnder(claim.path, base))) {
        report(
          'tenancy-base-path',
          { kind: 'base-path', route: claim.route, ruleIndex: claim.ruleIndex },
          `API "${api.name}": ${where} is outside the base paths granted to ${rendered.repo} (${list(grant.basePaths)})`,
        );
      }
      for (const namespace of claim.namespaces) {
        if (grant.namespaces.includes(namespace)) continue;
        report(
          'tenancy-namespace',
          { kind: 'namespace', namespace },
          `API "${api.name}" sends traffic to namespace "${namespace}", which ${rendered.repo} is not granted (granted: ${list(grant.namespaces)})`,
        );
      }
      for (const other of strangers) {
        const taken = other.routes.find(
          (theirs) =>
            theirs.gateway === claim.gateway &&
            hostnamesOverlap(theirs.hostnames, claim.hostnames) &&
            methodsOverlap(theirs.method, claim.method) &&
            pathsOverlap(theirs.path, claim.path),
        );
        if (!taken) continue;
        report(
          'tenancy-route-collision',
          { kind: 'route', route: claim.route, ruleIndex: claim.ruleIndex },
          `API "${api.name}": ${where} collides with ${describeClaim(taken)} of ${other.repo}, already deployed; the same request would match both`,
        );
      }
    }
    for (const resource of resources) {
      const key = buildResourceKey(resource);
      const owner = strangers.find((other) => other.resources.includes(key));
      if (!owner) continue;
      report(
        'tenancy-resource-name',
        { kind: 'api' },
        `API "${api.name}" renders ${key}, which ${owner.repo} already deploys; rename the API so its resources get other names`,
      );
    }
  }
  return [...findings.values()];
}

function describeClaim(claim: Omit<RouteClaim, 'namespaces'>): string {
  const hosts = claim.hostnames.length > 0 ? claim.hostnames.join(',') : '*';
  return `${claim.method ?? '*'} ${claim.path.value} (${claim.path.type}) on gateway "${claim.gateway}" for ${hosts}`;
}

function list(values: readonly string[]): string {
  return values.length > 0 ? values.join(', ') : 'none';
}
