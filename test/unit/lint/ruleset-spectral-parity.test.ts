/**
 * Our runner against Spectral itself: for trusted rules inside our grammar, the places each rule reports (and the
 * messages of the functions that do not depend on a regex engine's wording) are the ones Spectral reports on the
 * same bundle. Spectral runs here only on rules written in this file, never on a repo's. The one deliberate
 * difference, a node reached through a `$ref`, is pinned in ruleset.test.ts.
 */
import { Ruleset, type RulesetDefinition, Spectral } from '@stoplight/spectral-core';
import * as spectralFunctions from '@stoplight/spectral-functions';
import { Resolver } from '@stoplight/spectral-ref-resolver';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseRuleset } from '../../../shared/core/lint/ruleset.js';
import { runCustomRules } from '../../../shared/core/lint/run-custom-rules.js';
import { buildPointer } from '../../../shared/core/spec/json-pointer.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';
import { cleanOpenApi30, edit } from './lint-fixtures.js';

const rulesetText = `rules:
  op-summary:
    given: $.paths[*][get,put,post,delete]
    then: { field: summary, function: truthy }
  op-id-pattern:
    given: $.paths[*][*].operationId
    then: { function: pattern, functionOptions: { match: '^[a-z]+$' } }
  path-keys:
    given: $.paths
    then: { field: '@key', function: pattern, functionOptions: { notMatch: '\\{' } }
  typed-enum-like:
    given: "$..[?(@property !== 'properties' && @ && @.enum && @.type === 'string')]"
    then: { field: enum, function: length, functionOptions: { max: 1 } }
  # Through operations only: a node reached through a $ref is reported where it is defined (as Spectral does for
  # refs into other files, which the bundle's internal refs were), not on the same-file $ref as Spectral would.
  params-in:
    given: $.paths[*][*].parameters[?(@ && @.in)]
    then: { field: description, function: truthy }
  schema-types:
    given: $.components.schemas[*]
    then: { field: type, function: enumeration, functionOptions: { values: [string] } }
  contact-xor:
    given: $.info.contact
    then: { function: xor, functionOptions: { properties: [url, email] } }
  tags-alphabetical:
    given: $
    then: { field: tags, function: alphabetical, functionOptions: { keyedBy: name } }
  examples-defined:
    given: $..content[*]
    then: { field: example, function: defined }
  no-x-internal:
    given: $..x-internal
    then: { function: undefined }
  server-urls:
    given: $.servers[*].url
    then: { function: casing, functionOptions: { type: flat } }
  unresolved-refs:
    given: "$..[?(@property === '$ref')]"
    resolved: false
    then: { function: pattern, functionOptions: { match: '^#/components/schemas/' } }
  response-descriptions:
    given: $.paths[*][*].responses[*]
    then: { field: description, function: length, functionOptions: { min: 10 } }
`;

const spec = edit(
  edit(cleanOpenApi30, 'tags:\n  - name: users\n', 'tags:\n  - name: zebra\n  - name: users\n'),
  '      operationId: getUser\n',
  '      operationId: getUser\n      summary: One user\n',
);

async function spectralHits(
  bundle: Record<string, unknown>,
  definitions: Record<string, Record<string, unknown>>,
) {
  const functions = spectralFunctions as unknown as Record<string, unknown>;
  const withFunctions = Object.fromEntries(
    Object.entries(definitions).map(([id, rule]) => {
      const then = rule.then as Record<string, unknown>;
      // biome-ignore lint/suspicious/noThenProperty: Spectral's rule format names its action "then".
      return [id, { ...rule, then: { ...then, function: functions[then.function as string] } }];
    }),
  );
  const spectral = new Spectral({ resolver: new Resolver({ resolvers: {} }) });
  spectral.setRuleset(new Ruleset({ rules: withFunctions } as unknown as RulesetDefinition));
  const document = {
    parsed: { data: bundle, diagnostics: [], ast: {}, lineMap: [] },
    getLocationForJsonPath: () => undefined,
  };
  const results = await spectral.run(document as never, { ignoreUnknownFormat: true });
  return results.map((r) => `${r.code} ${buildPointer(r.path.map(String))}: ${r.message}`).sort();
}

describe('parity with Spectral on rules inside our grammar', () => {
  it('reports the same rules at the same places with the same messages', async () => {
    const loaded = await loadSpecFromFiles({ 'openapi.yaml': spec }, 'openapi.yaml');
    const bundle = loaded.bundle as Record<string, unknown>;
    const { ruleset, findings } = parseRuleset(rulesetText, '.spectral.yaml');
    expect(findings).toEqual([]);
    const ours = await runCustomRules(bundle, ruleset);
    expect(ours.findings).toEqual([]);
    const expected = await spectralHits(bundle, parseYaml(rulesetText).rules);
    expect(expected.length).toBeGreaterThan(10);
    expect(ours.hits.map((h) => `${h.rule} ${h.pointer}: ${h.message}`).sort()).toEqual(expected);
  });
});
