/**
 * OpenAPI path templates → MeshHTTPRoute path matches. Literal paths become `Exact`; templated paths become an
 * anchored RE2 regex with the literal parts escaped and each `{param}` one path segment, narrowed by the
 * parameter's schema where that is safe. Kuma orders Exact before PathPrefix before regex, which is exactly
 * OpenAPI's "concrete path beats template" rule; PathPrefix is never used so nothing can shadow an operation.
 * @module
 */
import { RE2JS } from 're2js';
import { isObject } from './resolve-ref.js';

export interface PathMatch {
  type: 'Exact' | 'RegularExpression';
  value: string;
}

/** What we know about a path parameter (already `$ref`-resolved): OpenAPI 3 `schema`/`style` or Swagger 2 fields. */
export type ParameterInfo = Record<string, unknown>;

const anySegment = '[^/]+';
const uuid = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** `fullPath` is the base path + the OpenAPI path, e.g. `/profiles/users/{userId}`. */
export function buildPathMatch(fullPath: string, parameters: ReadonlyMap<string, ParameterInfo>): PathMatch {
  const parts = fullPath.split(/(\{[^{}/]+\})/);
  if (parts.length === 1) return { type: 'Exact', value: fullPath };
  const regex = parts
    .map((part, index) =>
      index % 2 === 1 ? buildSegmentPattern(parameters.get(part.slice(1, -1))) : escapeRegex(part),
    )
    .join('');
  return { type: 'RegularExpression', value: `^${regex}$` };
}

/** The regex of one `{param}`: never matches `/`, never empty. */
export function buildSegmentPattern(parameter: ParameterInfo | undefined): string {
  if (!parameter) return anySegment;
  // label/matrix styles put `.` or `;name=` before the value: keep the generic segment.
  if (parameter.style !== undefined && parameter.style !== 'simple') return anySegment;
  const schema = isObject(parameter.schema) ? parameter.schema : parameter;
  const { enum: values, type, format, pattern, minimum } = schema;
  if (Array.isArray(values) && values.length > 0 && values.every(isScalar)) {
    const alternatives = values.map((value) => escapeRegex(encodeURIComponent(String(value))));
    if (alternatives.every((alternative) => alternative !== '')) return `(?:${alternatives.join('|')})`;
  }
  if (type === 'integer') return typeof minimum === 'number' && minimum >= 0 ? '[0-9]+' : '-?[0-9]+';
  if (format === 'uuid') return uuid;
  if (typeof pattern === 'string') return narrowPattern(pattern) ?? anySegment;
  return anySegment;
}

/**
 * A JSON Schema `pattern` is unanchored (it may match a substring), so only a fully anchored `^…$` pattern
 * describes the whole segment. It is used when RE2 accepts it and it cannot match `/` or an empty string.
 */
function narrowPattern(pattern: string): string | undefined {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) return undefined;
  const inner = pattern.slice(1, -1);
  // Anything that could match `/`: dot, negated classes, negated shorthand or Unicode classes, `/` itself.
  if (/(^|[^\\])\.|\[\^|\\[DWSPp]|\/|\\x2[fF]|\$|\^/.test(inner)) return undefined;
  try {
    const compiled = RE2JS.compile(`^(?:${inner})$`);
    if (compiled.matches('')) return undefined;
  } catch {
    return undefined;
  }
  return `(?:${inner})`;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
