/**
 * Every `x-kubernetes-validations` rule of the vendored CRDs is accounted for: ported (`cel-ports.ts`, keyed by
 * the rule's text) or listed as not ported with a reason. A CRD bump that adds or rewrites a rule fails here
 * until someone ports it, so no rule is skipped silently.
 */
import { describe, expect, it } from 'vitest';
import vendored from '../../../shared/core/gateway-api/crds/schemas.json' with { type: 'json' };
import {
  celPorts,
  celRuleKey,
  celRulesNotPorted,
} from '../../../shared/core/gateway-api/validate/cel-ports.js';
import { celRuleSites } from '../../../shared/core/gateway-api/validate/crds.js';

type Schema = Record<string, unknown>;
const kinds = vendored.kinds as unknown as Record<string, { versions: Record<string, Schema | string> }>;
const schemas = Object.entries(kinds).flatMap(([kind, { versions }]) =>
  Object.entries(versions)
    .filter((entry): entry is [string, Schema] => typeof entry[1] === 'object')
    .map(([version, schema]) => ({ id: `${kind} ${version}`, schema })),
);

/** Every rule anywhere in a schema, found without the validator's walk (which follows only properties/items). */
function everyRule(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(everyRule);
  if (value === null || typeof value !== 'object') return [];
  const own = ((value as Schema)['x-kubernetes-validations'] as Schema[] | undefined) ?? [];
  return [...own.map((rule) => String(rule.rule)), ...Object.values(value).flatMap(everyRule)];
}

describe('CEL rules of the vendored CRDs', () => {
  it('covers the kinds the target emits, with their rules', () => {
    expect(Object.keys(kinds)).toEqual(
      expect.arrayContaining(['HTTPRoute', 'ReferenceGrant', 'SecurityPolicy', 'BackendTrafficPolicy']),
    );
    for (const kind of ['HTTPRoute', 'SecurityPolicy', 'BackendTrafficPolicy']) {
      const rules = schemas.filter((s) => s.id.startsWith(`${kind} `)).flatMap((s) => celRuleSites(s.schema));
      expect(rules.length, kind).toBeGreaterThan(20);
    }
  });

  it('finds every rule where the validator runs it (none hides under allOf, anyOf or elsewhere)', () => {
    for (const { id, schema } of schemas) {
      const walked = celRuleSites(schema).map((site) => site.rule);
      expect(walked.sort(), id).toEqual(everyRule(schema).sort());
    }
  });

  it('ports every rule or lists why not', () => {
    const missing = schemas.flatMap(({ id, schema }) =>
      celRuleSites(schema)
        .filter(
          (site) => !celPorts.has(celRuleKey(site.rule)) && !celRulesNotPorted.has(celRuleKey(site.rule)),
        )
        .map((site) => `${id} ${site.at}: ${site.message} — ${site.rule}`),
    );
    expect(missing).toEqual([]);
  });

  it('has no port or exemption for a rule the CRDs no longer have, and no rule both ported and exempted', () => {
    const vendoredRules = new Set(schemas.flatMap(({ schema }) => everyRule(schema).map(celRuleKey)));
    expect([...celPorts.keys()].filter((rule) => !vendoredRules.has(rule))).toEqual([]);
    expect([...celRulesNotPorted.keys()].filter((rule) => !vendoredRules.has(rule))).toEqual([]);
    expect([...celRulesNotPorted.keys()].filter((rule) => celPorts.has(rule))).toEqual([]);
    for (const reason of celRulesNotPorted.values()) expect(reason.length).toBeGreaterThan(10);
  });
});
