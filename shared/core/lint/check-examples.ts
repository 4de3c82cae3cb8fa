/**
 * Examples and defaults must validate against their schema (`oas3-valid-media-example`,
 * `oas3-valid-schema-example` and the 2.0 pair). A finding points at the offending value inside the example,
 * not just at the example.
 *
 * Validation interprets the schemas with @cfworker/json-schema instead of compiling them (Ajv): every example
 * is checked once, so compiling each schema to code first cost ~10× more than it saved (GitHub's description:
 * 5,250 examples, ~2–5 s with Ajv, ~0.3–0.5 s interpreted). Schemas are copied lazily, on the first `$ref` to
 * them, with their OpenAPI 2.0/3.0 keywords rewritten into draft-07.
 * @module
 */
import { type OutputUnit, type Schema, validate } from '@cfworker/json-schema';
import { getAtPointer } from '../spec/json-pointer.js';
import type { ExampleSite } from './check-nodes.js';
import { compileLinear, withLinearRegExp } from './linear-regexp.js';
import { isObject, type JsonObject } from './spec-walk.js';
import type { RuleContext } from './types.js';

const specId = 'urn:kuma-api-forge:spec';

export function checkExamples(ctx: RuleContext, sites: readonly ExampleSite[]): void {
  if (sites.length === 0) return;
  const draft7 = ctx.version !== '3.1';
  /** Patterns RE2 refuses: left out of the copies, reported once, on the first example that reaches them. */
  const refused = new Set<string>();
  let reported = 0;
  const lookup = createLazyLookup(ctx.bundle, draft7, refused);
  for (const site of sites) {
    const error = findFirstError(site, draft7, lookup, refused);
    for (const pattern of [...refused].slice(reported)) {
      ctx.report({
        rule: site.rule,
        pointer: site.valuePointer,
        severity: 'warning',
        message: `The schema's pattern ${JSON.stringify(pattern)} uses syntax a linear-time regex engine (RE2) does not support (backreferences, lookaround): the example is not checked against it.`,
      });
    }
    reported = refused.size;
    if (!error) continue;
    // A property the schema does not allow is reported on the object that has it, as Spectral does.
    const at =
      error.keyword === 'additionalProperties'
        ? error.instancePath.slice(0, error.instancePath.lastIndexOf('/'))
        : error.instancePath;
    ctx.report({
      rule: site.rule,
      pointer: `${site.valuePointer}${at}`,
      message: `${describeError(error)}: fix the example or the schema.`,
    });
  }
}

interface ExampleError {
  /** JSON pointer inside the example. */
  instancePath: string;
  /** The failing keyword (`false` for a property the schema does not allow) and its schema value. */
  keyword: string;
  expected: unknown;
  /** The validator's own words, for keywords without a message of ours. */
  text: string;
}

/** Keywords whose error only summarises the errors that follow it. */
const summaryKeywords = new Set([
  '$ref',
  '$recursiveRef',
  'properties',
  'patternProperties',
  'additionalProperties',
  'unevaluatedProperties',
  'propertyNames',
  'dependentSchemas',
  'items',
  'prefixItems',
  'additionalItems',
  'unevaluatedItems',
  'allOf',
  'anyOf',
  'if',
]);

/**
 * The first error of the first failing branch, or undefined when the value is valid. A schema the validator
 * cannot use (an unknown `type`, a `$ref` to nowhere, a `patternProperties` regex it rejects) skips the
 * example: an unusable schema is validation's finding, not lint's.
 */
function findFirstError(
  site: ExampleSite,
  draft7: boolean,
  lookup: Record<string, Schema>,
  refused: Set<string>,
): ExampleError | undefined {
  let schema: Schema;
  let errors: OutputUnit[];
  try {
    schema = (
      typeof site.schema === 'string'
        ? { $ref: absoluteRef(site.schema) }
        : copySchema(site.schema, draft7, refused)
    ) as Schema;
    const result = withLinearRegExp(() =>
      validate(site.value, schema, draft7 ? '7' : '2020-12', lookup, true),
    );
    if (result.valid) return undefined;
    errors = result.errors;
  } catch {
    return undefined;
  }
  const index = errors.findIndex((error, i) => !isSummary(error, errors[i + 1]));
  const error = errors[index] ?? errors[errors.length - 1];
  if (!error) return undefined;
  const parent = errors[index - 1];
  const keyword =
    error.keyword === 'false' && parent?.keyword === 'additionalProperties'
      ? 'additionalProperties'
      : error.keyword;
  return {
    instancePath: decodeLocation(error.instanceLocation),
    keyword,
    expected: keyword === 'false' ? false : schemaValueAt(schema, error.keywordLocation, lookup),
    text: error.error,
  };
}

function isSummary(error: OutputUnit, next: OutputUnit | undefined): boolean {
  if (summaryKeywords.has(error.keyword)) return next !== undefined;
  // `oneOf` (no match vs. several), `dependencies` (schema vs. list) are summaries only when errors follow.
  return next?.keywordLocation.startsWith(`${error.keywordLocation}/`) ?? false;
}

/** The schema value an error's keyword location names, following `$ref`s through the lookup. */
function schemaValueAt(root: Schema, keywordLocation: string, lookup: Record<string, Schema>): unknown {
  let node: unknown = root;
  for (const segment of keywordLocation.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    const at = node as Record<string, unknown>;
    node = segment === '$ref' && typeof at.$ref === 'string' ? lookup[at.$ref] : at[decodeSegment(segment)];
  }
  return node;
}

/** `#/a/b%20c` (the validator's encoding) → `/a/b c` (a JSON pointer). */
function decodeLocation(location: string): string {
  return location
    .split('/')
    .slice(1)
    .map((segment) => `/${decodeURIComponent(segment)}`)
    .join('');
}

function decodeSegment(segment: string): string {
  return decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
}

function describeError({ instancePath, keyword, expected, text }: ExampleError): string {
  const where = instancePath === '' ? 'Example' : `Example value at ${instancePath}`;
  const json = (value: unknown) => JSON.stringify(value);
  switch (keyword) {
    case 'type':
      return `${where} must be ${Array.isArray(expected) ? expected.join(',') : String(expected)}`;
    case 'enum':
      return `${where} must be one of ${Array.isArray(expected) ? expected.map(json).join(', ') : json(expected)}`;
    case 'const':
      return `${where} must be ${json(expected)}`;
    case 'required': {
      const missing = /property "(.*)"\.$/.exec(text)?.[1];
      return `${where} must have required property '${missing ?? '?'}'`;
    }
    case 'additionalProperties':
      return `${where} is not a property the schema allows`;
    case 'format':
      return `${where} must match format "${String(expected)}"`;
    case 'pattern':
      return `${where} must match pattern "${String(expected)}"`;
    case 'minLength':
      return `${where} must NOT have fewer than ${String(expected)} characters`;
    case 'maxLength':
      return `${where} must NOT have more than ${String(expected)} characters`;
    case 'minimum':
      return `${where} must be >= ${String(expected)}`;
    case 'maximum':
      return `${where} must be <= ${String(expected)}`;
    case 'exclusiveMinimum':
      return `${where} must be > ${String(expected)}`;
    case 'exclusiveMaximum':
      return `${where} must be < ${String(expected)}`;
    case 'multipleOf':
      return `${where} must be a multiple of ${String(expected)}`;
    case 'minItems':
      return `${where} must NOT have fewer than ${String(expected)} items`;
    case 'maxItems':
      return `${where} must NOT have more than ${String(expected)} items`;
    case 'uniqueItems':
      return `${where} must NOT have duplicate items`;
    case 'oneOf':
      return `${where} must match exactly one schema in oneOf`;
    default:
      return `${where} does not match its schema (${text.replace(/\.$/, '')})`;
  }
}

/**
 * The validator's schema lookup, filled on demand: a `$ref` to `urn:…#/pointer` gets a draft-07 copy of the
 * schema at that pointer of the bundle the first time it is followed, so only schemas that examples reach are
 * ever copied.
 */
function createLazyLookup(bundle: unknown, draft7: boolean, refused: Set<string>): Record<string, Schema> {
  const copies = new Map<string, Schema | undefined>();
  return new Proxy({} as Record<string, Schema>, {
    get(_, uri) {
      if (typeof uri !== 'string' || !uri.startsWith(`${specId}#`)) return undefined;
      if (!copies.has(uri)) {
        const target = getAtPointer(bundle, safeDecode(uri.slice(specId.length + 1)));
        copies.set(uri, target === undefined ? undefined : (copySchema(target, draft7, refused) as Schema));
      }
      return copies.get(uri);
    },
  });
}

function absoluteRef(pointer: string): string {
  return `${specId}#${pointer.split('/').map(encodeURIComponent).join('/')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const schemaMaps = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
const schemaValues = new Set(['enum', 'const', 'default', 'example', 'examples']);
/** Annotations that do not affect validation: left out of copies. */
const annotations = new Set([
  'description',
  'title',
  'example',
  'examples',
  'default',
  'externalDocs',
  'xml',
]);

/**
 * A copy of a schema for the validator: annotations dropped, internal `$ref`s absolute, keywords converted,
 * and regexes RE2 refuses left out (collected in `refused`).
 */
function copySchema(node: unknown, draft7: boolean, refused: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((item) => copySchema(item, draft7, refused));
  if (!isObject(node)) return node;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (annotations.has(key) || (key.startsWith('x-') && key !== 'x-nullable')) continue;
    if (key === 'type' && !isTypeList(value)) throw new Error(`unknown type ${JSON.stringify(value)}`);
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#'))
      define(copy, key, absoluteRef(value.slice(1)));
    else if (key === 'pattern' && typeof value === 'string') {
      if (compileLinear(value)) define(copy, key, value);
      else refused.add(value);
    } else if (schemaValues.has(key)) define(copy, key, value);
    else if (schemaMaps.has(key) && isObject(value)) {
      const entries = Object.entries(value).filter(([name]) => {
        if (key !== 'patternProperties' || compileLinear(name)) return true;
        refused.add(name);
        return false;
      });
      define(
        copy,
        key,
        Object.fromEntries(entries.map(([name, sub]) => [name, copySchema(sub, draft7, refused)])),
      );
    } else define(copy, key, copySchema(value, draft7, refused));
  }
  return draft7 ? convertKeywords(copy) : copy;
}

/** An own data property even for a `__proto__` key, which plain assignment would turn into the prototype. */
function define(target: JsonObject, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const jsonTypes = new Set(['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']);

function isTypeList(value: unknown): boolean {
  return Array.isArray(value) ? value.every(isTypeList) : typeof value === 'string' && jsonTypes.has(value);
}

/**
 * OpenAPI 2.0/3.0 schemas are draft-4-flavoured: boolean `exclusiveMinimum`/`exclusiveMaximum`, `nullable`,
 * `x-nullable`. Rewrite those into draft-07: `nullable` adds `null` to an explicit `type` (and does nothing
 * without one, as OpenAPI 3.0.3 specifies).
 */
function convertKeywords(node: JsonObject): JsonObject {
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof node[flag] !== 'boolean') continue;
    if (node[flag] === true && typeof node[bound] === 'number') {
      node[flag] = node[bound];
      delete node[bound];
    } else delete node[flag];
  }
  if (node.nullable === true || node['x-nullable'] === true) {
    const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
    if (types.length > 0 && !types.includes('null')) node.type = [...types, 'null'];
  }
  delete node.nullable;
  delete node['x-nullable'];
  return node;
}
