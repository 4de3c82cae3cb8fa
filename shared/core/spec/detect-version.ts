/**
 * Which OpenAPI version a parsed document declares.
 * @module
 */
import type { OpenApiVersion } from './types.js';

export type DetectedVersion =
  | { kind: 'openapi'; version: OpenApiVersion }
  | { kind: 'unsupported'; declared: string }
  | { kind: 'not-openapi' };

export function detectVersion(document: unknown): DetectedVersion {
  if (document === null || typeof document !== 'object' || Array.isArray(document))
    return { kind: 'not-openapi' };
  const { swagger, openapi } = document as Record<string, unknown>;
  if (swagger !== undefined) {
    const declared = versionText(swagger);
    return declared === '2.0'
      ? { kind: 'openapi', version: '2.0' }
      : { kind: 'unsupported', declared: `swagger ${declared}` };
  }
  if (openapi === undefined) return { kind: 'not-openapi' };
  const declared = versionText(openapi);
  if (/^3\.0(\.\d+)?$/.test(declared)) return { kind: 'openapi', version: '3.0' };
  if (/^3\.1(\.\d+)?$/.test(declared)) return { kind: 'openapi', version: '3.1' };
  return { kind: 'unsupported', declared: `openapi ${declared}` };
}

/** YAML reads `openapi: 3.0` as the number 3; keep it recognisable (validation still reports the type). */
function versionText(value: unknown): string {
  return typeof value === 'number' ? value.toFixed(1) : String(value);
}
