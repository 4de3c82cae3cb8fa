/**
 * One finding per cause, on minimal reproductions (real oasdiff): removing an enum entirely is one change per
 * schema (not one per value per operation) and, on a request, not breaking; removing a response is on the
 * operation's `responses` entry, not on the component schema it returned.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJson } from '../helpers/cli.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'kaf-one-cause-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const spec = (kind: string, status: string, responses = '') => `openapi: 3.0.3
info: {title: t, version: 1.0.0}
paths:
  /a:
    post:
      parameters:
        - {name: kind, in: query, schema: {$ref: '#/components/schemas/Kind'}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
${responses}  /b:
    put:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '200': {description: ok}
components:
  schemas:
    Kind: {type: string${kind}}
    Err: {type: object, properties: {m: {type: string}}}
    Thing:
      type: object
      properties:
        status: {type: string${status}}
`;
const notFound = `        '404':
          description: nf
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Err'}
`;

type Entry = {
  id: string;
  file: string;
  line: number;
  pointer: string;
  side?: string;
  operations?: string[];
};

async function check(name: string, base: string, head: string) {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'base.yaml'), base);
  writeFileSync(path.join(dir, 'head.yaml'), head);
  const { code, report } = await checkJson([
    '--base',
    path.join(dir, 'base.yaml'),
    '--head',
    path.join(dir, 'head.yaml'),
  ]);
  const breaking = report.findings.filter((f) => f.kind === 'breaking') as Entry[];
  const changelog = (report as unknown as { changelog: Entry[] }).changelog;
  return { code, breaking, changelog };
}

describe('removing an enum entirely', () => {
  it('is one non-breaking change per schema, listing every operation, instead of one per value per operation', async () => {
    const base = spec(', enum: [x, y, z]', ', enum: [a, b, c]');
    const { code, breaking, changelog } = await check('enum-gone', base, spec('', ''));
    expect(breaking).toEqual([]);
    expect(code).toBe(0);
    const byId = (id: string) => changelog.filter((c) => c.id === id);
    expect(byId('request-parameter-enum-removed')).toMatchObject([
      { pointer: '/components/schemas/Kind', operations: ['POST /a'] },
    ]);
    expect(byId('request-property-enum-removed')).toMatchObject([
      { pointer: '/components/schemas/Thing/properties/status', operations: ['POST /a', 'PUT /b'] },
    ]);
    expect(byId('response-property-enum-removed')).toHaveLength(1);
    expect(changelog.filter((c) => c.id.endsWith('-enum-value-removed'))).toEqual([]);
  });

  it('removing some values is still breaking, one finding per value (control)', async () => {
    const base = spec(', enum: [x, y, z]', ', enum: [a, b, c]');
    const { code, breaking } = await check('enum-narrowed', base, spec(', enum: [x]', ', enum: [a, b, c]'));
    expect(code).toBe(1);
    expect(breaking.map((f) => f.id)).toEqual([
      'request-parameter-enum-value-removed',
      'request-parameter-enum-value-removed',
    ]);
  });

  it('an enum replaced by an empty list is not "removed entirely": it still reports the values (control)', async () => {
    const base = spec(', enum: [x, y]', '');
    const { breaking } = await check('enum-emptied', base, spec(', enum: []', ''));
    expect(breaking.map((f) => f.id)).not.toContain('request-parameter-enum-removed');
  });
});

describe('removing a response', () => {
  it("is on the operation's responses entry in the base (and on `responses` in the head), not on the component", async () => {
    const { changelog } = await check('response-gone', spec('', '', notFound), spec('', ''));
    const removed = changelog.find((c) => c.id === 'response-non-success-status-removed') as Entry & {
      headPosition?: { pointer: string; line: number };
    };
    expect(removed).toMatchObject({
      side: 'base',
      line: 18,
      pointer: '/paths/~1a/post/responses/404',
      headPosition: { pointer: '/paths/~1a/post/responses', line: 12 },
    });
  });

  it('a removed success response is a breaking finding on the same kind of place', async () => {
    const base = spec('', '', `        '201': {description: created}\n`);
    const { breaking } = await check('success-gone', base, spec('', ''));
    expect(breaking).toMatchObject([
      { id: 'response-success-status-removed', side: 'base', pointer: '/paths/~1a/post/responses/201' },
    ]);
  });
});
