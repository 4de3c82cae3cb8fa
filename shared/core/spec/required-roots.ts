/**
 * The top-level fields an OpenAPI document cannot do without. swagger-parser stops at the first one it misses
 * (3.x: only "paths"), and the render of a document without them is empty: both say each missing field, on the
 * document's first line.
 * @module
 */
import type { Finding } from '../findings.js';
import type { LoadedSpec } from './types.js';

/** One finding per required top-level field that is absent (or null); none for a document that has them all. */
export function findMissingRoots(spec: LoadedSpec): Finding[] {
  const bundle = spec.bundle;
  if (!bundle || !spec.version) return [];
  const has = (key: string) => bundle[key] !== undefined && bundle[key] !== null;
  const missing: string[] = [];
  if (!has('info')) missing.push('the document is missing the required field "info"');
  if (spec.version === '3.1') {
    if (!has('paths') && !has('webhooks') && !has('components'))
      missing.push('the document has none of "paths", "webhooks" and "components" (OpenAPI 3.1 needs one)');
  } else if (!has('paths')) {
    missing.push('the document is missing the required field "paths"');
  }
  return missing.map((problem) => ({
    kind: 'validation',
    id: 'oas-schema',
    severity: 'error',
    message: `Invalid OpenAPI ${spec.version}: ${problem}`,
    ...spec.locate(''),
  }));
}
