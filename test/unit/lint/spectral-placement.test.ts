/**
 * The rules Spectral has and we lacked, and the places Spectral reports: each spec marks, line by line, the
 * findings Spectral 6.16 (`spectral:oas` 1.23, `extends: [[spectral:oas, all]]`) reports on it, with its message
 * where the message is the point (the unused-component, parameter and server-variable cases were run through the
 * real Spectral CLI). The specs are small on purpose: every other rule stays quiet.
 */
import { describe, expect, it } from 'vitest';
import { lintSpec } from '../../../shared/core/lint/lint-spec.js';
import { parseRuleset } from '../../../shared/core/lint/ruleset.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';
import { expectedMarks, marksOf } from './lint-fixtures.js';

async function lintAll(text: string) {
  const { ruleset } = parseRuleset('extends: [[spectral:oas, all]]\n', '.spectral.yaml');
  const spec = await loadSpecFromFiles({ 'openapi.yaml': text }, 'openapi.yaml');
  return lintSpec(spec, { ruleset });
}

/** A 3.x document that every rule accepts, with `more` spliced in under `paths`/`components`. */
const quiet3 = (version: string, paths: string, components = '', top = '') => `openapi: ${version}
info:
  title: t
  version: '1'
  description: d
  contact: {name: n, url: 'https://x.org', email: a@x.org}
  license: {name: MIT, url: 'https://x.org/l'}
servers:
  - url: https://api.x.org
tags:
  - name: a
    description: d
${top}paths:
${paths}components:
${components}  schemas: {}
`;

const op = (indent: string, extra = '') =>
  [
    'get:',
    '  operationId: op',
    '  description: d',
    '  tags: [a]',
    "  responses: {'200': {description: ok}}",
    ...extra.split('\n').filter(Boolean),
  ]
    .map((line) => `${indent}${line}`)
    .join('\n');

describe("Spectral's recommended rules we lacked", () => {
  it('oas3-callbacks-in-callbacks: on the nested callbacks of a callback operation', async () => {
    const text = quiet3(
      '3.0.3',
      `  /a:
${op(
  '    ',
  `  callbacks:
    onEvent:
      '{$request.body#/url}':
        post:
          responses: {'200': {description: ok}}
          callbacks: {} # expect: oas3-callbacks-in-callbacks`,
)}
`,
    );
    const findings = await lintAll(text);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
    expect(findings[0]?.message).toBe('Callbacks should not be defined within a callback');
  });

  it('oas3_1-servers-in-webhook and oas3_1-callbacks-in-webhook: on a webhook operation', async () => {
    const text = quiet3(
      '3.1.0',
      '',
      '',
      `webhooks:
  newPet:
    post:
      servers: [{url: 'https://x.org'}] # expect: oas3_1-servers-in-webhook
      callbacks: {} # expect: oas3_1-callbacks-in-webhook
      responses: {'200': {description: ok}}
`,
    ).replace('paths:\n', 'paths: {}\n');
    const findings = await lintAll(text);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
    expect(findings.map((f) => f.message).sort()).toEqual([
      'Callbacks should not be defined in a webhook.',
      'Servers should not be defined in a webhook.',
    ]);
  });

  it('oas2-discriminator: the property must be defined and required', async () => {
    const text = `swagger: '2.0'
info: {title: t, version: '1', description: d, contact: {name: n, url: 'https://x.org', email: a@x.org}, license: {name: MIT, url: 'https://x.org'}}
host: api.x.org
schemes: [https]
tags: [{name: a, description: d}]
paths:
  /a:
    get:
      operationId: op
      description: d
      tags: [a]
      responses: {'200': {description: ok, schema: {$ref: '#/definitions/Pet'}}}
definitions:
  Pet:
    type: object
    discriminator: kind
    properties: # expect: oas2-discriminator
      name: {type: string}
    required: [name] # expect: oas2-discriminator
`;
    const findings = await lintAll(text);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
    expect(findings.map((f) => f.message)).toEqual([
      'The discriminator property must be defined in this schema.',
      'The discriminator property must be in the required property list.',
    ]);
  });
});

describe('the places and words Spectral reports', () => {
  it('one duplicated-entry-in-enum per array (a property schema too), naming the last duplicate pair as Ajv does', async () => {
    const text = quiet3(
      '3.0.3',
      '',
      `  parameters:
    p:
      name: p
      in: query
      description: d
      schema:
        type: string
        enum: [a, b, a, c, c] # expect: duplicated-entry-in-enum
  schemas:
    Pet:
      type: object
      properties:
        status: {type: string, enum: [a, a]} # expect: duplicated-entry-in-enum
        enum: {type: string}
`,
    )
      .replace('paths:\n', 'paths: {}\n')
      .replace('  schemas: {}\n', '');
    const findings = (await lintAll(text)).filter((f) => f.id === 'duplicated-entry-in-enum');
    expect(marksOf(findings)).toEqual(expectedMarks(text));
    expect(findings[0]?.message).toBe(
      '"enum" property must not have duplicate items (items ## 3 and 4 are identical)',
    );
  });

  it('openapi-tags-alphabetical once, on the list; openapi-tags on an empty list', async () => {
    const unsorted = quiet3('3.0.3', '').replace(
      'tags:\n  - name: a\n    description: d\n',
      'tags: # expect: openapi-tags-alphabetical\n  - {name: c, description: d}\n  - {name: b, description: d}\n  - {name: a, description: d}\n',
    );
    expect(marksOf(await lintAll(unsorted))).toEqual(expectedMarks(unsorted));
    const empty = quiet3('3.0.3', '').replace(
      'tags:\n  - name: a\n    description: d\n',
      'tags: [] # expect: openapi-tags\n',
    );
    expect(marksOf(await lintAll(empty))).toEqual(expectedMarks(empty));
  });

  it('oas3-parameter-description on path-level parameters, and a shared one once at its component', async () => {
    const text = quiet3(
      '3.0.3',
      `  /a/{id}:
    parameters:
      - name: id # expect: oas3-parameter-description
        in: path
        required: true
        schema: {type: string}
      - $ref: '#/components/parameters/q'
${op('    ', "  parameters: [{$ref: '#/components/parameters/q'}]")}
`,
      `  parameters:
    q: # expect: oas3-parameter-description
      name: q
      in: query
      schema: {type: string}
`,
    );
    expect(marksOf(await lintAll(text))).toEqual(expectedMarks(text));
  });

  it('license-url fires whenever info.license.url is missing, as Spectral does', async () => {
    const text = quiet3('3.0.3', '')
      .replace("  license: {name: MIT, url: 'https://x.org/l'}\n", '')
      .replace('info:\n', 'info: # expect: info-license license-url\n');
    expect(marksOf(await lintAll(text))).toEqual(expectedMarks(text));
  });

  it('oas3-unused-component counts refs from x-webhooks and cycles, not self-references or refs into a component', async () => {
    const text = quiet3(
      '3.0.3',
      '',
      `  schemas:
    Hook: {type: object}
    Tree: {type: object, properties: {child: {$ref: '#/components/schemas/Tree'}}} # expect: oas3-unused-component
    A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}
    B: {type: object, properties: {a: {$ref: '#/components/schemas/A'}}}
    Parent: # expect: oas3-unused-component
      type: object
      properties: {name: {type: string}}
    Other: {type: object, properties: {n: {$ref: '#/components/schemas/Parent/properties/name'}}} # expect: oas3-unused-component
`,
      "x-webhooks:\n  hook:\n    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Hook'}}}}\n",
    )
      .replace('paths:\n', 'paths: {}\n')
      .replace('  schemas: {}\n', '');
    expect(marksOf(await lintAll(text))).toEqual(expectedMarks(text));
  });

  it('oas3-server-variables on the variable, and a default outside its enum is no schema example', async () => {
    const text = quiet3('3.0.3', '').replace(
      '  - url: https://api.x.org\n',
      `  - url: https://{region}.x.org
    variables:
      region:
        default: moon # expect: oas3-server-variables
        enum: [eu, us]
      unused: {default: x} # expect: oas3-server-variables
`,
    );
    const findings = await lintAll(text);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
    expect(findings.map((f) => f.message).sort()).toEqual([
      'Server Variable "region" has a default not listed in the enum.',
      'Server\'s "variables" object has unused defined "unused" url variable.',
    ]);
  });

  it('oas3-examples-value-or-externalValue on an example with neither', async () => {
    const text = quiet3(
      '3.0.3',
      '',
      `  examples:
    none: {summary: s} # expect: oas3-examples-value-or-externalValue oas3-unused-component
`,
    ).replace('paths:\n', 'paths: {}\n');
    expect(marksOf(await lintAll(text))).toEqual(expectedMarks(text));
  });
});

describe('oas2-operation-formData-consume-check', () => {
  const spec = (consumes: string) => `swagger: '2.0'
info: {title: t, version: '1', description: d, contact: {name: n, url: 'https://x.org', email: a@x.org}, license: {name: MIT, url: 'https://x.org'}}
host: api.x.org
schemes: [https]
consumes: [application/json]
tags: [{name: a, description: d}]
paths:
  /a:
    post: ${consumes}
      operationId: op
      description: d
      tags: [a]
${consumes.includes('expect') ? '      consumes: [application/json]\n' : ''}      parameters: [{name: f, in: formData, type: string, description: d}]
      responses: {'200': {description: ok}}
`;

  it("fires only on an operation with its own consumes, as Spectral's check does", async () => {
    const own = spec('# expect: oas2-operation-formData-consume-check');
    expect(marksOf(await lintAll(own))).toEqual(expectedMarks(own));
    const inherited = spec('');
    expect(marksOf(await lintAll(inherited))).toEqual([]);
  });
});
