import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lintSpec } from '../../../shared/core/lint/lint-spec.js';
import { parseRuleset } from '../../../shared/core/lint/ruleset.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';
import { cleanOpenApi30, edit, expectedMarks, marksOf } from './lint-fixtures.js';

async function lintWith(rulesetText: string, specText = cleanOpenApi30, rulesetFile = '.spectral.yaml') {
  const { ruleset, findings } = parseRuleset(rulesetText, rulesetFile);
  const spec = await loadSpecFromFiles({ 'openapi.yaml': specText }, 'openapi.yaml');
  return { rulesetFindings: findings, findings: await lintSpec(spec, { ruleset }) };
}

describe('repo rulesets: declarative rules with Spectral core functions', () => {
  it('runs a custom pattern rule and reports on the spec line', async () => {
    const ruleset = `extends: [[spectral:oas, off]]
rules:
  operation-id-kebab:
    description: operationIds are kebab-case
    message: '{{value}} is not kebab-case'
    severity: error
    given: $.paths[*][*].operationId
    then:
      function: pattern
      functionOptions:
        match: '^[a-z]+(-[a-z]+)*$'
`;
    const spec = edit(
      cleanOpenApi30,
      'operationId: getUser',
      'operationId: getUser # expect: operation-id-kebab',
    );
    const text = edit(spec, 'operationId: listUsers', 'operationId: list-users');
    const { rulesetFindings, findings } = await lintWith(ruleset, text);
    expect(rulesetFindings).toEqual([]);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
    expect(findings[0]).toMatchObject({
      severity: 'error',
      operation: 'GET /users/{id}',
      message: 'getUser is not kebab-case',
    });
  });

  it('supports typedEnum, which Spectral ships outside its functions package', async () => {
    const ruleset = `rules:
  enum-types:
    given: $..[?(@ && @.enum && @.type)]
    then:
      function: typedEnum
`;
    const text = edit(cleanOpenApi30, 'enum: [active, disabled]', 'enum: [active, 3] # expect: enum-types');
    const { findings } = await lintWith(ruleset, text);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
  });

  it('without extends runs only its own rules, as Spectral does', async () => {
    const text = edit(cleanOpenApi30, '      description: Get one user.\n', '');
    const { findings } = await lintWith('rules: {}\n', text);
    expect(findings).toEqual([]);
  });
});

describe('severity overrides of built-in rules', () => {
  const text = edit(cleanOpenApi30, '      description: Get one user.\n      tags: [users]\n', '');

  it('extends spectral:oas and changes or turns off rules', async () => {
    const { rulesetFindings, findings } = await lintWith(
      'extends: spectral:oas\nrules:\n  operation-description: error\n  operation-tags: off\n',
      text,
    );
    expect(rulesetFindings).toEqual([]);
    expect(findings.map((f) => [f.id, f.severity])).toEqual([['operation-description', 'error']]);
  });

  it('[spectral:oas, off] then enables single rules; hint reads as info', async () => {
    const { findings } = await lintWith(
      'extends: [[spectral:oas, off]]\nrules:\n  operation-tags: hint\n',
      text,
    );
    expect(findings.map((f) => [f.id, f.severity])).toEqual([['operation-tags', 'info']]);
  });

  it('[spectral:oas, all] adds rules that are not recommended', async () => {
    const { findings } = await lintWith('extends: [[spectral:oas, all]]\n');
    expect(new Set(findings.map((f) => f.id))).toEqual(
      new Set(
        [
          'info-license',
          'license-url',
          'operation-singular-tag',
          'oas3-parameter-description',
          'oas3-server-not-example.com',
        ].filter((id) => findings.some((f) => f.id === id)),
      ),
    );
    expect(findings.some((f) => f.id === 'info-license')).toBe(true);
  });

  it('warns about an override of a rule that does not exist', async () => {
    const ruleset = 'extends: spectral:oas\nrules:\n  no-such-rule: error\n';
    const { rulesetFindings } = await lintWith(ruleset);
    expect(rulesetFindings).toMatchObject([
      { id: 'ruleset-unknown-rule', severity: 'warning', file: '.spectral.yaml', line: 3 },
    ]);
  });
});

describe('refused: nothing from a repo is executed or fetched', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses functions and functionsDir on their lines and never runs the function', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lint-ruleset-'));
    const marker = join(dir, 'executed');
    const fn = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nmodule.exports = () => [{ message: 'x' }];\n`;
    writeFileSync(join(dir, 'functions', '..', 'evil.js'), fn);
    const rulesetPath = join(dir, '.spectral.yaml');
    const ruleset = `extends: spectral:oas
functionsDir: .
functions:
  - evil
rules:
  evil-rule:
    given: $
    then:
      function: evil
`;
    writeFileSync(rulesetPath, ruleset);
    const { rulesetFindings, findings } = await lintWith(ruleset, cleanOpenApi30, rulesetPath);
    expect(rulesetFindings.map((f) => `${f.id}@${f.line}`)).toEqual([
      'ruleset-function-refused@2',
      'ruleset-function-refused@3',
      'ruleset-function-refused@9',
    ]);
    expect(rulesetFindings[1]?.message).toContain('never runs custom JavaScript functions');
    expect(findings).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a remote extends on its line and never connects to it', async () => {
    let requests = 0;
    const server = createServer((_, res) => {
      requests++;
      res.end('rules: {}\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const ruleset = `extends:\n  - spectral:oas\n  - http://127.0.0.1:${port}/ruleset.yaml\n  - ./shared/other.yaml\n`;
      const { rulesetFindings } = await lintWith(ruleset);
      expect(rulesetFindings.map((f) => `${f.id}@${f.line}`)).toEqual([
        'ruleset-extends-refused@3',
        'ruleset-extends-refused@4',
      ]);
      expect(rulesetFindings[0]?.message).toContain('never fetches');
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  it('refuses JavaScript rulesets outright', () => {
    const { findings } = parseRuleset('module.exports = {}', '.spectral.js');
    expect(findings).toMatchObject([{ id: 'ruleset-code-refused', line: 1 }]);
  });
});

describe('broken rulesets become findings, not crashes', () => {
  it('an unknown function, a bad severity and a bad JSONPath each get a finding; good rules still run', async () => {
    const ruleset = `rules:
  uses-unknown:
    given: $
    then:
      function: isFancy
  bad-severity:
    severity: loud
    given: $
    then:
      function: truthy
  bad-path:
    given: $..[?(@.x
    then:
      function: truthy
  info-title:
    given: $.info
    then:
      field: summary
      function: truthy
`;
    const { rulesetFindings, findings } = await lintWith(ruleset);
    expect(rulesetFindings.map((f) => `${f.id}@${f.line}`)).toEqual([
      'ruleset-function-refused@5',
      'ruleset-invalid@7',
      'ruleset-jsonpath-refused@12',
    ]);
    expect(findings.map((f) => `${f.id}@${f.file}:${f.line}`)).toEqual(['info-title@openapi.yaml:2']);
  });

  it('a YAML syntax error is a finding on its line', () => {
    const { findings } = parseRuleset('rules:\n  a: [unclosed\n', '.spectral.yaml');
    expect(findings).toMatchObject([{ kind: 'lint', id: 'ruleset-invalid', file: '.spectral.yaml' }]);
    expect(findings[0]?.line).toBeGreaterThan(1);
  });
});

describe('our runner keeps Spectral semantics', () => {
  const at = (findings: { id: string; file: string; line: number }[]) =>
    findings.map((f) => `${f.id}@${f.file}:${f.line}`);

  it('resolved rules see through internal $refs and report where the target lives; resolved: false sees the $ref', async () => {
    const ruleset = `rules:
  schema-has-description:
    given: $.paths[*][*].responses[*].content[*].schema
    severity: error
    then: { field: description, function: truthy }
  path-params-unresolved:
    given: $.paths[*].parameters[*]
    resolved: false
    severity: error
    then: { field: $ref, function: falsy } # a member named $ref, as Spectral users mean it
`;
    const { rulesetFindings, findings } = await lintWith(ruleset);
    expect(rulesetFindings).toEqual([]);
    // The inline array schema (line 37) and, through its $ref, the User schema (line 77).
    expect(at(findings)).toEqual([
      'schema-has-description@openapi.yaml:37',
      'path-params-unresolved@openapi.yaml:46',
      'schema-has-description@openapi.yaml:77',
    ]);
  });

  it('formats pick rules and scoped alias targets by the document format', async () => {
    const ruleset = `aliases:
  Info:
    targets:
      - formats: [oas2]
        given: [$.paths]
      - formats: [oas3.0]
        given: [$.info]
rules:
  only-oas2:
    formats: [oas2]
    given: $.info
    severity: error
    then: { field: x-owner, function: truthy }
  via-alias:
    given: '#Info'
    severity: error
    then: { field: x-owner, function: truthy }
`;
    const { rulesetFindings, findings } = await lintWith(ruleset);
    expect(rulesetFindings).toEqual([]);
    expect(at(findings)).toEqual(['via-alias@openapi.yaml:2']);
  });

  it('then.field as @key, member path and JSONPath; messages fill {{property}}, {{path}}, {{value}}, {{description}}', async () => {
    const ruleset = `rules:
  path-keys:
    description: paths are plural
    message: '{{description}}: {{property}} at {{path}}'
    given: $.paths
    severity: error
    then: { field: '@key', function: pattern, functionOptions: { notMatch: '/\\{id\\}$' } }
  contact-email:
    message: '{{value}} ({{property}})'
    given: $.info
    severity: error
    then: { field: contact.email, function: pattern, functionOptions: { match: '/@EXAMPLE\\.com$/i' } }
  tag-names:
    given: $
    severity: error
    then: { field: "$.tags[?(@.name === 'users')].name", function: enumeration, functionOptions: { values: [people] } }
`;
    const { rulesetFindings, findings } = await lintWith(ruleset);
    expect(rulesetFindings).toEqual([]);
    expect(findings.map((f) => [f.id, f.line, f.message])).toEqual([
      ['contact-email', 9, 'api@example.org (email)'],
      ['tag-names', 17, '"users" must be equal to one of the allowed values: "people"'],
      ['path-keys', 44, 'paths are plural: /users/{id} at #/paths/~1users~1{id}'],
    ]);
  });

  it('a rule that is off or not recommended does not run; a repo rule replaces a built-in of the same id', async () => {
    const ruleset = `extends: spectral:oas
rules:
  off-rule:
    given: $.info
    severity: off
    then: { field: x-owner, function: truthy }
  not-recommended:
    given: $.info
    recommended: false
    then: { field: x-owner, function: truthy }
  operation-tags:
    given: $.info
    severity: info
    then: { field: x-owner, function: truthy }
`;
    const { rulesetFindings, findings } = await lintWith(ruleset);
    expect(rulesetFindings).toEqual([]);
    expect(findings.map((f) => [f.id, f.severity, f.line])).toEqual([['operation-tags', 'info', 2]]);
  });
});

describe('bounded: aliases and results cannot multiply the work', () => {
  it('an alias cycle and an alias that expands past 256 paths are refused on their lines', async () => {
    const fanOut = Array.from(
      { length: 5 },
      (_, i) => `  A${i}: ['#A${i + 1}', '#A${i + 1}', '#A${i + 1}', '#A${i + 1}']`,
    );
    const ruleset = `aliases:
  Loop: ['#Back.x'] # cycle
  Back: ['#Loop.y'] # cycle
${fanOut.join('\n')}
  A5: [$.info]
rules:
  loops:
    given: '#Loop' # uses-cycle
    then: { function: truthy }
  explodes:
    given: '#A0' # too-many
    then: { function: truthy }
  fine:
    given: '#A4'
    severity: error
    then: { field: x-owner, function: truthy }
`;
    const lines = (tag: string) =>
      ruleset.split('\n').flatMap((line, i) => (line.includes(`# ${tag}`) ? [i + 1] : []));
    const { rulesetFindings, findings } = await lintWith(ruleset);
    expect(rulesetFindings.map((f) => `${f.id}@${f.line}`)).toEqual(
      [...lines('cycle'), ...lines('uses-cycle'), ...lines('too-many')].map(
        (line) => `ruleset-invalid@${line}`,
      ),
    );
    // A4 expands to 4 copies of $.info: one result, since the same node is reported once.
    expect(findings.map((f) => `${f.id}@${f.line}`)).toEqual(['fine@2']);
  });

  it('one rule reports at most 1000 results, then says it stopped', async () => {
    const names = Array.from({ length: 1200 }, (_, i) => `        p${i}: { type: string }`).join('\n');
    const spec = edit(
      cleanOpenApi30,
      '  schemas:\n',
      `  schemas:\n    Many:\n      type: object\n      properties:\n${names}\n`,
    );
    const ruleset = `rules:
  no-strings:
    given: $.components.schemas.Many.properties[*].type
    then: { function: pattern, functionOptions: { notMatch: '^string$' } }
`;
    const { findings } = await lintWith(ruleset, spec);
    expect(findings.filter((f) => f.id === 'no-strings')).toHaveLength(1000);
    expect(findings.filter((f) => f.id === 'ruleset-rule-truncated')).toMatchObject([
      { file: '.spectral.yaml', line: 2, severity: 'warning' },
    ]);
  });
});

describe('repo-influenced regexes run in linear time', () => {
  it('casing kebab with a "-" separator (exponential in JavaScript) on a long operationId', async () => {
    const id = `a${'-a'.repeat(60)}!`;
    const spec = edit(cleanOpenApi30, 'operationId: getUser', `operationId: '${id}'`);
    const ruleset = `rules:
  kebab-ids:
    given: $.paths[*][*].operationId
    severity: error
    then: { function: casing, functionOptions: { type: kebab, separator: { char: '-' } } }
`;
    const started = performance.now();
    const { findings } = await lintWith(ruleset, spec);
    expect(performance.now() - started).toBeLessThan(5000);
    // listUsers is camelCase; the long id is not kebab case either (it ends in "!").
    expect(findings.map((f) => [f.operation, f.message])).toEqual([
      ['GET /users', 'must be kebab case'],
      ['GET /users/{id}', 'must be kebab case'],
    ]);
  });
});

describe('overrides: rule settings for some files or places, later entries winning (Spectral semantics)', () => {
  // Without a description, GET /users/{id} warns operation-description (line of its `get:`).
  const noDescription = edit(cleanOpenApi30, '      description: Get one user.\n', '');
  const severityOf = (findings: { id: string; severity: string }[]) =>
    findings.filter((f) => f.id === 'operation-description').map((f) => f.severity);

  it.each([
    ['a glob matching the file turns the rule off', "['*.yaml']", 'off', []],
    ['** matches at any depth, the file included', "['**']", 'error', ['error']],
    ['a brace alternative matches', "['{other,openapi}.yaml']", 'error', ['error']],
    ['a glob for another file leaves it alone', "['other/*.yaml']", 'off', ['warning']],
    ['a pointer above the finding applies', "['openapi.yaml#/paths']", 'off', []],
    ['a pointer at the finding applies', "['openapi.yaml#/paths/~1users~1{id}/get']", 'off', []],
    ['a sibling pointer does not', "['openapi.yaml#/paths/~1users']", 'off', ['warning']],
    ['a pointer that only shares a prefix does not', "['openapi.yaml#/pa']", 'off', ['warning']],
  ])('%s', async (_, files, setting, expected) => {
    const ruleset = `extends: spectral:oas
overrides:
  - files: ${files}
    rules:
      operation-description: ${setting}
`;
    const { rulesetFindings, findings } = await lintWith(ruleset, noDescription);
    expect(rulesetFindings).toEqual([]);
    expect(severityOf(findings)).toEqual(expected);
  });

  it('later entries win, and the ruleset folder is where globs start', async () => {
    const ruleset = `extends: spectral:oas
overrides:
  - files: ['**/*.yaml']
    rules: { operation-description: off }
  - files: ['openapi.yaml']
    rules: { operation-description: info }
`;
    expect(severityOf((await lintWith(ruleset, noDescription)).findings)).toEqual(['info']);
    // The same ruleset in a sub-folder: its globs do not reach openapi.yaml at the repo root.
    const nested = await lintWith(ruleset, noDescription, 'lint/.spectral.yaml');
    expect(severityOf(nested.findings)).toEqual(['warning']);
  });

  it('an override can turn on a rule the ruleset leaves off, and extend a built-in set for its files', async () => {
    const on = await lintWith(
      "extends: [[spectral:oas, off]]\noverrides:\n  - files: ['openapi.yaml']\n    rules: { operation-description: error }\n",
      noDescription,
    );
    expect(on.findings.map((f) => [f.id, f.severity])).toEqual([['operation-description', 'error']]);
    const extended = await lintWith(
      "extends: [[spectral:oas, off]]\noverrides:\n  - files: ['openapi.yaml']\n    extends: [[spectral:oas, all]]\n",
      noDescription,
    );
    expect(new Set(extended.findings.map((f) => f.id))).toEqual(
      new Set(
        [
          'operation-description',
          'info-license',
          'license-url',
          'oas3-parameter-description',
          'operation-singular-tag',
          'oas3-server-not-example.com',
        ].filter((id) => extended.findings.some((f) => f.id === id)),
      ),
    );
    expect(extended.findings.some((f) => f.id === 'info-license')).toBe(true);
  });

  it('changes a repo rule of the ruleset too', async () => {
    const ruleset = `rules:
  info-has-owner:
    given: $.info
    severity: error
    then: { field: x-owner, function: truthy }
overrides:
  - files: ['openapi.yaml#/info']
    rules: { info-has-owner: hint }
`;
    const { findings } = await lintWith(ruleset);
    expect(findings.map((f) => [f.id, f.severity])).toEqual([['info-has-owner', 'info']]);
  });

  it.each([
    ['a glob that climbs out of the repo', "['../../etc/*.yaml']"],
    ['an absolute glob', "['/etc/**']"],
    ['a Windows path', "['C:\\\\repo\\\\*.yaml']"],
    ['a pointer that is not one', "['openapi.yaml#paths']"],
    ['an unclosed brace', "['{a,b.yaml']"],
    ['no files', '[]'],
  ])('refuses %s on its line; nothing is turned off', async (_, files) => {
    const ruleset = `extends: spectral:oas
overrides:
  - files: ${files}
    rules: { operation-description: off }
`;
    const { rulesetFindings, findings } = await lintWith(ruleset, noDescription);
    expect(rulesetFindings.map((f) => [f.id, f.line])).toEqual([['ruleset-invalid', 3]]);
    expect(severityOf(findings)).toEqual(['warning']);
  });
});

describe('kuma-api-forge:paths, our own rule set', () => {
  const ambiguous = edit(
    cleanOpenApi30,
    'components:\n',
    "  /users/{id}/teams:\n    $ref: '#/paths/~1users~1{id}'\n  /users/admins/{team}:\n    $ref: '#/paths/~1users~1{id}'\ncomponents:\n",
  );
  const ids = (findings: { id: string }[]) => findings.filter((f) => f.id === 'no-ambiguous-paths').length;

  it('is on by default, without a ruleset', async () => {
    const spec = await loadSpecFromFiles({ 'openapi.yaml': ambiguous }, 'openapi.yaml');
    expect(ids(await lintSpec(spec))).toBe(1);
  });

  it('is not part of spectral:oas, even with all', async () => {
    expect(ids((await lintWith('extends: [[spectral:oas, all]]\n', ambiguous)).findings)).toBe(0);
  });

  it('a ruleset extends it by name, or turns its rule on by id', async () => {
    const both = await lintWith('extends: [spectral:oas, kuma-api-forge:paths]\n', ambiguous);
    expect(both.rulesetFindings).toEqual([]);
    expect(ids(both.findings)).toBe(1);
    expect(ids((await lintWith('rules:\n  no-ambiguous-paths: error\n', ambiguous)).findings)).toBe(1);
  });
});
