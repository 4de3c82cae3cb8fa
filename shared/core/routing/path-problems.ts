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
  readParametersIn,
  readPathParameters,
} from '../kuma/render/path-match.js';
import { listOperations, type SpecOperation } from '../spec/operations.js';
import type { LoadedSpec } from '../spec/types.js';
import { type RequestMatch, readFragmentMatches, splitFragment } from './path-fragment.js';
import { describeUnroutablePath, findUnroutablePath } from './unroutable-path.js';

/**
 * What a gateway can match of an operation under `basePath`: its path without a `#` fragment and the query or
 * header matches the fragment stands for (path-fragment.ts), or why it cannot be routed (the `path-unroutable`
 * reason).
 */
export function readRoutablePath(
  bundle: Record<string, unknown>,
  operation: SpecOperation,
  basePath: string,
): { path: string; params: RequestMatch[] } | { reason: string } {
  const { path, fragment } = splitFragment(operation.path);
  const reason = findUnroutablePath(basePath + path);
  if (reason) return { reason };
  if (fragment === undefined) return { path, params: [] };
  const declared = {
    query: readParametersIn(bundle, operation, 'query'),
    header: readParametersIn(bundle, operation, 'header'),
  };
  const read = readFragmentMatches(fragment, declared, operation.method.toUpperCase());
  return 'reason' in read ? read : { path, params: read.matches };
}

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
    const routable = readRoutablePath(bundle, operation, basePath);
    if ('reason' in routable) {
      add(
        {
          kind: 'routing',
          id: 'path-unroutable',
          severity: 'error',
          message: describeUnroutablePath(basePath + operation.path, routable.reason),
        },
        operation.pathPointer,
      );
      continue;
    }
    for (const ignored of listIgnoredPatterns(routable.path, readPathParameters(bundle, operation))) {
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
