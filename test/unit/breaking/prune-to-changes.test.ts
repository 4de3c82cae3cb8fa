/**
 * pruneToChanges on small specs: what oasdiff still sees of a pair. The equality with oasdiff on the full pair is
 * proven against the real binary in test/integration/pruned-diff.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { type PrunedPair, pruneToChanges } from '../../../shared/core/breaking/prune-to-changes.js';

type Doc = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ok = (schema: object) => ({
  '200': { description: 'ok', content: { 'application/json': { schema } } },
});
const op = (schema: object, extra: object = {}) => ({ responses: ok(schema), ...extra });

function spec(paths: Doc, schemas: Doc = {}, extra: Doc = {}): Doc {
  return {
    openapi: '3.0.3',
    info: { title: 't', version: '1.0.0' },
    servers: [{ url: 'https://api.example.com/v1' }],
    paths,
    components: { schemas },
    ...extra,
  };
}

const baseSchemas = {
  Pet: { type: 'object', properties: { id: { type: 'string' }, owner: ref('Owner') } },
  Owner: { type: 'object', properties: { name: { type: 'string' } } },
  Toy: { type: 'object', properties: { kind: { type: 'string' } } },
  Unused: { type: 'string' },
};
const basePaths = {
  '/pets': { get: op(ref('Pet')) },
  '/pets/{petId}': { get: op(ref('Pet')), delete: op({ type: 'string' }) },
  '/toys': { get: op(ref('Toy')) },
};

function pruned(base: Doc, head: Doc): PrunedPair {
  const result = pruneToChanges(base, head);
  if (result === 'unchanged') throw new Error('expected a change');
  return result;
}
const pathsOf = (doc: Doc) => Object.keys(doc.paths as Doc);
const schemasOf = (doc: Doc) => Object.keys((doc.components as { schemas: Doc }).schemas);

describe('pruneToChanges', () => {
  it('equal documents are unchanged (oasdiff is not run)', () => {
    expect(pruneToChanges(spec(basePaths, baseSchemas), spec(basePaths, baseSchemas))).toBe('unchanged');
  });

  it('documents equal as oasdiff reads them (same members, other order) are unchanged; any other difference is not', () => {
    const reordered = spec(Object.fromEntries(Object.entries(basePaths).reverse()), baseSchemas);
    expect(pruneToChanges(spec(basePaths, baseSchemas), reordered)).toBe('unchanged');
    const tagged = spec(basePaths, baseSchemas, { tags: [{ name: 'pets' }] });
    expect(pruneToChanges(spec(basePaths, baseSchemas), tagged)).not.toBe('unchanged');
    const external = spec({ '/ext': { get: op({ $ref: 'other.yaml#/Pet' }) } });
    expect(pruneToChanges(external, structuredClone(external))).toBe('unchanged');
  });

  it('a changed operation keeps its path item and the components it reaches, transitively; the rest goes', () => {
    const head = spec({ ...basePaths, '/pets': { get: op(ref('Pet'), { deprecated: true }) } }, baseSchemas);
    const result = pruned(spec(basePaths, baseSchemas), head);
    for (const side of [result.base, result.head]) {
      expect(pathsOf(side)).toEqual(['/pets']);
      expect(schemasOf(side)).toEqual(['Pet', 'Owner']);
    }
    expect((result.head.paths as Doc)['/pets']).toBe((head.paths as Doc)['/pets']);
  });

  it('a changed shared component keeps every operation that reaches it, even through another component', () => {
    const headSchemas = {
      ...baseSchemas,
      Owner: { type: 'object', properties: { name: { type: 'integer' } } },
    };
    const result = pruned(spec(basePaths, baseSchemas), spec(basePaths, headSchemas));
    for (const side of [result.base, result.head]) {
      expect(pathsOf(side)).toEqual(['/pets', '/pets/{petId}']);
      expect(schemasOf(side)).toEqual(['Pet', 'Owner']);
    }
  });

  it('a changed component that no operation reaches is still kept (oasdiff compares components too)', () => {
    const result = pruned(
      spec(basePaths, baseSchemas),
      spec(basePaths, { ...baseSchemas, Unused: { type: 'integer' } }),
    );
    expect(pathsOf(result.head)).toEqual([]);
    expect(schemasOf(result.base)).toEqual(['Unused']);
    expect(schemasOf(result.head)).toEqual(['Unused']);
  });

  it('a removed operation keeps its whole path item on the base, and its remaining operations on the head', () => {
    const head = spec({ ...basePaths, '/pets/{petId}': { get: op(ref('Pet')) } }, baseSchemas);
    const result = pruned(spec(basePaths, baseSchemas), head);
    expect(result.base.paths).toEqual({ '/pets/{petId}': basePaths['/pets/{petId}'] });
    expect(result.head.paths).toEqual({ '/pets/{petId}': { get: op(ref('Pet')) } });
    expect(schemasOf(result.head)).toEqual(['Pet', 'Owner']);
  });

  it('a removed path item is kept on the base only; what it reaches is kept on both sides where it exists', () => {
    const { '/toys': _removed, ...rest } = basePaths;
    const result = pruned(spec(basePaths, baseSchemas), spec(rest, baseSchemas));
    expect(pathsOf(result.base)).toEqual(['/toys']);
    expect(schemasOf(result.base)).toEqual(['Toy']);
    expect(pathsOf(result.head)).toEqual([]);
    // Toy is still in the head: cutting it there would read as "removed the schema Toy" (oasdiff compares
    // components one by one), a change the full pair does not have.
    expect(schemasOf(result.head)).toEqual(['Toy']);
  });

  it('a component kept on one side is kept on the other with all it reaches there, to a fixpoint', () => {
    const schemas = {
      ...baseSchemas,
      Toy: { type: 'object', properties: { kind: { type: 'string' }, maker: ref('Maker') } },
      Maker: { type: 'object', properties: { name: { type: 'string' } } },
    };
    const { '/toys': _removed, ...rest } = basePaths;
    const result = pruned(spec(basePaths, schemas), spec(rest, schemas));
    expect(schemasOf(result.base).sort()).toEqual(['Maker', 'Toy']);
    expect(schemasOf(result.head).sort()).toEqual(['Maker', 'Toy']);
  });

  it('an added operation is kept on the head with the new component it uses', () => {
    const head = spec(
      { ...basePaths, '/owners': { get: op(ref('Crowd')) } },
      { ...baseSchemas, Crowd: { type: 'array', items: ref('Owner') } },
    );
    const result = pruned(spec(basePaths, baseSchemas), head);
    expect(pathsOf(result.base)).toEqual([]);
    expect(pathsOf(result.head)).toEqual(['/owners']);
    expect(schemasOf(result.head)).toEqual(['Owner', 'Crowd']);
  });

  it('a path-level parameter change keeps the path item with all its operations', () => {
    const param = { name: 'petId', in: 'path', required: true, schema: { type: 'string' } };
    const base = spec(
      { ...basePaths, '/pets/{petId}': { ...basePaths['/pets/{petId}'], parameters: [param] } },
      baseSchemas,
    );
    const head = spec(
      {
        ...basePaths,
        '/pets/{petId}': {
          ...basePaths['/pets/{petId}'],
          parameters: [{ ...param, schema: { type: 'integer' } }],
        },
      },
      baseSchemas,
    );
    const result = pruned(base, head);
    expect(pathsOf(result.head)).toEqual(['/pets/{petId}']);
    expect(Object.keys((result.head.paths as Doc)['/pets/{petId}'] as Doc)).toEqual([
      'get',
      'delete',
      'parameters',
    ]);
  });

  it('templates that differ only in parameter names stay together (oasdiff matches them as one path)', () => {
    const head = spec({ ...basePaths, '/pets/{id}': basePaths['/pets/{petId}'] }, baseSchemas);
    delete (head.paths as Doc)['/pets/{petId}'];
    const result = pruned(spec(basePaths, baseSchemas), head);
    expect(pathsOf(result.base)).toEqual(['/pets/{petId}']);
    expect(pathsOf(result.head)).toEqual(['/pets/{id}']);
  });

  it('a changed security scheme keeps the operations that name it, and every scheme stays', () => {
    const schemes = (scopes: Doc) => ({
      oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://t.example.com', scopes } } },
      key: { type: 'apiKey', in: 'header', name: 'X-Key' },
    });
    const paths = {
      ...basePaths,
      '/pets': { get: op(ref('Pet'), { security: [{ oauth: ['read'] }] }) },
      '/toys': { get: op(ref('Toy'), { security: [{ key: [] }] }) },
    };
    const withSchemes = (scopes: Doc, extra: Doc = {}) => {
      const doc = spec(paths, baseSchemas, extra);
      (doc.components as Doc).securitySchemes = schemes(scopes);
      return doc;
    };
    const result = pruned(withSchemes({ read: 'r', write: 'w' }), withSchemes({ read: 'r' }));
    expect(pathsOf(result.head)).toEqual(['/pets']);
    expect(Object.keys((result.head.components as Doc).securitySchemes as Doc)).toEqual(['oauth', 'key']);

    // Named by the global security, a scheme concerns every operation.
    const global = { security: [{ oauth: ['read'] }] };
    const everywhere = pruned(
      withSchemes({ read: 'r', write: 'w' }, global),
      withSchemes({ read: 'r' }, global),
    );
    expect(pathsOf(everywhere.head)).toEqual(Object.keys(paths));
  });

  it('a changed global security keeps every operation; other top-level parts are always kept', () => {
    const base = spec(basePaths, baseSchemas);
    const head = spec(basePaths, baseSchemas, {
      security: [{ key: [] }],
      info: { title: 't', version: '2.0.0' },
    });
    const result = pruned(base, head);
    expect(pathsOf(result.head)).toEqual(Object.keys(basePaths));
    expect(result.head.info).toEqual({ title: 't', version: '2.0.0' });
    expect(result.head.servers).toBe(head.servers);

    const onlyVersion = pruned(
      base,
      spec(basePaths, baseSchemas, { info: { title: 't', version: '1.1.0' } }),
    );
    expect(pathsOf(onlyVersion.head)).toEqual([]);
    expect(onlyVersion.head.info).toEqual({ title: 't', version: '1.1.0' });
  });

  it('a top-level extension is cut like a component: dropped when equal and reaching nothing changed', () => {
    const hooks = { 'x-webhooks': { ping: { post: op(ref('Toy')) } } };
    const base = spec(basePaths, baseSchemas, hooks);
    const opChanged = pruned(
      base,
      spec({ ...basePaths, '/pets': { get: op(ref('Owner')) } }, baseSchemas, hooks),
    );
    expect(opChanged.head['x-webhooks']).toBeUndefined();
    // Owner for the changed operation, and Pet because the base keeps it (it is still in the head).
    expect(schemasOf(opChanged.head).sort()).toEqual(['Owner', 'Pet']);

    const toyChanged = { ...baseSchemas, Toy: { type: 'integer' } };
    const reached = pruned(base, spec(basePaths, toyChanged, hooks));
    expect(reached.head['x-webhooks']).toEqual(hooks['x-webhooks']);
    expect(pathsOf(reached.head)).toEqual(['/toys']);
  });

  it('a $ref cycle terminates, and a change anywhere on it reaches every operation on it', () => {
    const cyclic = (leafType: string) => ({
      Node: { type: 'object', properties: { children: { type: 'array', items: ref('Branch') } } },
      Branch: { type: 'object', properties: { parent: ref('Node'), label: { type: leafType } } },
      Toy: baseSchemas.Toy,
    });
    const paths = { '/tree': { get: op(ref('Node')) }, '/toys': basePaths['/toys'] };
    const result = pruned(spec(paths, cyclic('string')), spec(paths, cyclic('integer')));
    expect(pathsOf(result.head)).toEqual(['/tree']);
    expect(schemasOf(result.head)).toEqual(['Node', 'Branch']);
  });

  it('refs into paths and URI-encoded refs are followed', () => {
    const shared = { name: 'limit', in: 'query', schema: { type: 'integer' } };
    const base = spec(
      {
        '/a/{x}': { get: { parameters: [shared], responses: ok({ type: 'string' }) } },
        '/b': {
          get: {
            parameters: [{ $ref: '#/paths/~1a~1%7Bx%7D/get/parameters/0' }],
            responses: ok({ type: 'string' }),
          },
        },
        '/c': { get: op({ type: 'string' }) },
      },
      {},
    );
    const head = structuredClone(base);
    ((head.paths as Doc)['/a/{x}'] as { get: { parameters: Doc[] } }).get.parameters[0] = {
      ...shared,
      required: true,
    };
    const result = pruned(base, head);
    expect(pathsOf(result.base)).toEqual(['/a/{x}', '/b']);
    expect(pathsOf(result.head)).toEqual(['/a/{x}', '/b']);
  });

  it('a $ref it cannot place means no pruning at all', () => {
    const base = spec({ ...basePaths, '/ext': { get: op({ $ref: 'other.yaml#/Pet' }) } }, baseSchemas);
    const head = spec(
      { ...basePaths, '/ext': { get: op({ $ref: 'other.yaml#/Pet' }) } },
      { ...baseSchemas, Unused: {} },
    );
    expect(pruneToChanges(base, head)).toEqual({ base, head });
  });

  it('does not change its inputs', () => {
    const base = spec(basePaths, baseSchemas);
    const head = spec({ '/pets': basePaths['/pets'] }, baseSchemas);
    const copies = structuredClone([base, head]);
    pruned(base, head);
    expect([base, head]).toEqual(copies);
  });
});
