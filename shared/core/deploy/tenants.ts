/**
 * The tenants file of the deploy repo (`tenants.yaml`, owned by the platform team): which source repo may use
 * which meshes, gateways, hostnames, base paths and backend namespaces, and which gateway-wide policies.
 * Parsed from a SourceFile so that problems in it carry its lines; validated against
 * schemas/tenants.schema.json.
 * @module
 */
import { Ajv } from 'ajv';
import schema from '../../../schemas/tenants.schema.json' with { type: 'json' };
import type { Finding } from '../findings.js';
import { parseRepoRef, type RepoRef, repoKey } from '../repo-ref.js';
import { schemaFindings } from '../schema-findings.js';
import type { SourceFile } from '../spec/types.js';

export const tenantsFile = 'tenants.yaml';

export interface TenantGrant {
  gateways: string[];
  hostnames: string[];
  basePaths: string[];
  namespaces: string[];
  /** Kuma meshes; absent means {@link defaultMeshes} (files written before the key existed keep working). */
  meshes?: string[];
  /** Kinds of gateway-wide policies (every tenant on the gateway is affected) the repo may render; absent: none. */
  gatewayWide?: string[];
}

/** The meshes a grant without `meshes` allows: Kuma's default mesh, which every file before the key meant. */
export const defaultMeshes = ['default'];

/** What a Kuma mesh provides, as the platform team declares it (`meshes` in the tenants file); absent: unknown. */
export interface MeshFacts {
  /** The Mesh's `spec.meshServices.mode`. */
  meshServices?: 'Disabled' | 'Everywhere' | 'ReachableBackends' | 'Exclusive';
  /** How proxies are identified over mTLS: none, the Mesh's `spec.mtls` (`from` by tag), or MeshIdentity (`rules`). */
  mtls?: 'Off' | 'Mesh' | 'MeshIdentity';
}

export interface Tenants {
  /** Keyed by {@link repoKey}, lower-cased `owner/repo` (GitHub names are case-insensitive). */
  grants: ReadonlyMap<string, TenantGrant>;
  /** Keyed by mesh name; meshes not listed are not checked. */
  meshes: ReadonlyMap<string, MeshFacts>;
}

let validate: ReturnType<Ajv['compile']> | undefined;

/** A valid tenants file → its grants; an invalid one → findings on its lines and no grants at all. */
export function parseTenants(file: SourceFile): { tenants?: Tenants; findings: Finding[] } {
  validate ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  if (!validate(file.value)) {
    const errors = validate.errors ?? [];
    const options = { file, kind: 'tenancy', id: 'tenants-file-invalid', root: 'the tenants file' } as const;
    return { findings: schemaFindings(errors, { ...options, prefix: `${tenantsFile}: ` }) };
  }
  const raw = file.value as { tenants: Record<string, TenantGrant>; meshes?: Record<string, MeshFacts> };
  const grants = new Map<string, TenantGrant>();
  for (const [key, grant] of Object.entries(raw.tenants)) {
    const repo = parseRepoRef(key); // the schema's pattern is the parser's grammar: every key parses
    if (repo) grants.set(repoKey(repo), grant);
  }
  const meshes = new Map(Object.entries(raw.meshes ?? {}));
  return { tenants: { grants, meshes }, findings: [] };
}

export function findGrant(tenants: Tenants | undefined, repo: RepoRef): TenantGrant | undefined {
  return tenants?.grants.get(repoKey(repo));
}
