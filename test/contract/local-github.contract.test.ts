import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubSchema } from '../../dev/github/graphql/index.js';
import { createContractValidator, type RecordedRequest, ROUTES } from '../../dev/github/index.js';
import { exerciseAllRoutes } from './all-routes-scenario.js';
import { readAppCalls, readGraphQLDocuments } from './app-operations.js';
import { type Started, startWithApp } from './setup.js';

/** `query Name` / `mutation Name` of a document's operation ('' when it does not parse). */
function operationOf(document: string): string {
  try {
    const definition = parse(document).definitions.find((d) => d.kind === 'OperationDefinition');
    return definition && 'operation' in definition
      ? `${definition.operation} ${definition.name?.value ?? ''}`
      : '';
  } catch {
    return '';
  }
}

const validator = createContractValidator();
let started: Started;

// The scenario makes ~100 calls over real git: generous on a busy machine.
beforeAll(async () => {
  started = await startWithApp();
  await exerciseAllRoutes(started);
}, 60_000);
afterAll(() => started.gh.stop());

const label = (r: RecordedRequest) => `${r.method} ${r.path} → ${r.status} (${r.operationId})`;

describe('local GitHub against @octokit/openapi', () => {
  it('serves each operation once, on the method and path the published description gives it', () => {
    const problems = ROUTES.flatMap((route) => {
      if (!validator.has(route.operationId)) return [`${route.operationId} is not in the description`];
      const described = validator.routeOf(route.operationId);
      // Hono's `:name` and `:name{.+}` are the description's `{name}`.
      const path = route.path.replace(/:(\w+)(?:\{[^}]*\})?/g, '{$1}');
      return described.method === route.method && described.path === path
        ? []
        : [`${route.method} ${route.path}: ${route.operationId} is ${described.method} ${described.path}`];
    });
    expect(problems).toEqual([]);
    const ids = ROUTES.map((route) => route.operationId);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it("serves exactly the operations the App's source calls", () => {
    const { calls, unresolved } = readAppCalls();
    expect(unresolved).toEqual([]);
    const called = new Map(
      calls.map((c) => [validator.operationAt(c.method, c.path) ?? `${c.method} ${c.path}`, c]),
    );
    const served = new Set(ROUTES.map((route) => route.operationId));
    const notServed = [...called].filter(([id]) => !served.has(id)).map(([id, c]) => `${id} (${c.file})`);
    expect(notServed, 'the App calls these, the local GitHub does not serve them').toEqual([]);
    const unused = [...served].filter((id) => !called.has(id));
    expect(unused, 'the local GitHub serves these, the App never calls them: remove them').toEqual([]);
  });

  it("sends only GraphQL documents GitHub's schema accepts, and the scenario sends each shape", async () => {
    const { graphql } = readAppCalls();
    expect(graphql.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const file of graphql) {
      const documents = await readGraphQLDocuments(file);
      expect(documents.length, `${file} exports no documents`).toBeGreaterThan(0);
      for (const document of documents) {
        for (const error of validate(githubSchema(), parse(document)))
          problems.push(`${file}: ${error.message}`);
        // The scenario sent this operation (by its type and name), and GitHub answered it.
        const operation = operationOf(document);
        const sent = started.gh.requests.filter(
          (r) =>
            r.operationId === 'graphql' &&
            operationOf((r.requestBody as { query?: string }).query ?? '') === operation,
        );
        if (sent.length === 0) problems.push(`${file}: the scenario never sent ${operation}`);
      }
    }
    expect(problems).toEqual([]);
    // The check is not vacuous: the schema refuses a field GitHub does not have.
    const drifted = 'query { repository(owner: "a", name: "b") { pullRequest(number: 1) { headSha } } }';
    expect(validate(githubSchema(), parse(drifted)).map((e) => e.message)).toEqual([
      expect.stringContaining('Cannot query field "headSha" on type "PullRequest"'),
    ]);
  });

  it('was exercised on every route, success and error answers alike', () => {
    const seen = new Set(started.gh.requests.map((r) => r.operationId));
    expect(ROUTES.map((route) => route.operationId).filter((id) => !seen.has(id))).toEqual([]);
    expect(started.gh.requests.filter((r) => r.operationId === undefined).map(label)).toEqual([]);
    expect(new Set(started.gh.requests.map((r) => r.status))).toEqual(
      new Set([200, 201, 401, 403, 404, 422]),
    );
  });

  it('answers every request with a body that matches the schema of its operation and status', () => {
    const problems = started.gh.requests.flatMap((r) =>
      validator.validateResponse(r.operationId!, r.status, r.responseBody).map((p) => `${label(r)}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it('was sent valid request bodies, and refused with 4xx exactly the ones the description rejects', () => {
    const withBody = started.gh.requests.filter((r) => r.requestBody !== undefined);
    const invalid = withBody.filter(
      (r) => validator.validateRequest(r.operationId!, r.requestBody).length > 0,
    );
    // The scenario sends three bodies over GitHub's limits on purpose (51 annotations, a 65,536-char summary, a
    // 23-character button label).
    expect(invalid.map(label)).toEqual([
      expect.stringMatching(/^PATCH \/repos\/acme\/pets\/check-runs\/\d+ → 422/),
      expect.stringMatching(/^PATCH \/repos\/acme\/pets\/check-runs\/\d+ → 422/),
      expect.stringMatching(/^PATCH \/repos\/acme\/pets\/check-runs\/\d+ → 422/),
    ]);
    const accepted = withBody.filter((r) => r.status < 300);
    expect(accepted.flatMap((r) => validator.validateRequest(r.operationId!, r.requestBody))).toEqual([]);
  });
});

describe('the contract validator', () => {
  it('reports a drifted response: a missing required field and a wrong type', () => {
    const problems = validator.validateResponse('issues/create-comment', 201, { id: 'one', body: 'x' });
    expect(problems.join('\n')).toMatch(/must have required property 'node_id'/);
    expect(problems.join('\n')).toMatch(/\/id must be integer/);
  });

  it('reports a drifted request body', () => {
    expect(validator.validateRequest('checks/create', { head_sha: 'abc' }).join('\n')).toMatch(/'name'/);
    expect(validator.validateRequest('git/update-ref', { sha: 'abc', force: 'yes' }).join('\n')).toMatch(
      /force must be boolean/,
    );
  });

  it('accepts null where the description says nullable, and nothing else there', () => {
    const created = started.gh.requests.find((r) => r.operationId === 'checks/create')!;
    const run = created.responseBody as Record<string, unknown>;
    expect(run.conclusion).toBeNull();
    expect(validator.validateResponse('checks/create', 201, run)).toEqual([]);
    expect(
      validator.validateResponse('checks/create', 201, { ...run, conclusion: 'maybe' }).join('\n'),
    ).toMatch(/\/conclusion must be equal to one of the allowed values/);
    // `performed_via_github_app` is a typeless `nullable` beside `allOf` in the description.
    const comment = started.gh.requests.find((r) => r.operationId === 'issues/create-comment')!;
    const body = comment.responseBody as Record<string, unknown>;
    expect(
      validator.validateResponse('issues/create-comment', 201, { ...body, performed_via_github_app: null }),
    ).toEqual([]);
  });

  it('refuses an operation it does not know', () => {
    expect(() => validator.validateResponse('nope/nothing', 200, {})).toThrow(
      /not in @octokit\/openapi 23\.0\.2/,
    );
  });
});
