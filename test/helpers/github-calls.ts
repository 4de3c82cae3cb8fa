/**
 * The calls the local GitHub recorded, named for assertions: a REST call by its operationId and path, a GraphQL
 * request (all on `/graphql`) by its operation name and the repository its variables name.
 */
import type { RecordedRequest } from '../../dev/github/index.js';

export interface NamedCall {
  /** `git/get-ref`, or `graphql DeploySnapshot`. */
  operation: string;
  /** `owner/name` the call is about, when it names one. */
  repo?: string;
}

export function nameCall(request: RecordedRequest): NamedCall {
  if (request.operationId !== 'graphql') {
    const repo = /^\/repos\/([^/]+\/[^/?]+)/.exec(request.path)?.[1];
    return { operation: request.operationId ?? request.path, ...(repo ? { repo } : {}) };
  }
  const body = (request.requestBody ?? {}) as { query?: string; variables?: Record<string, unknown> };
  const name = /\b(?:query|mutation)\s+(\w+)/.exec(body.query ?? '')?.[1] ?? 'anonymous';
  const variables = body.variables ?? {};
  const input = variables.input as { branch?: { repositoryNameWithOwner?: string } } | undefined;
  const repo =
    typeof variables.owner === 'string' && typeof variables.name === 'string'
      ? `${variables.owner}/${variables.name}`
      : input?.branch?.repositoryNameWithOwner;
  return { operation: `graphql ${name}`, ...(repo ? { repo } : {}) };
}

/** The operations of `requests` about `repo`, in order. */
export function callsTo(requests: readonly RecordedRequest[], repo: string): string[] {
  return requests
    .map(nameCall)
    .filter((call) => call.repo === repo)
    .map((call) => call.operation);
}

/** GraphQL requests are checked against GitHub's schema by the local GitHub itself, not the REST description. */
export const isRest = (request: RecordedRequest): boolean => request.operationId !== 'graphql';
