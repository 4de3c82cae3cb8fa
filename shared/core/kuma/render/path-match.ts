/**
 * OpenAPI path templates → MeshHTTPRoute path matches. Literal paths become `Exact`; templated paths become an
 * anchored RE2 regex with the literal parts escaped and each `{param}` one path segment, narrowed by the
 * parameter's schema where that is safe. Kuma orders Exact before PathPrefix before regex, which is exactly
 * OpenAPI's "concrete path beats template" rule; PathPrefix is never used so nothing can shadow an operation.
 * Between regexes Kuma only looks at the pattern length: plan-regex-order.ts pads them to the intended order.
 * @module
 */

import {
  acceptsString,
  compileRegex,
  containsNfa,
  findCommonString,
  TooLarge,
} from '../../regex/automaton.js';
import { parseRe2, serializeRe2 } from '../../regex/re2-syntax.js';
import type { SpecOperation } from '../../spec/operations.js';
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
  return decideSegmentPattern(parameter).pattern;
}

/**
 * The regex of one `{param}`, and why the parameter's `pattern` was not used when it has one that is not
 * (`ignored`: a sentence for the `path-pattern-ignored` warning).
 */
export function decideSegmentPattern(parameter: ParameterInfo | undefined): {
  pattern: string;
  ignored?: string;
} {
  if (!parameter) return { pattern: anySegment };
  // label/matrix styles put `.` or `;name=` before the value: keep the generic segment.
  if (parameter.style !== undefined && parameter.style !== 'simple') return { pattern: anySegment };
  const schema = isObject(parameter.schema) ? parameter.schema : parameter;
  const { enum: values, type, format, pattern, minimum } = schema;
  if (Array.isArray(values) && values.length > 0 && values.every(isScalar)) {
    const alternatives = values.map((value) => escapeRegex(encodeURIComponent(String(value))));
    if (alternatives.every((alternative) => alternative !== ''))
      return { pattern: `(?:${alternatives.join('|')})` };
  }
  if (type === 'integer')
    return { pattern: typeof minimum === 'number' && minimum >= 0 ? '[0-9]+' : '-?[0-9]+' };
  if (format === 'uuid') return { pattern: uuid };
  if (typeof pattern === 'string') {
    const narrowed = narrowPattern(pattern);
    return 'regex' in narrowed
      ? { pattern: narrowed.regex }
      : { pattern: anySegment, ignored: narrowed.reason };
  }
  return { pattern: anySegment };
}

const slashOnly = [[0x2f, 0x2f]] as const;

/**
 * A JSON Schema `pattern` is unanchored (it may match a substring), so only a pattern anchored `^…$` as a
 * whole describes the whole segment. It is used only when our RE2 parser accepts it and the automaton of its
 * language proves it cannot contain `/`, cannot be empty and matches something; it is then written back from
 * the parsed form (never the raw text), wrapped in `(?:…)`, so it cannot change the expression around it.
 */
export function narrowPattern(pattern: string): { regex: string } | { reason: string } {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$'))
    return { reason: 'it is not anchored with ^…$, so it may match part of a segment' };
  const parsed = parseRe2(pattern.slice(1, -1));
  if (!parsed.ok) return { reason: parsed.reason };
  if (parsed.branches > 1)
    return { reason: 'it alternates at the top level (^a|b$ anchors each side only once); write ^(?:a|b)$' };
  try {
    const nfa = compileRegex(parsed.node);
    const withSlash = findCommonString(nfa, containsNfa([...slashOnly]));
    if (withSlash !== undefined) return { reason: `it matches "${withSlash}", which contains "/"` };
    if (acceptsString(nfa, '')) return { reason: 'it matches the empty string' };
    if (findCommonString(nfa, containsNfa([[0, 0x10ffff]])) === undefined)
      return { reason: 'it matches nothing' };
  } catch (error) {
    if (error instanceof TooLarge) return { reason: error.message };
    throw error;
  }
  return { regex: serializeRe2(parsed.node) };
}

/** A path parameter of an operation (after `$ref`s) and where its `pattern` is in the bundle. */
export interface PathParameter {
  info: ParameterInfo;
  /** Bundle pointer of its `pattern` (in `schema` for OpenAPI 3, on the parameter for Swagger 2). */
  patternPointer: string;
}

/** Path parameters of an operation: path-item level, overridden by operation level (same name). */
export function readPathParameters(
  bundle: Record<string, unknown>,
  operation: SpecOperation,
): Map<string, PathParameter> {
  return readParameters(bundle, operation, 'path');
}

/** Query or header parameters of an operation by name (path-item level, overridden by operation level). */
export function readParametersIn(
  bundle: Record<string, unknown>,
  operation: SpecOperation,
  location: 'query' | 'header',
): Map<string, ParameterInfo> {
  return new Map(
    [...readParameters(bundle, operation, location)].map(([name, parameter]) => [name, parameter.info]),
  );
}

function readParameters(
  bundle: Record<string, unknown>,
  operation: SpecOperation,
  location: 'path' | 'query' | 'header',
): Map<string, PathParameter> {
  const parameters = new Map<string, PathParameter>();
  const levels = [
    { list: operation.pathItem.parameters, pointer: `${operation.pathItemPointer}/parameters` },
    { list: operation.operation.parameters, pointer: `${operation.pointer}/parameters` },
  ];
  for (const { list, pointer } of levels) {
    if (!Array.isArray(list)) continue;
    list.forEach((raw, index) => {
      const parameter = followRef(bundle, raw, `${pointer}/${index}`);
      if (!parameter) return;
      const { value } = parameter;
      if (!isObject(value) || value.in !== location || typeof value.name !== 'string') return;
      const schema = followRef(bundle, value.schema, `${parameter.pointer}/schema`);
      parameters.set(value.name, {
        info: schema && isObject(schema.value) ? { ...value, schema: schema.value } : value,
        patternPointer:
          schema && isObject(schema.value) ? `${schema.pointer}/pattern` : `${parameter.pointer}/pattern`,
      });
    });
  }
  return parameters;
}

/** The patterns of an operation's path that {@link decideSegmentPattern} does not use, with why. */
export function listIgnoredPatterns(
  path: string,
  parameters: ReadonlyMap<string, PathParameter>,
): { name: string; pattern: string; pointer: string; reason: string }[] {
  const names = [...path.matchAll(/\{([^{}/]+)\}/g)].map((match) => match[1]!);
  return [...new Set(names)].flatMap((name) => {
    const parameter = parameters.get(name);
    const decided = decideSegmentPattern(parameter?.info);
    if (!parameter || decided.ignored === undefined) return [];
    const schema = isObject(parameter.info.schema) ? parameter.info.schema : parameter.info;
    return [
      { name, pattern: String(schema.pattern), pointer: parameter.patternPointer, reason: decided.ignored },
    ];
  });
}

/** The warning every caller (render, check) reports for an ignored pattern, word for word. */
export function describeIgnoredPattern(ignored: { name: string; pattern: string; reason: string }): string {
  return `the pattern of path parameter "${ignored.name}" is not used for routing (the segment matches any value but "/"): ${ignored.reason}`;
}

/** The value at `value.$ref` (repeatedly) and its bundle pointer; undefined for a broken or cyclic chain. */
function followRef(
  bundle: unknown,
  value: unknown,
  pointer: string,
): { value: unknown; pointer: string } | undefined {
  const seen = new Set<string>();
  let current = value;
  let at = pointer;
  while (isObject(current) && typeof current.$ref === 'string') {
    const ref = current.$ref;
    if (!ref.startsWith('#') || seen.has(ref)) return undefined;
    seen.add(ref);
    at = decodeFragment(ref.slice(1));
    current = readAt(bundle, at);
  }
  return current === undefined ? undefined : { value: current, pointer: at };
}

function readAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

function decodeFragment(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
