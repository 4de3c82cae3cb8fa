import { describe, expect, it } from 'vitest';
import { validateSpec } from '../../../shared/core/spec/validate-spec.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';
import { lineOf } from './lines.js';

const entry = `openapi: 3.0.3
info: {title: Users, version: 1.0.0}
paths:
  /users/{id}:
    $ref: paths/user.yaml
components:
  schemas:
    User:
      $ref: schemas/user.yaml
`;
const pathItem = `get:
  operationId: getUser
  parameters:
    - $ref: ../../shared/params.yaml#/UserId
  responses:
    '200':
      description: the user
      content:
        application/json:
          schema:
            $ref: ../schemas/user.yaml
`;
const params = `UserId:
  name: id
  in: path
  required: true
  schema:
    type: string
`;
const user = `type: object
required: [id]
properties:
  id:
    type: string
  manager:
    $ref: user.yaml
  team:
    $ref: team.yaml
`;
const team = `type: object
properties:
  lead:
    $ref: user.yaml
  members:
    type: array
    items:
      $ref: user.yaml
`;
const files = {
  'api/openapi.yaml': entry,
  'api/paths/user.yaml': pathItem,
  'shared/params.yaml': params,
  'api/schemas/user.yaml': user,
  'api/schemas/team.yaml': team,
};

describe('bundling a multi-file spec', () => {
  it('leaves only internal refs, hoisting each target once and keeping component names', async () => {
    const spec = await loadSpecFromFiles(files, 'api/openapi.yaml');
    expect(spec.findings).toEqual([]);
    const [first, ...others] = spec.files.keys();
    expect(first).toBe('api/openapi.yaml');
    expect(others.sort()).toEqual([
      'api/paths/user.yaml',
      'api/schemas/team.yaml',
      'api/schemas/user.yaml',
      'shared/params.yaml',
    ]);
    const refs = JSON.stringify(spec.bundle).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(new Set(refs)).toEqual(
      new Set([
        '"$ref":"#/components/parameters/UserId"',
        '"$ref":"#/components/schemas/User"',
        '"$ref":"#/components/schemas/team"',
      ]),
    );
    expect(spec.bundle).toMatchObject({
      paths: { '/users/{id}': { get: { operationId: 'getUser' } } },
      components: {
        schemas: {
          User: { required: ['id'] },
          team: { properties: { lead: { $ref: '#/components/schemas/User' } } },
        },
        parameters: { UserId: { name: 'id', in: 'path' } },
      },
    });
  });

  it('maps bundle pointers back to the file and line they came from', async () => {
    const spec = await loadSpecFromFiles(files, 'api/openapi.yaml');
    expect(spec.locate('/paths/~1users~1{id}/get/operationId')).toEqual({
      file: 'api/paths/user.yaml',
      line: lineOf(pathItem, 'operationId'),
      column: 3,
      pointer: '/get/operationId',
    });
    expect(spec.locate('/components/parameters/UserId/in')).toEqual({
      file: 'shared/params.yaml',
      line: lineOf(params, 'in: path'),
      column: 3,
      pointer: '/UserId/in',
    });
    expect(spec.locate('/components/schemas/team/properties/members/items')).toMatchObject({
      file: 'api/schemas/team.yaml',
      line: lineOf(team, 'items:'),
    });
    expect(spec.locate('/components/schemas/User/properties/manager')).toMatchObject({
      file: 'api/schemas/user.yaml',
      line: lineOf(user, 'manager:'),
    });
    expect(spec.locate('/info/title')).toMatchObject({ file: 'api/openapi.yaml', line: 2 });
  });

  it('cyclic schemas across two files bundle and validate', async () => {
    const spec = await loadSpecFromFiles(files, 'api/openapi.yaml');
    expect(await validateSpec(spec)).toEqual([]);
  });

  it('hoists into 2.0 sections and keeps refs back into the entry internal', async () => {
    const swagger = `swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      parameters:
        - $ref: common.yaml#/Limit
      responses:
        '200':
          description: ok
          schema:
            $ref: common.yaml#/PetList
definitions:
  Pet:
    type: object
`;
    const common = `Limit:
  name: limit
  in: query
  type: integer
PetList:
  type: array
  items:
    $ref: swagger.yaml#/definitions/Pet
`;
    const spec = await loadSpecFromFiles({ 'swagger.yaml': swagger, 'common.yaml': common }, 'swagger.yaml');
    expect(spec.findings).toEqual([]);
    expect(spec.bundle).toMatchObject({
      parameters: { Limit: { name: 'limit' } },
      definitions: { Pet: { type: 'object' }, PetList: { items: { $ref: '#/definitions/Pet' } } },
    });
    expect(await validateSpec(spec)).toEqual([]);
  });

  it('makes hoisted names unique instead of overwriting', async () => {
    const main = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: other/user.yaml
components:
  schemas:
    user:
      type: string
`;
    const spec = await loadSpecFromFiles({ 'o.yaml': main, 'other/user.yaml': 'type: integer\n' }, 'o.yaml');
    expect(spec.bundle).toMatchObject({
      components: { schemas: { user: { type: 'string' }, user_2: { type: 'integer' } } },
    });
    expect(await validateSpec(spec)).toEqual([]);
  });
});

describe('validateSpec', () => {
  it('puts schema errors on the line in the file they come from', async () => {
    const badParams = params.replace('in: path', 'in: body');
    const badUser = user.replace('required: [id]', 'required: id');
    const spec = await loadSpecFromFiles(
      { ...files, 'shared/params.yaml': badParams, 'api/schemas/user.yaml': badUser },
      'api/openapi.yaml',
    );
    const findings = await validateSpec(spec);
    expect(findings.map((f) => [f.id, f.file, f.line])).toEqual([
      ['oas-schema', 'api/schemas/user.yaml', lineOf(badUser, 'required: id')],
      ['oas-schema', 'shared/params.yaml', lineOf(badParams, 'in: body')],
    ]);
    expect(findings[1]?.message).toBe(
      'Invalid OpenAPI 3.0: "in" must be one of "path", "query", "header", "cookie" (found "body")',
    );
  });

  it('reports unknown fields and missing required ones where they are', async () => {
    const text = `openapi: 3.1.0
info:
  title: t
paths:
  /a:
    get:
      responses:
        '200':
          descriptio: typo
`;
    const spec = await loadSpecFromFiles({ 'o.yaml': text }, 'o.yaml');
    const findings = await validateSpec(spec);
    expect(findings.map((f) => [f.line, f.message])).toEqual([
      [lineOf(text, 'info:'), 'Invalid OpenAPI 3.1: "info" is missing the required field "version"'],
      [lineOf(text, "'200'"), 'Invalid OpenAPI 3.1: "200" is missing the required field "description"'],
      [
        lineOf(text, 'descriptio:'),
        'Invalid OpenAPI 3.1: "descriptio" is not allowed in "200" (extensions must start with "x-")',
      ],
    ]);
  });

  it('maps swagger-parser 2.0 semantic errors to the operation', async () => {
    const text = `swagger: "2.0"
info: {title: t, version: "1"}
paths:
  /pets/{id}:
    get:
      parameters:
        - {name: petId, in: path, required: true, type: string}
      responses:
        '200': {description: ok}
`;
    const [finding, ...rest] = await validateSpec(await loadSpecFromFiles({ 's.yaml': text }, 's.yaml'));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ id: 'oas-semantic', file: 's.yaml', line: lineOf(text, 'get:') });
    expect(finding?.message).toContain('GET /pets/{id} has a path parameter named "petId"');
  });

  it('says nothing more about a spec that did not load', async () => {
    const spec = await loadSpecFromFiles({ 'o.yaml': 'not: openapi\n' }, 'o.yaml');
    expect(await validateSpec(spec)).toEqual([]);
  });
});
