/**
 * The Ajv that Kuma-style CRD schemas are compiled with: at run time by {@link crdSchemaChecker}, and ahead of time
 * by scripts/generate-kuma-validators.ts (which passes `code` options to emit standalone source). Kept apart from
 * crd-schema.ts so the generator does not load the code it generates.
 * @module
 */
import { _, Ajv, type Code, type CodeOptions, type KeywordDefinition, nil, str } from 'ajv';
import { crdFormats } from './crd-formats.js';

type Schema = Record<string, unknown>;

/**
 * `x-kubernetes-list-type: map` (items unique by their `x-kubernetes-list-map-keys`) or `set` (unique items),
 * as a `code` keyword: the check is generated inline, so Ajv's standalone code can carry it. One error per
 * list, at the first repeated item.
 */
const listTypeKeyword: KeywordDefinition = {
  keyword: 'x-kubernetes-list-type',
  type: 'array',
  error: {
    message: ({ params }) =>
      params.keys === undefined
        ? str`item ${params.index} has a duplicate`
        : str`item ${params.index} has the same ${params.keys} as an earlier one`,
  },
  code(cxt) {
    const { gen, data, schema, parentSchema } = cxt;
    if (schema !== 'map' && schema !== 'set') return;
    const keys =
      (schema === 'map' && (parentSchema['x-kubernetes-list-map-keys'] as string[] | undefined)) || [];
    const seen = gen.const('seen', _`new Set()`);
    gen.forRange('i', 0, _`${data}.length`, (i) => {
      const item = _`${data}[${i}]`;
      const fields = keys.reduce<Code>(
        (list, key, n) => (n ? _`${list}, ${item}?.[${key}]` : _`${item}?.[${key}]`),
        nil,
      );
      const id = schema === 'map' ? _`JSON.stringify([${fields}])` : _`JSON.stringify(${item})`;
      const itemId = gen.const('id', id);
      gen.if(_`${seen}.has(${itemId})`, () => {
        cxt.setParams(schema === 'map' ? { index: i, keys: keys.join(', ') } : { index: i });
        cxt.error();
        gen.break();
      });
      gen.code(_`${seen}.add(${itemId})`);
    });
  },
};

/**
 * The Ajv every Kuma-style CRD schema is compiled with (here at run time, and ahead of time by
 * scripts/generate-kuma-validators.ts, which passes `code` to emit standalone source).
 */
export function createCrdAjv(useDefaults: boolean, optimize: boolean, code: CodeOptions = {}): Ajv {
  const instance = new Ajv({
    allErrors: true,
    strict: false,
    validateSchema: false,
    useDefaults,
    code: { ...code, optimize },
    // Without the optimisation pass, keep `$ref`s as shared functions (compiled once) rather than inlined.
    inlineRefs: optimize,
  });
  instance.addKeyword({ keyword: 'x-kubernetes-preserve-unknown-fields' });
  instance.addKeyword({ keyword: 'x-kubernetes-int-or-string' });
  instance.addKeyword({ keyword: 'x-kubernetes-list-map-keys' });
  instance.addKeyword(listTypeKeyword);
  for (const [name, format] of Object.entries(crdFormats)) instance.addFormat(name, format);
  return instance;
}

/**
 * A copy of the schema where objects with declared properties reject unknown ones, unless the schema says to
 * preserve them. Proto-generated schemas say `additionalProperties: true` everywhere; that is overridden too.
 */
export function tightenSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(tightenSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const source = schema as Schema;
  const result: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    const isMap = key === 'properties' || key === 'definitions';
    result[key] = isMap
      ? Object.fromEntries(Object.entries(value as Schema).map(([name, sub]) => [name, tightenSchema(sub)]))
      : tightenSchema(value);
  }
  if (source.properties && !source['x-kubernetes-preserve-unknown-fields']) {
    if (source.additionalProperties === undefined || source.additionalProperties === true) {
      result.additionalProperties = false;
    }
  }
  return result;
}
