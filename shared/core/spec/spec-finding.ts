/**
 * Findings raised while loading a spec: always `validation` errors on a file and line.
 * @module
 */
import type { Finding } from '../findings.js';

export type LoadFindingId =
  | 'file-not-found'
  | 'file-too-large'
  | 'too-many-files'
  | 'yaml-syntax'
  | 'yaml-alias-limit'
  | 'too-deep'
  | 'not-openapi'
  | 'openapi-version-unsupported'
  | 'ref-remote'
  | 'ref-absolute'
  | 'ref-outside-root'
  | 'ref-not-found'
  | 'ref-pointer-not-found'
  | 'ref-invalid';

export interface FindingPlace {
  file: string;
  line: number;
  column: number;
  pointer: string;
}

export function buildLoadFinding(
  id: LoadFindingId,
  message: string,
  place: FindingPlace,
  hint?: string,
): Finding {
  return { kind: 'validation', id, severity: 'error', message, ...place, ...(hint ? { hint } : {}) };
}

/** The start of a file, for problems that belong to the file as a whole. */
export function fileStart(file: string): FindingPlace {
  return { file, line: 1, column: 1, pointer: '' };
}
