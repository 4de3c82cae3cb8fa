/**
 * x-kuma the kuma-gateway target (a builtin MeshGateway) cannot express, as warnings that name the target that
 * can. Fault injection: MeshFaultInjection accepts a MeshGateway only as a whole (`to: Mesh`, no MeshHTTPRoute
 * target: Kuma v2.14.3 validators), so it would hit every route of every API on the gateway. A global rate limit:
 * Kuma OSS has only MeshRateLimit, a token bucket per proxy.
 * @module
 */
import type { Finding } from '../../findings.js';
import type { LoadedSpec } from '../../spec/types.js';
import type { EffectiveSettings } from './settings.js';

/** Adds the warnings for one operation's settings, once per place they are written. */
export function reportKumaGatewayGaps(
  findings: Finding[],
  { settings, origins }: EffectiveSettings,
  operation: { label: string; pointer: string },
  locate: LoadedSpec['locate'],
): void {
  const gaps: { key: 'faultInjection' | 'rateLimit'; message: string }[] = [];
  if (settings.faultInjection) {
    gaps.push({
      key: 'faultInjection',
      message:
        'x-kuma.faultInjection is not rendered: a builtin gateway can inject faults only into all of its routes at once (MeshFaultInjection on the MeshGateway); target gateway-api renders it per route (BackendTrafficPolicy faultInjection)',
    });
  }
  if (settings.rateLimit?.scope === 'global') {
    gaps.push({
      key: 'rateLimit',
      message:
        'x-kuma.rateLimit.scope global: a builtin gateway only limits per replica (MeshRateLimit), so N replicas allow N times the rate; target gateway-api renders a global limit (BackendTrafficPolicy rateLimit.global)',
    });
  }
  for (const { key, message } of gaps) {
    const origin = origins[key];
    const position = locate(origin ?? operation.pointer);
    if (findings.some((f) => f.id === 'x-kuma-target-unsupported' && f.pointer === position.pointer))
      continue;
    findings.push({
      kind: 'routing',
      id: 'x-kuma-target-unsupported',
      severity: 'warning',
      message,
      ...(origin === undefined || origin.startsWith('/paths/') ? { operation: operation.label } : {}),
      ...position,
    });
  }
}
