/**
 * A repo's Spectral ruleset (`.spectral.yaml` / `.spectral.json`) → a LintRuleset we can run safely.
 * Trust rule (DESIGN.md §3): nothing from a repo is executed, compiled or fetched. Custom functions,
 * `functionsDir`, JavaScript rulesets and `extends` of anything but our built-in sets are refused with a finding on
 * their line. Every JSONPath (`given`, aliases, `then.field`) is parsed here against our own grammar
 * (./jsonpath/parse.ts) and a path outside it is refused on its line: that rule does not run, the others do.
 * Every problem is a finding, never an exception.
 * @module
 */
import type { Finding, Severity } from '../findings.js';
import { appendPointer } from '../spec/json-pointer.js';
import { parseSourceFile } from '../spec/parse-source-file.js';
import { defaultLoadLimits, type SourceFile } from '../spec/types.js';
import { type BuiltinSet, builtinRules } from './builtin-rules.js';
import { coreFunctions } from './core-functions.js';
import { type JsonPath, parseJsonPath } from './jsonpath/parse.js';
import { parseOverrides } from './ruleset-overrides.js';
import { isObject, type JsonObject, quote } from './spec-walk.js';
import type {
  Alias,
  BuiltinSelection,
  CustomRule,
  FormatName,
  LintRuleset,
  RuleAction,
  RuleField,
  RuleSetting,
} from './types.js';

export type { LintRuleset } from './types.js';

const formatsByName: ReadonlyMap<string, FormatName> = new Map<string, FormatName>([
  ['oas2', 'oas2'],
  ['oas3', 'oas3'],
  ['oas3.0', 'oas3_0'],
  ['oas3_0', 'oas3_0'],
  ['oas3.1', 'oas3_1'],
  ['oas3_1', 'oas3_1'],
  ['oas3.2', 'oas3_2'],
  ['oas3_2', 'oas3_2'],
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

/** Top-level keys read as plain text and never acted on (no URL is fetched, no parser option applied). */
const ignoredKeys = new Set(['documentationUrl', 'description', 'parserOptions']);
const ruleKeys = new Set([
  'given',
  'then',
  'severity',
  'message',
  'description',
  'formats',
  'resolved',
  'recommended',
  'documentationUrl',
  'tags',
  'type',
]);
/** An alias may expand to at most this many paths (aliases of aliases multiply). */
const maxExpandedPaths = 256;
const aliasName = /^[A-Za-z0-9_-]+$/;

export function parseRuleset(text: string, file: string): { ruleset: LintRuleset; findings: Finding[] } {
  const findings: Finding[] = [];
  const builtinOnly: LintRuleset = {
    file,
    extends: defaultExtends,
    overrides: new Map(),
    fileOverrides: [],
    custom: [],
    aliases: new Map(),
  };
  const read = readRulesetDocument(text, file);
  if (!read.ok) return { ruleset: builtinOnly, findings: read.findings };
  const { source, doc } = read;
  const report: Report = (id, pointer, message, severity = 'error') =>
    findings.push({ kind: 'lint', id, severity, message, file, ...source.locate(pointer) });

  checkTopLevelKeys(doc, report);
  const sets = parseExtends(own(doc, 'extends'), '/extends', report);
  const rulesetFormats =
    own(doc, 'formats') === undefined ? undefined : convertFormats(doc.formats, '/formats', report);
  const aliases = parseAliases(own(doc, 'aliases'), report);
  const { overrides, custom } = parseRules(own(doc, 'rules'), {
    rulesetFormats,
    aliases,
    report,
    position: (pointer) => ({ file, ...source.locate(pointer) }),
  });
  const customSeverity = new Map(custom.map((rule) => [rule.id, rule.severity]));
  const fileOverrides =
    own(doc, 'overrides') === undefined
      ? []
      : parseOverrides(doc.overrides, {
          report,
          parseExtends: (value, pointer) => parseExtends(value, pointer, report),
          parseSetting: (id, value, pointer) => {
            const severity = customSeverity.get(id);
            if (!severity) return parseBuiltinSetting(id, value, pointer, report);
            return parseSetting(id, value, severity, pointer, report);
          },
        });
  return {
    ruleset: { file, extends: sets, overrides, fileOverrides, custom, aliases: aliases.usable },
    findings,
  };
}

type Report = (id: string, pointer: string, message: string, severity?: Severity) => void;

/**
 * The ruleset file as a mapping, or the findings that say why the built-in rules apply instead: a JavaScript
 * ruleset (never run), a file that does not parse, or a document that is not a mapping.
 */
function readRulesetDocument(
  text: string,
  file: string,
): { ok: true; source: SourceFile; doc: JsonObject } | { ok: false; findings: Finding[] } {
  const refuse = (
    id: string,
    message: string,
    at = { line: 1, column: 1, pointer: '' },
  ): { ok: false; findings: Finding[] } => ({
    ok: false,
    findings: [{ kind: 'lint', id, severity: 'error', message, file, ...at }],
  });
  if (/\.[cm]?[jt]s$/i.test(file)) {
    return refuse(
      'ruleset-code-refused',
      'JavaScript rulesets are refused: kuma-api-forge never runs code from a repository. Write the ruleset as .spectral.yaml with Spectral core functions; the built-in rules apply meanwhile.',
    );
  }
  const parsed = parseSourceFile(file, new TextEncoder().encode(text), defaultLoadLimits);
  const source = parsed.file;
  if (!source) {
    const why = parsed.findings.map((f) => ({ ...f, kind: 'lint' as const, id: 'ruleset-invalid' }));
    return { ok: false, findings: why };
  }
  if (!isObject(source.value)) {
    return refuse(
      'ruleset-invalid',
      'A ruleset must be a mapping with "extends" and/or "rules"; the built-in rules apply.',
      source.locate(''),
    );
  }
  return { ok: true, source, doc: source.value };
}

/** Refuse `functions`/`functionsDir`, warn about unknown keys. */
function checkTopLevelKeys(doc: JsonObject, report: Report) {
  for (const key of Object.keys(doc)) {
    if (key === 'functions' || key === 'functionsDir') {
      report(
        'ruleset-function-refused',
        `/${key}`,
        `"${key}" refused: kuma-api-forge never runs custom JavaScript functions from a repository. Use Spectral's core functions (${[...coreFunctions.keys()].join(', ')}).`,
      );
    } else if (
      !['extends', 'rules', 'aliases', 'formats', 'overrides'].includes(key) &&
      !ignoredKeys.has(key)
    ) {
      report(
        'ruleset-unknown-key',
        appendPointer('', key),
        `Unknown ruleset key "${key}" is ignored.`,
        'warning',
      );
    }
  }
}

/** What the `rules` mapping needs from the rest of the ruleset. */
interface RulesContext {
  rulesetFormats: FormatName[] | undefined;
  aliases: ParsedAliases;
  report: Report;
  position(pointer: string): CustomRule['position'];
}

/** `rules`: each entry either defines a custom rule or sets a built-in rule's severity. */
function parseRules(
  rulesValue: unknown,
  context: RulesContext,
): { overrides: Map<string, RuleSetting>; custom: CustomRule[] } {
  const { report } = context;
  const overrides = new Map<string, RuleSetting>();
  const custom: CustomRule[] = [];
  const rules = isObject(rulesValue) ? rulesValue : {};
  if (rulesValue !== undefined && !isObject(rulesValue))
    report(
      'ruleset-invalid',
      '/rules',
      '"rules" must be a mapping of rule ids to severities or rule definitions.',
    );
  for (const id of Object.keys(rules)) {
    const value = rules[id];
    const pointer = appendPointer('/rules', id);
    const isBuiltin = Object.hasOwn(builtinRules, id);
    if (isObject(value)) {
      const rule = buildCustomRule(id, value, pointer, context.rulesetFormats, context.aliases, report);
      if (rule) custom.push({ ...rule, position: context.position(pointer) });
      // A repo rule with a built-in id replaces the built-in one, as in Spectral.
      if (isBuiltin) overrides.set(id, 'off');
      continue;
    }
    const setting = parseBuiltinSetting(id, value, pointer, report);
    if (setting !== undefined) overrides.set(id, setting);
  }
  return { overrides, custom };
}

/** A built-in rule's new setting (`true` keeps its default severity), or undefined after a finding says why not. */
export function parseBuiltinSetting(
  id: string,
  value: unknown,
  pointer: string,
  report: Report,
): RuleSetting | undefined {
  const builtinRule = Object.hasOwn(builtinRules, id) ? builtinRules[id] : undefined;
  if (!builtinRule) {
    report(
      'ruleset-unknown-rule',
      pointer,
      `Rule "${id}" is neither a built-in rule nor defined in this ruleset; the setting is ignored.`,
      'warning',
    );
    return undefined;
  }
  return parseSetting(id, value, builtinRule.severity, pointer, report);
}

/** A rule's setting (`true`: its own severity), or undefined after a finding says why not. */
function parseSetting(
  id: string,
  value: unknown,
  severity: RuleSetting,
  pointer: string,
  report: Report,
): RuleSetting | undefined {
  const setting = value === true ? severity : settingsByValue.get(value);
  if (setting === undefined)
    report(
      'ruleset-invalid',
      pointer,
      `Rule "${id}" has setting ${quote(value)}: use off, error, warn, info or hint.`,
    );
  return setting;
}

/** An own member only: `constructor` or `__proto__` never reach Object's prototype. */
function own(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Every built-in set on at its recommended rules: what a repo without a (usable) ruleset gets. */
export const defaultExtends: ReadonlyMap<BuiltinSet, BuiltinSelection> = new Map<
  BuiltinSet,
  BuiltinSelection
>([
  ['spectral:oas', 'recommended'],
  ['kuma-api-forge:paths', 'recommended'],
]);

/**
 * `extends`: which built-in sets, and which of their rules. `spectral:oas2`/`spectral:oas3` are `spectral:oas`
 * (the version-specific rules only run on their version anyway); our own set is `kuma-api-forge:paths`.
 */
function parseExtends(value: unknown, at: string, report: Report): Map<BuiltinSet, BuiltinSelection> {
  const sets = new Map<BuiltinSet, BuiltinSelection>();
  if (value === undefined) return sets;
  const entries = Array.isArray(value) ? value : [value];
  entries.forEach((entry, index) => {
    const pointer = Array.isArray(value) ? `${at}/${index}` : at;
    const [name, selection] = Array.isArray(entry) ? entry : [entry, undefined];
    const set: BuiltinSet | undefined =
      name === 'spectral:oas' || name === 'spectral:oas2' || name === 'spectral:oas3'
        ? 'spectral:oas'
        : name === 'kuma-api-forge:paths'
          ? name
          : undefined;
    if (set) {
      if (
        selection === undefined ||
        selection === 'recommended' ||
        selection === 'all' ||
        selection === 'off'
      ) {
        sets.set(set, selection ?? 'recommended');
      } else
        report(
          'ruleset-invalid',
          `${pointer}/1`,
          `Use recommended, all or off after ${name}, not ${quote(selection)}.`,
        );
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
        `extends ${quote(name)} refused: kuma-api-forge never fetches or reads other rulesets (URLs, files, packages). Copy the rules you need into this file or extend spectral:oas (Spectral's rules) and kuma-api-forge:paths (ours).`,
      );
    }
  });
  return sets;
}

/** One JSONPath string of the ruleset, parsed; refused on its line when outside our grammar. */
function parsePathAt(value: unknown, pointer: string, what: string, report: Report): JsonPath | undefined {
  if (typeof value !== 'string') {
    report('ruleset-invalid', pointer, `${what} must be a JSONPath string, not ${quote(value)}.`);
    return undefined;
  }
  const parsed = parseJsonPath(value);
  if (parsed.ok) return parsed.path;
  report(
    'ruleset-jsonpath-refused',
    pointer,
    `${what} ${quote(value)} is refused: ${parsed.reason}. kuma-api-forge evaluates JSONPath itself and never runs it as code: use names, *, .., unions, indexes, slices and filters like [?(@.type == 'array' && @property != 'properties')].`,
  );
  return undefined;
}

/** A `given`-like value: one path or a list of them, each at its own pointer. */
function parsePathList(
  value: unknown,
  pointer: string,
  what: string,
  report: Report,
): JsonPath[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) {
    report('ruleset-invalid', pointer, `${what} must name at least one JSONPath.`);
    return undefined;
  }
  const paths = list.map((item, index) =>
    parsePathAt(item, Array.isArray(value) ? `${pointer}/${index}` : pointer, what, report),
  );
  return paths.every((p) => p !== undefined) ? (paths as JsonPath[]) : undefined;
}

interface ParsedAliases {
  /** Aliases whose every path parsed and whose references resolve without a cycle. */
  usable: Map<string, Alias>;
  /** Why an alias cannot be used, for the rules that name it. */
  broken: Map<string, string>;
}

function parseAliases(value: unknown, report: Report): ParsedAliases {
  const usable = new Map<string, Alias>();
  const broken = new Map<string, string>();
  if (value === undefined) return { usable, broken };
  if (!isObject(value)) {
    report('ruleset-invalid', '/aliases', '"aliases" must be a mapping of names to JSONPaths.');
    return { usable, broken };
  }
  const pointers = new Map<string, string>();
  for (const name of Object.keys(value)) {
    const pointer = appendPointer('/aliases', name);
    pointers.set(name, pointer);
    const alias = parseAlias(name, value[name], pointer, report);
    if (alias) usable.set(name, alias);
    else broken.set(name, 'it is refused or invalid (see its finding)');
  }
  // References: to unknown or broken aliases, and cycles, make an alias unusable (its rules do not run).
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    state.set(name, 'visiting');
    for (const target of usable.get(name)?.targets ?? []) {
      for (const path of target.given) {
        const ref = path.alias;
        if (ref === undefined) continue;
        if (state.get(ref) === 'visiting') broken.set(name, `it refers to itself through #${ref}`);
        else if (!usable.has(ref) && !broken.has(ref)) broken.set(name, `#${ref} is not defined`);
        else {
          visit(ref);
          if (broken.has(ref)) broken.set(name, `#${ref} cannot be used`);
        }
      }
    }
    state.set(name, 'done');
  };
  for (const name of usable.keys()) visit(name);
  for (const name of pointers.keys()) {
    const why = broken.get(name);
    if (why === undefined || !usable.delete(name)) continue;
    report('ruleset-invalid', pointers.get(name) ?? '/aliases', `Alias "${name}" cannot be used: ${why}.`);
  }
  return { usable, broken };
}

function parseAlias(name: string, value: unknown, pointer: string, report: Report): Alias | undefined {
  if (!aliasName.test(name)) {
    report(
      'ruleset-invalid',
      pointer,
      `Alias name ${quote(name)} may only use letters, digits, "_" and "-".`,
    );
    return undefined;
  }
  if (!isObject(value)) {
    const given = parsePathList(value, pointer, `Alias "${name}"`, report);
    return given ? { targets: [{ given }] } : undefined;
  }
  const targetsValue = own(value, 'targets');
  if (!Array.isArray(targetsValue) || targetsValue.length === 0) {
    report('ruleset-invalid', pointer, `Alias "${name}" needs a list of paths or of "targets".`);
    return undefined;
  }
  let ok = true;
  const targets = targetsValue.map((target, index) => {
    const at = `${pointer}/targets/${index}`;
    if (!isObject(target)) {
      report('ruleset-invalid', at, `Alias "${name}": each target needs "formats" and "given".`);
      ok = false;
      return { given: [] };
    }
    const formats = convertFormats(own(target, 'formats'), `${at}/formats`, report);
    const given = parsePathList(own(target, 'given'), `${at}/given`, `Alias "${name}"`, report);
    if (!formats || !given) ok = false;
    return { formats: formats ?? [], given: given ?? [] };
  });
  return ok ? { targets } : undefined;
}

function buildCustomRule(
  id: string,
  value: JsonObject,
  pointer: string,
  rulesetFormats: FormatName[] | undefined,
  aliases: ParsedAliases,
  report: Report,
): Omit<CustomRule, 'position'> | undefined {
  for (const key of Object.keys(value)) {
    if (!ruleKeys.has(key))
      report(
        'ruleset-unknown-key',
        appendPointer(pointer, key),
        `Rule "${id}": unknown key "${key}" is ignored.`,
        'warning',
      );
  }
  let ok = true;
  const invalid = (at: string, message: string) => {
    report('ruleset-invalid', at, `Rule "${id}" is invalid and is skipped: ${message}`);
    ok = false;
  };

  const given = parsePathList(own(value, 'given'), `${pointer}/given`, `Rule "${id}": given`, report);
  if (!given) ok = false;
  else {
    given.forEach((path, index) => {
      const ref = path.alias;
      if (ref === undefined || aliases.usable.has(ref)) return;
      const at = Array.isArray(value.given) ? `${pointer}/given/${index}` : `${pointer}/given`;
      const why = aliases.broken.has(ref) ? `alias #${ref} cannot be used` : `alias #${ref} is not defined`;
      invalid(at, `${why}.`);
    });
    if (ok && countExpansions(given, aliases.usable) > maxExpandedPaths)
      invalid(`${pointer}/given`, `its aliases expand to more than ${maxExpandedPaths} paths.`);
  }

  const severityValue = own(value, 'severity');
  const setting = severityValue === undefined ? 'warning' : settingsByValue.get(severityValue);
  if (setting === undefined)
    invalid(`${pointer}/severity`, `severity ${quote(severityValue)}: use off, error, warn, info or hint.`);

  const texts: Record<'message' | 'description', string | undefined> = {
    message: undefined,
    description: undefined,
  };
  for (const key of ['message', 'description'] as const) {
    const text = own(value, key);
    if (text === undefined) continue;
    if (typeof text === 'string') texts[key] = text;
    else invalid(`${pointer}/${key}`, `"${key}" must be a string.`);
  }
  for (const key of ['resolved', 'recommended']) {
    const flag = own(value, key);
    if (flag !== undefined && typeof flag !== 'boolean')
      invalid(`${pointer}/${key}`, `"${key}" must be true or false.`);
  }

  const thenValue = own(value, 'then');
  const thens = Array.isArray(thenValue) ? thenValue : [thenValue];
  const actions: RuleAction[] = [];
  thens.forEach((then, index) => {
    const at = Array.isArray(thenValue) ? `${pointer}/then/${index}` : `${pointer}/then`;
    const action = buildAction(id, then, at, report);
    if (action) actions.push(action);
    else ok = false;
  });

  const formats =
    own(value, 'formats') === undefined
      ? rulesetFormats
      : convertFormats(value.formats, `${pointer}/formats`, report);
  if (own(value, 'formats') !== undefined && formats === undefined) ok = false;

  // Like Spectral, a rule that is off or not recommended does not run; it is still checked above.
  if (!ok || !given || setting === undefined || setting === 'off' || value.recommended === false)
    return undefined;
  return {
    id,
    given,
    // biome-ignore lint/suspicious/noThenProperty: Spectral's rule format names its action list "then".
    then: actions,
    severity: setting,
    ...(texts.message === undefined ? {} : { message: texts.message }),
    ...(texts.description === undefined ? {} : { description: texts.description }),
    ...(formats ? { formats } : {}),
    resolved: own(value, 'resolved') !== false,
  };
}

function buildAction(id: string, then: unknown, at: string, report: Report): RuleAction | undefined {
  if (!isObject(then) || typeof own(then, 'function') !== 'string') {
    report(
      'ruleset-invalid',
      at,
      `Rule "${id}": "then" needs a "function" naming one of Spectral's core functions.`,
    );
    return undefined;
  }
  const name = then.function as string;
  const fn = coreFunctions.get(name);
  if (!fn) {
    report(
      'ruleset-function-refused',
      `${at}/function`,
      `Rule "${id}" uses function "${name}", which is not a Spectral core function; custom functions are never run. Use one of: ${[...coreFunctions.keys()].join(', ')}.`,
    );
    return undefined;
  }
  const functionOptions = own(then, 'functionOptions') ?? null;
  const problems = checkOptions(fn, functionOptions);
  for (const problem of problems) {
    report(
      'ruleset-invalid',
      `${at}${problem.pointer}`,
      `Rule "${id}" is invalid and is skipped: ${problem.message}.`,
    );
  }
  const fieldValue = own(then, 'field');
  const field = fieldValue === undefined ? undefined : parseField(id, fieldValue, `${at}/field`, report);
  if (problems.length > 0 || (fieldValue !== undefined && !field)) return undefined;
  return { function: name, functionOptions, ...(field ? { field } : {}) };
}

/** Spectral's `then.field`: `@key`, a JSONPath starting with `$`, or a dotted member path like `info.contact`. */
function parseField(id: string, value: unknown, at: string, report: Report): RuleField | undefined {
  if (value === '@key') return { kind: 'keys' };
  // `$ref`, `$id`…: a member named with a dollar, not a JSONPath.
  if (typeof value === 'string' && value.startsWith('$') && !/^\$[A-Za-z_]/.test(value)) {
    const path = parsePathAt(value, at, `Rule "${id}": field`, report);
    return path ? { kind: 'jsonpath', path } : undefined;
  }
  if (typeof value !== 'string' || value === '') {
    report('ruleset-invalid', at, `Rule "${id}": "field" must be @key, a property path or a JSONPath.`);
    return undefined;
  }
  const parsed = parseJsonPath(value.startsWith('[') ? `$${value}` : `$.${value}`);
  const plain =
    parsed.ok &&
    parsed.path.segments.every(
      (s) =>
        !s.descendant &&
        s.selectors.length === 1 &&
        (s.selectors[0]?.kind === 'name' || s.selectors[0]?.kind === 'index'),
    );
  if (parsed.ok && plain) return { kind: 'member', path: parsed.path };
  report(
    'ruleset-jsonpath-refused',
    at,
    `Rule "${id}": field ${quote(value)} is refused: ${parsed.ok ? 'a property path names members only (start it with "$" for a JSONPath)' : parsed.reason}.`,
  );
  return undefined;
}

/** The function's own option check (Spectral's schemas, plus RE2 for regexes), as findings. */
function checkOptions(fn: object, options: unknown): { pointer: string; message: string }[] {
  try {
    const { validator } = fn as { validator?: (options: unknown) => void };
    validator?.(options);
    return [];
  } catch (error) {
    const errors = error instanceof AggregateError ? error.errors : [error];
    return errors.map((problem) => {
      const path = (problem as { path?: unknown }).path;
      const pointer = Array.isArray(path) && path.length > 0 ? appendPointer('', ...path.map(String)) : '';
      return { pointer, message: problem instanceof Error ? problem.message : String(problem) };
    });
  }
}

/** How many concrete paths `given` becomes once every alias is expanded (all targets, whatever the format). */
function countExpansions(given: readonly JsonPath[], aliases: ReadonlyMap<string, Alias>): number {
  const memo = new Map<string, number>();
  const count = (path: JsonPath): number => {
    if (path.alias === undefined) return 1;
    const known = memo.get(path.alias);
    if (known !== undefined) return known;
    let total = 0;
    for (const target of aliases.get(path.alias)?.targets ?? []) {
      for (const inner of target.given) total = Math.min(total + count(inner), maxExpandedPaths + 1);
    }
    memo.set(path.alias, total);
    return total;
  };
  return given.reduce((sum, path) => Math.min(sum + count(path), maxExpandedPaths + 1), 0);
}

function convertFormats(value: unknown, pointer: string, report: Report): FormatName[] | undefined {
  const names = Array.isArray(value) ? value : [value];
  const formats: FormatName[] = [];
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
