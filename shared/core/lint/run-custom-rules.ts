/**
 * Runs a repo's declarative rules with Spectral on the bundle. The resolver has no readers at all, so Spectral
 * can neither fetch a URL nor read a file whatever the document or ruleset says (the bundle only holds internal
 * refs anyway). A rule that cannot run (e.g. a JSONPath Spectral cannot evaluate) becomes a finding on its
 * line of the ruleset, and the other rules still run.
 * @module
 */
import { Ruleset, type RulesetDefinition, Spectral } from '@stoplight/spectral-core';
import { Resolver } from '@stoplight/spectral-ref-resolver';
import type { Finding, Severity } from '../findings.js';
import { buildPointer } from '../spec/json-pointer.js';
import type { CustomRule, LintRuleset } from './types.js';

/** A rule's result before positions: the pointer is into the bundle. */
export interface CustomHit {
  rule: string;
  pointer: string;
  message: string;
  severity: Severity;
}

const severities: readonly Severity[] = ['error', 'warning', 'info', 'info'];

export async function runCustomRules(
  bundle: Record<string, unknown>,
  ruleset: LintRuleset,
): Promise<{ hits: CustomHit[]; findings: Finding[] }> {
  if (ruleset.custom.length === 0) return { hits: [], findings: [] };
  try {
    return { hits: await runSpectral(bundle, ruleset.custom, ruleset.aliases), findings: [] };
  } catch {
    // Find the rules that fail, one by one, only on this rare path.
    const hits: CustomHit[] = [];
    const findings: Finding[] = [];
    for (const rule of ruleset.custom) {
      try {
        hits.push(...(await runSpectral(bundle, [rule], ruleset.aliases)));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        findings.push({
          kind: 'lint',
          id: 'ruleset-rule-failed',
          severity: 'error',
          message: `Rule "${rule.id}" could not run and was skipped (check its "given" JSONPath): ${reason}`,
          ...rule.position,
        });
      }
    }
    return { hits, findings };
  }
}

async function runSpectral(
  bundle: Record<string, unknown>,
  rules: readonly CustomRule[],
  aliases: RulesetDefinition['aliases'],
): Promise<CustomHit[]> {
  const spectral = new Spectral({ resolver: new Resolver({ resolvers: {} }) });
  const definition = {
    rules: Object.fromEntries(rules.map((r) => [r.id, r.definition])),
    ...(aliases ? { aliases } : {}),
  };
  spectral.setRuleset(new Ruleset(definition as RulesetDefinition, { severity: 'recommended' }));
  // Hand Spectral the parsed bundle: positions come from our own source map, not from re-serialising 13 MB.
  // (A plain parsed result, not a ParsedDocument: Spectral only recognises the former.)
  const document = {
    parsed: { data: bundle, diagnostics: [], ast: {}, lineMap: [] },
    getLocationForJsonPath: () => undefined,
  };
  const results = await spectral.run(document, { ignoreUnknownFormat: true });
  return results.map((result) => ({
    rule: String(result.code),
    pointer: buildPointer(result.path.map(String)),
    message: result.message,
    severity: severities[result.severity] ?? 'warning',
  }));
}
