/**
 * Runs a repo's declarative rules ourselves, with Spectral's semantics: aliases expanded for the document's
 * format, `given` evaluated by our JSONPath evaluator (./jsonpath/evaluate.ts) on the bundle, `then.field`
 * resolved, then Spectral's core functions (./core-functions.ts) called directly. In the default `resolved` mode,
 * paths see through internal `$ref`s and each result is placed where the node really lives. Nothing here reads
 * a file or the network, and no string from the ruleset is compiled to code (messages are templated by us).
 * @module
 */
import type { Finding, Severity } from '../findings.js';
import { buildPointer, decodePointer, getAtPointer } from '../spec/json-pointer.js';
import {
  type CoreFunctionContext,
  coreFunctions,
  createRunState,
  printValue,
  type RunState,
} from './core-functions.js';
import {
  childNode,
  type Deref,
  evaluateJsonPath,
  type PathNode,
  type PathSegment,
  pathOf,
  rootNode,
} from './jsonpath/evaluate.js';
import type { JsonPath, Segment } from './jsonpath/parse.js';
import type { Alias, CustomRule, FormatName, LintRuleset, RuleAction } from './types.js';

/** A rule's result before positions: the pointer is into the bundle. */
export interface CustomHit {
  rule: string;
  pointer: string;
  message: string;
  severity: Severity;
}

/** One rule cannot flood a report (or memory): past this many results, the rest are dropped with a notice. */
export const maxHitsPerRule = 1000;
const maxRefHops = 32;
const maxAliasDepth = 16;

export async function runCustomRules(
  bundle: Record<string, unknown>,
  ruleset: LintRuleset,
): Promise<{ hits: CustomHit[]; findings: Finding[] }> {
  const hits: CustomHit[] = [];
  const findings: Finding[] = [];
  if (ruleset.custom.length === 0) return { hits, findings };
  const formats = detectFormats(bundle);
  const run = createRunState(bundle);
  const resolvedDeref = createDeref(bundle);
  const copies = new Map<object, unknown>();
  for (const rule of ruleset.custom) {
    if (rule.formats && !rule.formats.some((f) => formats.has(f))) continue;
    const ruleHits: CustomHit[] = [];
    try {
      const deref: Deref = rule.resolved ? resolvedDeref : (node) => node;
      const resolveValue = rule.resolved
        ? (value: unknown) => resolveDeep(value, resolvedDeref, copies)
        : (value: unknown) => value;
      for (const segments of rule.given.flatMap((path) => expandAliases(path, ruleset.aliases, formats, 0))) {
        for (const node of evaluateJsonPath(segments, rootNode(bundle), deref)) {
          for (const action of rule.then) {
            applyAction(rule, action, node, { deref, resolveValue, run, bundle }, ruleHits);
            if (ruleHits.length > maxHitsPerRule) break;
          }
          if (ruleHits.length > maxHitsPerRule) break;
        }
        if (ruleHits.length > maxHitsPerRule) break;
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      findings.push({
        kind: 'lint',
        id: 'ruleset-rule-failed',
        severity: 'error',
        message: `Rule "${rule.id}" could not run and was skipped: ${reason}`,
        ...rule.position,
      });
      continue;
    }
    if (ruleHits.length > maxHitsPerRule) {
      ruleHits.length = maxHitsPerRule;
      findings.push({
        kind: 'lint',
        id: 'ruleset-rule-truncated',
        severity: 'warning',
        message: `Rule "${rule.id}" reported more than ${maxHitsPerRule} problems; only the first ${maxHitsPerRule} are shown.`,
        ...rule.position,
      });
    }
    hits.push(...ruleHits);
  }
  return { hits, findings };
}

interface RunTools {
  deref: Deref;
  resolveValue: (value: unknown) => unknown;
  run: RunState;
  bundle: Record<string, unknown>;
}

interface Target {
  /** The node the function looks at, when it exists. */
  node: PathNode | undefined;
  value: unknown;
  /** Its real path in the bundle (for a missing member: the path it would have). */
  path: PathSegment[];
}

function applyAction(
  rule: CustomRule,
  action: RuleAction,
  node: PathNode,
  tools: RunTools,
  out: CustomHit[],
): void {
  const fn = coreFunctions.get(action.function);
  if (!fn) return; // parseRuleset only lets core functions through
  for (const target of lintTargets(node, action, tools.deref)) {
    const context: CoreFunctionContext = {
      path: target.path,
      rule: { name: rule.id, resolved: rule.resolved },
      document: { source: null, data: tools.bundle },
      documentInventory: { findAssociatedItemForPath: () => null, graph: null },
      run: tools.run,
    };
    const results = fn(tools.resolveValue(target.value), action.functionOptions as never, context as never);
    if (!Array.isArray(results)) continue;
    for (const result of results as { message: string; path?: PathSegment[] }[]) {
      const path = realPath(target, result.path, tools.deref);
      out.push(buildHit(rule, result.message, path, tools.bundle));
    }
  }
}

/** Spectral's getLintTargets: `@key`, a member path, or a JSONPath relative to the node; else the node itself. */
function lintTargets(node: PathNode, action: RuleAction, deref: Deref): Target[] {
  const { field } = action;
  const value = node.value;
  if (!field || typeof value !== 'object' || value === null) return [{ node, value, path: pathOf(node) }];
  if (field.kind === 'keys') {
    return Object.keys(value).map((key) => {
      const child = childNode(node, key, deref);
      return { node: child, value: key, path: child ? pathOf(child) : [...pathOf(node), key] };
    });
  }
  if (field.kind === 'member') {
    const members = field.path.segments.map((s) => {
      const selector = s.selectors[0];
      return selector?.kind === 'name' ? selector.name : selector?.kind === 'index' ? selector.index : '';
    });
    return [walkMembers(node, members, deref)];
  }
  const found = evaluateJsonPath(field.path.segments, node, deref);
  if (found.length === 0) return [{ node: undefined, value: undefined, path: pathOf(node) }];
  return found.map((n) => ({ node: n, value: n.value, path: pathOf(n) }));
}

/** Follows members from a node, through `$ref`s; a missing member keeps the path it would have. */
function walkMembers(node: PathNode, members: readonly PathSegment[], deref: Deref): Target {
  let current = node;
  for (const [index, member] of members.entries()) {
    const next = childNode(current, member, deref);
    if (!next)
      return { node: undefined, value: undefined, path: [...pathOf(current), ...members.slice(index)] };
    current = next;
  }
  return { node: current, value: current.value, path: pathOf(current) };
}

/** A function's result path, which extends the target's path inside the resolved value, as a real path. */
function realPath(target: Target, resultPath: PathSegment[] | undefined, deref: Deref): PathSegment[] {
  if (!resultPath) return target.path;
  const base = target.path;
  const extendsTarget = base.every((segment, i) => String(resultPath[i]) === String(segment));
  if (!extendsTarget || !target.node || resultPath.length === base.length) return resultPath;
  return walkMembers(target.node, resultPath.slice(base.length), deref).path;
}

/**
 * Like Spectral, a result on a missing member is placed on the closest node that exists, and `property` then
 * reads from that node's key to the missing member (`get.summary`).
 */
function buildHit(rule: CustomRule, resultMessage: string, path: PathSegment[], bundle: unknown): CustomHit {
  let existing = path.length;
  while (existing > 0 && getAtPointer(bundle, buildPointer(path.slice(0, existing))) === undefined)
    existing--;
  const pointer = buildPointer(path.slice(0, existing));
  const property =
    existing < path.length ? printDotted(path.slice(Math.max(existing - 1, 0))) : String(path.at(-1) ?? '');
  const vars: MessageVars = {
    property,
    path: `#${pointer}`,
    value: getAtPointer(bundle, pointer),
    description: rule.description,
    error: '',
  };
  vars.error = formatMessage(resultMessage, vars);
  const message =
    rule.message === undefined ? (rule.description ?? vars.error) : formatMessage(rule.message, vars);
  return { rule: rule.id, pointer, message: message.trim(), severity: rule.severity };
}

/** Spectral's dotted path: `a.b`, `[0].c`, `['a b']`. */
function printDotted(path: readonly PathSegment[]): string {
  return path
    .map((segment, index) => {
      const text = String(segment);
      if (typeof segment === 'number' || /^\d+$/.test(text)) return `[${text}]`;
      if (text === '' || /\s/.test(text)) return `['${text}']`;
      return index === 0 ? text : `.${text}`;
    })
    .join('');
}

interface MessageVars {
  error: string;
  property: string;
  path: string;
  value: unknown;
  description: string | undefined;
}

/**
 * Spectral's message placeholders, filled by us: `{{error}}`, `{{path}}`, `{{property}}`, `{{value}}`,
 * `{{description}}`, and the two `#{{print("property"|"value")}}` forms its core functions use. Spectral evaluates
 * any other `#{{…}}` as an expression; here it is never evaluated and prints nothing.
 */
export function formatMessage(template: string, vars: MessageVars): string {
  return template.replace(/#?\{\{([^}\n]+)\}\}/g, (whole, inner: string) => {
    const name = inner.trim();
    if (whole.startsWith('#')) {
      const printed = /^print\(\s*(["'])(property|value)\1\s*\)$/.exec(name)?.[2];
      if (printed === 'property')
        return vars.property === '' ? 'The document ' : `"${vars.property}" property `;
      if (printed === 'value') return printValue(vars.value);
      return '';
    }
    switch (name) {
      case 'error':
      case 'property':
      case 'path':
        return vars[name];
      case 'description':
        return vars.description ?? '';
      case 'value':
        return typeof vars.value === 'string' ? vars.value : printValue(vars.value);
      default:
        return '';
    }
  });
}

/** `#Alias.more` → the alias's paths (for this document's formats) continued by `.more`. */
function expandAliases(
  path: JsonPath,
  aliases: ReadonlyMap<string, Alias>,
  formats: ReadonlySet<FormatName>,
  depth: number,
): Segment[][] {
  if (path.alias === undefined) return [[...path.segments]];
  const alias = aliases.get(path.alias);
  if (!alias || depth > maxAliasDepth) return [];
  const out: Segment[][] = [];
  for (const target of alias.targets) {
    if (target.formats && !target.formats.some((f) => formats.has(f))) continue;
    for (const inner of target.given) {
      for (const segments of expandAliases(inner, aliases, formats, depth + 1))
        out.push([...segments, ...path.segments]);
    }
  }
  return out;
}

/** The Spectral formats a bundle is in (`oas3` and `oas3_1` for 3.1.0). */
export function detectFormats(bundle: Record<string, unknown>): Set<FormatName> {
  const formats = new Set<FormatName>();
  const swagger = Object.hasOwn(bundle, 'swagger') ? bundle.swagger : undefined;
  const openapi = Object.hasOwn(bundle, 'openapi') ? bundle.openapi : undefined;
  if (swagger === '2.0' || swagger === 2) formats.add('oas2');
  if (typeof openapi === 'string' && /^3(\.|$)/.test(openapi)) {
    formats.add('oas3');
    const minor = /^3\.([012])(\.|$)/.exec(openapi)?.[1];
    if (minor !== undefined) formats.add(`oas3_${minor}` as FormatName);
  }
  return formats;
}

/** Internal `$ref`s replaced by what they point at, with the real path of the target. */
function createDeref(bundle: Record<string, unknown>): Deref {
  return (node) => {
    let current = node;
    for (let hop = 0; hop < maxRefHops; hop++) {
      const target = refTarget(current.value, bundle);
      if (!target || target.value === current.value) break;
      current = { value: target.value, key: node.key, up: node.up, at: target.path };
    }
    return current;
  };
}

function refTarget(value: unknown, bundle: unknown): { value: unknown; path: string[] } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, '$ref'))
    return undefined;
  const ref = (value as Record<string, unknown>).$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined;
  let pointer: string;
  try {
    pointer = decodeURIComponent(ref.slice(1));
  } catch {
    return undefined;
  }
  const path = decodePointer(pointer);
  if (!path) return undefined;
  const target = getAtPointer(bundle, pointer);
  return target === undefined ? undefined : { value: target, path };
}

/**
 * The value a function sees in resolved mode: internal `$ref`s replaced by their targets, copied once per run
 * (shared targets stay shared, so the copy is as large as the bundle), a cycle left as its `$ref`.
 */
function resolveDeep(
  value: unknown,
  deref: Deref,
  copies: Map<object, unknown>,
  active = new Set<object>(),
): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const target = deref(rootNode(value)).value;
  if (target !== value)
    return active.has(target as object) ? value : resolveDeep(target, deref, copies, active);
  const known = copies.get(value);
  if (known !== undefined) return known;
  if (active.has(value)) return value;
  active.add(value);
  let copy: unknown;
  if (Array.isArray(value)) copy = value.map((item) => resolveDeep(item, deref, copies, active));
  else {
    const object: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value))
      object[key] = resolveDeep((value as Record<string, unknown>)[key], deref, copies, active);
    copy = object;
  }
  active.delete(value);
  copies.set(value, copy);
  return copy;
}
