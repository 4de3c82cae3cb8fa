/**
 * Paths with a `#` fragment. Some descriptions tell operations of one path apart by a query-style action after a
 * `#` (AWS: `/#Action=CreateQueue`, Box: `/files/{id}#update`), but no client sends a fragment, so a route
 * matching it as text matches nothing. The fragment is routed when it says what the requests carry instead: every
 * `name=value` pair (joined by `&`) is a query parameter the operation declares (`in: query`; a declared `enum`
 * must allow the value), and becomes an Exact query-parameter match (MeshHTTPRoute `matches[].queryParams`).
 * Names and values are limited to unreserved characters, which clients never percent-encode, so Envoy compares
 * them as the client wrote them. Anything else (`#update`, an undeclared name) cannot be routed: render and check
 * report `path-unroutable` on the path line and the operation is not exposed.
 * @module
 */
import { isObject } from '../kuma/render/resolve-ref.js';

/** One query-parameter match, Exact. */
export interface QueryMatch {
  name: string;
  value: string;
}

/** `/x#Action=Y` → `{ path: '/x', fragment: 'Action=Y' }`; a path without `#` → `{ path }`. */
export function splitFragment(path: string): { path: string; fragment?: string } {
  const at = path.indexOf('#');
  return at < 0 ? { path } : { path: path.slice(0, at), fragment: path.slice(at + 1) };
}

const unreserved = /^[A-Za-z0-9._~-]+$/;

/**
 * The query matches a fragment stands for, given the operation's query parameters by name (already
 * `$ref`-resolved, OpenAPI 3 or Swagger 2), or why it stands for none (a reason for `path-unroutable`).
 */
export function readFragmentQuery(
  fragment: string,
  queryParameters: ReadonlyMap<string, Record<string, unknown>>,
  /** The operation's method, for the reason. */
  method: string,
): { query: QueryMatch[] } | { reason: string } {
  const fragmentText = JSON.stringify(`#${fragment}`);
  const never = `it contains the fragment ${fragmentText}, which no request carries`;
  const query: QueryMatch[] = [];
  for (const pair of fragment.split('&')) {
    const at = pair.indexOf('=');
    if (at < 0)
      return { reason: `${never} (only "#name=value" pairs of declared query parameters can be routed)` };
    const name = pair.slice(0, at);
    const value = pair.slice(at + 1);
    if (!unreserved.test(name) || !unreserved.test(value))
      return {
        reason: `${never} ("${pair}" is not a plain name=value pair: letters, digits and "-._~" only)`,
      };
    if (query.some((match) => match.name === name))
      return { reason: `${never} (query parameter "${name}" is given twice)` };
    const parameter = queryParameters.get(name);
    if (!parameter)
      return {
        reason: `${never} ("${name}" is not a query parameter ${method} declares, so its requests are not known to carry it)`,
      };
    const schema = isObject(parameter.schema) ? parameter.schema : parameter;
    if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => String(allowed) === value))
      return { reason: `${never} (${method}'s query parameter "${name}" does not allow "${value}")` };
    query.push({ name, value });
  }
  return { query };
}
