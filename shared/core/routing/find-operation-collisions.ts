/**
 * Two operations the gateway cannot tell apart: same method, same path shape once parameter names are ignored
 * (`/users/{id}` and `/users/{name}`). A literal segment beside a parameter (`/users/me` and `/users/{id}`) is
 * legal: an exact match wins over a regular expression. Disabled operations are not routed, so they never collide.
 * @module
 */
import type { Finding } from '../findings.js';
import type { LoadedSpec } from '../spec/types.js';
import { listOperations, type OperationRef } from './list-operations.js';

export function findOperationCollisions(spec: LoadedSpec): Finding[] {
  const first = new Map<string, OperationRef>();
  const findings: Finding[] = [];
  for (const operation of listOperations(spec.bundle ?? {})) {
    if (operation.disabled) continue;
    const key = `${operation.method} ${buildPathShape(operation.path)}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, operation);
      continue;
    }
    const where = spec.locate(earlier.pointer);
    findings.push({
      kind: 'routing',
      id: 'operation-collision',
      severity: 'error',
      message: `${operation.label} matches the same requests as ${earlier.label} (${where.file}:${where.line}): the gateway cannot route them apart`,
      ...spec.locate(operation.pointer),
      operation: operation.label,
      hint: 'Merge the two operations, or make one path differ by a literal segment.',
    });
  }
  return findings;
}

/** `/users/{id}/posts/{postId}.json` → `/users/{}/posts/{}.json`. */
export function buildPathShape(path: string): string {
  return path.replace(/\{[^}]*\}/g, '{}');
}
