/**
 * oasdiff 1.15.0 reads a Swagger 2.0 document as an empty API (every operation "removed"), so 2.0 bundles are
 * converted to OpenAPI 3.0 in memory first; pointers found in the converted document are then mapped back to
 * the 2.0 document, whose source map is the one we have.
 * @module
 */
import { appendPointer, decodePointer, getAtPointer } from '../spec/json-pointer.js';

const splitPointer = (pointer: string): string[] => decodePointer(pointer) ?? [];

/**
 * OpenAPI 3.0 version of a Swagger 2.0 bundle: no `$ref` resolution, no I/O, extensions kept. (`text` is only
 * used in the converter's error messages; without it, it re-serialises the whole document as YAML.)
 */
export async function convertSwagger2(bundle: Record<string, unknown>): Promise<Record<string, unknown>> {
  // Loaded on demand: only Swagger 2.0 specs need it, and it is slow to import.
  const { default: swagger2openapi } = await import('swagger2openapi');
  return swagger2openapi.convertObj(bundle, {
    patch: true,
    warnOnly: true,
    resolve: false,
    direct: true,
    text: '{}',
  });
}

const componentSections: Record<string, string> = {
  schemas: 'definitions',
  parameters: 'parameters',
  responses: 'responses',
  securitySchemes: 'securityDefinitions',
};

/** The pointer in the Swagger 2.0 document that corresponds to `pointer` in its 3.0 conversion (best effort). */
export function mapPointerToSwagger2(pointer: string, swagger: unknown): string {
  const segments = splitPointer(pointer);
  if (segments[0] === 'components') {
    const section = componentSections[segments[1] ?? ''];
    if (!section) return '';
    return appendPointer('', ...mapTail([section, ...segments.slice(2)]));
  }
  if (segments[0] !== 'paths' || segments.length < 3) return pointer;
  const [, path = '', method = ''] = segments;
  const operation = appendPointer('/paths', path, method);
  const rest = segments.slice(3);
  if (rest[0] === 'requestBody') {
    // The body (or form data) was a parameter in 2.0.
    const parameters = getAtPointer(swagger, appendPointer(operation, 'parameters'));
    const index = Array.isArray(parameters)
      ? parameters.findIndex(
          (p) => (p as { in?: unknown })?.in === 'body' || (p as { in?: unknown })?.in === 'formData',
        )
      : -1;
    if (index < 0) return operation;
    const body = appendPointer(operation, 'parameters', index);
    return rest[1] === 'content' ? appendPointer(body, ...mapTail(rest.slice(3))) : body;
  }
  return appendPointer(operation, ...mapTail(rest));
}

/** Drop the 3.0-only levels: `content/<media type>` and a parameter's or header's `schema`. */
function mapTail(segments: string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] ?? '';
    if (segment === 'content' && out.at(-1) !== 'properties') {
      index++; // skip the media type; the next segment is usually `schema`, which 2.0 has too
      continue;
    }
    if (
      segment === 'schema' &&
      out.length >= 2 &&
      (out.at(-2) === 'parameters' || out.at(-2) === 'headers')
    ) {
      continue;
    }
    out.push(segment);
  }
  return out;
}
