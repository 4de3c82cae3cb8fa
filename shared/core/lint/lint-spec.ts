/**
 * Lint a loaded spec: the built-in rules (fast, one pass over the bundle) plus a repo ruleset's own declarative
 * rules (through Spectral). Every finding is placed on its source file and line through the spec's source map.
 * @module
 */
import { compareFindings, type Finding, type Severity } from '../findings.js';
import { decodePointer } from '../spec/json-pointer.js';
import type { LoadedSpec, OpenApiVersion } from '../spec/types.js';
import { builtinRules } from './builtin-rules.js';
import { checkDocument } from './check-document.js';
import { checkExamples } from './check-examples.js';
import { walkNodes } from './check-nodes.js';
import { checkOperations } from './check-operations.js';
import { checkPaths } from './check-paths.js';
import { checkUnused } from './check-unused.js';
import { buildFingerprint } from './filter-new-findings.js';
import { rulesOverridesMayEnable, settingAt } from './ruleset-overrides.js';
import { createResolver, httpMethods } from './spec-walk.js';
import type { LintRuleset, RuleContext, RuleHit } from './types.js';

export async function lintSpec(
  spec: LoadedSpec,
  options: { ruleset?: LintRuleset } = {},
): Promise<Finding[]> {
  const { bundle, version } = spec;
  if (!bundle || !version) return [];
  const { ruleset } = options;
  const severities = buildRuleSeverities(version, ruleset);
  // Rules an `overrides` entry may turn on for some files run everywhere; the setting at each place decides.
  const running = new Map(severities);
  for (const id of ruleset ? rulesOverridesMayEnable(ruleset) : []) {
    const rule = builtinRules[id];
    if (rule && !running.has(id) && (!rule.versions || rule.versions.includes(version)))
      running.set(id, rule.severity);
  }
  const hits: RuleHit[] = [];
  const ctx: RuleContext = {
    bundle,
    version,
    enabled: (rule) => running.has(rule),
    resolve: createResolver(bundle),
    report: (hit) => {
      if (running.has(hit.rule)) hits.push(hit);
    },
  };
  runBuiltinRules(ctx);

  const findings: Finding[] = [];
  for (const hit of hits) {
    const message = builtinRules[hit.rule]?.message ?? hit.message ?? '';
    const finding = buildFinding(spec, { ...hit, message }, 'warning');
    const { setting, explicit } = ruleset
      ? settingAt(ruleset, hit.rule, severities.get(hit.rule), finding)
      : { setting: severities.get(hit.rule), explicit: false };
    if (setting === undefined || setting === 'off') continue;
    // A hit milder than its rule (a regex RE2 refuses) keeps its severity unless the ruleset set one.
    findings.push({ ...finding, severity: (!explicit && hit.severity) || setting });
  }
  if (ruleset) {
    // Spectral is loaded only for repos that bring their own ruleset: it costs ~0.4 s to import.
    const { runCustomRules } = await import('./run-custom-rules.js');
    const custom = await runCustomRules(bundle, ruleset);
    for (const hit of custom.hits) {
      const finding = buildFinding(spec, hit, hit.severity);
      const { setting } = settingAt(ruleset, hit.rule, hit.severity, finding);
      if (setting !== undefined && setting !== 'off') findings.push({ ...finding, severity: setting });
    }
    findings.push(...custom.findings);
  }
  return dedupe(findings).sort(compareFindings);
}

function runBuiltinRules(ctx: RuleContext): void {
  checkDocument(ctx);
  checkPaths(ctx);
  checkOperations(ctx);
  const walk = walkNodes(ctx);
  checkExamples(ctx, walk.examples);
  checkUnused(ctx);
}

/**
 * The built-in rules that run on this document, with their severity: the ruleset's choice or the rule's own.
 * Without a ruleset: the recommended rules of every built-in set (spectral:oas and kuma-api-forge:paths).
 */
function buildRuleSeverities(
  version: OpenApiVersion,
  ruleset: LintRuleset | undefined,
): Map<string, Severity> {
  const severities = new Map<string, Severity>();
  for (const [id, rule] of Object.entries(builtinRules)) {
    if (rule.versions && !rule.versions.includes(version)) continue;
    const selection = ruleset ? (ruleset.extends.get(rule.set) ?? 'off') : 'recommended';
    const setting = ruleset?.overrides.get(id);
    if (setting === 'off') continue;
    if (setting) severities.set(id, setting);
    else if (selection === 'all' || (selection === 'recommended' && rule.recommended))
      severities.set(id, rule.severity);
  }
  return severities;
}

function buildFinding(
  spec: LoadedSpec,
  hit: { rule: string; pointer: string; message: string; operation?: string },
  severity: Severity,
): Finding {
  const position = spec.locate(hit.pointer);
  const operation = hit.operation ?? operationAt(hit.pointer);
  const finding: Finding = {
    kind: 'lint',
    id: hit.rule,
    severity,
    message: hit.message,
    ...position,
    ...(operation ? { operation } : {}),
  };
  return { ...finding, fingerprint: buildFingerprint(finding) };
}

/** `/paths/~1users/get/…` → `GET /users`. */
function operationAt(pointer: string): string | undefined {
  const [root, path, method] = decodePointer(pointer) ?? [];
  if (root !== 'paths' || path === undefined || method === undefined) return undefined;
  return (httpMethods as readonly string[]).includes(method) ? `${method.toUpperCase()} ${path}` : undefined;
}

/** One shared component can be reached from several places; report each problem on its line once. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.id}|${f.file}|${f.line}|${f.column}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
