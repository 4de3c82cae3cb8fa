/**
 * Routing checks beyond oasdiff (which treats servers as deployment metadata): a change of where the API is
 * served (base path, hostnames, servers) or of a routing `x-kuma` key breaks every consumer; two operations on
 * the same method and path shape cannot both be routed.
 * @module
 */
import type { Finding } from '../findings.js';
import { findOperationCollisions } from './find-operation-collisions.js';
import { findPathProblems } from './path-problems.js';
import { buildEffectiveRouting, type EffectiveRouting, type RoutingView } from './routing-view.js';
import { readServerPaths } from './server-paths.js';
import { compareXKumaRouting } from './x-kuma-routing.js';

export type { RoutingView };

export function checkRouting(input: { base?: RoutingView; head: RoutingView }): Finding[] {
  const { base, head } = input;
  const collisions = head.spec.bundle
    ? [...findServingProblems(head), ...findOperationCollisions(head.spec)]
    : [];
  if (!base?.spec.bundle || !head.spec.bundle) return collisions;
  const before = buildEffectiveRouting(base);
  const after = buildEffectiveRouting(head);
  return [...compareAddress(before, after), ...compareXKumaRouting(base.spec, head.spec), ...collisions];
}

/** The servers the gateway cannot route and the paths it cannot, as render reports them (same ids and lines). */
function findServingProblems(view: RoutingView): Finding[] {
  const served = readServerPaths(view.spec, view.basePath);
  return [...served.findings, ...findPathProblems(view.spec, served.bases[0]?.template ?? '')];
}

function compareAddress(before: EffectiveRouting, after: EffectiveRouting): Finding[] {
  const findings: Finding[] = [];
  if (before.basePath !== after.basePath) {
    findings.push({
      kind: 'routing',
      id: 'base-path-changed',
      severity: 'error',
      message: `base path changed from \`${before.basePath}\` to \`${after.basePath}\`: every URL clients call changes`,
      ...after.basePathAt,
    });
  }
  const removed = lostHostnames(before.hostnames, after.hostnames);
  if (removed) {
    findings.push({
      kind: 'routing',
      id: 'hostnames-removed',
      severity: 'error',
      message: `${removed}: clients calling the API there break`,
      ...after.hostnamesAt,
    });
  }
  // When the spec's own servers said it, a server finding would repeat the same change.
  const explained =
    (before.basePath !== after.basePath && !after.basePathFromConfig) ||
    (removed !== undefined && !after.hostnamesFromConfig);
  if (!explained) findings.push(...compareServers(before, after));
  return findings;
}

/** What the head no longer serves, said for people; undefined when nothing is lost. */
function lostHostnames(before: string[], after: string[]): string | undefined {
  if (after.length === 0) return undefined; // any host again
  if (before.length === 0)
    return `now served only on ${after.map((host) => `\`${host}\``).join(', ')}, no longer on any host`;
  const lost = before.filter((host) => !after.includes(host));
  return lost.length > 0 ? `no longer served on ${lost.map((host) => `\`${host}\``).join(', ')}` : undefined;
}

function compareServers(before: EffectiveRouting, after: EffectiveRouting): Finding[] {
  const headUrls = new Set(after.servers.map((server) => server.url));
  return before.servers.flatMap((server, index) => {
    if (headUrls.has(server.url)) return [];
    const replacement = after.servers[index];
    const position = replacement?.at ?? after.servers[0]?.at ?? after.basePathAt;
    return [
      {
        kind: 'routing' as const,
        id: 'server-url-changed',
        severity: 'error' as const,
        message: replacement
          ? `server \`${server.url}\` changed to \`${replacement.url}\`: clients using it break`
          : `server \`${server.url}\` was removed: clients using it break`,
        ...position,
      },
    ];
  });
}
