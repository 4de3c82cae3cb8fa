/**
 * Envoy Gateway SecurityPolicy per HTTPRoute: JWT, OIDC, API keys and CORS, from the spec's security schemes
 * and x-kuma. Pure. (Placeholder until the edge-security work lands.)
 * @module
 */
import type { EdgeInput, EdgeOutput } from './edge.js';

export function buildSecurityPolicies(_input: EdgeInput): EdgeOutput {
  return { resources: [], findings: [] };
}
