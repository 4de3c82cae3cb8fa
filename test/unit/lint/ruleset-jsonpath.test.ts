/**
 * Our JSONPath: what it accepts evaluates like Spectral's engines (jsonpath-plus, which Spectral ships, is the
 * oracle here, used on trusted test paths only), what it refuses is refused, and lookups never reach a prototype.
 */
import { existsSync, readFileSync } from 'node:fs';
import { JSONPath } from 'jsonpath-plus';
import { describe, expect, it } from 'vitest';
import { evaluateJsonPath, pathOf, rootNode } from '../../../shared/core/lint/jsonpath/evaluate.js';
import { parseJsonPath } from '../../../shared/core/lint/jsonpath/parse.js';

const doc = {
  openapi: '3.0.3',
  info: { title: 'T', 'x-owner': 'me', contact: { name: 'n' } },
  paths: {
    '/users': {
      get: {
        operationId: 'list',
        tags: ['a', 'b'],
        parameters: [{ in: 'query', name: 'q' }, { name: 'noin' }],
      },
      post: { operationId: 'create', responses: { '200': { description: 'ok' } } },
      parameters: [{ in: 'path', name: 'id', schema: { type: 'string', enum: ['x'] } }],
    },
  },
  components: {
    schemas: {
      User: {
        type: 'object',
        properties: { type: { type: 'string' }, $ref: { type: 'integer', example: 0 } },
      },
      Tags: { type: 'array', items: { type: 'string', enum: ['a', 3] }, default: [] },
      Nothing: { example: null },
    },
  },
  list: [0, 1, 2, 3, 4, 5],
};

const ours = (path: string, data: unknown = doc) => {
  const parsed = parseJsonPath(path);
  if (!parsed.ok) throw new Error(parsed.reason);
  return evaluateJsonPath(parsed.path.segments, rootNode(data), (n) => n)
    .map((n) => JSON.stringify(pathOf(n)))
    .sort();
};
const spectrals = (path: string, data: unknown = doc) =>
  (JSONPath({ path, json: data as object, resultType: 'pointer' }) as string[])
    .map((pointer) =>
      JSON.stringify(
        pointer === ''
          ? []
          : pointer
              .slice(1)
              .split('/')
              .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
              .map((s, i, all) => (/^\d+$/.test(s) && isArrayAt(data, all.slice(0, i)) ? Number(s) : s)),
      ),
    )
    .sort();

function isArrayAt(data: unknown, keys: string[]): boolean {
  let node = data;
  for (const key of keys) node = (node as Record<string, unknown>)[key];
  return Array.isArray(node);
}

describe('accepted paths evaluate like Spectral', () => {
  const accepted = [
    '$',
    '$.info',
    '$.info.title',
    "$['info']['x-owner']",
    '$["info"].contact.name',
    '$.info.x-owner',
    '$.paths[*]',
    '$.paths.*.*',
    '$.paths[*][get,post]',
    "$.paths['/users'][get,post].operationId",
    '$..operationId',
    '$..*',
    '$..parameters[*]',
    '$..[description,title]',
    '$.list[0]',
    '$.list[1,3]',
    '$.list[1:4]',
    '$.list[:2]',
    '$.list[-2:]',
    '$.list[::2]',
    '$.list[?(@ > 2)]',
    '$.list[?(@ >= 2 && @ < 4)]',
    '$.list[?(@ == "3")]',
    '$.list[?(@ === 3 || @ === 0)]',
    '$..[?(@ && @.enum && @.type)]',
    "$..[?(@property !== 'properties' && @ && (@.example !== void 0 || @.default !== void 0))]",
    "$..[?(@ && @.type == 'array')]",
    "$..[?(@property === '$ref')]",
    '$..parameters[?(@ && @.in)]',
    '$..parameters[?(@ && !@.in)]',
    "$..[?(@ && @['x-owner'] != null)]",
    '$..[?(@ && @.type === "string" && @.enum)].enum[*]',
    '$..[?(@ && @.items)].items.enum[1]',
    '$..[?(@ && @.tags && @.tags[1] == "b")]',
    "$..[?(@ && @.contact && @.contact.name === 'n')]",
    '$..[?(!(@ && @.type))]',
    '$..[?(@ === null)]',
    '$..[?(@ === true || @ === false)]',
    "$..[?(@property === 'operationId' && @ > 'd')]",
  ];
  it.each(accepted)('%s', (path) => {
    expect(ours(path)).toEqual(spectrals(path));
  });

  it('negative indexes count from the end; quoted names mix with bare ones in a union', () => {
    expect(ours('$.list[-1]')).toEqual([JSON.stringify(['list', 5])]);
    expect(ours('$.list[-7]')).toEqual([]);
    expect(ours("$.paths['/users'][get,'post'].operationId")).toEqual(
      ['get', 'post'].map((m) => JSON.stringify(['paths', '/users', m, 'operationId'])),
    );
  });

  it('a filter that reads a member of null is false for that node (JavaScript would throw)', () => {
    expect(ours('$..[?(@.type === "array" || @.example.x === 1)]')).toEqual([
      JSON.stringify(['components', 'schemas', 'Tags']),
    ]);
  });

  it('dot names may be non-ASCII', () => {
    expect(ours('$.données.título', { données: { título: 1 } })).toEqual([
      JSON.stringify(['données', 'título']),
    ]);
  });

  it('an alias reference parses to its name and the rest of the path', () => {
    const parsed = parseJsonPath('#OperationObject.responses[*]');
    expect(parsed).toMatchObject({ ok: true, path: { alias: 'OperationObject' } });
    expect(parsed.ok && parsed.path.segments).toHaveLength(2);
  });
});

describe('refused paths', () => {
  const refused = [
    // Code: calls, constructors, assignments, templates, statements, arbitrary identifiers.
    "$..[?(@.constructor.constructor('return process')())]",
    '$..[?(@.type.constructor.name === "Array")]',
    '$..[?(@.__proto__)]',
    '$..[?(@.description.match(/x/))]',
    '$..[?(@.type.includes("array"))]',
    "$..[?(process.env.X = '1')]",
    '$..[?(@.x = 1)]',
    '$..[?(@ && fetch("http://127.0.0.1/"))]',
    `$..[?(\`\${1}\`)]`,
    '$..[?(@.a; 1)]',
    '$..[?(this)]',
    '$..[?(@root.info)]',
    '$..[?(@path)]',
    '$..[?(@parent)]',
    '$..[?(@.a + 1 > 2)]',
    '$..[?(@.a ? 1 : 2)]',
    '$..[?(@.a in @)]',
    '$..[?(new Error())]',
    '$..[?(void @.x)]',
    '$..[?(@.x ?? 1)]',
    '$..[?(@[@.x])]',
    // Script expressions and other engines' extensions.
    '$.list[(@.length-1)]',
    '$.paths[*]~',
    '$.paths^',
    '$..[?@.x]',
    // Not JSONPath.
    'info.title',
    '$.',
    '$..',
    '$[',
    "$['unterminated]",
    '$.list[1:2:0]',
    '#',
    `$${'.a'.repeat(3000)}`,
    `$..[?(${'('.repeat(100)}@${')'.repeat(100)})]`,
  ];
  it.each(refused)('%s', (path) => {
    expect(parseJsonPath(path).ok).toBe(false);
  });

  it('says why', () => {
    expect(parseJsonPath('$..[?(@.a.match(/x/))]')).toEqual({
      ok: false,
      reason: expect.stringContaining('function calls are not allowed'),
    });
  });
});

describe('lookups are own properties only', () => {
  it('__proto__, constructor and prototype are ordinary keys, never the prototype', () => {
    const data = JSON.parse('{"a": {"__proto__": {"x": 1}, "constructor": {"name": "C"}}, "b": {}}');
    expect(ours("$.a['__proto__'].x", data)).toEqual([JSON.stringify(['a', '__proto__', 'x'])]);
    expect(ours('$.b.constructor', data)).toEqual([]);
    expect(ours('$.b.__proto__', data)).toEqual([]);
    expect(ours('$.*.toString', data)).toEqual([]);
    expect(ours("$..[?(@['constructor'])]", data)).toEqual([JSON.stringify(['a'])]);
    expect(ours("$..[?(@['constructor'] && @['constructor'].name === 'C')]", data)).toEqual([
      JSON.stringify(['a']),
    ]);
  });

  it('a cycle is visited once', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, { name: 'y' }];
    expect(ours('$..name', cyclic)).toEqual([JSON.stringify(['list', 1, 'name']), JSON.stringify(['name'])]);
  });
});

const github = 'node_modules/@octokit/openapi/generated/api.github.com.json';
describe.runIf(existsSync(github))("bounded work on GitHub's 13 MB spec", () => {
  it('recursive descent with filters stays linear: each node matched at most once', () => {
    const data = JSON.parse(readFileSync(github, 'utf8'));
    // Every value of the document once (objects and arrays included): the most any path can match.
    const countNodes = (value: unknown): number =>
      value !== null && typeof value === 'object'
        ? 1 + Object.values(value).reduce<number>((sum, child) => sum + countNodes(child), 0)
        : 1;
    const nodes = countNodes(data);
    const paths = [
      '$..[?(@ && @.enum && @.type)]',
      "$..[?(@property !== 'properties' && @ && (@.example !== void 0 || @.default !== void 0))]",
      '$..properties..description',
      '$..*..*',
    ];
    for (const path of paths) {
      const found = ours(path, data);
      expect(found.length).toBeGreaterThan(0);
      // A descent that revisited nodes (`$..*..*` reaches each node from every ancestor) would match some twice.
      expect(new Set(found).size).toBe(found.length);
      expect(found.length).toBeLessThanOrEqual(nodes);
    }
  }, 120_000);
});
