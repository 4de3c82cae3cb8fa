/**
 * The text → pointer locator, on oasdiff texts exactly as oasdiff 1.15.0 prints them.
 */
import { describe, expect, it } from 'vitest';
import type { BreakingChange } from '../../../shared/core/breaking/breaking-change.js';
import { locateChange, splitPropertyPath } from '../../../shared/core/breaking/locate-change.js';

const doc = {
  openapi: '3.0.3',
  paths: {
    '/pets/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        parameters: [
          { name: 'status', in: 'query', schema: { type: 'string', enum: ['a', 'b'] } },
          { $ref: '#/components/parameters/Trace' },
        ],
        responses: {
          '200': {
            description: 'ok',
            headers: { 'X-Rate': { required: true, schema: { type: 'integer' } } },
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/Pet' } },
              'application/xml': { schema: { $ref: '#/components/schemas/Pet' } },
            },
          },
        },
      },
      put: {
        requestBody: { $ref: '#/components/requestBodies/NewPet' },
        responses: {
          '200': {
            description: 'ok',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    tags: {
                      type: 'array',
                      items: { type: 'object', properties: { name: { type: 'string' } } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  components: {
    parameters: { Trace: { name: 'X-Trace', in: 'header', schema: { type: 'string' } } },
    requestBodies: {
      NewPet: { content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } } },
    },
    schemas: {
      Pet: {
        type: 'object',
        properties: {
          age: { type: 'integer' },
          owner: { allOf: [{ $ref: '#/components/schemas/Owner' }] },
          status: { type: 'string', enum: ['sold', 'pending'] },
        },
      },
      Owner: { type: 'object', properties: { email: { type: 'string' } } },
      NewPet: { type: 'object', properties: { kind: { type: 'string', enum: ['cat'] } } },
    },
  },
};

const change = (id: string, text: string, operation = 'GET', path = '/pets/{id}'): BreakingChange => ({
  id,
  text,
  severity: 'error',
  operation,
  path,
});
const pointerOf = (c: BreakingChange) => locateChange(c, doc).pointer;

describe('locateChange', () => {
  it('finds operation parameters by location and name, following $refs, case-insensitively for headers', () => {
    expect(
      pointerOf(
        change('new-required-request-parameter', 'added the new required `query` request parameter `status`'),
      ),
    ).toBe('/paths/~1pets~1{id}/get/parameters/0');
    expect(
      pointerOf(change('request-parameter-removed', 'deleted the `header` request parameter `x-trace`')),
    ).toBe('/components/parameters/Trace');
  });

  it('finds path-item parameters', () => {
    expect(
      pointerOf(
        change(
          'request-parameter-type-changed',
          'for the `path` request parameter `id`, the type/format was changed from `string`/`` to `integer`/``',
        ),
      ),
    ).toBe('/paths/~1pets~1{id}/parameters/0/schema');
  });

  it('points an enum change at the value when it is still there, else at the enum list', () => {
    expect(
      pointerOf(
        change(
          'request-parameter-enum-value-added',
          'added the new enum value `b` to the `query` request parameter `status`',
        ),
      ),
    ).toBe('/paths/~1pets~1{id}/get/parameters/0/schema/enum/1');
    expect(
      pointerOf(
        change(
          'request-parameter-enum-value-removed',
          'removed the enum value `c` from the `query` request parameter `status`',
        ),
      ),
    ).toBe('/paths/~1pets~1{id}/get/parameters/0/schema/enum');
    expect(
      pointerOf(
        change(
          'response-property-enum-value-added',
          'added the new `pending` enum value to the `status` response property for the response status `200`',
        ),
      ),
    ).toBe('/components/schemas/Pet/properties/status/enum/1');
  });

  it('follows a response property into the shared schema, through an allOf branch named by its $ref', () => {
    expect(
      pointerOf(
        change(
          'response-property-type-changed',
          "the `owner/allOf[#/components/schemas/Owner]/email` response's property type/format changed from `string`/`` to `integer`/`` for status `200`",
        ),
      ),
    ).toBe('/components/schemas/Owner/properties/email');
  });

  it('walks array items of an inline schema', () => {
    expect(
      pointerOf(
        change(
          'response-property-type-changed',
          "the `tags/items/name` response's property type/format changed from `string`/`` to `integer`/`` for status `200`",
          'PUT',
        ),
      ),
    ).toBe(
      '/paths/~1pets~1{id}/put/responses/200/content/application~1json/schema/properties/tags/items/properties/name',
    );
  });

  it('finds request body properties through a shared request body', () => {
    expect(
      pointerOf(
        change(
          'request-property-enum-value-removed',
          'removed the enum value `dog` of the request property `kind`',
          'PUT',
        ),
      ),
    ).toBe('/components/schemas/NewPet/properties/kind/enum');
  });

  it('finds response headers and media types', () => {
    expect(
      pointerOf(
        change(
          'required-response-header-removed',
          'the mandatory response header `x-rate` removed for the status `200`',
        ),
      ),
    ).toBe('/paths/~1pets~1{id}/get/responses/200/headers/X-Rate');
    expect(
      pointerOf(
        change(
          'response-media-type-removed',
          'removed the media type `application/xml` for the response with the status `200`',
        ),
      ),
    ).toBe('/paths/~1pets~1{id}/get/responses/200/content/application~1xml');
  });

  it('falls back to the schema, the operation, the path item, then the document', () => {
    expect(pointerOf(change('api-removed-without-deprecation', 'api removed without deprecation'))).toBe(
      '/paths/~1pets~1{id}/get',
    );
    expect(
      pointerOf(change('api-removed-without-deprecation', 'api removed without deprecation', 'DELETE')),
    ).toBe('/paths/~1pets~1{id}');
    expect(
      pointerOf(change('api-path-removed-without-deprecation', 'api path removed without deprecation')),
    ).toBe('/paths/~1pets~1{id}');
    expect(
      pointerOf(change('api-path-removed-without-deprecation', 'api path removed', 'GET', '/gone')),
    ).toBe('');
    expect(
      pointerOf(
        change(
          'response-required-property-removed',
          'removed the required property `nope` from the response with the `200` status',
        ),
      ),
    ).toBe('/components/schemas/Pet'); // the schema the missing property would be in
  });

  it('says which names located the change, and reaches deeper where the thing exists', () => {
    const removed = change(
      'response-optional-property-removed',
      'removed the optional property `age` from the response with the `200` status',
    );
    const located = locateChange(removed, doc);
    expect(located.used).toEqual(['200', 'age']);
    const withoutAge = structuredClone(doc);
    delete (withoutAge.components.schemas.Pet.properties as Record<string, unknown>).age;
    expect(locateChange(removed, withoutAge).depth).toBeLessThan(located.depth);
  });

  it('survives $ref cycles and odd documents', () => {
    const cyclic = {
      paths: { '/a': { get: { responses: { '200': { $ref: '#/paths/~1a/get/responses/200' } } } } },
    };
    expect(
      locateChange(
        change(
          'response-success-status-removed',
          'removed the success response with the status `200`',
          'GET',
          '/a',
        ),
        cyclic,
      ).pointer,
    ).toBe('/paths/~1a/get/responses/200');
    expect(locateChange(change('x', 'y'), null).pointer).toBe('');
    expect(locateChange({ id: 'x', text: '', severity: 'warning' }, doc).pointer).toBe('');
  });
});

describe('splitPropertyPath', () => {
  it('keeps bracketed composition labels whole', () => {
    expect(splitPropertyPath('owner/allOf[#/components/schemas/Owner]/email')).toEqual([
      'owner',
      'allOf[#/components/schemas/Owner]',
      'email',
    ]);
  });
});
