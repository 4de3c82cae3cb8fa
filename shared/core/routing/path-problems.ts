/**
 * Problems with the paths of a spec that render and check report alike (same id, position and words, so the
 * PR shows each once): `path-unroutable` (error, on the path's line: the operations under it are not
 * exposed) and `path-pattern-ignored` (warning, on the `pattern`'s line: the segment falls back to `[^/]+`).
 * @module
 */
import type { Finding } from '../findings.js';
import {
  describeIgnoredPattern,
  listIgnoredPatterns,
  readPathParameters,
} from '../kuma/render/path-match.js';
import { listOperations } from '../spec/operations.js';
import type { LoadedSpec } from '../spec/types.js';
import { describeUnroutablePath, findUnroutablePath } from './unroutable-path.js';

/** `basePath`: `` or `/a/b` (no trailing slash), prefixed to every OpenAPI path. */
export function findPathProblems(spec: LoadedSpec, basePath: string): Finding[] {
  const bundle = spec.bundle;
  if (!bundle) return [];
  const findings = new Map<string, Finding>();
  const add = (finding: Omit<Finding, 'file' | 'line' | 'column' | 'pointer'>, pointer: string) => {
    const key = `${finding.id}\u0000${pointer}\u0000${finding.message}`;
    if (!findings.has(key)) findings.set(key, { ...finding, ...spec.locate(pointer) });
  };
  for (const operation of listOperations(bundle)) {
    const fullPath = basePath + operation.path;
    const reason = findUnroutablePath(fullPath);
    if (reason) {
      add(
        {
          kind: 'routing',
          id: 'path-unroutable',
          severity: 'error',
          message: describeUnroutablePath(fullPath, reason),
        },
        operation.pathPointer,
      );
      continue;
    }
    for (const ignored of listIgnoredPatterns(operation.path, readPathParameters(bundle, operation))) {
      add(
        {
          kind: 'routing',
          id: 'path-pattern-ignored',
          severity: 'warning',
          message: describeIgnoredPattern(ignored),
        },
        ignored.pointer,
      );
    }
  }
  return [...findings.values()];
}
