/**
 * Lint of our own extension: every `x-kuma` block (root, path item, operation) against
 * `schemas/x-kuma.schema.json`, with each error on the line of the offending key.
 * @module
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Finding } from '../../findings.js';
import { checkCors } from '../../gateway-api/cors.js';
import { type SchemaProblem, schemaProblem } from '../../schema-findings.js';
import { decodePointer } from '../../spec/json-pointer.js';
import type { LoadedSpec } from '../../spec/types.js';
import { parseDuration } from './duration.js';
import * as precompiled from './generated/x-kuma.js';
import type { XKumaRoute } from './types.js';
import { collectXKumaBlocks, type XKumaLevel } from './x-kuma-blocks.js';

/** The schema's definition per level, compiled ahead of time by scripts/generate-kuma-validators.ts. */
const validators: Record<XKumaLevel, ValidateFunction> = precompiled;

const levelName: Record<XKumaLevel, string> = {
  root: 'the root',
  pathItem: 'a path item',
  operation: 'an operation',
};

/** Findings (kind `validation`, id `x-kuma-invalid`) for every invalid `x-kuma` block of the spec. */
export function validateXKuma(spec: LoadedSpec): Finding[] {
  return checkXKuma(spec).findings;
}

/**
 * Also says which blocks are invalid and what of each the renderer may still use: the block without its bad
 * top-level keys (a bad `timeout` must not take `auth` with it), or nothing when the block as a whole is wrong.
 * Every dropped key has its error reported.
 */
export function checkXKuma(spec: LoadedSpec): {
  findings: Finding[];
  invalid: Set<string>;
  kept: Map<string, Record<string, unknown>>;
} {
  const findings: Finding[] = [];
  const invalid = new Set<string>();
  const kept = new Map<string, Record<string, unknown>>();
  for (const block of collectXKumaBlocks(spec.bundle)) {
    const problems = checkXKumaValue(block.value, block.level);
    if (problems.length === 0) continue;
    invalid.add(block.pointer);
    const usable = withoutBadKeys(block.value, problems, block.level);
    if (usable) kept.set(block.pointer, usable);
    for (const problem of problems) {
      findings.push({
        kind: 'validation',
        id: 'x-kuma-invalid',
        severity: 'error',
        message: problem.message,
        ...spec.locate(`${block.pointer}${problem.path}`),
        ...(block.operation ? { operation: block.operation } : {}),
      });
    }
  }
  return { findings, invalid, kept };
}

/** `value` minus the top-level keys `problems` are about, if what is left is valid on its own. */
function withoutBadKeys(
  value: unknown,
  problems: { path: string }[],
  level: XKumaLevel,
): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const bad = new Set(problems.map((problem) => decodePointer(problem.path)?.[0]));
  if (bad.has(undefined)) return undefined; // about the block itself
  const rest: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (!bad.has(key)) Object.defineProperty(rest, key, { value: member, enumerable: true, writable: true });
  }
  return checkXKumaValue(rest, level).length === 0 ? rest : undefined;
}

/** Problems of one x-kuma value (also used for the repo config's `defaults`); `path` is a JSON pointer into it. */
export function checkXKumaValue(value: unknown, level: XKumaLevel): { path: string; message: string }[] {
  const validate = validators[level];
  const errors = validate(value) ? checkSemantics(value) : relevantProblems(validate.errors ?? []);
  return errors.map((problem) => ({ path: problem.pointer, message: describeError(problem, level) }));
}

/**
 * Rules JSON Schema cannot say: Kuma's admission webhook wants a rate-limit interval over 50ms; a CORS setting
 * must not leak credentials or name malformed origins (cors.ts).
 */
function checkSemantics(value: unknown): SchemaProblem[] {
  const { rateLimit, cors } = value as XKumaRoute;
  const problems: SchemaProblem[] = [];
  const interval = rateLimit?.interval;
  if (interval !== undefined && (parseDuration(interval) ?? 0) <= 50) {
    problems.push(
      schemaProblem({
        instancePath: '/rateLimit/interval',
        keyword: 'kuma',
        params: {},
        message: 'must be longer than 50ms (Kuma rejects shorter rate-limit intervals)',
      }),
    );
  }
  for (const problem of cors ? checkCors(cors) : []) {
    problems.push(
      schemaProblem({
        instancePath: `/cors${problem.path}`,
        keyword: 'cors',
        params: {},
        message: problem.message,
      }),
    );
  }
  return problems;
}

/** `allOf`/`anyOf` wrappers repeat their branches' errors: keep one error per place. */
function relevantProblems(errors: ErrorObject[]): SchemaProblem[] {
  const byPointer = new Map<string, SchemaProblem>();
  for (const error of errors) {
    if (['allOf', 'anyOf', 'oneOf', 'if'].includes(error.keyword) && errors.length > 1) continue;
    const problem = schemaProblem(error);
    if (!byPointer.has(problem.pointer)) byPointer.set(problem.pointer, problem);
  }
  return [...byPointer.values()];
}

/**
 * The schema's printable-ASCII patterns: text that reaches a gateway header, URL or path cannot carry line
 * breaks (CR, LF, U+2028, NEL…), NUL or other controls, which would be escaped oddities at best.
 */
function describeTextPattern(pattern: string): string {
  const rule = 'no control characters (CR, LF, NUL…) and no non-ASCII characters';
  if (pattern.includes('\\t')) return `must be printable ASCII or tabs: ${rule}`;
  if (pattern.includes('https?'))
    return `must be an http:// or https:// URL of printable ASCII without spaces: ${rule}`;
  if (pattern.includes(':[0-9]+')) return `must be host:port, printable ASCII without spaces: ${rule}`;
  if (pattern.startsWith('^/'))
    return `must be a path starting with "/", printable ASCII without spaces: ${rule}`;
  return `must be printable ASCII without spaces: ${rule}`;
}

function describeError({ error, key, where: path }: SchemaProblem, level: XKumaLevel): string {
  const where = path === '' ? 'x-kuma' : `x-kuma.${path}`;
  if (error.keyword === 'additionalProperties') return `${where}: unknown key "${key}"`;
  if (key !== undefined) {
    return `x-kuma: unknown key "${key}", or a key not allowed on ${levelName[level]}`;
  }
  if (error.keyword === 'enum') {
    return `${where} must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (error.keyword === 'pattern' && String(error.params.pattern).includes('ms|s|m|h')) {
    return `${where} must be a duration such as 500ms, 10s, 1m or 1h30m`;
  }
  if (error.keyword === 'pattern' && String(error.params.pattern).includes('\\x7e')) {
    return `${where} ${describeTextPattern(String(error.params.pattern))}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}
