/**
 * Checks a resource's `spec` against the schema Kuma 2.14 publishes for it: the CRD's `openAPIV3Schema` (a
 * Kubernetes structural schema), or for MeshGateway the JSON Schema generated from its protobuf. The Kuma
 * validators are compiled ahead of time (scripts/generate-kuma-validators.ts, generated/kuma-crds.js); other sets
 * compile once per key, on first use. {@link crdSchemaChecker} is the same check over any set of CRD schemas
 * (the Gateway API target's validator uses it too).
 *
 * Structural-schema semantics, and where we are stricter than the API server on purpose:
 * - Unknown fields: the API server prunes them silently (and `kubectl apply` rejects them with strict field
 *   validation); the Kuma webhook's proto decoder ignores them. Either way a typo is lost, so unknown fields
 *   are errors here, except under `x-kubernetes-preserve-unknown-fields`.
 * - `x-kubernetes-int-or-string` comes with an `anyOf` of integer and string; `nullable` is OpenAPI's.
 * - `x-kubernetes-list-type: map` requires the `x-kubernetes-list-map-keys` to be unique, `set` the items.
 * - Formats `int32`, `int64`, `byte` are the OpenAPI ones.
 * @module
 */
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import schemas from '../crds/schemas.json' with { type: 'json' };
import { createCrdAjv, tightenSchema } from './crd-ajv.js';
import * as precompiledKuma from './generated/kuma-crds.js';
import { joinPath, type Report } from './problem.js';

type Schema = Record<string, unknown>;
const published = schemas as unknown as Record<string, { schema: Schema; scope: string }>;

/** Kinds with a published schema. */
export const knownKinds: ReadonlySet<string> = new Set(Object.keys(published));

/** Whether the kind is cluster-scoped (no namespace; mesh is a top-level field). */
export function isClusterScoped(kind: string): boolean {
  return published[kind]?.scope === 'Cluster';
}

/** Ajv's `/to/0/rules` → `spec.to[0].rules`. */
function toPath(instancePath: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return joinPath('spec', ...segments);
}

/** Kuma's CRDs spell header names with this pattern: lower-case tokens only. */
const headerNamePattern = "^[a-z0-9!#$%&'*+\\-.^_\\x60|~]+$";

type Described = { path: string; message: string; rule?: string };

function describe(error: ErrorObject, describePattern: PatternDescriber): Described {
  const path = toPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: joinPath(path, String(params.additionalProperty)), message: 'unknown field' };
    case 'required':
      return { path: joinPath(path, String(params.missingProperty)), message: 'required field is missing' };
    case 'enum':
      return {
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'anyOf':
      return { path, message: 'must be an integer or a string' };
    case 'pattern':
      return {
        path,
        ...(describePattern(String(params.pattern)) ?? { message: `must match ${params.pattern}` }),
      };
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

/** A clearer message (and rule id) for a schema pattern than "must match <regex>", or undefined. */
export type PatternDescriber = (pattern: string) => { message: string; rule?: string } | undefined;

export interface CrdSchemaChecker {
  /**
   * Reports every schema violation of `spec` against the schema named `key`; undefined when there is none.
   * Errors from inside an `anyOf` branch are folded into the `anyOf` error at the same place. Returns the spec
   * as checked: with `useDefaults`, a copy with the schema's defaults applied, as the API server does before it
   * evaluates the CEL rules.
   */
  check(key: string, spec: unknown, report: Report): { spec: unknown } | undefined;
}

/**
 * The structural-schema check over `schemaFor`'s schemas: each is tightened and compiled on first use, once
 * per process (and the Ajv instance is only created then).
 */
export function crdSchemaChecker(
  schemaFor: (key: string) => Schema | undefined,
  options: {
    describePattern?: PatternDescriber;
    useDefaults?: boolean;
    /**
     * Ajv's optimisation pass over the generated code and its inlining of `$ref`s (default on). Off, a large
     * schema compiles faster and validates a little slower: right for schemas compiled per process and used a
     * few times, and for schemas whose repeated parts are shared through `$ref`s.
     */
    optimize?: boolean;
    /** Validators compiled ahead of time for some keys (scripts/generate-kuma-validators.ts); the rest compile. */
    precompiled?: Readonly<Record<string, ValidateFunction>>;
  } = {},
): CrdSchemaChecker {
  const { describePattern = () => undefined, useDefaults = false, optimize = true } = options;
  let ajv: Ajv | undefined;
  const compiled = new Map<string, ValidateFunction>(Object.entries(options.precompiled ?? {}));
  const validatorFor = (key: string): ValidateFunction | undefined => {
    let validate = compiled.get(key);
    if (!validate) {
      const schema = schemaFor(key);
      if (!schema) return undefined;
      ajv ??= createCrdAjv(useDefaults, optimize);
      validate = ajv.compile(tightenSchema(schema) as Schema);
      compiled.set(key, validate);
    }
    return validate;
  };
  return {
    check(key, spec, report) {
      const validate = validatorFor(key);
      if (!validate) return undefined;
      const checked = useDefaults ? structuredClone(spec) : spec;
      if (validate(checked)) return { spec: checked };
      const seen = new Set<string>();
      for (const error of validate.errors ?? []) {
        if (error.schemaPath.includes('/anyOf/')) continue;
        const { path, message, rule } = describe(error, describePattern);
        const id = `${path}\0${message}`;
        if (seen.has(id)) continue;
        seen.add(id);
        report(path, message, rule ?? 'crd-schema');
      }
      return { spec: checked };
    },
  };
}

const kumaSchemas = crdSchemaChecker((kind) => published[kind]?.schema, {
  precompiled: precompiledKuma,
  describePattern: (pattern) =>
    pattern === headerNamePattern
      ? { message: 'must be a lower-case HTTP header name', rule: 'header-name-lowercase' }
      : undefined,
});

/** Reports every schema violation of `spec`; returns false when the kind has no published schema. */
export function checkSpecSchema(kind: string, spec: unknown, report: Report): boolean {
  return kumaSchemas.check(kind, spec, report) !== undefined;
}
