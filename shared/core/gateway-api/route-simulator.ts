/**
 * Which HTTPRoute rule Envoy Gateway sends a request to, ported from its xDS translation, and the proof that
 * every operation reaches its own rule. Pure. (Placeholder until the route-order work lands.)
 * @module
 */
import type { ManifestResource } from './edge.js';

/** An operation and the HTTPRoute rule that should serve it. */
export interface ExpectedGatewayApiOperation {
  /** Upper case. */
  method: string;
  /** Base path + OpenAPI path template, e.g. `/v1/pets/{id}`. */
  pathTemplate: string;
  /** HTTPRoute name and namespace. */
  route: string;
  namespace: string;
  ruleIndex: number;
  /** Index of the match within the rule, when not the first. */
  matchIndex?: number;
}

/** One message per operation that a request for it would not reach (another rule wins, or none matches). */
export function proveGatewayApiNoShadowing(
  _routes: ManifestResource[],
  _operations: ExpectedGatewayApiOperation[],
): string[] {
  return [];
}
