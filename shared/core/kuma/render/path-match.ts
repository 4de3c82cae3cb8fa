/**
 * OpenAPI path templates → MeshHTTPRoute path matches. Literal paths become `Exact`; templated paths become an
 * anchored RE2 regex with the literal parts escaped and each `{param}` one path segment, narrowed by the
 * parameter's schema where that is safe. Kuma orders Exact before PathPrefix before regex, which is exactly
 * OpenAPI's "concrete path beats template" rule; PathPrefix is never used so nothing can shadow an operation.
 * Between regexes Kuma only looks at the pattern length: plan-regex-order.ts pads them to the intended order.
 * @module
 */
import { RE2JS } from 're2js';
import { isObject } from './resolve-ref.js';

export interface PathMatch {
  type: 'Exact' | 'RegularExpression';
  value: string;
}

/** One `/`-separated segment of a path template: literal text, or the regex of a segment with `{param}`s. */
export interface PathSegment {
  /** The segment as written in the template, e.g. `star`, `{gist_id}`, `{name}.json`. */
  text: string;
  /** Regex of a templated segment (literal parts escaped); undefined for a literal segment. */
  pattern?: string;
}

/** What we know about a path parameter (already `$ref`-resolved): OpenAPI 3 `schema`/`style` or Swagger 2 fields. */
export type ParameterInfo = Record<string, unknown>;

const anySegment = '[^/]+';
const uuid = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** `fullPath` is the base path + the OpenAPI path, e.g. `/profiles/users/{userId}`. */
export function buildPathMatch(fullPath: string, parameters: ReadonlyMap<string, ParameterInfo>): PathMatch {
  return buildSegmentsMatch(splitPathTemplate(fullPath, parameters));
}

/** The segments of a path template, each `{param}` narrowed by its parameter's schema. */
export function splitPathTemplate(
  fullPath: string,
  parameters: ReadonlyMap<string, ParameterInfo>,
): PathSegment[] {
  return fullPath.split('/').map((text) => {
    const parts = text.split(/(\{[^{}/]+\})/);
    if (parts.length === 1) return { text };
    const pattern = parts
      .map((part, index) =>
        index % 2 === 1 ? buildSegmentPattern(parameters.get(part.slice(1, -1))) : escapeRegex(part),
      )
      .join('');
    return { text, pattern };
  });
}

/**
 * Literal segments only → Exact; otherwise an anchored regex. `wraps` adds that many `(?:…)` around segments
 * (literal ones first, right to left): the same language, a longer pattern, which is how Kuma ranks regexes
 * (see plan-regex-order.ts).
 */
export function buildSegmentsMatch(segments: readonly PathSegment[], wraps = 0): PathMatch {
  if (segments.every((segment) => segment.pattern === undefined)) {
    return { type: 'Exact', value: segments.map((segment) => segment.text).join('/') };
  }
  const regexes = segments.map((segment) => segment.pattern ?? escapeRegex(segment.text));
  const targets = listWrapTargets(segments);
  targets.forEach((index, order) => {
    const times = Math.floor(wraps / targets.length) + (order < wraps % targets.length ? 1 : 0);
    regexes[index] = '(?:'.repeat(times) + regexes[index] + ')'.repeat(times);
  });
  return { type: 'RegularExpression', value: `^${regexes.join('/')}$` };
}

/** Segments that can carry a wrap: non-empty literal ones right to left, then templated ones right to left. */
function listWrapTargets(segments: readonly PathSegment[]): number[] {
  const indexes = segments.map((_, index) => index).reverse();
  return [
    ...indexes.filter((index) => segments[index]!.pattern === undefined && segments[index]!.text !== ''),
    ...indexes.filter((index) => segments[index]!.pattern !== undefined),
  ];
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
