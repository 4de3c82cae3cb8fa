/**
 * What the rendered manifests need from the Kuma mesh they land in, checked against what the platform team
 * declares of its meshes (`meshes` in the tenants file; the deploy repo holds no Mesh object). Warnings in the
 * deploy preview, never a refusal: the declaration can lag the Mesh, and the platform may be about to change it.
 * Read from the manifest files themselves, like the tenancy check. Kuma facts (kumahq/kuma v2.14.3):
 * - a backendRef with `port` references a real MeshService (`api/common/v1alpha1/targetref.go`); with
 *   `meshServices.mode: Disabled` (the default) none is generated (`k8s/controllers/meshservice_controller.go`)
 *   and the gateway route's backend is unresolved (`meshhttproute/plugin/v1alpha1/gateway_routes.go`);
 * - MeshTrafficPermission applies only under mTLS; with MeshIdentity only `rules` count, without it one `rules`
 *   entry makes the inbound ignore every `from` (`meshtrafficpermission/plugin/v1alpha1/plugin.go`).
 * @module
 */
import type { Finding, SourcePosition } from '../findings.js';
import type { TenancyApi } from './check-tenancy.js';
import { readManifestResources } from './route-claims.js';
import { type MeshFacts, tenantsFile } from './tenants.js';

export const meshPrerequisiteId = 'kuma-mesh-prerequisite';

/** The warnings for each API whose manifests rely on something its mesh, as declared, lacks. */
export function checkMeshPrerequisites(
  apis: readonly TenancyApi[],
  meshes: ReadonlyMap<string, MeshFacts> | undefined,
  configFile: string,
): Finding[] {
  if (!meshes || meshes.size === 0) return [];
  const findings: Finding[] = [];
  for (const api of apis) {
    const at: SourcePosition = api.locate?.({ kind: 'api' }) ?? {
      file: configFile,
      line: 1,
      column: 1,
      pointer: '',
    };
    const warn = (message: string) =>
      findings.push({ kind: 'tenancy', id: meshPrerequisiteId, severity: 'warning', message, ...at });
    const byMesh = new Map<string, ReturnType<typeof readManifestResources>>();
    for (const resource of readManifestResources(api.files)) {
      const mesh = resource.mesh ?? 'default';
      byMesh.set(mesh, [...(byMesh.get(mesh) ?? []), resource]);
    }
    for (const [mesh, resources] of byMesh) {
      const facts = meshes.get(mesh);
      if (!facts) continue;
      const declared = `mesh "${mesh}" (as ${tenantsFile} declares it)`;
      const backends = resources.flatMap((resource) =>
        resource.kind === 'MeshHTTPRoute' ? realServiceBackends(resource.spec) : [],
      );
      if (facts.meshServices === 'Disabled' && backends.length > 0) {
        warn(
          `API "${api.name}" routes to MeshServices by port (${summarize(backends)}), but ${declared} has meshServices.mode Disabled: Kuma generates no MeshService there, so the routes have no backend and every request gets 503; the platform must set the Mesh's meshServices.mode to Everywhere or Exclusive`,
        );
      }
      const permissions = resources.filter((resource) => resource.kind === 'MeshTrafficPermission');
      const uses = (section: string) => permissions.some((permission) => section in permission.spec);
      if (facts.mtls === 'MeshIdentity' && uses('from')) {
        warn(
          `API "${api.name}" lets the gateway reach its backends with a MeshTrafficPermission \`from\`, which Kuma ignores on ${declared}, a MeshIdentity mesh: the backends would refuse the gateway (403); set gatewaySpiffeId to the gateway proxies' SPIFFE ID`,
        );
      }
      if (facts.mtls === 'Mesh' && uses('rules')) {
        warn(
          `API "${api.name}" allows the gateway by SPIFFE ID (gatewaySpiffeId: MeshTrafficPermission \`rules\`), but ${declared} uses the Mesh's mTLS without MeshIdentity: there one \`rules\` entry makes Kuma ignore every other permission's \`from\` on those backends, refusing their other clients; remove gatewaySpiffeId`,
        );
      }
      if (facts.mtls === 'Off' && resources.some((resource) => resource.kind === 'MeshProxyPatch')) {
        warn(
          `API "${api.name}" checks tokens at the gateway only, and ${declared} has no mTLS: MeshTrafficPermissions do nothing there, so any workload that reaches the backends calls them without a token; enable mTLS on the mesh`,
        );
      }
    }
  }
  return findings;
}

/** `name.namespace:port` of every backendRef that references a real MeshService (it has a `port`). */
function realServiceBackends(spec: Record<string, unknown>): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    for (const ref of Array.isArray(record.backendRefs) ? record.backendRefs : []) {
      const { kind, name, namespace, port } = (ref ?? {}) as Record<string, unknown>;
      if (kind === 'MeshService' && typeof name === 'string' && port !== undefined) {
        found.push(`${name}${typeof namespace === 'string' ? ` in ${namespace}` : ''}`);
      }
    }
    Object.values(record).forEach(visit);
  };
  visit(spec);
  return found;
}

function summarize(backends: string[]): string {
  const unique = [...new Set(backends)].sort();
  return unique.length <= 3
    ? unique.join(', ')
    : `${unique.slice(0, 3).join(', ')} and ${unique.length - 3} more`;
}
