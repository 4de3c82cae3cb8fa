import { describe, expect, it } from 'vitest';
import { findNearestInHead } from '../../../shared/core/breaking/find-nearest-in-head.js';

const base = {
  paths: {
    '/users/{id}': {
      get: { parameters: [{ name: 'id' }, { name: 'fields' }] },
      delete: { responses: {} },
    },
    '/users/logout': { post: {} },
  },
  components: { schemas: { User: { allOf: [{ $ref: '#/x' }, { properties: { email: {}, name: {} } }] } } },
};

const head = {
  paths: { '/users/{id}': { get: { parameters: [{ name: 'fields' }] } } },
  components: { schemas: { User: { allOf: [{ $ref: '#/x' }, { properties: { name: {} } }] } } },
};

describe('findNearestInHead', () => {
  it('stops at the path item that lost an operation, or at paths when the whole path went', () => {
    expect(findNearestInHead('/paths/~1users~1{id}/delete', base, head)).toBe('/paths/~1users~1{id}');
    expect(findNearestInHead('/paths/~1users~1logout/post', base, head)).toBe('/paths');
  });

  it('steps into an array element only when the array kept its length', () => {
    // `fields` moved into slot 0: the removed `id` must not land on it.
    expect(findNearestInHead('/paths/~1users~1{id}/get/parameters/0', base, head)).toBe(
      '/paths/~1users~1{id}/get/parameters',
    );
    expect(findNearestInHead('/components/schemas/User/allOf/1/properties/email', base, head)).toBe(
      '/components/schemas/User/allOf/1/properties',
    );
  });

  it('gives the root when nothing of the pointer is left, and the pointer itself when all of it is', () => {
    expect(findNearestInHead('/webhooks/ping', { webhooks: { ping: {} } }, {})).toBe('');
    expect(findNearestInHead('/paths/~1users~1{id}/get', base, head)).toBe('/paths/~1users~1{id}/get');
  });
});
