import { describe, expect, it } from 'vitest';
import { lintSpec } from '../../../shared/core/lint/lint-spec.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';
import { cleanOpenApi30, cleanSwagger20, edit, expectedMarks, marksOf } from './lint-fixtures.js';

async function lintText(text: string, file = 'openapi.yaml') {
  const spec = await loadSpecFromFiles({ [file]: text }, file);
  expect(spec.findings).toEqual([]);
  return lintSpec(spec);
}

describe('built-in rules on a clean spec', () => {
  it.each([
    ['OpenAPI 3.0', cleanOpenApi30],
    ['Swagger 2.0', cleanSwagger20],
    ['OpenAPI 3.1', cleanOpenApi30.replace('openapi: 3.0.3', 'openapi: 3.1.0')],
  ])('%s: no findings', async (_, text) => {
    expect(await lintText(text)).toEqual([]);
  });
});

/** Each case breaks the clean 3.0 spec in one way and marks the line(s) where the finding must appear. */
const cases30: [string, string, string][] = [
  [
    'operation-operationId',
    '  /users:\n    get:\n      operationId: listUsers\n',
    '  /users:\n    get: # expect: operation-operationId\n',
  ],
  [
    'operation-operationId-unique',
    'operationId: getUser',
    'operationId: listUsers # expect: operation-operationId-unique',
  ],
  [
    'operation-operationId-valid-in-url',
    'operationId: getUser',
    'operationId: get user{1} # expect: operation-operationId-valid-in-url',
  ],
  ['operation-description', '      description: Get one user.\n', ''],
  [
    'operation-tags',
    '      description: Get one user.\n      tags: [users]\n',
    '      description: Get one user.\n',
  ],
  [
    'operation-tag-defined',
    '      description: Get one user.\n      tags: [users]',
    '      description: Get one user.\n      tags: [admin] # expect: operation-tag-defined',
  ],
  [
    'operation-success-response',
    "        '200':\n          description: The user.",
    "        '400':\n          description: The user.",
  ],
  [
    'path-params (not declared)',
    "    parameters:\n      - $ref: '#/components/parameters/UserId'\n    get:\n      operationId: getUser",
    '    get: # expect: path-params\n      operationId: getUser',
  ],
  [
    'path-params (declared, not used)',
    '          example: active\n',
    '          example: active\n        - name: org # expect: path-params\n          in: path\n          required: true\n          schema:\n            type: string\n',
  ],
  [
    'path-params (not required)',
    '    UserId:\n      name: id\n      in: path\n      required: true\n',
    '    UserId: # expect: path-params\n      name: id\n      in: path\n',
  ],
  [
    'path-params (equivalent paths)',
    'components:\n',
    `  /users/{userId}: # expect: path-params
    delete:
      operationId: deleteUser
      description: Delete a user.
      tags: [users]
      parameters:
        - name: userId
          in: path
          required: true
          schema:
            type: integer
      responses:
        '204':
          description: Deleted.
components:
`,
  ],
  ['path-keys-no-trailing-slash', '  /users:\n', '  /users/: # expect: path-keys-no-trailing-slash\n'],
  ['path-not-include-query', '  /users:\n', '  /users?active=true: # expect: path-not-include-query\n'],
  ['info-description', '  description: Manage user accounts.\n', ''],
  [
    'info-contact',
    '  contact:\n    name: API team\n    url: https://example.org/team\n    email: api@example.org\n',
    '',
  ],
  [
    'oas3-api-servers (missing)',
    'servers:\n  - url: https://{region}.api.example.org/v1\n    variables:\n      region:\n        default: eu\n        enum: [eu, us]\n',
    '',
  ],
  [
    'oas3-server-variables (a substitution is not a URL)',
    'https://{region}.api.example.org/v1\n    variables:',
    'https://{region}.api.example.org:99999/v1\n    variables: # expect: oas3-server-variables',
  ],
  [
    'oas3-server-trailing-slash',
    'https://{region}.api.example.org/v1',
    'https://{region}.api.example.org/v1/ # expect: oas3-server-trailing-slash',
  ],
  [
    'oas3-server-variables',
    'https://{region}.api.example.org/v1\n    variables:',
    'https://{region}.api.example.org/{stage}\n    variables: # expect: oas3-server-variables',
  ],
  [
    'duplicated-entry-in-enum',
    'enum: [active, disabled]',
    'enum: [active, disabled, active] # expect: duplicated-entry-in-enum',
  ],
  ['typed-enum', 'enum: [active, disabled]', 'enum: [active, 2] # expect: typed-enum'],
  [
    'oas3-valid-media-example',
    '                  name: Ada\n  /users/{id}:',
    '                  name: 42 # expect: oas3-valid-media-example\n  /users/{id}:',
  ],
  [
    'oas3-valid-media-example (shared example)',
    '        id: 1\n        name: Ada\n  schemas:',
    '        id: one # expect: oas3-valid-media-example\n        name: Ada\n  schemas:',
  ],
  [
    'oas3-valid-schema-example',
    '          example: 1\n',
    '          example: one # expect: oas3-valid-schema-example\n',
  ],
  [
    'no-$ref-siblings',
    "                $ref: '#/components/schemas/User'\n              examples:",
    "                $ref: '#/components/schemas/User'\n                description: A user # expect: no-$ref-siblings\n              examples:",
  ],
  [
    'oas3-unused-component',
    '  schemas:\n',
    '  schemas:\n    Orphan: # expect: oas3-unused-component\n      type: string\n',
  ],
  [
    'array-items',
    "              schema:\n                type: array\n                items:\n                  $ref: '#/components/schemas/User'\n",
    '              schema: # expect: array-items\n                type: array\n',
  ],
];

/** Marks placed on lines the edit removes: the finding belongs to the parent line. */
const markParent: Record<string, [string, string]> = {
  'operation-description': [
    '    get:\n      operationId: getUser',
    '    get: # expect: operation-description\n      operationId: getUser',
  ],
  'operation-tags': [
    '    get:\n      operationId: getUser',
    '    get: # expect: operation-tags\n      operationId: getUser',
  ],
  'operation-success-response': [
    "      responses:\n        '400':",
    "      responses: # expect: operation-success-response\n        '400':",
  ],
  'path-params (not declared)': ['    UserId:\n', '    UserId: # expect: oas3-unused-component\n'],
  'info-description': ['info:\n', 'info: # expect: info-description\n'],
  'info-contact': ['info:\n', 'info: # expect: info-contact\n'],
  'oas3-api-servers (missing)': ['openapi: 3.0.3\n', 'openapi: 3.0.3 # expect: oas3-api-servers\n'],
};

describe('built-in rules, OpenAPI 3.0: each fires on the right line', () => {
  it.each(cases30)('%s', async (name, from, to) => {
    let text = edit(cleanOpenApi30, from, to);
    const parent = markParent[name];
    if (parent) text = edit(text, parent[0], parent[1]);
    const findings = await lintText(text);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
  });

  it("names the operation, in Spectral's words", async () => {
    const text = edit(cleanOpenApi30, 'operationId: getUser', 'operationId: listUsers');
    const [finding] = await lintText(text);
    expect(finding).toMatchObject({
      kind: 'lint',
      id: 'operation-operationId-unique',
      severity: 'error',
      file: 'openapi.yaml',
      operation: 'GET /users/{id}',
      message: 'Every operation must have unique "operationId".',
    });
  });

  it('points an invalid example at the offending value, with the schema error', async () => {
    const text = edit(cleanOpenApi30, '          example: 1\n', '          example: one\n');
    const [finding] = await lintText(text);
    expect(finding?.message).toBe('Example must be integer: fix the example or the schema.');
    expect(finding?.severity).toBe('error');
  });

  it('reports merely ambiguous paths as a warning', async () => {
    const text = edit(
      cleanOpenApi30,
      'components:\n',
      "  /users/{id}/teams:\n    $ref: '#/paths/~1users~1{id}'\n  /users/admins/{team}:\n    $ref: '#/paths/~1users~1{id}'\ncomponents:\n",
    );
    const findings = (await lintText(text)).filter((f) => f.id === 'no-ambiguous-paths');
    expect(findings.map((f) => [f.severity, f.message])).toEqual([
      [
        'warning',
        'Paths "/users/{id}/teams" and "/users/admins/{team}" are ambiguous: a request can match both. Make one of them literal where the other has a parameter.',
      ],
    ]);
  });
});

const cases20: [string, string, string][] = [
  ['oas2-api-host', 'host: api.example.org\n', 'host: "" # expect: oas2-api-host\n'],
  ['oas2-api-schemes', 'schemes: [https]', 'schemes: [] # expect: oas2-api-schemes'],
  [
    'oas2-valid-schema-example (parameter)',
    'x-example: 7',
    'x-example: seven # expect: oas2-valid-schema-example',
  ],
  [
    'oas2-valid-schema-example (exclusiveMinimum)',
    'example: 2',
    'example: 1 # expect: oas2-valid-schema-example',
  ],
  [
    'oas2-valid-media-example',
    '              name: Ada',
    '              name: [Ada] # expect: oas2-valid-media-example',
  ],
  [
    'oas2-unused-definition',
    'definitions:\n',
    'definitions:\n  Orphan: # expect: oas2-unused-definition\n    type: string\n',
  ],
  [
    'oas2-anyOf',
    '      name:\n        type: string\n',
    '      name:\n        anyOf: # expect: oas2-anyOf\n          - type: string\n',
  ],
];

describe('built-in rules, Swagger 2.0', () => {
  it.each(cases20)('%s', async (_, from, to) => {
    const text = edit(cleanSwagger20, from, to);
    expect(marksOf(await lintText(text, 'swagger.yaml'))).toEqual(expectedMarks(text));
  });
});

describe('built-in rules, OpenAPI 3.1', () => {
  const clean31 = cleanOpenApi30.replace('openapi: 3.0.3', 'openapi: 3.1.0');
  it('validates examples with JSON Schema 2020-12 and allows $ref siblings', async () => {
    let text = edit(
      clean31,
      '          example: 1\n',
      '          example: one # expect: oas3-valid-schema-example\n',
    );
    text = edit(
      text,
      "                $ref: '#/components/schemas/User'\n              examples:",
      "                $ref: '#/components/schemas/User'\n                description: A user\n              examples:",
    );
    text = edit(
      text,
      '          type: string\n          maxLength: 20',
      "          type: [string, 'null']\n          maxLength: 20\n          example: null",
    );
    expect(marksOf(await lintText(text))).toEqual(expectedMarks(text));
  });
});
