/**
 * The local GitHub's GraphQL API (`POST /graphql`; GHES serves it at `/api/graphql`): queries run against
 * GitHub's own published schema (`@octokit/graphql-schema`), so a query the real API would reject — an unknown
 * field, a wrong argument type — is rejected here with GitHub's error shape, and every answer is checked by
 * graphql-js against the schema's types. Resolvers are plain objects shaped like the schema's types (the default
 * field resolver calls a function-valued field with its arguments); each area of the App's reads and writes has
 * its own module, composed here.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, type GraphQLError, type GraphQLSchema, graphql } from 'graphql';
import type { Hub } from '../hub.js';
import type { InstallationRecord, RepoRecord } from '../state.js';
import { deployMutations, deployRepositoryFields } from './deploy.js';
import { resolveRepository } from './repository.js';
import { sourceMutations, sourceRepositoryFields } from './source.js';

/** What every resolver gets: the hub and the caller's verified installation token. */
export interface GraphQLContext {
  hub: Hub;
  token: string;
  installation: InstallationRecord;
  /**
   * The repository `owner/name` as this token sees it: undefined when it does not exist for the token (another
   * account's repo, or outside the repos the token was narrowed to), as GitHub answers NOT_FOUND for both.
   * `as` names the REST operation whose permission the field needs (default `repos/get`: metadata), e.g.
   * `{ method: 'GET', operationId: 'git/get-blob' }` for file contents or `git/create-commit` for a commit;
   * a token without it gets a FORBIDDEN error.
   */
  repo(
    owner: string,
    name: string,
    as?: { method: 'GET' | 'POST'; operationId: string },
  ): RepoRecord | undefined;
  /** The fault the test plan injects into this operation (e.g. a stale head for a commit), if any. */
  fault?(operation: string): unknown;
}

/** Root fields of one area: `Mutation` fields, each `(args, context) => value`. */
// biome-ignore lint/suspicious/noExplicitAny: each field declares its own argument shape
export type RootFields = Record<string, (args: any, context: GraphQLContext) => unknown>;

/** Fields an area adds to `Repository` (e.g. `pullRequest`), next to the git objects of `repository.ts`. */
export type RepositoryFields = (repo: RepoRecord, context: GraphQLContext) => Record<string, unknown>;

let schema: GraphQLSchema | undefined;

/** GitHub's schema, built once per process (1.2 MB of SDL: about a quarter of a second). */
export function githubSchema(): GraphQLSchema {
  if (!schema) {
    // The package exports only its entry (which parses the 7 MB JSON form on import); its SDL sits beside it.
    const entry = fileURLToPath(import.meta.resolve('@octokit/graphql-schema'));
    // `assumeValidSDL`: the published SDL declares two fields of EnterpriseOwnerInfo twice (identically), which
    // graphql-js's SDL check refuses; queries are still validated against the schema in full.
    schema = buildSchema(readFileSync(join(dirname(entry), 'schema.graphql'), 'utf8'), {
      assumeValidSDL: true,
    });
  }
  return schema;
}

export interface GraphQLRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

/** Runs one request body; the answer is GitHub's `{ data, errors }` envelope (status 200 even with errors). */
export async function executeGraphQL(
  body: GraphQLRequest,
  context: GraphQLContext,
): Promise<{ data?: unknown; errors?: unknown[] }> {
  if (typeof body.query !== 'string')
    return { errors: [{ message: 'A query attribute must be specified and must be a string.' }] };
  const result = await graphql({
    schema: githubSchema(),
    source: body.query,
    rootValue: {
      repository: (args: { owner: string; name: string }, ctx: GraphQLContext) =>
        resolveRepository(args, ctx, (repo, c) => ({
          ...sourceRepositoryFields(repo, c),
          ...deployRepositoryFields(repo, c),
        })),
      ...sourceMutations,
      ...deployMutations,
    },
    contextValue: context,
    variableValues: (body.variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
  });
  return {
    ...(result.data !== undefined ? { data: result.data } : {}),
    ...(result.errors ? { errors: result.errors.map(toGitHubError) } : {}),
  };
}

/** GitHub puts the error's `type` beside its message (not under `extensions`). */
function toGitHubError(error: GraphQLError): Record<string, unknown> {
  const { githubType, ...extensions } = error.extensions as { githubType?: string };
  return {
    ...(githubType ? { type: githubType } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
    ...(error.locations ? { locations: error.locations } : {}),
    message: error.message,
  };
}
