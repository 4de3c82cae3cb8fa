/**
 * Lint vocabulary shared by the built-in rules, repo rulesets and the runner.
 * @module
 */
import type { RuleDefinition, RulesetDefinition } from '@stoplight/spectral-core';
import type { Severity, SourcePosition } from '../findings.js';
import type { OpenApiVersion } from '../spec/types.js';

/** A rule's setting in a ruleset: a severity, or `off`. Spectral's `hint` is folded into `info`. */
export type RuleSetting = Severity | 'off';

/** Which built-in rules a ruleset starts from (`extends: [spectral:oas, recommended|all|off]`). */
export type BuiltinSelection = 'recommended' | 'all' | 'off';

/** A repo ruleset, ready to run: never contains code or addresses from the repo. */
export interface LintRuleset {
  /** Repo-relative path of the ruleset file, for findings about it. */
  file: string;
  /** Built-in rules the ruleset extends; `off` when it does not extend `spectral:oas` (Spectral's own rule). */
  builtin: BuiltinSelection;
  /** Per-rule settings of built-in rules (`rule-id: warn`), applied on top of `builtin`. */
  overrides: ReadonlyMap<string, RuleSetting>;
  /** The repo's own declarative rules, each already accepted by Spectral's ruleset validation. */
  custom: readonly CustomRule[];
  /** The ruleset's `aliases` (Spectral `#Name` shorthands for `given`), formats resolved. */
  aliases: RulesetDefinition['aliases'];
}

/** One declarative rule of a repo ruleset, with Spectral core functions in place of their names. */
export interface CustomRule {
  id: string;
  definition: RuleDefinition;
  /** Where the rule is written, for findings about the rule itself (e.g. a `given` that cannot run). */
  position: SourcePosition;
}

/** What a built-in rule says about one place in the bundle, before severity and position are applied. */
export interface RuleHit {
  rule: string;
  /** JSON pointer into the bundle. */
  pointer: string;
  message: string;
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
