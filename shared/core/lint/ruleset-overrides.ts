/**
 * Spectral's ruleset `overrides`: rule settings (and built-in `extends`) for some files, or some places in them
 * (`files: ['openapi/legacy/**', 'openapi/users.yaml#/paths/~1users']`), later entries winning.
 * Within the trust rule: an override only changes settings of rules the ruleset already knows (it never defines a
 * rule, so it cannot bring a function), its globs are matched (RE2, linear time) against the paths of files the
 * spec already loaded and never read anything themselves, a glob that leaves the repo is refused, and a `#`
 * pointer is compared as text, never used to look anything up.
 * @module
 */
import { RE2JS } from 're2js';
import type { Severity } from '../findings.js';
import { appendPointer, decodePointer } from '../spec/json-pointer.js';
import { type BuiltinSet, builtinRules } from './builtin-rules.js';
import { isObject, quote } from './spec-walk.js';
import type { BuiltinSelection, FileOverride, LintRuleset, RuleSetting } from './types.js';

type Report = (id: string, pointer: string, message: string, severity?: Severity) => void;

export interface OverrideParsers {
  report: Report;
  parseExtends(value: unknown, pointer: string): Map<BuiltinSet, BuiltinSelection>;
  /** A rule setting (`off`, `warn`…) for a rule the ruleset knows, or undefined after a finding. */
  parseSetting(id: string, value: unknown, pointer: string): RuleSetting | undefined;
}

/** `overrides`: each entry's `files`, `extends` and rule settings; anything else is refused on its line. */
export function parseOverrides(value: unknown, parsers: OverrideParsers): FileOverride[] {
  const { report } = parsers;
  if (!Array.isArray(value)) {
    report(
      'ruleset-invalid',
      '/overrides',
      '"overrides" must be a list of { files, rules, extends } entries.',
    );
    return [];
  }
  const parsed: FileOverride[] = [];
  value.forEach((entry, index) => {
    const at = `/overrides/${index}`;
    if (!isObject(entry)) {
      report('ruleset-invalid', at, 'An override must be a mapping with "files" and "rules" or "extends".');
      return;
    }
    for (const key of Object.keys(entry)) {
      if (key === 'files' || key === 'rules' || key === 'extends') continue;
      const refused = key === 'functions' || key === 'functionsDir';
      report(
        refused ? 'ruleset-function-refused' : 'ruleset-unsupported',
        appendPointer(at, key),
        refused
          ? `"${key}" refused: kuma-api-forge never runs custom JavaScript functions from a repository.`
          : `"${key}" is not supported in overrides and is ignored: an override sets "files", "extends" and rule settings.`,
        refused ? 'error' : 'warning',
      );
    }
    const files = parseFiles(entry.files, `${at}/files`, report);
    if (!files) return;
    const extendsSets = Object.hasOwn(entry, 'extends')
      ? parsers.parseExtends(entry.extends, `${at}/extends`)
      : new Map<BuiltinSet, BuiltinSelection>();
    const settings = new Map<string, RuleSetting>();
    const rules = Object.hasOwn(entry, 'rules') ? entry.rules : {};
    if (!isObject(rules))
      report('ruleset-invalid', `${at}/rules`, '"rules" must be a mapping of rule ids to settings.');
    else {
      for (const id of Object.keys(rules)) {
        const pointer = appendPointer(`${at}/rules`, id);
        if (isObject(rules[id])) {
          report(
            'ruleset-unsupported',
            pointer,
            `Rule "${id}" is defined inside overrides and is ignored: define rules under the top-level "rules"; an override only changes their settings.`,
            'warning',
          );
          continue;
        }
        const setting = parsers.parseSetting(id, rules[id], pointer);
        if (setting !== undefined) settings.set(id, setting);
      }
    }
    parsed.push({ files, extends: extendsSets, settings });
  });
  return parsed;
}

/** `files`: globs relative to the ruleset's folder, each with an optional `#/json/pointer`. */
function parseFiles(value: unknown, at: string, report: Report): FileOverride['files'] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    report('ruleset-invalid', at, 'An override needs "files": a non-empty list of globs.');
    return undefined;
  }
  const files: FileOverride['files'][number][] = [];
  value.forEach((item, index) => {
    const pointerAt = `${at}/${index}`;
    if (typeof item !== 'string' || item === '') {
      report('ruleset-invalid', pointerAt, `Override file ${quote(item)} must be a non-empty glob.`);
      return;
    }
    const hash = item.indexOf('#');
    const glob = hash < 0 ? item : item.slice(0, hash);
    const pointer = hash < 0 ? undefined : item.slice(hash + 1);
    if (
      glob.startsWith('/') ||
      /^[A-Za-z]:/.test(glob) ||
      glob.includes('\\') ||
      glob.split('/').includes('..')
    ) {
      report(
        'ruleset-invalid',
        pointerAt,
        `Override glob ${quote(glob)} is refused: globs are relative to the ruleset's folder and stay inside the repository (no "/" at the start, no "..", no "\\").`,
      );
      return;
    }
    if (pointer !== undefined && pointer !== '' && decodePointer(pointer) === undefined) {
      report(
        'ruleset-invalid',
        pointerAt,
        `${quote(pointer)} after "#" is not a JSON pointer (it starts with "/").`,
      );
      return;
    }
    const matcher = compileGlob(glob);
    if (!matcher) {
      report(
        'ruleset-invalid',
        pointerAt,
        `Override glob ${quote(glob)} is not a glob kuma-api-forge can read.`,
      );
      return;
    }
    files.push({ matches: (path) => matcher.matches(path), ...(pointer ? { pointer } : {}) });
  });
  return files.length > 0 ? files : undefined;
}

/** A glob (`**`, `*`, `?`, `{a,b}`) as an RE2 expression: linear time on any path. */
function compileGlob(glob: string): RE2JS | undefined {
  let source = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{') {
      braces++;
      source += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      source += ')';
    } else if (c === ',' && braces > 0) source += '|';
    else source += c.replace(/[.+^$(){}|[\]\\]/g, '\\$&');
  }
  if (braces > 0) return undefined;
  try {
    return RE2JS.compile(`^${source}$`);
  } catch {
    return undefined;
  }
}

/** Whether an override entry applies at a place: a file path relative to the repo and a pointer in that file. */
function applies(override: FileOverride, rulesetFile: string, file: string, pointer: string): boolean {
  const folder = rulesetFile.includes('/') ? rulesetFile.slice(0, rulesetFile.lastIndexOf('/') + 1) : '';
  if (!file.startsWith(folder)) return false;
  const relative = file.slice(folder.length);
  return override.files.some(
    (entry) =>
      entry.matches(relative) &&
      (entry.pointer === undefined || pointer === entry.pointer || pointer.startsWith(`${entry.pointer}/`)),
  );
}

/**
 * A rule's setting at a place: the ruleset's own (its `extends` and `rules`, given as `base`), then each override
 * that applies there, in order. `explicit` says whether a rule setting (not a default) decided it.
 */
export function settingAt(
  ruleset: LintRuleset,
  rule: string,
  base: RuleSetting | undefined,
  place: { file: string; pointer: string },
): { setting: RuleSetting | undefined; explicit: boolean } {
  let setting = base;
  let explicit = ruleset.overrides.has(rule);
  const builtin = Object.hasOwn(builtinRules, rule) ? builtinRules[rule] : undefined;
  for (const override of ruleset.fileOverrides) {
    if (!applies(override, ruleset.file, place.file, place.pointer)) continue;
    const selection = builtin && override.extends.get(builtin.set);
    if (builtin && selection)
      setting =
        selection === 'all' || (selection === 'recommended' && builtin.recommended)
          ? builtin.severity
          : 'off';
    const own = override.settings.get(rule);
    if (own !== undefined) {
      setting = own;
      explicit = true;
    }
  }
  return { setting, explicit };
}

/** The built-in rules some override may turn on: they must run, and `settingAt` then decides per place. */
export function rulesOverridesMayEnable(ruleset: LintRuleset): Set<string> {
  const rules = new Set<string>();
  for (const override of ruleset.fileOverrides) {
    for (const [id, setting] of override.settings) if (setting !== 'off') rules.add(id);
    for (const [id, rule] of Object.entries(builtinRules)) {
      const selection = override.extends.get(rule.set);
      if (selection === 'all' || (selection === 'recommended' && rule.recommended)) rules.add(id);
    }
  }
  return rules;
}
