/**
 * Examples and defaults must validate against their schema (`oas3-valid-media-example`,
 * `oas3-valid-schema-example` and the 2.0 pair), with Ajv. The whole bundle is registered once as a schema
 * resource so that every internal `$ref` resolves, and each schema is compiled once however many examples
 * share it. A finding points at the offending value inside the example, not just at the example.
 * @module
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsModule, { type FormatsPlugin } from 'ajv-formats';
import { getAtPointer } from '../spec/json-pointer.js';
import type { ExampleSite } from './check-nodes.js';
import { isObject, type JsonObject } from './spec-walk.js';
import type { RuleContext } from './types.js';

const specId = 'urn:kuma-api-forge:spec';
// ajv-formats is CommonJS: its default export arrives wrapped under NodeNext.
const addFormats = ((formatsModule as unknown as { default?: FormatsPlugin }).default ??
  formatsModule) as unknown as FormatsPlugin;

/** OpenAPI's own formats: documented, not checked (`int64` values may exceed JS numbers). */
const openApiFormats = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];

export function checkExamples(ctx: RuleContext, sites: readonly ExampleSite[]): void {
  if (sites.length === 0) return;
  const ajv = createAjv(ctx);
  const draft7 = ctx.version !== '3.1';
  // Thousands of examples share a few hundred distinct schemas ({type: string}, a component…): each distinct
  // schema becomes one definition of the tuple, compiled once, and every example refers to its definition.
  const definitions = new Map<string, { name: string; schema: unknown }>();
  const items = sites.map((site) => {
    const schema = embedSchema(ctx.bundle, site.schema, draft7);
    const key = JSON.stringify(schema);
    let definition = definitions.get(key);
    if (!definition) {
      definition = { name: `s${definitions.size}`, schema };
      definitions.set(key, definition);
    }
    return { site, definition };
  });
  for (const { site, error } of validateSites(ajv, draft7, items)) {
    ctx.report({
      rule: site.rule,
      pointer: `${site.valuePointer}${error.instancePath}`,
      message: `${describeError(error)}: fix the example or the schema.`,
    });
  }
}

/**
 * Validate every example in one go: one tuple schema whose items reference each example's schema. Compiling
 * once is what makes thousands of examples affordable (Ajv's cost is per compile, not per validation). When a
 * batch cannot compile (e.g. a regex pattern JavaScript does not support), split it to isolate the culprit,
 * whose examples are then skipped: an unusable schema is validation's finding, not lint's.
 */
function validateSites(
  ajv: Ajv | Ajv2020,
  draft7: boolean,
  sites: readonly { site: ExampleSite; definition: { name: string; schema: unknown } }[],
): { site: ExampleSite; error: ErrorObject }[] {
  const defsKeyword = draft7 ? 'definitions' : '$defs';
  const used = Object.fromEntries(sites.map(({ definition }) => [definition.name, definition.schema]));
  let validate: ValidateFunction;
  try {
    validate = ajv.compile({
      type: 'array',
      [draft7 ? 'items' : 'prefixItems']: sites.map(({ definition }) => ({
        $ref: `#/${defsKeyword}/${definition.name}`,
      })),
      [defsKeyword]: used,
    });
  } catch {
    if (sites.length === 1) return [];
    const half = Math.ceil(sites.length / 2);
    return [
      ...validateSites(ajv, draft7, sites.slice(0, half)),
      ...validateSites(ajv, draft7, sites.slice(half)),
    ];
  }
  if (validate(sites.map((item) => item.site.value))) return [];
  const firstBySite = new Map<number, ErrorObject>();
  for (const error of validate.errors ?? []) {
    const [, index, ...rest] = error.instancePath.split('/');
    const site = Number(index);
    if (index === undefined || firstBySite.has(site)) continue;
    firstBySite.set(site, { ...error, instancePath: rest.length > 0 ? `/${rest.join('/')}` : '' });
  }
  return [...firstBySite].map(([index, error]) => ({ site: sites[index]!.site, error }));
}

/** Where a schema pointer names a reusable component, which is compiled once for all its uses. */
const componentPointer = /^\/(components\/schemas|definitions)\/[^/]+$/;

/**
 * The schema of one example as an item of the tuple: a `$ref` for a component (compiled once, shared); for an
 * inline schema, a copy embedded in the tuple (no compile of its own) whose `$ref`s point into the spec.
 */
function embedSchema(bundle: unknown, schema: string | JsonObject, draft7: boolean): unknown {
  if (typeof schema !== 'string') return copySchema(schema, draft7);
  if (componentPointer.test(schema)) return { $ref: absoluteRef(schema) };
  return copySchema(getAtPointer(bundle, schema), draft7);
}

function absoluteRef(pointer: string): string {
  return `${specId}#${pointer.split('/').map(encodeURIComponent).join('/')}`;
}

const schemaMaps = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
const schemaValues = new Set(['enum', 'const', 'default', 'example', 'examples']);
/** Annotations that do not affect validation: left out of copies so that equal schemas compare equal. */
const annotations = new Set([
  'description',
  'title',
  'example',
  'examples',
  'default',
  'externalDocs',
  'xml',
]);

function copySchema(node: unknown, draft7: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => copySchema(item, draft7));
  if (!isObject(node)) return node;
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (annotations.has(key) || key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#'))
      copy[key] = absoluteRef(value.slice(1));
    else if (schemaValues.has(key)) copy[key] = value;
    else if (schemaMaps.has(key) && isObject(value)) {
      copy[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, copySchema(sub, draft7)]),
      );
    } else copy[key] = copySchema(value, draft7);
  }
  return draft7 ? convertKeywords(copy) : copy;
}

function createAjv(ctx: RuleContext): Ajv | Ajv2020 {
  const options = {
    strict: false,
    // One validator checks every example; each needs its own first error.
    allErrors: true,
    validateSchema: false,
    logger: false as const,
    // Patterns in specs are written for many regex engines: one unsupported pattern must not stop the rest.
    unicodeRegExp: false,
    discriminator: false,
    // Compile each referenced schema once and share it, rather than inlining it wherever it is used.
    inlineRefs: false,
    code: { optimize: false },
  };
  const ajv = ctx.version === '3.1' ? new Ajv2020(options) : new Ajv(options);
  addFormats(ajv);
  for (const format of openApiFormats) ajv.addFormat(format, true);
  ajv.addSchema((ctx.version === '3.1' ? ctx.bundle : toDraft7(ctx.bundle)) as object, specId);
  return ajv;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'Example' : `Example value at ${error.instancePath}`;
  if (error.keyword === 'enum' && Array.isArray(error.params.allowedValues)) {
    const allowed = error.params.allowedValues.map((v: unknown) => JSON.stringify(v)).join(', ');
    return `${where} must be one of ${allowed}`;
  }
  return `${where} ${error.message ?? 'does not match its schema'}`;
}

/**
 * OpenAPI 2.0/3.0 schemas are draft-4-flavoured: boolean `exclusiveMinimum`/`exclusiveMaximum`, `x-nullable`,
 * `nullable` without `type`. Rewrite those (and only those) into what a draft-07 validator understands; nodes
 * that need no change are shared, not copied.
 */
function toDraft7(node: unknown): unknown {
  if (Array.isArray(node)) {
    let copy: unknown[] | undefined;
    node.forEach((item, index) => {
      const converted = toDraft7(item);
      if (converted === item) return;
      copy ??= [...node];
      copy[index] = converted;
    });
    return copy ?? node;
  }
  if (!isObject(node)) return node;
  let copy: JsonObject | undefined;
  for (const [key, value] of Object.entries(node)) {
    if (schemaValues.has(key)) continue;
    const converted = toDraft7(value);
    if (converted === value) continue;
    copy ??= { ...node };
    copy[key] = converted;
  }
  return convertKeywords(copy ?? node);
}

/** The draft-4 keywords of one schema object, rewritten; the same object when there is nothing to rewrite. */
function convertKeywords(node: JsonObject): JsonObject {
  let copy: JsonObject | undefined;
  const set = (key: string, value: unknown) => {
    copy ??= { ...node };
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  };
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof node[flag] !== 'boolean') continue;
    if (node[flag] === true && typeof node[bound] === 'number') {
      set(flag, node[bound]);
      set(bound, undefined);
    } else set(flag, undefined);
  }
  if (node['x-nullable'] === true && node.nullable === undefined) set('nullable', true);
  if ((node.nullable === true || node['x-nullable'] === true) && node.type === undefined)
    set('nullable', undefined);
  return copy ?? node;
}
