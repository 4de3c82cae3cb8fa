/**
 * D11: a route group's resources keep their names when an unrelated operation is added, removed, renamed or
 * re-tuned, or when the document is reordered (a rename is a delete + create in GitOps: a traffic gap). Each
 * case renders a spec before and after one change and compares every resource name not owned by the changed
 * operation. Then `x-kuma.route` (a pinned name) and names that would clash.
 * @module
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderApi } from '../../../../shared/core/kuma/render/render-api.js';
import { loadSpecFromFiles } from '../../../helpers/spec.js';

type XKuma = Record<string, unknown>;
interface Operation {
  method: string;
  id: string;
  xKuma?: XKuma;
}
interface PathModel {
  path: string;
  xKuma?: XKuma;
  operations: Operation[];
}
interface SpecModel {
  xKuma?: XKuma;
  paths: PathModel[];
}

function toDocument(model: SpecModel): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Shop', version: '1' },
    ...(model.xKuma ? { 'x-kuma': model.xKuma } : {}),
    paths: Object.fromEntries(
      model.paths.map((item) => [
        item.path,
        {
          ...(item.xKuma ? { 'x-kuma': item.xKuma } : {}),
          ...Object.fromEntries(
            item.operations.map((operation) => [
              operation.method,
              {
                operationId: operation.id,
                ...(operation.xKuma ? { 'x-kuma': operation.xKuma } : {}),
                ...(item.path.includes('{id}')
                  ? { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] }
                  : {}),
                responses: { 200: { description: 'ok' } },
              },
            ]),
          ),
        },
      ]),
    ),
  };
}

async function render(model: SpecModel) {
  const spec = await loadSpecFromFiles({ 'api.yaml': stringify(toDocument(model)) }, 'api.yaml');
  const result = renderApi({ spec, api: { name: 'shop', spec: 'api.yaml' } });
  expect(result.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  return result;
}

type Rendered = Awaited<ReturnType<typeof render>>;

/** `kind/name` of every resource, and for each route the operations it serves. */
function describeOutput(result: Rendered) {
  const members = new Map<string, string[]>();
  for (const operation of result.operations) {
    members.set(operation.route, [...(members.get(operation.route) ?? []), operation.operation]);
  }
  const routeOf = (resource: Rendered['resources'][number]) =>
    resource.kind === 'MeshHTTPRoute'
      ? resource.name
      : (resource.spec.targetRef as { kind?: string; name?: string }).kind === 'MeshHTTPRoute'
        ? (resource.spec.targetRef as { name: string }).name
        : undefined;
  return {
    names: result.resources.map((resource) => ({
      key: `${resource.kind}/${resource.name}`,
      members: members.get(routeOf(resource) ?? '') ?? [],
    })),
    routeOf: new Map(result.operations.map((operation) => [operation.operation, operation.route])),
  };
}

const described = new WeakMap<SpecModel, ReturnType<typeof describeOutput>>();
async function describeCached(model: SpecModel) {
  const known = described.get(model);
  if (known) return known;
  const fresh = describeOutput(await render(model));
  described.set(model, fresh);
  return fresh;
}

/**
 * Every resource of `before` whose route serves at least one operation other than `changed` is still there,
 * under the same name, and every unchanged operation is still served by the route of the same name.
 */
async function expectUnrelatedNamesKept(before: SpecModel, after: SpecModel, changed: string[], why: string) {
  const old = await describeCached(before);
  const now = describeOutput(await render(after));
  const kept = new Set(now.names.map((name) => name.key));
  const owned = (members: string[]) =>
    members.length > 0 && members.every((label) => changed.includes(label));
  const lost = old.names
    .filter((name) => !owned(name.members) && !kept.has(name.key))
    .map((name) => name.key);
  expect(lost, `${why}: resources renamed or removed`).toEqual([]);
  for (const [label, route] of old.routeOf) {
    if (changed.includes(label) || !now.routeOf.has(label)) continue;
    expect(now.routeOf.get(label), `${why}: route of ${label}`).toBe(route);
  }
}

const label = (path: string, operation: Operation) => `${operation.method.toUpperCase()} ${path}`;

/** Several groups: API-wide settings, POST/PATCH (limited retries), a path item's own, operations' own. */
const shop: SpecModel = {
  xKuma: { timeout: '10s' },
  paths: [
    {
      path: '/orders',
      operations: [
        { method: 'get', id: 'listOrders' },
        { method: 'post', id: 'createOrder' },
      ],
    },
    {
      path: '/orders/{id}',
      operations: [
        { method: 'get', id: 'getOrder', xKuma: { timeout: '30s' } },
        { method: 'patch', id: 'updateOrder' },
        { method: 'delete', id: 'cancelOrder', xKuma: { retries: { attempts: 3 } } },
      ],
    },
    {
      path: '/payments',
      xKuma: { rateLimit: { requests: 5, interval: '1s' } },
      operations: [
        { method: 'get', id: 'listPayments' },
        { method: 'post', id: 'createPayment' },
      ],
    },
    {
      path: '/reports/{id}',
      operations: [{ method: 'get', id: 'getReport', xKuma: { timeout: '30s' } }],
    },
  ],
};

const clone = (model: SpecModel): SpecModel => structuredClone(model);
const allOperations = (model: SpecModel) =>
  model.paths.flatMap((item) => item.operations.map((operation) => ({ item, operation })));

describe('a change to one operation renames no other resource', () => {
  it.each([
    ['joins the API-wide group', { method: 'get', id: 'aaaFirst' }],
    ['joins the POST group', { method: 'post', id: 'aaaCreate' }],
    [
      'has the same timeout as two operations with their own',
      { method: 'get', id: 'aaaSlow', xKuma: { timeout: '30s' } },
    ],
    ['has settings of its own', { method: 'get', id: 'aaaFast', xKuma: { timeout: '1s' } }],
  ] as const)('adding an operation that sorts first and %s', async (_, operation) => {
    const after = clone(shop);
    after.paths.unshift({ path: '/aaa', operations: [{ ...operation }] });
    await expectUnrelatedNamesKept(shop, after, [label('/aaa', operation)], `add ${operation.id}`);
  });

  it('removing any one operation', async () => {
    for (const [index, { item, operation }] of allOperations(shop).entries()) {
      const after = clone(shop);
      const target = allOperations(after)[index]!;
      target.item.operations.splice(target.item.operations.indexOf(target.operation), 1);
      after.paths = after.paths.filter((path) => path.operations.length > 0);
      await expectUnrelatedNamesKept(shop, after, [label(item.path, operation)], `remove ${operation.id}`);
    }
  });

  it("changing any one operation's timeout", async () => {
    for (const timeout of ['30s', '45s']) {
      for (const [index, { item, operation }] of allOperations(shop).entries()) {
        const after = clone(shop);
        const target = allOperations(after)[index]!.operation;
        target.xKuma = { ...target.xKuma, timeout };
        await expectUnrelatedNamesKept(
          shop,
          after,
          [label(item.path, operation)],
          `${operation.id} ${timeout}`,
        );
      }
    }
  });

  it('renaming any one operationId, to a name that sorts first or last', async () => {
    for (const prefix of ['aaa', 'zzz']) {
      for (const [index, { item, operation }] of allOperations(shop).entries()) {
        const after = clone(shop);
        const target = allOperations(after)[index]!.operation;
        target.id = `${prefix}${target.id}`;
        await expectUnrelatedNamesKept(shop, after, [label(item.path, operation)], `rename ${operation.id}`);
      }
    }
  });

  it("re-tuning the API-wide or a path item's settings changes values, never names", async () => {
    const names = (result: Rendered) => result.resources.map((r) => `${r.kind}/${r.name}`);
    const before = await render(shop);
    const retuned = clone(shop);
    retuned.xKuma = { timeout: '20s', retries: { attempts: 2 } };
    retuned.paths.find((item) => item.path === '/payments')!.xKuma = {
      rateLimit: { requests: 9, interval: '1m' },
    };
    const after = await render(retuned);
    // Every name is kept; the only new ones are retry policies (inherited from the root) of routes that were there.
    expect(names(after)).toEqual(expect.arrayContaining(names(before)));
    const added = names(after).filter((name) => !names(before).includes(name));
    expect(added).toContain('MeshRetry/shop-retry');
    for (const name of added) {
      expect(names(before)).toContain(name.replace(/^MeshRetry\/(.*)-retry$/, 'MeshHTTPRoute/$1'));
    }
    expect(JSON.stringify(after.resources)).toContain('"requestTimeout":"20s"');
  });

  it('reordering paths and methods changes no name at all', async () => {
    const after = clone(shop);
    after.paths.reverse();
    for (const item of after.paths) item.operations.reverse();
    await expectUnrelatedNamesKept(shop, after, [], 'reorder');
    const names = (result: Rendered) => result.resources.map((r) => `${r.kind}/${r.name}`);
    expect(names(await render(after))).toEqual(names(await render(shop)));
  });
});

/** Deterministic pseudo-random numbers (mulberry32), so a failing variation can be replayed by its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const settingsPool: (XKuma | undefined)[] = [
  undefined,
  undefined,
  { timeout: '30s' },
  { timeout: '60s' },
  { retries: { attempts: 2 } },
  { rateLimit: { requests: 10, interval: '1s' } },
  { timeout: '30s', retries: { attempts: 2, nonIdempotent: true } },
  { requestHeaders: { set: { 'x-shop': 'yes' } } },
];
const words = ['Order', 'Item', 'Cart', 'User', 'Price', 'Stock', 'Invoice', 'Ship', 'Tax', 'Refund'];
const methods = ['get', 'post', 'put', 'patch', 'delete'];

function generate(seed: number): SpecModel {
  const pick = random(seed);
  const paths: PathModel[] = [];
  let count = 0;
  for (const [index, word] of words.slice(0, 3 + pick(6)).entries()) {
    const path = index % 3 === 2 ? `/${word.toLowerCase()}s/{id}` : `/${word.toLowerCase()}s`;
    const used = methods.filter(() => pick(2) === 0);
    if (used.length === 0) used.push(methods[pick(methods.length)]!);
    paths.push({
      path,
      ...(pick(4) === 0 ? { xKuma: settingsPool[2 + pick(4)]! } : {}),
      operations: used.map((method) => {
        const xKuma = settingsPool[pick(settingsPool.length)];
        return { method, id: `${method}${word}${count++}`, ...(xKuma ? { xKuma } : {}) };
      }),
    });
  }
  return { ...(pick(2) === 0 ? { xKuma: { timeout: '15s' } } : {}), paths };
}

describe('generated variations (property style)', () => {
  it('no unrelated rename in 20 generated specs × add / remove / retune / rename / reorder', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const base = generate(seed);
      const pick = random(seed * 7919);
      const operations = allOperations(base);
      const index = pick(operations.length);
      const { item, operation } = operations[index]!;
      const changed = [label(item.path, operation)];
      const mutate = (change: (target: Operation, model: SpecModel) => void) => {
        const after = clone(base);
        change(allOperations(after)[index]!.operation, after);
        after.paths = after.paths.filter((path) => path.operations.length > 0);
        return after;
      };
      const added: Operation = {
        method: 'get',
        id: 'aaaNew',
        xKuma: settingsPool[pick(settingsPool.length)] ?? {},
      };
      const withAdded = clone(base);
      withAdded.paths.unshift({ path: '/aaa', operations: [added] });
      const variations: [string, SpecModel, string[]][] = [
        ['add', withAdded, [label('/aaa', added)]],
        [
          'remove',
          mutate((target, model) => {
            for (const path of model.paths) path.operations = path.operations.filter((o) => o !== target);
          }),
          changed,
        ],
        [
          'retune',
          mutate((target) => {
            target.xKuma = { ...target.xKuma, timeout: '7s' };
          }),
          changed,
        ],
        [
          'untune',
          mutate((target) => {
            delete target.xKuma;
          }),
          changed,
        ],
        [
          'rename',
          mutate((target) => {
            target.id = `aaa${target.id}`;
          }),
          changed,
        ],
        [
          'reorder',
          mutate((_, model) => {
            model.paths.reverse();
          }),
          [],
        ],
      ];
      for (const [what, after, touched] of variations) {
        await expectUnrelatedNamesKept(base, after, touched, `seed ${seed} ${what} ${changed[0]}`);
      }
    }
  });
});

/** Renders YAML text (for findings' lines); errors allowed. */
async function renderText(lines: string[]) {
  const spec = await loadSpecFromFiles({ 'api.yaml': lines.join('\n') }, 'api.yaml');
  return renderApi({ spec, api: { name: 'shop', spec: 'api.yaml' } });
}

const ok = "responses: { '200': { description: ok } }";
const routeNames = (result: Rendered) =>
  result.resources.filter((r) => r.kind === 'MeshHTTPRoute').map((r) => r.name);
const servedBy = (result: Rendered) =>
  Object.fromEntries(result.operations.map((operation) => [operation.operation, operation.route]));
const at = (f: { id: string; severity: string; line: number }) => `${f.severity} ${f.id} :${f.line}`;

describe('x-kuma.route pins a name', () => {
  it('operations on different paths that pin one name share one route and its policies', async () => {
    const result = await renderText([
      'openapi: 3.0.3',
      'info: { title: Shop, version: "1" }',
      'x-kuma: { timeout: 10s }',
      'paths:',
      '  /reports:',
      `    get: { operationId: listReports, x-kuma: { route: reports, timeout: 60s }, ${ok} }`,
      '  /exports:',
      `    get: { operationId: listExports, x-kuma: { route: reports, timeout: 60s }, ${ok} }`,
      `    post: { operationId: startExport, x-kuma: { route: reports, timeout: 60s }, ${ok} }`,
      '  /orders:',
      `    get: { operationId: listOrders, ${ok} }`,
    ]);
    expect(result.findings).toEqual([]);
    expect(servedBy(result)).toEqual({
      'GET /reports': 'shop-reports',
      'GET /exports': 'shop-reports',
      'POST /exports': 'shop-reports-non-idempotent',
      'GET /orders': 'shop',
    });
    const timeouts = result.resources.filter((r) => r.kind === 'MeshTimeout');
    expect(timeouts.map((r) => [r.name, (r.spec.targetRef as { name: string }).name])).toEqual([
      ['shop-reports-non-idempotent-timeout', 'shop-reports-non-idempotent'],
      ['shop-reports-timeout', 'shop-reports'],
      ['shop-timeout', 'shop'],
    ]);
  });

  it('a pin on a path item names the route of each of its operations; an operation can pin another', async () => {
    const result = await renderText([
      'openapi: 3.0.3',
      'info: { title: Shop, version: "1" }',
      'paths:',
      '  /carts/{id}:',
      '    x-kuma: { route: carts, timeout: 5s }',
      '    parameters: [{ name: id, in: path, required: true, schema: { type: string } }]',
      `    get: { operationId: getCart, ${ok} }`,
      `    put: { operationId: putCart, ${ok} }`,
      `    delete: { operationId: dropCart, x-kuma: { route: cart-removal }, ${ok} }`,
    ]);
    expect(result.findings).toEqual([]);
    expect(servedBy(result)).toEqual({
      'GET /carts/{id}': 'shop-carts',
      'PUT /carts/{id}': 'shop-carts',
      'DELETE /carts/{id}': 'shop-cart-removal',
    });
  });

  it('renaming an operationId, re-tuning the pinned group or adding operations keeps pinned names', async () => {
    const spec = (id: string, timeout: string, extra: string[] = []) => [
      'openapi: 3.0.3',
      'info: { title: Shop, version: "1" }',
      'paths:',
      ...extra,
      '  /a:',
      `    get: { operationId: ${id}, x-kuma: { route: stable, timeout: ${timeout} }, ${ok} }`,
      '  /b:',
      `    get: { operationId: other, x-kuma: { route: stable, timeout: ${timeout} }, ${ok} }`,
    ];
    const before = routeNames(await renderText(spec('first', '5s')));
    expect(before).toEqual(['shop-stable']);
    expect(routeNames(await renderText(spec('aaaRenamed', '5s')))).toEqual(before);
    expect(routeNames(await renderText(spec('first', '9s')))).toEqual(before);
    const added = ['  /0:', `    get: { operationId: a0, x-kuma: { timeout: 5s }, ${ok} }`];
    expect(routeNames(await renderText(spec('first', '5s', added)))).toEqual(['shop-a0', 'shop-stable']);
  });

  it('operations that pin one name with different settings: an error on each x-kuma.route line, not exposed', async () => {
    const result = await renderText([
      'openapi: 3.0.3',
      'info: { title: Shop, version: "1" }',
      'paths:',
      '  /a:',
      '    get:',
      '      operationId: a',
      '      x-kuma:',
      '        route: shared',
      '        timeout: 5s',
      `      ${ok}`,
      '  /b:',
      '    x-kuma:',
      '      route: shared',
      '      rateLimit: { requests: 5, interval: 1s }',
      `    get: { operationId: b, ${ok} }`,
      '  /c:',
      `    get: { operationId: c, ${ok} }`,
    ]);
    expect(result.findings.map(at)).toEqual([
      'error x-kuma-route-conflict :8',
      'error x-kuma-route-conflict :13',
    ]);
    expect(result.findings[0]!.message).toMatch(
      /GET \/a and GET \/b both pin x-kuma.route "shared" but differ in timeout, rateLimit/,
    );
    expect(servedBy(result)).toEqual({ 'GET /c': 'shop' });
    expect(JSON.stringify(result.resources)).not.toMatch(/"\/a"|"\/b"|shop-shared/);
  });

  it('a POST and a DELETE that pin one name with different settings conflict too (not split silently)', async () => {
    const result = await renderText([
      'openapi: 3.0.3',
      'info: { title: Shop, version: "1" }',
      'paths:',
      '  /a:',
      `    post: { x-kuma: { route: shared, rateLimit: { requests: 5, interval: 1s } }, ${ok} }`,
      `    delete: { x-kuma: { route: shared, timeout: 30s }, ${ok} }`,
    ]);
    expect(result.findings.map(at).sort()).toEqual([
      'error x-kuma-route-conflict :5',
      'error x-kuma-route-conflict :6',
    ]);
    expect(result.operations).toEqual([]);
  });

  it.each([
    ['at the root', ['x-kuma: { route: all }', 'paths:', '  /a:', `    get: { ${ok} }`], 3],
    ['not a DNS label', ['paths:', '  /a:', `    get: { x-kuma: { route: My_Route }, ${ok} }`], 5],
    ['empty', ['paths:', '  /a:', '    x-kuma:', "      route: ''", `    get: { ${ok} }`], 6],
  ])('x-kuma.route %s is x-kuma-invalid on its line', async (_, lines, line) => {
    const result = await renderText(['openapi: 3.0.3', 'info: { title: Shop, version: "1" }', ...lines]);
    expect(result.findings.map(at)).toEqual([`error x-kuma-invalid :${line}`]);
  });
});

describe('groups whose names would clash get distinct names that do not depend on document order', () => {
  const clashing = (order: 'as written' | 'reversed', extra: string[] = []) => {
    const orders = ['  /orders:', `    post: { operationId: createOrder, x-kuma: { timeout: 5s }, ${ok} }`];
    const bulk = [
      '  /orders/bulk:',
      `    post: { operationId: create_order, x-kuma: { timeout: 9s }, ${ok} }`,
    ];
    const paths = order === 'as written' ? [...orders, ...bulk] : [...bulk, ...orders];
    return ['openapi: 3.0.3', 'info: { title: Shop, version: "1" }', 'paths:', ...extra, ...paths];
  };

  it('two operationIds with one slug: the smaller operation keeps it, the other gets a hash and a warning', async () => {
    const result = await renderText(clashing('as written'));
    const names = servedBy(result);
    expect(names['POST /orders']).toBe('shop-create-order');
    expect(names['POST /orders/bulk']).toMatch(/^shop-create-order-[0-9a-f]{8}$/);
    expect(result.findings.map(at)).toEqual(['warning kuma-route-name-clash :7']);
    expect(result.findings[0]!.operation).toBe('POST /orders/bulk');
    const reversed = await renderText(clashing('reversed'));
    expect(servedBy(reversed)).toEqual(names);
    const added = ['  /a:', `    post: { operationId: aFirst, x-kuma: { timeout: 5s }, ${ok} }`];
    const withAdded = servedBy(await renderText(clashing('as written', added)));
    expect(withAdded).toEqual({ ...names, 'POST /a': 'shop-a-first' });
  });

  it("a path item's group keeps its name over an operation's, and path / is named root", async () => {
    const result = await renderText([
      'openapi: 3.0.3',
      'info: { title: Shop, version: "1" }',
      'paths:',
      '  /:',
      '    x-kuma: { timeout: 3s }',
      `    get: { operationId: home, ${ok} }`,
      '  /create-order:',
      '    x-kuma: { timeout: 4s }',
      `    get: { operationId: getIt, ${ok} }`,
      '  /orders:',
      `    get: { operationId: createOrder, x-kuma: { timeout: 5s }, ${ok} }`,
    ]);
    const names = servedBy(result);
    expect(names['GET /']).toBe('shop-root');
    expect(names['GET /create-order']).toBe('shop-create-order');
    expect(names['GET /orders']).toMatch(/^shop-create-order-[0-9a-f]{8}$/);
    expect(result.findings.map(at)).toEqual(['warning kuma-route-name-clash :11']);
  });

  it('every resource name is unique and valid for Kuma even when all of them clash', async () => {
    const ids = ['getX', 'get_x', 'GetX', 'get-x', 'GET_X'];
    const result = await renderText([
      'openapi: 3.0.3',
      'info: { title: Shop, version: "1" }',
      'paths:',
      ...ids.flatMap((id, index) => [
        `  /x${index}:`,
        `    get: { operationId: ${id}, x-kuma: { timeout: ${index + 1}s }, ${ok} }`,
      ]),
    ]);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const names = result.resources.map((r) => `${r.kind}/${r.name}`);
    expect(new Set(names).size).toBe(names.length);
    expect(routeNames(result)).toHaveLength(5);
    expect(result.findings.map((f) => f.id)).toEqual(Array(4).fill('kuma-route-name-clash'));
  });
});
