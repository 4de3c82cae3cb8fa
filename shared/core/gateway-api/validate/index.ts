/**
 * Gateway API and Envoy Gateway resources against their CRDs (vendored, pinned) and the rules their
 * controllers apply beyond the schema. Pure. (Placeholder until the validation work lands.)
 * @module
 */
import type { ManifestResource } from '../edge.js';

export interface GatewayApiProblem {
  /** `Kind/name`. */
  resource: string;
  /** The rule that rejects it: `schema`, a CEL rule's message, or the controller's check. */
  rule: string;
  /** JSON path in the object, e.g. `spec.rules[0].matches[1].path.value`. */
  path: string;
  message: string;
}

export function validateGatewayApiResources(_resources: ManifestResource[]): GatewayApiProblem[] {
  return [];
}
