/**
 * Small shared helpers of the built-in checks: object tests, internal `$ref` resolution and the operation list.
 * @module
 */
import { decodePointer, getAtPointer } from '../spec/json-pointer.js';
import type { SpecOperation } from '../spec/operations.js';
import type { OpenApiVersion } from '../spec/types.js';

export type JsonObject = Record<string, unknown>;

export { httpMethods, listOperations } from '../spec/operations.js';

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Builds a resolver of internal refs; a broken or cyclic chain resolves to undefined at the last good pointer. */
export function createResolver(
  bundle: JsonObject,
): (value: unknown, pointer: string) => { value: unknown; pointer: string } {
  return (value, pointer) => {
    let current = value;
    let at = pointer;
    const seen = new Set<string>();
    while (isObject(current) && typeof current.$ref === 'string') {
      const ref = current.$ref;
      if (!ref.startsWith('#') || seen.has(ref)) return { value: undefined, pointer: at };
      seen.add(ref);
      const target = decodeURIComponentSafe(ref.slice(1));
      if (decodePointer(target) === undefined) return { value: undefined, pointer: at };
      current = getAtPointer(bundle, target);
      at = target;
    }
    return { value: current, pointer: at };
  };
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export type OperationSite = SpecOperation;

/** Quote a value for a message, shortened so one odd value cannot flood the report. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const shown = text === undefined ? String(value) : text;
  return `"${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}"`;
}

const typeChecks: Record<string, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
  object: (v) => isObject(v),
  array: (v) => Array.isArray(v),
};

/**
 * The JSON types a schema's enum values must have, undefined when `type` is unusable. As in Spectral's
 * typed-enum, `nullable` adds null in 3.0 and `x-nullable` in 2.0 (3.1 writes `type: [x, "null"]`); either
 * does when the version is not known.
 */
export function enumTypes(schema: JsonObject, version?: OpenApiVersion): string[] | undefined {
  const raw = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (raw.length === 0 || !raw.every((t) => typeof t === 'string' && t in typeChecks)) return undefined;
  const types = raw as string[];
  const nullable =
    version === undefined
      ? schema.nullable === true || schema['x-nullable'] === true
      : (version === '2.0' ? schema['x-nullable'] : version === '3.0' && schema.nullable) === true;
  return nullable ? [...types, 'null'] : types;
}

/** A value as Spectral prints it in messages: JSON for scalars, `Object{}` and `Array[]` for the rest. */
export function printValue(value: unknown): string {
  if (Array.isArray(value)) return 'Array[]';
  if (typeof value === 'object' && value !== null) return 'Object{}';
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

export function matchesJsonType(value: unknown, types: readonly string[]): boolean {
  return types.some((type) => typeChecks[type]?.(value));
}
