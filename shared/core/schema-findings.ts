/**
 * Ajv errors → findings on the offending line. One mapping for every document validated against one of our JSON
 * Schemas (the repo config, the tenants file, x-kuma blocks), so that pointer escaping, unknown keys and
 * positions are right in one place.
 * @module
 */
import type { ErrorObject } from 'ajv';
import type { Finding } from './findings.js';
import { appendPointer, decodePointer } from './spec/json-pointer.js';

/** The parts of an Ajv error the mapping reads (checks of our own produce the same shape). */
export type SchemaError = Pick<ErrorObject, 'instancePath' | 'keyword' | 'message' | 'params'> & {
  /** Set by Ajv on errors raised inside `propertyNames`: the key that failed. */
  propertyName?: string;
};

export interface SchemaProblem {
  /** JSON pointer (RFC 6901) of the offending node; for an error about a key, the key itself (its own line). */
  pointer: string;
  /** The node the error is about as a dotted path (`apis.0.service`, `tenants.acme/pets`); '' for the root. */
  where: string;
  /** The key the error is about: one not allowed (`additionalProperties`) or one of a bad name (`propertyNames`). */
  key?: string;
  error: SchemaError;
}

/** Where an Ajv error points and what it is about. */
export function schemaProblem(error: SchemaError): SchemaProblem {
  const key =
    error.keyword === 'additionalProperties'
      ? String(error.params.additionalProperty)
      : (error.propertyName ??
        (error.keyword === 'propertyNames' ? String(error.params.propertyName) : undefined));
  const where = (decodePointer(error.instancePath) ?? []).join('.');
  const pointer = key === undefined ? error.instancePath : appendPointer(error.instancePath, key);
  return { pointer, where, ...(key === undefined ? {} : { key }), error };
}

/** The usual sentence: an unknown key by name, an enum by its values, else Ajv's own words. */
export function describeSchemaProblem(problem: SchemaProblem, root: string): string {
  const where = problem.where === '' ? root : problem.where;
  const { error, key } = problem;
  if (error.keyword === 'additionalProperties') return `unknown key "${key}" in ${where}`;
  const subject = key === undefined ? where : `key "${key}" in ${where}`;
  if (error.keyword === 'enum') {
    return `${subject} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${subject} ${error.message ?? 'is invalid'}`;
}

export interface SchemaFindingOptions {
  file: { path: string; locate(pointer: string): { line: number; column: number; pointer: string } };
  kind: Finding['kind'];
  id: string;
  /** How messages name the document's root (`the config`). */
  root: string;
  /** Put before every message (`tenants.yaml: `). */
  prefix?: string;
}

/** One error-severity finding per Ajv error, on the line of the offending node. */
export function schemaFindings(errors: readonly SchemaError[], options: SchemaFindingOptions): Finding[] {
  // A `propertyNames` error only summarises the errors raised on the key itself, which say what is wrong.
  return errors
    .filter((error) => error.keyword !== 'propertyNames')
    .map((error) => {
      const problem = schemaProblem(error);
      return {
        kind: options.kind,
        id: options.id,
        severity: 'error',
        message: `${options.prefix ?? ''}${describeSchemaProblem(problem, options.root)}`,
        file: options.file.path,
        ...options.file.locate(problem.pointer),
      };
    });
}
