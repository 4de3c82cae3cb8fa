/**
 * Lint vocabulary shared by the built-in rules, repo rulesets and the runner.
 * @module
 */
import type { Severity, SourcePosition } from '../findings.js';
import type { OpenApiVersion } from '../spec/types.js';
import type { BuiltinSet } from './builtin-rules.js';
import type { JsonPath } from './jsonpath/parse.js';

/** A rule's setting in a ruleset: a severity, or `off`. Spectral's `hint` is folded into `info`. */
export type RuleSetting = Severity | 'off';

/** Which built-in rules a ruleset starts from (`extends: [spectral:oas, recommended|all|off]`). */
export type BuiltinSelection = 'recommended' | 'all' | 'off';

/** A repo ruleset, ready to run: never contains code or addresses from the repo, only data we interpret. */
export interface LintRuleset {
  /** Repo-relative path of the ruleset file, for findings about it. */
  file: string;
  /**
   * The built-in rule sets the ruleset extends (`spectral:oas`, `kuma-api-forge:paths`) and which of their rules;
   * a set it does not extend is off (Spectral's own rule).
   */
  extends: ReadonlyMap<BuiltinSet, BuiltinSelection>;
  /** Per-rule settings of built-in rules (`rule-id: warn`), applied on top of `builtin`. */
  overrides: ReadonlyMap<string, RuleSetting>;
  /** `overrides`: rule settings for some files or places in them, in order (later entries win). */
  fileOverrides: readonly FileOverride[];
  /** The repo's own declarative rules, every JSONPath already parsed and every function option checked. */
  custom: readonly CustomRule[];
  /** The ruleset's `aliases` (Spectral `#Name` shorthands for `given`), parsed. */
  aliases: ReadonlyMap<string, Alias>;
}

/** One entry of a ruleset's `overrides`. */
export interface FileOverride {
  /** Where it applies: a file path relative to the ruleset's folder, and optionally a pointer (and below) in it. */
  files: readonly { matches(path: string): boolean; pointer?: string }[];
  extends: ReadonlyMap<BuiltinSet, BuiltinSelection>;
  settings: ReadonlyMap<string, RuleSetting>;
}

/** Spectral's document formats, as rulesets name them (`oas3.0` and `oas3_0` are the same). */
export type FormatName = 'oas2' | 'oas3' | 'oas3_0' | 'oas3_1' | 'oas3_2';

/** An alias: plain (`Name: [paths]`) is one target without formats; scoped ones pick targets by format. */
export interface Alias {
  targets: readonly { formats?: readonly FormatName[]; given: readonly JsonPath[] }[];
}

/** Where a `then` applies its function, relative to each node `given` selects. */
export type RuleField =
  | { kind: 'keys' }
  /** A dotted path (`info.contact`): one target, present or not. */
  | { kind: 'member'; path: JsonPath }
  /** A JSONPath starting with `$`, relative to the node: every match. */
  | { kind: 'jsonpath'; path: JsonPath };

export interface RuleAction {
  field?: RuleField;
  /** Name of a Spectral core function (see core-functions.ts). */
  function: string;
  functionOptions: unknown;
}

/** One declarative rule of a repo ruleset. */
export interface CustomRule {
  id: string;
  given: readonly JsonPath[];
  then: readonly RuleAction[];
  severity: Severity;
  message?: string;
  description?: string;
  formats?: readonly FormatName[];
  /** Spectral's `resolved`: whether `given` sees through internal `$ref`s (default true). */
  resolved: boolean;
  /** Where the rule is written, for findings about the rule itself. */
  position: SourcePosition;
}

/** What a built-in rule says about one place in the bundle, before severity and position are applied. */
export interface RuleHit {
  rule: string;
  /** JSON pointer into the bundle. */
  pointer: string;
  /** Absent when the rule has a fixed message (Spectral's, in builtin-rules.ts). */
  message?: string;
  operation?: string;
  /** Only when a hit is milder than its rule's default (e.g. a merely ambiguous path pair). */
  severity?: Severity;
}

/** The context every built-in check receives. */
export interface RuleContext {
  bundle: Record<string, unknown>;
  version: OpenApiVersion;
  /** Whether a rule is on, so that checks skip work nobody will see. */
  enabled(rule: string): boolean;
  /** Follow internal `$ref`s (`#/…`) to the value they name, with its bundle pointer. */
  resolve(value: unknown, pointer: string): { value: unknown; pointer: string };
  report(hit: RuleHit): void;
}
