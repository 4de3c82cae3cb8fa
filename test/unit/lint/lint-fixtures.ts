/**
 * Specs for the lint tests. Lines that must carry a finding end with `# expect: <rule-id>` (several ids
 * separated by spaces), so each test states where a user would see the finding.
 */
import type { Finding } from '../../../shared/core/findings.js';

export const cleanOpenApi30 = `openapi: 3.0.3
info:
  title: Users
  version: 1.0.0
  description: Manage user accounts.
  contact:
    name: API team
    url: https://example.org/team
    email: api@example.org
servers:
  - url: https://{region}.api.example.org/v1
    variables:
      region:
        default: eu
        enum: [eu, us]
tags:
  - name: users
    description: User accounts
paths:
  /users:
    get:
      operationId: listUsers
      description: List users.
      tags: [users]
      parameters:
        - name: status
          in: query
          schema:
            type: string
            enum: [active, disabled]
          example: active
      responses:
        '200':
          description: The users.
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/User'
              example:
                - id: 1
                  name: Ada
  /users/{id}:
    parameters:
      - $ref: '#/components/parameters/UserId'
    get:
      operationId: getUser
      description: Get one user.
      tags: [users]
      responses:
        '200':
          description: The user.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/User'
              examples:
                ada:
                  $ref: '#/components/examples/Ada'
        '404':
          description: No such user.
components:
  parameters:
    UserId:
      name: id
      in: path
      required: true
      schema:
        type: integer
  examples:
    Ada:
      value:
        id: 1
        name: Ada
  schemas:
    User:
      type: object
      required: [id, name]
      properties:
        id:
          type: integer
          example: 1
        name:
          type: string
          maxLength: 20
`;

export const cleanSwagger20 = `swagger: '2.0'
info:
  title: Users
  version: 1.0.0
  description: Manage user accounts.
  contact:
    name: API team
    url: https://example.org/team
    email: api@example.org
host: api.example.org
basePath: /v1
schemes: [https]
tags:
  - name: users
    description: User accounts
paths:
  /users/{id}:
    get:
      operationId: getUser
      description: Get one user.
      tags: [users]
      parameters:
        - name: id
          in: path
          required: true
          type: integer
          x-example: 7
      responses:
        '200':
          description: The user.
          schema:
            $ref: '#/definitions/User'
          examples:
            application/json:
              id: 2
              name: Ada
definitions:
  User:
    type: object
    required: [id, name]
    properties:
      id:
        type: integer
        minimum: 1
        exclusiveMinimum: true
        example: 2
      name:
        type: string
`;

/** Replace one exact snippet of a spec; fails loudly when the snippet is not there (a broken test, not a pass). */
export function edit(spec: string, from: string, to: string): string {
  if (!spec.includes(from)) throw new Error(`snippet not in spec: ${from}`);
  return spec.replace(from, to);
}

/** `rule@line` for every `# expect:` marker of a spec. */
export function expectedMarks(spec: string): string[] {
  return spec
    .split('\n')
    .flatMap((text, index) => {
      const ids = /# expect: (.+)$/.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
      return ids.map((id) => `${id}@${index + 1}`);
    })
    .sort();
}

export function marksOf(findings: Finding[]): string[] {
  return findings.map((f) => `${f.id}@${f.line}`).sort();
}
