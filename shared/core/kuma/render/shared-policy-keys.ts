/**
 * What APIs on one builtin MeshGateway silently share in Kuma 2.14 (kumahq/kuma v2.14.3), read from rendered
 * resources so the same code checks the APIs of one repo and a repo against other tenants' records:
 *
 * - Per-route policies (MeshTimeout, MeshRetry, MeshRateLimit… with a top-level `MeshHTTPRoute` targetRef) are
 *   keyed on a gateway by `HashMatches(rule.matches)` alone (`core/rules/rules.go` `buildToListWithRoutes`), looked
 *   up per listener port by the Envoy route's name, which is that same hash (`meshhttproute/plugin/v1alpha1/
 *   gateway_routes.go` `generateEnvoyRouteEntries`; `meshtimeout/…/plugin.go` `applyToGateway`). Hostnames do not
 *   enter it, so `GET /health` of two APIs on different hostnames gets one merged policy. Kuma offers no faithful
 *   way to tell them apart: the only other match fields are headers and query parameters, and Envoy keeps Host as
 *   `:authority`, a name Kuma's header match refuses (`HeaderName` pattern), while any other extra match changes
 *   which requests the rule takes and its rank in Kuma's route order (`route/sorter.go`).
 * - MeshAccessLog and MeshTrace on the gateway merge by replacing their `backends` lists (only `Append*` fields
 *   append: `core/rules/merge/merge.go`), so two APIs asking for different sinks replace each other.
 * @module
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../canonical-json.js';
import { asArray, asObject } from '../validate/problem.js';

/** A rendered resource, from render-api or read back from manifest files. */
export interface PolicyResource {
  kind: string;
  name: string;
  /** Kuma mesh; undefined: `default`. */
  mesh?: string;
  spec: Record<string, unknown>;
}

/** One route rule of an API on a gateway, with Kuma's key for it and what its per-route policies configure. */
export interface RulePolicyKey {
  api: string;
  route: string;
  /** Index of the rule in `to[].rules`, all `to` entries counted in order. */
  ruleIndex: number;
  mesh: string;
  gateway: string;
  hostnames: string[];
  /** Kuma's key: `HashMatches(matches)`, the Envoy route's name. */
  matches: string;
  /** What the rule matches, for messages: `GET /health (Exact)`. */
  label: string;
  /** Digest of the configuration each per-route policy kind gives the rule; empty when none targets its route. */
  policies: Record<string, string>;
}

/** A gateway-wide policy whose confs replace each other on merge. */
export interface GatewayPolicyKey {
  api: string;
  mesh: string;
  gateway: string;
  kind: string;
  /** Digest of what it configures (its spec without the top-level targetRef). */
  conf: string;
}

export interface PolicyKeys {
  rules: RulePolicyKey[];
  gateway: GatewayPolicyKey[];
}

/** Gateway-wide kinds whose `backends` replace each other when two policies target one gateway → their x-kuma key. */
export const replacedOnMerge: Readonly<Record<string, string>> = {
  MeshAccessLog: 'accessLog',
  MeshTrace: 'trace',
};

export function readPolicyKeys(api: string, resources: readonly PolicyResource[]): PolicyKeys {
  const byRoute = new Map<string, Record<string, unknown[]>>();
  const gateway: GatewayPolicyKey[] = [];
  for (const resource of resources) {
    const target = asObject(resource.spec.targetRef);
    if (target?.kind === 'MeshHTTPRoute' && typeof target.name === 'string') {
      // Kuma applies each `to` entry's default to every rule of the route (the entry's own targetRef is not used).
      const confs = byRoute.get(target.name) ?? {};
      const defaults = asArray(resource.spec.to).map((entry) => asObject(entry)?.default ?? null);
      confs[resource.kind] = [...(confs[resource.kind] ?? []), defaults];
      byRoute.set(target.name, confs);
    } else if (
      target?.kind === 'MeshGateway' &&
      typeof target.name === 'string' &&
      resource.kind in replacedOnMerge
    ) {
      const { targetRef: _target, ...conf } = resource.spec;
      const mesh = resource.mesh ?? 'default';
      gateway.push({ api, mesh, gateway: target.name, kind: resource.kind, conf: digest(conf) });
    }
  }
  const rules: RulePolicyKey[] = [];
  for (const resource of resources) {
    const target = asObject(resource.spec.targetRef);
    if (resource.kind !== 'MeshHTTPRoute' || target?.kind !== 'MeshGateway') continue;
    if (typeof target.name !== 'string') continue;
    const policies = Object.fromEntries(
      Object.entries(byRoute.get(resource.name) ?? {})
        .map(([kind, confs]) => [kind, digest(confs.map(canonicalJson).sort())] as const)
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    let ruleIndex = 0;
    for (const to of asArray(resource.spec.to)) {
      const hostnames = asArray(asObject(to)?.hostnames).filter((h): h is string => typeof h === 'string');
      for (const rule of asArray(asObject(to)?.rules)) {
        const matches = asArray(asObject(rule)?.matches);
        rules.push({
          api,
          route: resource.name,
          ruleIndex,
          mesh: resource.mesh ?? 'default',
          gateway: target.name,
          hostnames,
          matches: hashMatches(matches),
          label: describeMatches(matches),
          policies,
        });
        ruleIndex += 1;
      }
    }
  }
  return { rules, gateway };
}

/** Two rules of different APIs under one Kuma key whose per-route policies differ, and the kinds that leak. */
export interface SharedRuleKey {
  mine: RulePolicyKey;
  theirs: RulePolicyKey;
  /** Kinds configured on at least one side and not the same on both, sorted. */
  kinds: string[];
}

/**
 * Rules of `mine` that share Kuma's key with a rule in `theirs` (other APIs) on the same gateway, when at
 * least one of them has a per-route policy and they differ: each gets the merge of both. (Equal policies merge
 * into themselves; no policy on either side keeps the gateway's defaults on both.)
 */
export function findSharedRuleKeys(mine: readonly RulePolicyKey[], theirs: readonly RulePolicyKey[]) {
  const index = new Map<string, RulePolicyKey[]>();
  for (const rule of theirs) {
    const key = `${rule.mesh}\u0000${rule.gateway}\u0000${rule.matches}`;
    index.set(key, [...(index.get(key) ?? []), rule]);
  }
  const shared: SharedRuleKey[] = [];
  for (const rule of mine) {
    for (const other of index.get(`${rule.mesh}\u0000${rule.gateway}\u0000${rule.matches}`) ?? []) {
      const kinds = [...new Set([...Object.keys(rule.policies), ...Object.keys(other.policies)])]
        .filter((kind) => rule.policies[kind] !== other.policies[kind])
        .sort();
      if (kinds.length > 0) shared.push({ mine: rule, theirs: other, kinds });
    }
  }
  return shared;
}

/** Gateway-wide policies of `mine` that `theirs` (other APIs) set differently on the same gateway. */
export function findGatewayConflicts(
  mine: readonly GatewayPolicyKey[],
  theirs: readonly GatewayPolicyKey[],
): { mine: GatewayPolicyKey; theirs: GatewayPolicyKey }[] {
  return mine.flatMap((policy) =>
    theirs
      .filter(
        (other) =>
          other.mesh === policy.mesh &&
          other.gateway === policy.gateway &&
          other.kind === policy.kind &&
          other.conf !== policy.conf,
      )
      .map((other) => ({ mine: policy, theirs: other })),
  );
}

/** The end of a `kuma-policy-shared` message: `… of API "a" and … of API "b" <this>`. */
export function describeSharedRule(shared: SharedRuleKey): string {
  return `have the same matches (${shared.mine.label}) on gateway "${shared.mine.gateway}": Kuma keys per-route policies by a rule's matches alone, not its hostnames, so both rules get one merged ${shared.kinds.join(', ')} and one API's timeout, retries or rate limit would apply to the other's requests; give both operations the same x-kuma timeout, retries and rateLimit, or serve the APIs on different gateways`;
}

/** The end of a `kuma-gateway-policy-conflict` message: `API "a" <this>`. */
export function describeGatewayConflict(mine: GatewayPolicyKey, theirs: string): string {
  const setting = replacedOnMerge[mine.kind];
  return `sets x-kuma ${setting} (${mine.kind}) on gateway "${mine.gateway}" differently from ${theirs}: Kuma merges the two by replacing the backends list, so one API's ${setting} would silently replace the other's for every request on the gateway; set the same ${setting} in both, or in only one of them`;
}

/**
 * Kuma's `HashMatches`: base64 SHA-256 of Go's `json.Marshal` of `[]Match`, i.e. fields in struct order (path
 * {value, type}, method, queryParams [{type, name, value}], headers [{type, name, value}]), `omitempty` where Go
 * has it, and Go's HTML escaping of `<`, `>`, `&`, U+2028 and U+2029.
 */
export function hashMatches(matches: readonly unknown[]): string {
  const go = matches.map((raw) => {
    const match = asObject(raw) ?? {};
    const path = asObject(match.path);
    const queryParams = match.queryParams === undefined ? undefined : asArray(match.queryParams);
    const headers = match.headers === undefined ? undefined : asArray(match.headers);
    return {
      ...(path ? { path: { value: path.value ?? '', type: path.type ?? '' } } : {}),
      ...(match.method !== undefined && match.method !== null ? { method: match.method } : {}),
      ...(queryParams
        ? {
            queryParams: queryParams.map((q) => {
              const param = asObject(q) ?? {};
              return { type: param.type ?? '', name: param.name ?? '', value: param.value ?? '' };
            }),
          }
        : {}),
      ...(headers
        ? {
            headers: headers.map((h) => {
              const header = asObject(h) ?? {};
              return {
                ...(header.type !== undefined && header.type !== null ? { type: header.type } : {}),
                name: header.name ?? '',
                ...(header.value ? { value: header.value } : {}),
              };
            }),
          }
        : {}),
    };
  });
  const json = JSON.stringify(go).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return createHash('sha256').update(json).digest('base64');
}

function describeMatches(matches: readonly unknown[]): string {
  const labels = matches.map((raw) => {
    const match = asObject(raw) ?? {};
    const path = asObject(match.path);
    const method = typeof match.method === 'string' ? match.method : '*';
    return path ? `${method} ${String(path.value)} (${String(path.type)})` : `${method} /`;
  });
  return labels.join(' or ');
}

/** JSON with object keys sorted, so equal confs read from differently ordered YAML compare equal. */

function digest(value: unknown): string {
  return createHash('sha256')
    .update(typeof value === 'string' ? value : canonicalJson(value))
    .digest('base64');
}
