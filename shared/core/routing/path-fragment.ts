/**
 * Paths with a `#` fragment. Some descriptions tell operations of one path apart by an action after a `#`
 * (AWS: `/#Action=CreateQueue`, `/#X-Amz-Target=Lightsail_20161128.GetBlueprints`; Box: `/files/{id}#update`),
 * but no client sends a fragment, so a route matching it as text matches nothing. The fragment is routed when
 * it says what the requests carry instead: every `name=value` pair (joined by `&`) is a parameter the
 * operation declares in the query (an Exact `queryParams` match) or in a header (an Exact `headers` match, the
 * name lower-cased: header names are case-insensitive), and a declared `enum` must allow the value. OpenAPI
 * ignores header parameters named Accept, Content-Type and Authorization, so they do not count. Names and
 * values are limited to unreserved characters, which clients never percent-encode, so Envoy compares them as
 * the client wrote them. Anything else (`#update`, an undeclared name) cannot be routed: render and check
 * report `path-unroutable` on the path line and the operation is not exposed.
 * @module
 */
import { isObject } from '../kuma/render/resolve-ref.js';

/** One Exact match on a query parameter or a header (lower-case name) the requests of an operation carry. */
export interface RequestMatch {
  in: 'query' | 'header';
  name: string;
  value: string;
}

/** `/x#Action=Y` → `{ path: '/x', fragment: 'Action=Y' }`; a path without `#` → `{ path }`. */
export function splitFragment(path: string): { path: string; fragment?: string } {
  const at = path.indexOf('#');
  return at < 0 ? { path } : { path: path.slice(0, at), fragment: path.slice(at + 1) };
}

const unreserved = /^[A-Za-z0-9._~-]+$/;
const ignoredHeaders = new Set(['accept', 'content-type', 'authorization']);

/** An operation's declared parameters by name (already `$ref`-resolved, OpenAPI 3 or Swagger 2). */
export interface DeclaredParameters {
  query: ReadonlyMap<string, Record<string, unknown>>;
  header: ReadonlyMap<string, Record<string, unknown>>;
}

/**
 * The matches a fragment stands for, or why it stands for none (a reason for `path-unroutable`). `method`
 * names the operation in the reason.
 */
export function readFragmentMatches(
  fragment: string,
  declared: DeclaredParameters,
  method: string,
): { matches: RequestMatch[] } | { reason: string } {
  const never = `it contains the fragment ${JSON.stringify(`#${fragment}`)}, which no request carries`;
  const headers = new Map(
    [...declared.header]
      .filter(([name]) => !ignoredHeaders.has(name.toLowerCase()))
      .map(([name, parameter]) => [name.toLowerCase(), parameter]),
  );
  const matches: RequestMatch[] = [];
  for (const pair of fragment.split('&')) {
    const at = pair.indexOf('=');
    if (at < 0)
      return {
        reason: `${never} (only "#name=value" pairs of declared query or header parameters can be routed)`,
      };
    const name = pair.slice(0, at);
    const value = pair.slice(at + 1);
    if (!unreserved.test(name) || !unreserved.test(value))
      return {
        reason: `${never} ("${pair}" is not a plain name=value pair: letters, digits and "-._~" only)`,
      };
    const query = declared.query.get(name);
    const header = query ? undefined : headers.get(name.toLowerCase());
    const match: RequestMatch = query
      ? { in: 'query', name, value }
      : { in: 'header', name: name.toLowerCase(), value };
    if (matches.some((other) => other.in === match.in && other.name === match.name))
      return { reason: `${never} (parameter "${name}" is given twice)` };
    const parameter = query ?? header;
    if (!parameter)
      return {
        reason: `${never} ("${name}" is not a query or header parameter ${method} declares, so its requests are not known to carry it)`,
      };
    const schema = isObject(parameter.schema) ? parameter.schema : parameter;
    if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => String(allowed) === value))
      return { reason: `${never} (${method}'s ${match.in} parameter "${name}" does not allow "${value}")` };
    matches.push(match);
  }
  return { matches };
}
