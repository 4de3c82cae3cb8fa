/**
 * Envoy Gateway BackendTrafficPolicy per HTTPRoute: rate limits, retries, circuit breaking, health checks,
 * fault injection. Pure. (Placeholder until the edge-traffic work lands.)
 * @module
 */
import type { EdgeInput, EdgeOutput } from './edge.js';

export function buildBackendTrafficPolicies(_input: EdgeInput): EdgeOutput {
  return { resources: [], findings: [] };
}
