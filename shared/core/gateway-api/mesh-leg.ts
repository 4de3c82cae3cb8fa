/**
 * The mesh leg of a delegated gateway: Kuma policies (3.x-compatible form) that let the gateway's sidecar
 * reach the backends and keep its retries and timeouts from fighting the edge's. Pure. (Placeholder until the
 * mesh-leg work lands.)
 * @module
 */
import type { MeshLegInput, MeshLegOutput } from './edge.js';

export function buildMeshLeg(_input: MeshLegInput): MeshLegOutput {
  return { resources: [], findings: [] };
}
