/**
 * Where in a bundled OpenAPI 3.x document an oasdiff change happened. oasdiff gives no lines for JSON input,
 * only the operation and an English text with the names in backticks ("the `query` request parameter `limit`
 * became required", "removed the required property `items/status` from the response with the `200` status"),
 * so we walk the document along those names: parameter, response status, media type, property path. `$ref`s
 * are followed, so a change inside a shared schema lands on that schema's own property.
 * @module
 */
import { appendPointer, type ResolvedNode, resolveAtPointer } from '../spec/json-pointer.js';
import type { BreakingChange } from './breaking-change.js';

export interface ChangeLocation {
  /** Pointer into the document: the most precise node found. */
  pointer: string;
  /** How far along the change's target the walk got (0 = nothing, 1 = path item, 2 = operation, …). */
  depth: number;
  /** The backticked names that said *where* (status, media type, parameter, property path), not *what*. */
  used: string[];
}

/** Locate `change` in `doc` (OpenAPI 3.x, internal refs only). Falls back to the operation, then the path item. */
export function locateChange(change: BreakingChange, doc: unknown): ChangeLocation {
  const names = listBacktickedNames(change.text);
  if (change.path === undefined) return { pointer: '', depth: 0, used: [] };
  const item = resolveAtPointer(doc, appendPointer('/paths', change.path));
  if (!item) return { pointer: '', depth: 0, used: [] };
  // A whole path removed (or changed): its path item is the place, whatever operations it had.
  if (change.id.startsWith('api-path-')) return { pointer: item.pointer, depth: 1, used: [] };
  const method = change.operation?.toLowerCase();
  const operation = method ? resolveAtPointer(doc, appendPointer(item.pointer, method)) : undefined;
  if (!operation) return { pointer: item.pointer, depth: 1, used: [] };
  const start: ChangeLocation = { pointer: operation.pointer, depth: 2, used: [] };
  if (/parameter|request-header/.test(change.id))
    return locateParameter(doc, item, operation, change.id, names, start);
  if (/response/.test(change.id)) return locateInResponses(doc, operation, change.id, names, start);
  if (/request/.test(change.id)) return locateInRequestBody(doc, operation, change.id, names, start);
  return start;
}

export function listBacktickedNames(text: string): string[] {
  return [...text.matchAll(/`([^`]*)`/g)].map((match) => match[1] ?? '');
}

const parameterLocations = new Set(['path', 'query', 'header', 'cookie']);

function locateParameter(
  doc: unknown,
  item: ResolvedNode,
  operation: ResolvedNode,
  id: string,
  names: string[],
  start: ChangeLocation,
): ChangeLocation {
  const declared = [...listEntries(doc, operation, 'parameters'), ...listEntries(doc, item, 'parameters')];
  const location = names.find((name) => parameterLocations.has(name));
  for (const parameter of declared) {
    const { name, in: where } = parameter.node;
    if (typeof name !== 'string' || (location !== undefined && where !== location)) continue;
    const matches = (candidate: string) =>
      where === 'header' ? candidate.toLowerCase() === name.toLowerCase() : candidate === name;
    const found = names.find((candidate) => candidate !== location && matches(candidate));
    if (found === undefined) continue;
    const used = location === undefined ? [found] : [location, found];
    const at: ChangeLocation = { pointer: parameter.pointer, depth: start.depth + 2, used };
    const schema = resolveAtPointer(doc, appendPointer(parameter.pointer, 'schema'));
    // OpenAPI 3 parameters keep constraints in `schema`; point there only when the change is about it.
    return schema && /enum|type|max|min|pattern|property|format|default|nullable|list-of-types/.test(id)
      ? descendSchema(doc, schema, id, names, { ...at, pointer: schema.pointer })
      : at;
  }
  return start;
}

function locateInResponses(
  doc: unknown,
  operation: ResolvedNode,
  id: string,
  names: string[],
  start: ChangeLocation,
): ChangeLocation {
  const responses = resolveAtPointer(doc, appendPointer(operation.pointer, 'responses'));
  if (!responses) return start;
  const status = names.find((name) => Object.hasOwn(responses.node, name));
  // A response added or removed: its entry under `responses` is the place (or `responses` on the side that lacks
  // it), never the schema it used to return.
  if (/status-(added|removed)/.test(id)) {
    return status === undefined
      ? { pointer: responses.pointer, depth: start.depth + 1, used: [] }
      : { pointer: appendPointer(responses.pointer, status), depth: start.depth + 2, used: [status] };
  }
  const statuses = status === undefined ? Object.keys(responses.node) : [status];
  const base = status === undefined ? start : { ...start, depth: start.depth + 1, used: [status] };
  let best = status === undefined ? start : { ...base, pointer: appendPointer(responses.pointer, status) };
  for (const code of statuses) {
    const response = resolveAtPointer(doc, appendPointer(responses.pointer, code));
    if (!response) continue;
    const found = /header/.test(id)
      ? locateHeader(doc, response, names, { ...base, pointer: response.pointer })
      : locateInContent(doc, response, id, names, { ...base, pointer: response.pointer });
    best = pickDeeper(best, found);
  }
  return best;
}

function locateHeader(
  doc: unknown,
  response: ResolvedNode,
  names: string[],
  at: ChangeLocation,
): ChangeLocation {
  const headers = resolveAtPointer(doc, appendPointer(response.pointer, 'headers'));
  if (!headers) return at;
  for (const key of Object.keys(headers.node)) {
    const found = names.find((name) => name.toLowerCase() === key.toLowerCase() && !at.used.includes(name));
    const header =
      found === undefined ? undefined : resolveAtPointer(doc, appendPointer(headers.pointer, key));
    if (found !== undefined && header) {
      return { pointer: header.pointer, depth: at.depth + 1, used: [...at.used, found] };
    }
  }
  return at;
}

function locateInRequestBody(
  doc: unknown,
  operation: ResolvedNode,
  id: string,
  names: string[],
  start: ChangeLocation,
): ChangeLocation {
  const body = resolveAtPointer(doc, appendPointer(operation.pointer, 'requestBody'));
  if (!body) return start;
  return locateInContent(doc, body, id, names, { ...start, pointer: body.pointer, depth: start.depth + 1 });
}

/** Within a response or request body: media type, then its schema, then the property path. */
function locateInContent(
  doc: unknown,
  owner: ResolvedNode,
  id: string,
  names: string[],
  at: ChangeLocation,
): ChangeLocation {
  const content = resolveAtPointer(doc, appendPointer(owner.pointer, 'content'));
  if (!content) return at;
  const mediaType = names.find((name) => Object.hasOwn(content.node, name) && !at.used.includes(name));
  const mediaTypes = mediaType === undefined ? Object.keys(content.node) : [mediaType];
  const base =
    mediaType === undefined
      ? at
      : {
          pointer: appendPointer(content.pointer, mediaType),
          depth: at.depth + 1,
          used: [...at.used, mediaType],
        };
  // A media type added or removed: the media type is the place, not its schema.
  if (mediaType !== undefined && /media-type/.test(id)) return base;
  let best = base;
  for (const type of mediaTypes) {
    const schema = resolveAtPointer(doc, appendPointer(content.pointer, type, 'schema'));
    if (!schema) continue;
    best = pickDeeper(best, descendSchema(doc, schema, id, names, { ...base, pointer: schema.pointer }));
  }
  return best;
}

/** From a schema, follow the longest property path named in the text; then an enum value, if the change is one. */
function descendSchema(
  doc: unknown,
  schema: ResolvedNode,
  id: string,
  names: string[],
  at: ChangeLocation,
): ChangeLocation {
  let best = { ...at, depth: at.depth + 1 };
  let node = schema;
  for (const name of names) {
    if (at.used.includes(name) || name === '') continue;
    const walked = walkPropertyPath(doc, schema, splitPropertyPath(name));
    if (walked.matched > 0 && at.depth + 1 + walked.matched > best.depth) {
      best = { pointer: walked.node.pointer, depth: at.depth + 1 + walked.matched, used: [...at.used, name] };
      node = walked.node;
    }
  }
  return /enum/.test(id) ? pointAtEnumValue(node, names, best) : best;
}

/** An enum change points at the value itself when it is still there, else at the `enum` list. */
function pointAtEnumValue(schema: ResolvedNode, names: string[], at: ChangeLocation): ChangeLocation {
  const values = schema.node.enum;
  if (!Array.isArray(values)) return at;
  const index = values.findIndex((value) =>
    names.some((name) => !at.used.includes(name) && name === String(value)),
  );
  const pointer =
    index < 0 ? appendPointer(schema.pointer, 'enum') : appendPointer(schema.pointer, 'enum', index);
  return { ...at, pointer };
}

/** `owner/allOf[#/components/schemas/Owner]/email` → `owner`, `allOf[#/components/schemas/Owner]`, `email`. */
export function splitPropertyPath(path: string): string[] {
  const segments: string[] = [];
  let current = '';
  let brackets = 0;
  for (const char of path) {
    if (char === '[') brackets++;
    if (char === ']') brackets = Math.max(0, brackets - 1);
    if (char === '/' && brackets === 0) {
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  return segments;
}

function walkPropertyPath(
  doc: unknown,
  schema: ResolvedNode,
  segments: string[],
): { node: ResolvedNode; matched: number } {
  let node = schema;
  let matched = 0;
  for (const segment of segments) {
    const next = stepIntoSchema(doc, node, segment, 0);
    if (!next) break;
    node = next;
    matched++;
  }
  return { node, matched };
}

const compositionKeywords = ['allOf', 'oneOf', 'anyOf'] as const;

function stepIntoSchema(
  doc: unknown,
  schema: ResolvedNode,
  segment: string,
  nesting: number,
): ResolvedNode | undefined {
  const composed = /^(allOf|oneOf|anyOf)\[(.*)\]$/.exec(segment);
  if (composed) {
    const keyword = composed[1] ?? '';
    const label = composed[2] ?? '';
    const branches = schema.node[keyword];
    if (!Array.isArray(branches)) return undefined;
    const byNumber = /#(\d+)/.exec(label);
    const index = label.startsWith('#/')
      ? branches.findIndex((branch) => (branch as { $ref?: unknown } | null)?.$ref === label)
      : Number(byNumber?.[1] ?? 0) - 1;
    return index < 0 ? undefined : resolveAtPointer(doc, appendPointer(schema.pointer, keyword, index));
  }
  const properties = schema.node.properties;
  if (properties && typeof properties === 'object' && Object.hasOwn(properties, segment)) {
    return resolveAtPointer(doc, appendPointer(schema.pointer, 'properties', segment));
  }
  if (segment === 'items' || segment === 'additionalProperties') {
    const inner = resolveAtPointer(doc, appendPointer(schema.pointer, segment));
    if (inner) return inner;
  }
  // A property may come from any branch of a composition (oasdiff names it without the branch).
  if (nesting > 8) return undefined;
  for (const keyword of compositionKeywords) {
    const branches = schema.node[keyword];
    if (!Array.isArray(branches)) continue;
    for (let index = 0; index < branches.length; index++) {
      const branch = resolveAtPointer(doc, appendPointer(schema.pointer, keyword, index));
      const found = branch && stepIntoSchema(doc, branch, segment, nesting + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function listEntries(doc: unknown, owner: ResolvedNode, key: string): ResolvedNode[] {
  const list = owner.node[key];
  if (!Array.isArray(list)) return [];
  return list.flatMap((_, index) => resolveAtPointer(doc, appendPointer(owner.pointer, key, index)) ?? []);
}

function pickDeeper(current: ChangeLocation, candidate: ChangeLocation): ChangeLocation {
  return candidate.depth > current.depth ? candidate : current;
}
