/**
 * The vendored Gateway API and Envoy Gateway CRD schemas (`../crds/schemas.json`, see its NOTICE.md): which
 * apiVersion/kind pairs exist, the structural-schema check of a spec (Kuma's {@link crdSchemaChecker}, compiled
 * lazily, once per process and kind), and the walk that runs the CEL rules' ports where the schema attaches them.
 * @module
 */
import { crdSchemaChecker } from '../../kuma/validate/crd-schema.js';
import { joinPath, type Report } from '../../kuma/validate/problem.js';
import vendored from '../crds/schemas.json' with { type: 'json' };
import { celPorts, celRuleKey } from './cel-ports.js';

type Schema = Record<string, unknown>;
interface CrdEntry {
  group: string;
  scope: string;
  source: string;
  /** Version → its spec schema, or the name of an earlier version with the same schema. */
  versions: Record<string, Schema | string>;
}
const kinds = vendored.kinds as unknown as Record<string, CrdEntry>;

const asSchema = (value: unknown): Schema | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Schema) : undefined;

/** Where the schemas come from: repository, tag and commit of each vendored release. */
export const crdSources = vendored.sources as { repository: string; tag: string; commit: string }[];

/** The schema of `apiVersion` (`group/version`) and kind, with the key it is compiled under; or undefined. */
export function crdSchema(apiVersion: string, kind: string): { key: string; schema: Schema } | undefined {
  const entry = Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
  const slash = apiVersion.lastIndexOf('/');
  if (!entry || apiVersion.slice(0, slash) !== entry.group) return undefined;
  let version = apiVersion.slice(slash + 1);
  let schema = Object.hasOwn(entry.versions, version) ? entry.versions[version] : undefined;
  if (typeof schema === 'string') {
    version = schema;
    schema = entry.versions[version];
  }
  return schema && typeof schema === 'object' ? { key: `${kind}/${version}`, schema } : undefined;
}

/** The apiVersions a kind is served at, e.g. `gateway.networking.k8s.io/v1`. */
export function servedApiVersions(kind: string): string[] {
  const entry = Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
  return entry ? Object.keys(entry.versions).map((version) => `${entry.group}/${version}`) : [];
}

/**
 * The schema with every subschema that occurs more than once (and is not tiny) moved to `definitions` and
 * referenced: Envoy Gateway repeats its cluster settings under each backend a policy can name, and Ajv then
 * compiles them once instead of four times (SecurityPolicy's schema halves). Validation is unchanged.
 */
export function shareRepeatedSubschemas(schema: Schema, minLength = 2000): Schema {
  /** The subschemas of a schema (not its `properties` map, `enum` or rules, which are no schemas). */
  const children = (node: Schema): [unknown, (value: unknown) => void][] => {
    const slots: [unknown, (value: unknown) => void][] = [];
    const slot = (holder: Schema | unknown[], key: string | number) => {
      const set = (value: unknown) => {
        (holder as Record<string | number, unknown>)[key] = value;
      };
      slots.push([(holder as Record<string | number, unknown>)[key], set]);
    };
    const properties = asSchema(node.properties);
    for (const name of Object.keys(properties ?? {})) slot(properties as Schema, name);
    for (const key of ['items', 'additionalProperties', 'not']) if (asSchema(node[key])) slot(node, key);
    for (const key of ['allOf', 'anyOf', 'oneOf']) {
      const list = node[key];
      if (Array.isArray(list)) for (const index of list.keys()) slot(list, index);
    }
    return slots;
  };
  const copy = structuredClone(schema);
  const counts = new Map<string, number>();
  const count = (node: unknown): void => {
    const object = asSchema(node);
    if (!object) return;
    const text = JSON.stringify(object);
    if (text.length >= minLength) counts.set(text, (counts.get(text) ?? 0) + 1);
    for (const [child] of children(object)) count(child);
  };
  count(copy);
  const ids = new Map([...counts].filter(([, n]) => n > 1).map(([text], index) => [text, `shared${index}`]));
  const definitions: Schema = {};
  const share = (node: Schema): void => {
    for (const [child, replace] of children(node)) {
      const object = asSchema(child);
      if (!object) continue;
      const id = ids.get(JSON.stringify(object));
      if (id) {
        if (!definitions[id]) {
          definitions[id] = object;
          share(object);
        }
        replace({ $ref: `#/definitions/${id}` });
      } else share(object);
    }
  };
  share(copy);
  return ids.size ? { ...copy, definitions } : copy;
}

const checker = crdSchemaChecker(
  (key) => {
    const [kind = '', version = ''] = key.split('/');
    const schema = kinds[kind]?.versions[version];
    return typeof schema === 'object' ? shareRepeatedSubschemas(schema) : undefined;
  },
  { useDefaults: true, optimize: false },
);

/**
 * The API server drops a `null` where the schema does not say `nullable` before it defaults and validates
 * (`field:` with no value in YAML is such a null); a copy of `value` without them.
 */
export function pruneNulls(value: unknown, schema: Schema | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => pruneNulls(item, asSchema(schema?.items)));
  const object = asSchema(value);
  if (!object) return value;
  const properties = asSchema(schema?.properties);
  const values = asSchema(schema?.additionalProperties);
  const result: Schema = {};
  for (const [name, item] of Object.entries(object)) {
    const sub = asSchema(properties?.[name]) ?? values;
    if (item === null && sub?.nullable !== true) continue;
    result[name] = pruneNulls(item, sub);
  }
  return result;
}

/**
 * Reports the schema problems of `spec` (a key from {@link crdSchema}, whose schema is `schema`); returns the
 * spec as the API server then holds it: nulls pruned, defaults applied.
 */
export function checkSchema(key: string, schema: Schema, spec: unknown, report: Report): unknown {
  return checker.check(key, pruneNulls(spec, schema), report)?.spec;
}

/** One `x-kubernetes-validations` rule and the schema location it is attached to, e.g. `spec.rules[].filters`. */
export interface CelRuleSite {
  at: string;
  rule: string;
  message: string;
}

/** Every CEL rule of a spec schema, with where it sits (`[]` an array item, `{}` a map value). */
export function celRuleSites(schema: Schema, at = 'spec'): CelRuleSite[] {
  const sites: CelRuleSite[] = [];
  for (const rule of (schema['x-kubernetes-validations'] as Schema[] | undefined) ?? []) {
    sites.push({ at, rule: String(rule.rule), message: String(rule.message ?? rule.messageExpression) });
  }
  for (const [name, sub] of Object.entries(asSchema(schema.properties) ?? {})) {
    sites.push(...celRuleSites(sub as Schema, `${at}.${name}`));
  }
  const items = asSchema(schema.items);
  if (items) sites.push(...celRuleSites(items, `${at}[]`));
  const values = asSchema(schema.additionalProperties);
  if (values) sites.push(...celRuleSites(values, `${at}{}`));
  return sites;
}

/**
 * Runs the port of every CEL rule the schema attaches to `value` or below, as the API server does: a rule is
 * evaluated where its field is set. A port that throws is CEL's evaluation error (a missing field it reads, a
 * malformed duration), which rejects the object too; it is only reported when the schema found nothing, because
 * otherwise the schema's problem is the cause.
 */
export function checkCelRules(
  schema: Schema,
  value: unknown,
  path: string,
  report: Report,
  reportEvaluationErrors: boolean,
): void {
  if (value === undefined || value === null) return;
  for (const rule of (schema['x-kubernetes-validations'] as Schema[] | undefined) ?? []) {
    const holds = celPorts.get(celRuleKey(String(rule.rule)));
    if (!holds) continue;
    let ok: boolean;
    try {
      ok = holds(value);
    } catch {
      if (!reportEvaluationErrors) continue;
      ok = false;
    }
    if (!ok) report(path, String(rule.message), String(rule.message));
  }
  const items = asSchema(schema.items);
  if (Array.isArray(value)) {
    if (items) {
      for (const [index, item] of value.entries()) {
        checkCelRules(items, item, joinPath(path, index), report, reportEvaluationErrors);
      }
    }
    return;
  }
  const object = asSchema(value);
  if (!object) return;
  for (const [name, sub] of Object.entries(asSchema(schema.properties) ?? {})) {
    checkCelRules(sub as Schema, object[name], joinPath(path, name), report, reportEvaluationErrors);
  }
  const values = asSchema(schema.additionalProperties);
  if (values) {
    for (const [name, sub] of Object.entries(object)) {
      checkCelRules(values, sub, joinPath(path, name), report, reportEvaluationErrors);
    }
  }
}
