/**
 * A repo's Spectral ruleset is hostile input: every entry point Spectral has is attacked through the CLI, with
 * payloads that would leave a trace if they ran (a file, an environment variable, a loopback connection).
 * The ruleset comes from the base side (the trust rule), so each case writes it into the repo used as base.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkJson, type JsonFinding } from '../helpers/cli.js';
import { type ConnectionCounter, startConnectionCounter } from '../helpers/loopback.js';

const userProfile = path.resolve('fixtures/specs/user-profile');
const work = mkdtempSync(path.join(tmpdir(), 'kaf-ruleset-'));
const marker = path.join(work, 'payload-ran');
const envKey = 'KAF_RULESET_PAYLOAD_RAN';
let counter: ConnectionCounter;

beforeAll(async () => {
  counter = await startConnectionCounter();
});
afterAll(async () => {
  await counter.close();
  rmSync(work, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env[envKey];
});

/** What a payload does if it runs: JavaScript that writes the marker file, sets the variable or connects. */
const writeFile = `process.getBuiltinModule("fs").writeFileSync(${JSON.stringify(marker)}, "ran")`;
const setEnv = `process.env.${envKey} = "1"`;
const connect = () => `fetch("http://127.0.0.1:${counter.port}/")`;

/** A YAML single-quoted scalar. */
const sq = (text: string) => `'${text.replaceAll("'", "''")}'`;

let repoCount = 0;
/** The user-profile repo with `ruleset` as its (base-side) lint ruleset, lint scope all; extra files added. */
function repoWithRuleset(ruleset: string, extra: Record<string, string> = {}): string {
  const dir = path.join(work, `repo-${++repoCount}`);
  cpSync(userProfile, dir, { recursive: true });
  const configFile = path.join(dir, '.kuma-api-forge.yaml');
  const config = readFileSync(configFile, 'utf8').replace(
    '    scope: new',
    '    ruleset: .spectral.yaml\n    scope: all',
  );
  writeFileSync(configFile, config);
  writeFileSync(path.join(dir, '.spectral.yaml'), ruleset);
  for (const [file, text] of Object.entries(extra)) writeFileSync(path.join(dir, file), text);
  return dir;
}

async function check(ruleset: string, extra?: Record<string, string>) {
  const dir = repoWithRuleset(ruleset, extra);
  const result = await checkJson(['--base', dir, '--head', dir]);
  // A payload that ran would have written, set or connected by now; give a stray request time to land.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return result;
}

function expectNoTrace() {
  expect(existsSync(marker)).toBe(false);
  expect(process.env[envKey]).toBeUndefined();
  expect(counter.connections).toBe(0);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** The 1-based lines of the ruleset text carrying `# <tag>`. */
function linesTagged(text: string, tag: string): number[] {
  return text.split('\n').flatMap((line, index) => (line.includes(`# ${tag}`) ? [index + 1] : []));
}

const rulesetFindings = (findings: JsonFinding[]) =>
  findings.filter((f) => f.file === '.spectral.yaml').map((f) => `${f.id}@${f.line}`);

/** A benign rule that reports `info` (line 2 of openapi/users.yaml) as lacking x-owner: proof the rest still runs. */
const goodRule = `  info-has-owner:
    given: $.info
    severity: error
    then: { field: x-owner, function: truthy }
`;
const goodHit = 'info-has-owner openapi/users.yaml:2';
const specHits = (findings: JsonFinding[]) =>
  findings.filter((f) => f.file !== '.spectral.yaml').map((f) => `${f.id} ${f.file}:${f.line}`);

describe('given: a JSONPath filter is never run as code', () => {
  it('refuses Function, assignment and call payloads on their lines; the other rules run', async () => {
    const ruleset = `rules:
  via-function:
    given: ${sq(`$..[?(@ && @.constructor.constructor('${writeFile}')())]`)} # refused
    then: { function: truthy }
  via-assignment:
    given:
      - $.info
      - ${sq(`$.paths[?(@property && (${setEnv}))]`)} # refused
    then: { function: truthy }
  via-call:
    given: ${sq(`$..[?(@.description && ${connect()})]`)} # refused
    then: { function: truthy }
  via-template:
    given: ${sq(`$..[?(\`$\{${setEnv}}\`)]`)} # refused
    then: { function: truthy }
${goodRule}`;
    const { code, report } = await check(ruleset);
    expect(rulesetFindings(report.findings)).toEqual(
      linesTagged(ruleset, 'refused').map((line) => `ruleset-jsonpath-refused@${line}`),
    );
    expect(report.findings.find((f) => f.id === 'ruleset-jsonpath-refused')).toMatchObject({
      kind: 'lint',
      severity: 'error',
    });
    expect(specHits(report.findings)).toEqual([goodHit]);
    expect(code).toBe(1);
    expectNoTrace();
  });

  it('evaluates the filters it accepts itself, like Spectral', async () => {
    const ruleset = `rules:
  no-suspended-or-viewer:
    given: "$..[?(@property !== 'properties' && @ && @.type === 'string' && @.enum)].enum[?(@ === 'suspended' || @ == 'viewer')]"
    severity: error
    then: { function: falsy }
  typed-enum:
    given: $..[?(@ && @.enum && @.type)]
    severity: error
    then: { function: typedEnum }
`;
    const { code, report } = await check(ruleset);
    expect(rulesetFindings(report.findings)).toEqual([]);
    // openapi/schemas/user.yaml: UserStatus lists "suspended" on line 17, UserRole "viewer" on line 26;
    // every enum there matches its type, so typed-enum is silent.
    expect(specHits(report.findings)).toEqual([
      'no-suspended-or-viewer openapi/schemas/user.yaml:17',
      'no-suspended-or-viewer openapi/schemas/user.yaml:26',
    ]);
    expect(code).toBe(1);
  });
});

describe('aliases: plain and scoped targets are parsed like given', () => {
  it('refuses payloads in aliases on their lines; rules using them do not run', async () => {
    const ruleset = `aliases:
  Evil:
    - $.paths[*]
    - ${sq(`$..[?(${setEnv})]`)} # refused
  Scoped:
    targets:
      - formats: [oas3]
        given:
          - ${sq(`$..[?(@ && @.constructor.constructor('${writeFile}')())]`)} # refused
  Chained:
    targets:
      - formats: [oas2]
        given: [${sq(`$..[?(${connect()})]`)}] # refused
  Fine:
    - $.info
rules:
  uses-evil:
    given: '#Evil[get]' # alias
    then: { function: truthy }
  uses-scoped:
    given: '#Scoped' # alias
    then: { function: truthy }
  uses-chained:
    given: '#Chained.responses' # alias
    then: { function: truthy }
  uses-fine:
    given: '#Fine'
    severity: error
    then: { field: x-owner, function: truthy }
`;
    const { code, report } = await check(ruleset);
    const refused = linesTagged(ruleset, 'refused').map((line) => `ruleset-jsonpath-refused@${line}`);
    const aliasLines = linesTagged(ruleset, 'alias').map((line) => `ruleset-invalid@${line}`);
    const found = rulesetFindings(report.findings);
    expect(found.filter((f) => f.startsWith('ruleset-jsonpath-refused'))).toEqual(refused);
    expect(found.filter((f) => aliasLines.includes(f))).toEqual(aliasLines);
    expect(specHits(report.findings)).toEqual(['uses-fine openapi/users.yaml:2']);
    expect(code).toBe(1);
    expectNoTrace();
  });
});

describe('then.field: a JSONPath field is parsed with the same grammar', () => {
  it('refuses payloads in field on their lines', async () => {
    const ruleset = `rules:
  field-function:
    given: $
    then:
      field: ${sq(`$[?(@.constructor.constructor('${writeFile}')())]`)} # refused
      function: truthy
  field-assignment:
    given: $.paths
    then:
      - field: '@key'
        function: truthy
      - field: ${sq(`$..[?(${setEnv})]`)} # refused
        function: truthy
  field-call:
    given: $.info
    then: { field: ${sq(`$[?(${connect()})]`)}, function: truthy } # refused
  field-member-filter:
    given: $.info
    then: { field: 'contact[?(@.name)]', function: truthy } # refused
${goodRule}`;
    const { code, report } = await check(ruleset);
    expect(rulesetFindings(report.findings)).toEqual(
      linesTagged(ruleset, 'refused').map((line) => `ruleset-jsonpath-refused@${line}`),
    );
    expect(specHits(report.findings)).toEqual([goodHit]);
    expect(code).toBe(1);
    expectNoTrace();
  });
});

describe('message: Spectral evaluates #{{…}} expressions; we only fill placeholders', () => {
  it('never evaluates an expression in a message', async () => {
    process.env.KAF_RULESET_SECRET = 'hunter2';
    try {
      const ruleset = `rules:
  upper:
    given: $.info.title
    severity: error
    message: '{{value}} #{{toUpperCase("evaluated")}}'
    then: { function: pattern, functionOptions: { match: '^x' } }
  env:
    given: $.info.title
    severity: error
    message: 'at {{path}} #{{ process.env.KAF_RULESET_SECRET }}#{{concat("a", "b")}}'
    then: { function: pattern, functionOptions: { match: '^x' } }
  constructor-chain:
    given: $.info
    severity: error
    message: ${sq(`{{property}}: #{{ constructor.constructor("${setEnv.replaceAll('"', "'")}")() }}{{error}}`)}
    then: { field: x-owner, function: truthy }
`;
      const { report } = await check(ruleset);
      expect(rulesetFindings(report.findings)).toEqual([]);
      const messages = Object.fromEntries(
        report.findings.filter((f) => f.file === 'openapi/users.yaml').map((f) => [f.id, f.message]),
      );
      expect(messages).toEqual({
        upper: 'User Profile API',
        env: 'at #/info/title',
        'constructor-chain': 'info.x-owner: "info.x-owner" property must be truthy',
      });
      expectNoTrace();
    } finally {
      delete process.env.KAF_RULESET_SECRET;
    }
  });
});

describe('then.functionOptions: schemas never load a remote $ref, regexes run in linear time', () => {
  it('a schema naming a loopback URL in $ref, $schema or $id never connects', async () => {
    const url = `http://127.0.0.1:${counter.port}`;
    const ruleset = `rules:
  remote-ref:
    given: $.info
    severity: error
    then: { function: schema, functionOptions: { schema: { $ref: '${url}/schema.json' } } }
  remote-meta:
    given: $.info
    severity: error
    then: { function: schema, functionOptions: { schema: { $schema: '${url}/meta', type: object } } }
  remote-relative:
    given: $.info
    severity: error
    then:
      function: schema
      functionOptions: { schema: { $id: '${url}/base/', properties: { title: { $ref: 'title.json' } } } }
`;
    const { report } = await check(ruleset);
    expect(rulesetFindings(report.findings)).toEqual([]);
    const byRule = Object.fromEntries(report.findings.map((f) => [f.id, f.message]));
    expect(byRule['remote-ref']).toContain("can't resolve reference");
    expect(byRule['remote-relative']).toContain("can't resolve reference");
    expect(counter.connections).toBe(0);
    expectNoTrace();
  });

  it('an exponential-backtracking pattern runs in RE2; a lookbehind is refused on its line', async () => {
    const ruleset = `rules:
  redos-match:
    given: $.info.description
    severity: error
    then: { function: pattern, functionOptions: { match: '^(.|.)*$' } }
  redos-schema:
    given: $.info
    severity: error
    then:
      function: schema
      functionOptions: { schema: { properties: { description: { pattern: '^(.|.)*$' } } } }
  lookbehind:
    given: $.info.title
    then:
      function: pattern
      functionOptions:
        notMatch: '(?<=User) Profile' # refused
`;
    const started = Date.now();
    const { report } = await check(ruleset);
    // JavaScript's RegExp would backtrack 2^75 times on the description's first line.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(rulesetFindings(report.findings)).toEqual(
      linesTagged(ruleset, 'refused').map((line) => `ruleset-invalid@${line}`),
    );
    expect(specHits(report.findings)).toEqual([
      'redos-match openapi/users.yaml:5',
      'redos-schema openapi/users.yaml:5',
    ]);
    expectNoTrace();
  });
});

describe('overrides: rule settings for some files, never code, never outside the repo', () => {
  it('an override cannot define a rule, bring a function, fetch an extends or alias code: each refused on its line', async () => {
    const ruleset = `${goodRule.replace(/^/, 'rules:\n')}overrides:
  - files: ['**/*.yaml']
    rules:
      evil-override: # unsupported
        given: ${sq(`$..[?(@.constructor.constructor('${writeFile}')())]`)}
        then: { function: truthy }
    functions: [evil] # function-refused
    functionsDir: ./functions # function-refused
  - files: ['openapi/users.yaml#/info']
    extends: ['http://127.0.0.1:${counter.port}/ruleset.yaml'] # extends-refused
    aliases: # unsupported
      Evil: [${sq(`$..[?(${setEnv})]`)}]
  - files: ['${connect()}']
    rules:
      info-has-owner: off
`;
    const { report } = await check(ruleset);
    const expected = ['unsupported', 'function-refused', 'extends-refused']
      .flatMap((tag) => linesTagged(ruleset, tag).map((line) => `ruleset-${tag}@${line}`))
      .sort((a, b) => Number(a.split('@')[1]) - Number(b.split('@')[1]));
    expect(rulesetFindings(report.findings)).toEqual(expected);
    // The rule is still on, at its severity: no override that was refused or matched nothing changed it.
    expect(specHits(report.findings)).toEqual([goodHit]);
    expect(report.findings.find((f) => f.id === 'info-has-owner')?.severity).toBe('error');
    expectNoTrace();
  });

  it('a glob climbing out of the repo is refused; a __proto__ pointer is only text; a good override applies', async () => {
    const ruleset = `${goodRule.replace(/^/, 'rules:\n')}overrides:
  - files: ['../../**', '/etc/**'] # escape
    rules: { info-has-owner: off }
  - files: ['openapi/users.yaml#/__proto__/polluted', 'openapi/users.yaml#/constructor/prototype']
    rules: { info-has-owner: off }
  - files: ['openapi/*.yaml#/info']
    rules: { info-has-owner: warn }
`;
    const { report } = await check(ruleset);
    const line = linesTagged(ruleset, 'escape')[0];
    expect(rulesetFindings(report.findings)).toEqual([`ruleset-invalid@${line}`, `ruleset-invalid@${line}`]);
    expect(specHits(report.findings)).toEqual([goodHit]);
    expect(report.findings.find((f) => f.id === 'info-has-owner')?.severity).toBe('warning');
    expectNoTrace();
  });
});

describe('documentationUrl, parserOptions: read as data, never acted on', () => {
  it('documentationUrl (ruleset, rule) and description URLs are never requested', async () => {
    const url = `http://127.0.0.1:${counter.port}`;
    const ruleset = `documentationUrl: ${url}/docs
description: see ${url}/about
rules:
  info-has-owner:
    documentationUrl: ${url}/rule
    given: $.info
    severity: error
    then: { field: x-owner, function: truthy }
  documented:
    documentationUrl: file://${marker}
    description: ${url}/description
    given: $.info
    then: { field: title, function: truthy }
`;
    const { report } = await check(ruleset);
    expect(rulesetFindings(report.findings)).toEqual([]);
    expect(specHits(report.findings)).toEqual([goodHit]);
    expectNoTrace();
  });

  it('parserOptions change nothing and cannot pollute a prototype', async () => {
    const ruleset = `parserOptions:
  duplicateKeys: off
  incompatibleValues: off
  __proto__: { polluted: yes }
  constructor: { prototype: { polluted: yes } }
  reviver: ${sq(`${writeFile}`)}
rules:
${goodRule.replace(/^rules:\n/, '')}`;
    const { report } = await check(ruleset);
    expect(rulesetFindings(report.findings)).toEqual([]);
    expect(specHits(report.findings)).toEqual([goodHit]);
    expectNoTrace();
  });
});

describe('__proto__, constructor and prototype are ordinary keys', () => {
  it('as rule ids, alias names, function names and options they reach no prototype', async () => {
    const ruleset = `aliases:
  constructor: [$.info]
  __proto__: [$.paths]
rules:
  constructor: error # unknown
  toString: warn # unknown
  hasOwnProperty:
    given: '#constructor'
    severity: error
    then: { field: x-owner, function: truthy }
  prototype:
    given: $.info
    then: { function: constructor } # refused-function
  __proto__:
    given: '#__proto__'
    then: { function: truthy, functionOptions: { __proto__: { polluted: yes } } } # invalid
  valueOf:
    given: $.info
    then: { function: length, functionOptions: { constructor: { prototype: { polluted: yes } } } } # invalid
`;
    const { report } = await check(ruleset);
    expect(rulesetFindings(report.findings)).toEqual([
      ...linesTagged(ruleset, 'unknown').map((line) => `ruleset-unknown-rule@${line}`),
      ...linesTagged(ruleset, 'refused-function').map((line) => `ruleset-function-refused@${line}`),
      ...linesTagged(ruleset, 'invalid').map((line) => `ruleset-invalid@${line}`),
    ]);
    expect(specHits(report.findings)).toEqual(['hasOwnProperty openapi/users.yaml:2']);
    expectNoTrace();
  });
});

describe('functions, functionsDir, extends of files, URLs and packages are refused', () => {
  it('refuses them on their lines: the file is not read, the URL not fetched, the function not run', async () => {
    const ruleset = `extends:
  - ./evil.yaml # extends
  - http://127.0.0.1:${counter.port}/ruleset.yaml # extends
  - '@evil/spectral-ruleset' # extends
functionsDir: ./functions # function
functions: [evil] # function
rules:
  runs-evil:
    given: $
    then: { function: evil } # function
${goodRule}`;
    const evilRuleset = `rules:\n  from-file:\n    given: ${sq(`$..[?(${setEnv})]`)}\n    then: { function: truthy }\n`;
    const evilFunction = `${writeFile};\nmodule.exports = () => [];\n`;
    const { code, report } = await check(ruleset, { 'evil.yaml': evilRuleset, 'evil.js': evilFunction });
    expect(rulesetFindings(report.findings)).toEqual([
      ...linesTagged(ruleset, 'extends').map((line) => `ruleset-extends-refused@${line}`),
      ...linesTagged(ruleset, 'function').map((line) => `ruleset-function-refused@${line}`),
    ]);
    expect(specHits(report.findings)).toEqual([goodHit]);
    expect(code).toBe(1);
    expectNoTrace();
  });
});
