/**
 * HTTP plumbing shared by the routes: GitHub-style errors, `Link` pagination, the handler and route types.
 * @module
 */
import type { Hub } from './hub.js';
import type { AppRecord, InstallationRecord, RepoRecord } from './state.js';

export const DOCS = 'https://docs.github.com/rest';

/** Thrown by handlers; rendered as GitHub's `{ message, documentation_url }` body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = () => new HttpError(404, 'Not Found', { status: '404' });

export function unprocessable(message: string, errors?: Record<string, unknown>[]): HttpError {
  return new HttpError(422, message, { status: '422', ...(errors ? { errors } : {}) });
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  hub: Hub;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body (an empty object when there is none). */
  body: Record<string, unknown>;
  /** Set on repo routes once the installation token was checked against the repo's owner. */
  repo: RepoRecord;
  installation?: InstallationRecord;
  app?: AppRecord;
  url: URL;
  /** The request's `accept` header ('' when absent). */
  accept: string;
}

export type Handler = (ctx: RouteContext) => Promise<Reply> | Reply;

/** One line of the route table (`routes.ts`). */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH';
  /** A Hono path pattern. */
  path: string;
  /** The operationId in `@octokit/openapi`, e.g. `checks/create`. */
  operationId: string;
  /** `jwt`: the App's JWT; `installation`: an installation token for the repo's owner. */
  auth: 'jwt' | 'installation';
  handle: Handler;
}

/** Slices `items` by `per_page`/`page` and builds GitHub's `Link` header for the request URL. */
export function paginate<T>(items: T[], url: URL): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
  const current = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const page = items.slice((current - 1) * perPage, current * perPage);
  const link = (n: number, rel: string) => {
    const target = new URL(url);
    target.searchParams.set('per_page', String(perPage));
    target.searchParams.set('page', String(n));
    return `<${target}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (current > 1) links.push(link(current - 1, 'prev'));
  if (current < last) links.push(link(current + 1, 'next'), link(last, 'last'));
  if (current > 1) links.push(link(1, 'first'));
  return { page, headers: links.length > 0 ? { link: links.join(', ') } : {} };
}

/** Reads a required string field of a request body, or answers 422 like GitHub. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw unprocessable(`Invalid request.\n\n"${field}" wasn't supplied.`, [
      { resource: 'Request', field, code: 'missing_field' },
    ]);
  }
  return value;
}
