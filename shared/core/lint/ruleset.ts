/**
 * A repo's Spectral ruleset (`.spectral.yaml` / `.spectral.json`) → a LintRuleset we can run safely.
 * Trust rule (DESIGN.md §3): nothing from a repo is executed or fetched. Custom functions, `functionsDir`,
 * JavaScript rulesets and `extends` of anything but `spectral:oas` are refused with a finding on their line;
 * declarative rules run with Spectral's core functions. Every problem is a finding, never an exception.
 * @module
 */
import type { RuleDefinition, RulesetDefinition } from '@stoplight/spectral-core';
import { type Format, Ruleset } from '@stoplight/spectral-core';
import { oas2, oas3, oas3_0, oas3_1, oas3_2 } from '@stoplight/spectral-formats';
import type { Finding, Severity } from '../findings.js';
import { appendPointer, buildPointer } from '../spec/json-pointer.js';
import { parseSourceFile } from '../spec/parse-source-file.js';
import { defaultLoadLimits, type SourceFile } from '../spec/types.js';
import { builtinRules } from './builtin-rules.js';
import { coreFunctions } from './core-functions.js';
import { isObject, type JsonObject, quote } from './spec-walk.js';
import type { BuiltinSelection, CustomRule, LintRuleset, RuleSetting } from './types.js';

export type { LintRuleset } from './types.js';

const formatsByName: ReadonlyMap<string, Format> = new Map([
  ['oas2', oas2],
  ['oas3', oas3],
  ['oas3.0', oas3_0],
  ['oas3_0', oas3_0],
  ['oas3.1', oas3_1],
  ['oas3_1', oas3_1],
  ['oas3.2', oas3_2],
  ['oas3_2', oas3_2],
]);

const settingsByValue: ReadonlyMap<unknown, RuleSetting> = new Map<unknown, RuleSetting>([
  ['off', 'off'],
  [false, 'off'],
  [-1, 'off'],
  ['error', 'error'],
  [0, 'error'],
  ['warn', 'warning'],
  [1, 'warning'],
  ['info', 'info'],
  [2, 'info'],
  ['hint', 'info'],
  [3, 'info'],
]);

const ignoredKeys = new Set(['documentationUrl', 'description', 'parserOptions']);

export function parseRuleset(text: string, file: string): { ruleset: LintRuleset; findings: Finding[] } {
  const findings: Finding[] = [];
  const ruleset: LintRuleset = {
    file,
    builtin: 'recommended',
    overrides: new Map(),
    custom: [],
    aliases: undefined,
  };
  const place = (source: SourceFile | undefined, pointer: string) =>
    source ? { file, ...source.locate(pointer) } : { file, line: 1, column: 1, pointer: '' };
  const add = (
    source: SourceFile | undefined,
    id: string,
    pointer: string,
    message: string,
    severity: Severity = 'error',
  ) => {
    findings.push({ kind: 'lint', id, severity, message, ...place(source, pointer) });
  };

  if (/\.[cm]?[jt]s$/i.test(file)) {
    add(
      undefined,
      'ruleset-code-refused',
      '',
      'JavaScript rulesets are refused: kuma-api-forge never runs code from a repository. Write the ruleset as .spectral.yaml with Spectral core functions; the built-in rules apply meanwhile.',
    );
    return { ruleset, findings };
  }
  const parsed = parseSourceFile(file, new TextEncoder().encode(text), defaultLoadLimits);
  const source = parsed.file;
  if (!source) {
    const why = parsed.findings.map((f) => ({ ...f, kind: 'lint' as const, id: 'ruleset-invalid' }));
    return { ruleset, findings: why };
  }
  const doc = source.value;
  if (!isObject(doc)) {
    add(
      source,
      'ruleset-invalid',
      '',
      'A ruleset must be a mapping with "extends" and/or "rules"; the built-in rules apply.',
    );
    return { ruleset, findings };
  }

  const report = (id: string, pointer: string, message: string, severity?: Severity) =>
    add(source, id, pointer, message, severity);
  for (const key of Object.keys(doc)) {
    if (key === 'functions' || key === 'functionsDir') {
      report(
        'ruleset-function-refused',
        `/${key}`,
        `"${key}" refused: kuma-api-forge never runs custom JavaScript functions from a repository. Use Spectral's core functions (${[...coreFunctions.keys()].join(', ')}).`,
      );
    } else if (key === 'overrides') {
      report(
        'ruleset-unsupported',
        '/overrides',
        '"overrides" (per-file rule changes) is not supported and is ignored: set rule severities under "rules".',
        'warning',
      );
    } else if (!['extends', 'rules', 'aliases', 'formats'].includes(key) && !ignoredKeys.has(key)) {
      report(
        'ruleset-unknown-key',
        appendPointer('', key),
        `Unknown ruleset key "${key}" is ignored.`,
        'warning',
      );
    }
  }

  const builtin = parseExtends(doc.extends, report);
  const rulesetFormats =
    doc.formats === undefined ? undefined : convertFormats(doc.formats, '/formats', report);
  const aliases = isObject(doc.aliases)
    ? (convertAliasFormats(doc.aliases, report) as RulesetDefinition['aliases'])
    : undefined;
  const overrides = new Map<string, RuleSetting>();
  const custom: CustomRule[] = [];

  const rules = isObject(doc.rules) ? doc.rules : {};
  if (doc.rules !== undefined && !isObject(doc.rules))
    report(
      'ruleset-invalid',
      '/rules',
      '"rules" must be a mapping of rule ids to severities or rule definitions.',
    );
  for (const [id, value] of Object.entries(rules)) {
    const pointer = appendPointer('/rules', id);
    if (isObject(value)) {
      const rule = buildCustomRule(id, value, pointer, rulesetFormats, aliases, report);
      if (rule) custom.push({ id, definition: rule, position: place(source, pointer) });
      // A repo rule with a built-in id replaces the built-in one, as in Spectral.
      if (id in builtinRules) overrides.set(id, 'off');
      continue;
    }
    const builtinRule = builtinRules[id];
    if (!builtinRule) {
      report(
        'ruleset-unknown-rule',
        pointer,
        `Rule "${id}" is neither a built-in rule nor defined in this ruleset; the setting is ignored.`,
        'warning',
      );
      continue;
    }
    const setting = value === true ? builtinRule.severity : settingsByValue.get(value);
    if (setting === undefined) {
      report(
        'ruleset-invalid',
        pointer,
        `Rule "${id}" has setting ${quote(value)}: use off, error, warn, info or hint.`,
      );
    } else overrides.set(id, setting);
  }
  return { ruleset: { file, builtin, overrides, custom, aliases }, findings };
}

type Report = (id: string, pointer: string, message: string, severity?: Severity) => void;

function parseExtends(value: unknown, report: Report): BuiltinSelection {
  if (value === undefined) return 'off';
  let builtin: BuiltinSelection = 'off';
  const entries = Array.isArray(value) ? value : [value];
  entries.forEach((entry, index) => {
    const pointer = Array.isArray(value) ? `/extends/${index}` : '/extends';
    const [name, selection] = Array.isArray(entry) ? entry : [entry, undefined];
    if (name === 'spectral:oas') {
      if (
        selection === undefined ||
        selection === 'recommended' ||
        selection === 'all' ||
        selection === 'off'
      ) {
        builtin = selection ?? 'recommended';
      } else
        report(
          'ruleset-invalid',
          `${pointer}/1`,
          `Use recommended, all or off after spectral:oas, not ${quote(selection)}.`,
        );
    } else if (typeof name === 'string' && /^spectral:(oas2|oas3)$/.test(name)) {
      builtin = selection === 'all' || selection === 'off' ? selection : 'recommended';
    } else if (typeof name === 'string' && name.startsWith('spectral:')) {
      report(
        'ruleset-extends-ignored',
        pointer,
        `"${name}" does not apply to OpenAPI documents and is ignored.`,
        'warning',
      );
    } else {
      report(
        'ruleset-extends-refused',
        pointer,
        `extends ${quote(name)} refused: kuma-api-forge never fetches or reads other rulesets (URLs, files, packages). Copy the rules you need into this file or extend spectral:oas.`,
      );
    }
  });
  return builtin;
}

function buildCustomRule(
  id: string,
  value: JsonObject,
  pointer: string,
  rulesetFormats: Format[] | undefined,
  aliases: RulesetDefinition['aliases'],
  report: Report,
): RuleDefinition | undefined {
  const thens = Array.isArray(value.then) ? value.then : [value.then];
  const converted: JsonObject[] = [];
  for (const [index, then] of thens.entries()) {
    const at = Array.isArray(value.then) ? `${pointer}/then/${index}` : `${pointer}/then`;
    if (!isObject(then) || typeof then.function !== 'string') {
      report(
        'ruleset-invalid',
        at,
        `Rule "${id}": "then" needs a "function" naming one of Spectral's core functions.`,
      );
      return undefined;
    }
    const fn = coreFunctions.get(then.function);
    if (!fn) {
      report(
        'ruleset-function-refused',
        `${at}/function`,
        `Rule "${id}" uses function "${then.function}", which is not a Spectral core function; custom functions are never run. Use one of: ${[...coreFunctions.keys()].join(', ')}.`,
      );
      return undefined;
    }
    converted.push({ ...then, function: fn });
  }
  const formats =
    value.formats === undefined
      ? rulesetFormats
      : convertFormats(value.formats, `${pointer}/formats`, report);
  if (value.formats !== undefined && formats === undefined) return undefined;
  const definition = {
    ...value,
    // biome-ignore lint/suspicious/noThenProperty: Spectral's rule format names its action list "then".
    then: Array.isArray(value.then) ? converted : converted[0],
    ...(formats ? { formats } : {}),
  } as unknown as RuleDefinition;
  try {
    // Spectral validates the definition (given, severity, function options) and throws on every problem.
    new Ruleset({ rules: { [id]: definition }, ...(aliases ? { aliases } : {}) } as RulesetDefinition);
    return definition;
  } catch (error) {
    const errors = error instanceof AggregateError ? error.errors : [error];
    for (const problem of errors) {
      const path = (problem as { path?: unknown }).path;
      const at = Array.isArray(path) && path.length > 0 ? buildPointer(path.map(String)) : pointer;
      const message = problem instanceof Error ? problem.message : String(problem);
      report('ruleset-invalid', at, `Rule "${id}" is invalid and is skipped: ${message}.`);
    }
    return undefined;
  }
}

function convertFormats(value: unknown, pointer: string, report: Report): Format[] | undefined {
  const names = Array.isArray(value) ? value : [value];
  const formats: Format[] = [];
  for (const [index, name] of names.entries()) {
    const format = formatsByName.get(String(name));
    if (!format) {
      const at = Array.isArray(value) ? `${pointer}/${index}` : pointer;
      report(
        'ruleset-invalid',
        at,
        `Unknown format ${quote(name)}: use ${[...formatsByName.keys()].join(', ')}.`,
      );
      return undefined;
    }
    formats.push(format);
  }
  return formats;
}

/** Scoped aliases name formats too; resolve them like a rule's. */
function convertAliasFormats(aliases: JsonObject, report: Report): JsonObject {
  const out: JsonObject = {};
  for (const [name, alias] of Object.entries(aliases)) {
    if (!isObject(alias) || !Array.isArray(alias.targets)) {
      out[name] = alias;
      continue;
    }
    const targets = alias.targets.map((target, index) =>
      isObject(target) && target.formats !== undefined
        ? {
            ...target,
            formats:
              convertFormats(
                target.formats,
                appendPointer('/aliases', name, 'targets', index, 'formats'),
                report,
              ) ?? [],
          }
        : target,
    );
    out[name] = { ...alias, targets };
  }
  return out;
}
