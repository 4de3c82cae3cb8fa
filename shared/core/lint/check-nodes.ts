/**
 * One walk over every node of the bundle for the rules that can fire anywhere: enums, array items, `$ref`
 * siblings, markdown, example objects. It also collects every example with its schema for example validation.
 * Literal data (examples, defaults, enum values, `x-` extensions) is not walked: a `type` inside it is just data.
 * @module
 */

import { canonicalJson } from '../canonical-json.js';
import { buildPointer } from '../spec/json-pointer.js';
import { enumTypes, isObject, type JsonObject, matchesJsonType, printValue } from './spec-walk.js';
import type { RuleContext } from './types.js';

/** A value that must validate against a schema. */
export interface ExampleSite {
  rule: string;
  /** Bundle pointer of the schema, or the schema itself when it exists only as a cleaned copy. */
  schema: string | JsonObject;
  value: unknown;
  valuePointer: string;
}

export interface NodeWalk {
  examples: ExampleSite[];
}

/** Keys whose members are named by the user: their members are never keywords. */
const nameMaps = new Set([
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
  'dependentSchemas',
  'responses',
  'schemas',
  'headers',
  'content',
  'callbacks',
  'links',
  'requestBodies',
  'parameters',
  'securityDefinitions',
  'securitySchemes',
  'pathItems',
  'webhooks',
  'paths',
  'variables',
  'encoding',
  'mapping',
]);
/** Keys whose values are literal data, not OpenAPI or schema objects. */
const literalKeys = new Set(['example', 'default', 'const', 'enum', 'x-example']);
const schemaMarkers = ['enum', 'type', 'format', '$ref', 'properties', 'items'];
/** Keys of a 2.0 non-body parameter that are not JSON Schema keywords. */
const parameterOnlyKeys = new Set([
  'name',
  'in',
  'required',
  'description',
  'allowEmptyValue',
  'collectionFormat',
]);

export function walkNodes(ctx: RuleContext): NodeWalk {
  const walk: NodeWalk = { examples: [] };
  const path: string[] = [];
  const v2 = ctx.version === '2.0';
  const refSiblingsApply = ctx.version !== '3.1' && ctx.enabled('no-$ref-siblings');
  const pointer = (...more: (string | number)[]) => buildPointer([...path, ...more]);

  const visit = (node: unknown, parentKey: string | undefined): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(String(i));
        visit(node[i], undefined);
        path.pop();
      }
      return;
    }
    if (!isObject(node)) return;
    // A name map's members are named by the user (`properties: {default: …}`): none of them is a keyword.
    const isNameMap = parentKey !== undefined && nameMaps.has(parentKey);
    if (!isNameMap) checkNode(node);
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (!isNameMap && (literalKeys.has(key) || key.startsWith('x-'))) continue;
      if (!isNameMap && key === 'examples') {
        path.push(key);
        visitExamples(value);
        path.pop();
        continue;
      }
      if (typeof value === 'string') {
        if (isNameMap) continue;
        if (key === 'description' || key === 'title') checkMarkdown(value, key);
        continue;
      }
      path.push(key);
      visit(value, isNameMap ? undefined : key);
      path.pop();
    }
  };

  const checkNode = (node: JsonObject): void => {
    if (Array.isArray(node.enum)) checkEnum(node, node.enum);
    const types = Array.isArray(node.type) ? node.type : [node.type];
    if (types.includes('array') && node.items === undefined) {
      ctx.report({ rule: 'array-items', pointer: pointer() });
    }
    if (refSiblingsApply && typeof node.$ref === 'string' && !(path.length === 2 && path[0] === 'paths')) {
      for (const key of Object.keys(node)) {
        if (key === '$ref') continue;
        const message = '$ref must not be placed next to any other properties';
        ctx.report({ rule: 'no-$ref-siblings', pointer: pointer(key), message });
      }
    }
    if (v2) {
      for (const key of ['anyOf', 'oneOf']) {
        if (node[key] !== undefined) {
          ctx.report({ rule: `oas2-${key}`, pointer: pointer(key) });
        }
      }
    }
    collectExamples(node);
  };

  const checkEnum = (node: JsonObject, values: unknown[]): void => {
    // A `properties` map never gets here (a name map), so a property named "enum" is not taken for the keyword.
    checkDuplicates(values);
    if (node.type === undefined || !ctx.enabled('typed-enum')) return;
    const types = enumTypes(node, ctx.version);
    if (!types) return;
    values.forEach((value, index) => {
      if (matchesJsonType(value, types)) return;
      const message = `Enum value ${printValue(value)} must be "${types.join(',')}".`;
      ctx.report({ rule: 'typed-enum', pointer: pointer('enum', index), message });
    });
  };

  /** One finding per array, naming the last duplicate pair as Ajv's `uniqueItems` (Spectral's check) does. */
  const checkDuplicates = (values: unknown[]): void => {
    const keys = values.map((value) =>
      typeof value === 'object' && value !== null
        ? `json:${canonicalJson(value)}`
        : `${typeof value}:${String(value)}`,
    );
    for (let i = keys.length - 1; i > 0; i--) {
      const j = keys.lastIndexOf(keys[i] as string, i - 1);
      if (j < 0) continue;
      const message = `"enum" property must not have duplicate items (items ## ${j} and ${i} are identical)`;
      ctx.report({ rule: 'duplicated-entry-in-enum', pointer: pointer('enum'), message });
      return;
    }
  };

  const checkMarkdown = (text: string, key: string): void => {
    if (text.includes('eval(')) ctx.report({ rule: 'no-eval-in-markdown', pointer: pointer(key) });
    if (text.includes('<script')) ctx.report({ rule: 'no-script-tags-in-markdown', pointer: pointer(key) });
  };

  /** An `examples` member: a map of Example Objects (3.x), of media type → value (2.0), or a list (3.1 schema). */
  const visitExamples = (examples: unknown): void => {
    if (!isObject(examples)) return;
    for (const [name, example] of Object.entries(examples)) {
      if (isObject(example) && typeof example.$ref === 'string') continue;
      if (v2) continue;
      const hasValue = isObject(example) && example.value !== undefined;
      const hasExternal = isObject(example) && example.externalValue !== undefined;
      if (hasValue === hasExternal)
        ctx.report({ rule: 'oas3-examples-value-or-externalValue', pointer: pointer(name) });
    }
  };

  const collectExamples = (node: JsonObject): void => {
    // A server variable has `default` and `enum` but is no schema: its default is oas3-server-variables' business.
    if (path.at(-2) === 'variables' && (path.at(-4) === 'servers' || path.at(-3) === 'server')) return;
    const schemaRule = v2 ? 'oas2-valid-schema-example' : 'oas3-valid-schema-example';
    const mediaRule = v2 ? 'oas2-valid-media-example' : 'oas3-valid-media-example';
    if (ctx.enabled(schemaRule) && schemaMarkers.some((k) => node[k] !== undefined)) {
      // A 2.0 non-body parameter is a schema with extra keys; validate against a copy without them.
      const isParameter = v2 && typeof node.in === 'string' && node.in !== 'body';
      const schema = isParameter
        ? Object.fromEntries(
            Object.entries(node).filter(([k]) => !parameterOnlyKeys.has(k) && !literalKeys.has(k)),
          )
        : pointer();
      for (const key of v2 ? ['example', 'x-example', 'default'] : ['example', 'default']) {
        if (node[key] !== undefined)
          walk.examples.push({ rule: schemaRule, schema, value: node[key], valuePointer: pointer(key) });
      }
    }
    if (!ctx.enabled(mediaRule) || !(isObject(node.schema) || typeof node.schema === 'boolean')) return;
    // Key the schema by where its `$ref` leads, so examples sharing a component share one compiled validator.
    const schema = ctx.resolve(node.schema, pointer('schema')).pointer;
    if (v2) {
      if (!isObject(node.examples)) return;
      for (const [mime, value] of Object.entries(node.examples)) {
        walk.examples.push({ rule: mediaRule, schema, value, valuePointer: pointer('examples', mime) });
      }
      return;
    }
    if (node.example !== undefined)
      walk.examples.push({ rule: mediaRule, schema, value: node.example, valuePointer: pointer('example') });
    if (!isObject(node.examples)) return;
    for (const [name, raw] of Object.entries(node.examples)) {
      const { value: example, pointer: at } = ctx.resolve(raw, pointer('examples', name));
      if (isObject(example) && example.value !== undefined) {
        walk.examples.push({ rule: mediaRule, schema, value: example.value, valuePointer: `${at}/value` });
      }
    }
  };

  visit(ctx.bundle, undefined);
  return walk;
}
