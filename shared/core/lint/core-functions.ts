/**
 * The functions a repo ruleset may name: Spectral's core functions, and nothing that runs repo code.
 * Spectral's own versions are used where they only compare data; the ones that would run a repo's regular
 * expression or schema with JavaScript's backtracking engine are ours: `pattern` and `casing` use RE2 (re2js:
 * linear time, Envoy's engine), `schema` an Ajv whose `pattern` keyword uses RE2 and that never loads a remote
 * `$ref`. `unreferencedReusableObject` needs Spectral's document graph, so it is ours too; `typedEnum` lives in
 * Spectral's OAS ruleset package, not in its functions package, and ours is equivalent.
 * @module
 */
import {
  createRulesetFunction,
  type RulesetFunction,
  type RulesetFunctionWithValidator,
} from '@stoplight/spectral-core';
import {
  alphabetical,
  defined,
  enumeration,
  falsy,
  length,
  or,
  casing as spectralCasing,
  pattern as spectralPattern,
  schema as spectralSchema,
  unreferencedReusableObject as spectralUnreferenced,
  truthy,
  undefined as undefinedFunction,
  xor,
} from '@stoplight/spectral-functions';
import { Ajv, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { RE2JS } from 're2js';
import { decodePointer } from '../spec/json-pointer.js';
import { linearRegExp } from './linear-regexp.js';
import { enumTypes, isObject, matchesJsonType, quote } from './spec-walk.js';

// biome-ignore lint/suspicious/noExplicitAny: Spectral's function types are generic over input and options.
export type AnyRulesetFunction = RulesetFunction<any, any> | RulesetFunctionWithValidator<any, any>;

/** What our runner hands every function as its third argument (the fields Spectral's functions read). */
export interface CoreFunctionContext {
  path: (string | number)[];
  rule: { name: string; resolved: boolean };
  document: { source: null; data: unknown };
  documentInventory: { findAssociatedItemForPath(): null; graph: null };
  /** Per-run state: compiled regexes and schemas, and the bundle's internal `$ref` targets. */
  run: RunState;
}

export interface RunState {
  bundle: Record<string, unknown>;
  regexes: WeakMap<object, RE2JS[]>;
  validators: Map<string, Ajv>;
  schemas: WeakMap<object, ValidateFunction>;
  refTargets?: Set<string>;
}

export function createRunState(bundle: Record<string, unknown>): RunState {
  return { bundle, regexes: new WeakMap(), validators: new Map(), schemas: new WeakMap() };
}

// pattern ------------------------------------------------------------------------------------------------

const slashForm = /^\/(.+)\/([a-z]*)$/s;

/** A repo regex in RE2 (linear time). `/re/flags` as in Spectral; i, m, s map to RE2's flags, g, u, y are moot. */
export function compileRepoRegex(source: string): RE2JS {
  const slashed = slashForm.exec(source);
  const [body, flagText] = slashed ? [slashed[1] as string, slashed[2] as string] : [source, ''];
  let flags = 0;
  for (const flag of flagText) {
    if (flag === 'i') flags |= RE2JS.CASE_INSENSITIVE;
    else if (flag === 'm') flags |= RE2JS.MULTILINE;
    else if (flag === 's') flags |= RE2JS.DOTALL;
    else if (!'guy'.includes(flag)) throw new Error(`unsupported regular expression flag "${flag}"`);
  }
  return RE2JS.compile(body, flags);
}

/** Spectral's check that each option is a regex, made an RE2 check: what RE2 cannot compile is refused. */
function validateRegexOptions(options: unknown): void {
  if (!isObject(options)) return;
  for (const key of ['match', 'notMatch']) {
    const value = options[key];
    if (typeof value !== 'string') continue;
    try {
      compileRepoRegex(value);
    } catch (error) {
      throw Object.assign(
        new Error(
          `"pattern" function and its "${key}" option: ${quote(value)} is not a regular expression RE2 accepts (${error instanceof Error ? error.message : String(error)}); lookarounds and backreferences are not supported`,
        ),
        { path: ['functionOptions', key] },
      );
    }
  }
}

function regexesFor(options: Record<string, unknown>, run: RunState): RE2JS[] {
  let compiled = run.regexes.get(options);
  if (!compiled) {
    compiled = [options.match, options.notMatch].map((p) =>
      typeof p === 'string' ? compileRepoRegex(p) : RE2JS.compile('$^'),
    );
    run.regexes.set(options, compiled);
  }
  return compiled;
}

const pattern = withValidator(
  createRulesetFunction<string, { match?: string; notMatch?: string }>(
    spectralPattern.schemas as never,
    function pattern(input, options, context) {
      const [match, notMatch] = regexesFor(options, (context as unknown as CoreFunctionContext).run);
      const results: { message: string }[] = [];
      if (typeof options.match === 'string' && !match?.test(input))
        results.push({ message: `#{{print("value")}} must match the pattern ${printValue(options.match)}` });
      if (typeof options.notMatch === 'string' && notMatch?.test(input))
        results.push({
          message: `#{{print("value")}} must not match the pattern ${printValue(options.notMatch)}`,
        });
      return results.length > 0 ? results : undefined;
    },
  ),
  validateRegexOptions,
);

// casing -------------------------------------------------------------------------------------------------

const casingPatterns: Record<string, string> = {
  flat: '[a-z][a-z{D}]*',
  camel: '[a-z][a-z{D}]*(?:[A-Z{D}](?:[a-z{D}]+|$))*',
  pascal: '[A-Z][a-z{D}]*(?:[A-Z{D}](?:[a-z{D}]+|$))*',
  kebab: '[a-z][a-z{D}]*(?:-[a-z{D}]+)*',
  cobol: '[A-Z][A-Z{D}]*(?:-[A-Z{D}]+)*',
  snake: '[a-z][a-z{D}]*(?:_[a-z{D}]+)*',
  macro: '[A-Z][A-Z{D}]*(?:_[A-Z{D}]+)*',
};

interface CasingOptions {
  type: string;
  disallowDigits?: boolean;
  separator?: { char: string; allowLeading?: boolean };
}

/** Spectral's casing patterns, run in RE2: backtracking, `kebab` with separator `-` takes seconds on 26 `-a`s. */
const casing = createRulesetFunction<string, CasingOptions>(
  spectralCasing.schemas as never,
  function casing(input, options) {
    const { separator } = options;
    if (input.length === 1 && separator?.allowLeading === true && input === separator.char) return;
    const base = (casingPatterns[options.type] ?? '').replaceAll('{D}', options.disallowDigits ? '' : '0-9');
    const sep = separator ? `[${RE2JS.quote(separator.char)}]` : '';
    const regex = separator
      ? `^${separator.allowLeading ? `${sep}?` : ''}${base}(?:${sep}${base})*$`
      : `^${base}$`;
    return RE2JS.compile(regex).test(input) ? undefined : [{ message: `must be ${options.type} case` }];
  },
);

// schema -------------------------------------------------------------------------------------------------

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;

function ajvFor(dialect: string, allErrors: boolean, run: RunState): Ajv {
  const key = `${dialect}|${allErrors}`;
  let ajv = run.validators.get(key);
  if (!ajv) {
    const Engine = dialect === 'draft2019-09' ? Ajv2019 : dialect === 'draft2020-12' ? Ajv2020 : Ajv;
    // No loadSchema: a `$ref` or `$schema` naming a URL is a compile error, never a request.
    ajv = new Engine({
      allErrors,
      strict: false,
      allowUnionTypes: true,
      logger: false,
      unicodeRegExp: false,
      // `pattern` and `patternProperties` through RE2 (linear time).
      code: { regExp: linearRegExp as never },
    });
    addFormats(ajv);
    run.validators.set(key, ajv);
  }
  return ajv;
}

function detectDialect(schema: Record<string, unknown>): string {
  const uri = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (uri.includes('2020-12')) return 'draft2020-12';
  if (uri.includes('2019-09')) return 'draft2019-09';
  return 'draft7';
}

interface SchemaOptions {
  schema: Record<string, unknown>;
  dialect?: string;
  allErrors?: boolean;
}

const schema = createRulesetFunction<unknown, SchemaOptions>(
  spectralSchema.schemas as never,
  function schema(input, options, context) {
    const { path, run } = context as unknown as CoreFunctionContext;
    if (input === undefined) return [{ path, message: '#{{print("property")}}must exist' }];
    const dialect =
      options.dialect === undefined || options.dialect === 'auto'
        ? detectDialect(options.schema)
        : options.dialect;
    let validate = run.schemas.get(options.schema);
    try {
      if (!validate) {
        // `$id` is dropped so that two rules' schemas cannot collide in Ajv's registry.
        const { $id: _id, $schema: _meta, ...own } = options.schema;
        validate = ajvFor(dialect, options.allErrors === true, run).compile(own as AnySchema);
        run.schemas.set(options.schema, validate);
      }
    } catch (error) {
      return [{ path, message: error instanceof Error ? error.message : String(error) }];
    }
    if (validate(input) !== false || !Array.isArray(validate.errors)) return;
    return validate.errors.map((error) => ({
      message: describeSchemaError(error),
      path: [...path, ...(decodePointer(error.instancePath) ?? [])],
    }));
  },
);

function describeSchemaError(error: ErrorObject): string {
  const segment = (decodePointer(error.instancePath) ?? []).at(-1);
  const subject = segment === undefined ? '' : `"${segment}" property `;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties')
    return `${subject}must not have additional property "${String(params.additionalProperty)}"`;
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues))
    return `${subject}must be equal to one of the allowed values: ${params.allowedValues.map((v) => printValue(v)).join(', ')}`;
  return `${subject}${error.message ?? 'is invalid'}`;
}

// unreferencedReusableObject -----------------------------------------------------------------------------

const unreferencedReusableObject = createRulesetFunction<
  Record<string, unknown>,
  { reusableObjectsLocation: string }
>(spectralUnreferenced.schemas as never, function unreferencedReusableObject(input, options, context) {
  const { run } = context as unknown as CoreFunctionContext;
  run.refTargets ??= collectRefTargets(run.bundle);
  const targets = run.refTargets;
  const location = options.reusableObjectsLocation;
  return Object.keys(input)
    .map((name) => `${location}/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .filter((ref) => !targets.has(ref))
    .map((ref) => ({
      message: 'Potential orphaned reusable object has been detected',
      path: decodePointer(ref.slice(1)) ?? [],
    }));
});

/** Every internal `$ref` of the bundle, as written (`#/components/schemas/X`). */
function collectRefTargets(bundle: unknown): Set<string> {
  const targets = new Set<string>();
  const stack: unknown[] = [bundle];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    if (!Array.isArray(node) && Object.hasOwn(node, '$ref')) {
      const ref = (node as Record<string, unknown>).$ref;
      if (typeof ref === 'string' && ref.startsWith('#')) targets.add(decodeFragment(ref));
    }
    for (const child of Object.values(node)) stack.push(child);
  }
  return targets;
}

function decodeFragment(ref: string): string {
  try {
    return decodeURIComponent(ref);
  } catch {
    return ref;
  }
}

// typedEnum ----------------------------------------------------------------------------------------------

const typedEnum = createRulesetFunction<unknown, null>(
  { input: null, options: null },
  (input, _options, context) => {
    if (!isObject(input) || !Array.isArray(input.enum)) return;
    const types = enumTypes(input);
    if (!types) return;
    return input.enum.flatMap((value, index) =>
      matchesJsonType(value, types)
        ? []
        : [
            {
              message: `Enum value ${quote(value)} must be of type ${types.join(' or ')}`,
              path: [...context.path, 'enum', index],
            },
          ],
    );
  },
);

/** Spectral's printValue: how a value appears in a message. */
export function printValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'Array[]';
  if (typeof value === 'object' && value !== null) return 'Object{}';
  return JSON.stringify(value);
}

/** Adds a check to a function's option validator (run when the ruleset is read). */
function withValidator<F extends { validator: (options: never) => void }>(
  fn: F,
  extra: (options: unknown) => void,
): F {
  const base: (options: unknown) => void = fn.validator.bind(fn) as (options: unknown) => void;
  const checked = new WeakSet<object>();
  // Spectral's wrapper calls the validator on every call: check each options object once.
  const validator = (options: unknown): void => {
    if (typeof options === 'object' && options !== null && checked.has(options)) return;
    base(options);
    extra(options);
    if (typeof options === 'object' && options !== null) checked.add(options);
  };
  fn.validator = validator;
  return fn;
}

export const coreFunctions: ReadonlyMap<string, AnyRulesetFunction> = new Map<string, AnyRulesetFunction>([
  ['alphabetical', alphabetical],
  ['casing', casing],
  ['defined', defined],
  ['enumeration', enumeration],
  ['falsy', falsy],
  ['length', length],
  ['or', or],
  ['pattern', pattern],
  ['schema', schema],
  ['truthy', truthy],
  ['typedEnum', typedEnum],
  ['undefined', undefinedFunction],
  ['unreferencedReusableObject', unreferencedReusableObject],
  ['xor', xor],
]);
