/**
 * Paths with a `#` fragment. Some descriptions tell operations of one path apart by an action after a `#`
 * (AWS: `/#Action=CreateQueue`, `/#X-Amz-Target=Lightsail_20161128.GetBlueprints`; Box: `/files/{id}#update`),
 * but no client sends a fragment, so a route matching it as text matches nothing. The fragment is routed when
 * it says what the requests carry instead: every `name=value` pair (joined by `&`) is a parameter the
 * operation declares in the query (an Exact `queryParams` match) or in a header (an Exact `headers` match, the
 * name lower-cased: header names are case-insensitive), and a declared `enum` must allow the value. A bare
 * `name` (AWS REST: `/evidenceFileUploadUrl#fileName`) says the parameter is present, whatever its value: a
 * `RegularExpression` `.*` query match (Kuma has no presence match for queries) or a `Present` header match; at
 * most one bare query name, because Kuma 2.14.3 keeps only the last regex query match of a rule
 * (`gateway_routes.go` appends each to the Exact list, replacing the previous one). OpenAPI
 * ignores header parameters named Accept, Content-Type and Authorization, so they do not count. Names and
 * values are limited to unreserved characters, which clients never percent-encode, so Envoy compares them as
 * the client wrote them. Anything else (`#update`, an undeclared name) cannot be routed: render and check
 * report `path-unroutable` on the path line and the operation is not exposed.
 * @module
 */
import { isObject } from '../kuma/render/resolve-ref.js';

/** A query parameter or header (lower-case name) the requests of an operation carry, with this value or any. */
export interface RequestMatch {
  in: 'query' | 'header';
  name: string;
  /** Undefined: present with any value. */
  value?: string;
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
    const name = at < 0 ? pair : pair.slice(0, at);
    const value = at < 0 ? undefined : pair.slice(at + 1);
    if (!unreserved.test(name) || (value !== undefined && !unreserved.test(value)))
      return {
        reason: `${never} ("${pair}" is not "name" or "name=value" of a declared query or header parameter, in letters, digits and "-._~")`,
      };
    const query = declared.query.get(name);
    const header = query ? undefined : headers.get(name.toLowerCase());
    const match: RequestMatch = {
      in: query ? 'query' : 'header',
      name: query ? name : name.toLowerCase(),
      ...(value === undefined ? {} : { value }),
    };
    if (matches.some((other) => other.in === match.in && other.name === match.name))
      return { reason: `${never} (parameter "${name}" is given twice)` };
    const parameter = query ?? header;
    if (!parameter)
      return {
        reason: `${never} ("${name}" is not a query or header parameter ${method} declares, so its requests are not known to carry it)`,
      };
    const schema = isObject(parameter.schema) ? parameter.schema : parameter;
    if (
      value !== undefined &&
      Array.isArray(schema.enum) &&
      !schema.enum.some((allowed) => String(allowed) === value)
    )
      return { reason: `${never} (${method}'s ${match.in} parameter "${name}" does not allow "${value}")` };
    matches.push(match);
  }
  if (matches.filter((match) => match.in === 'query' && match.value === undefined).length > 1)
    return {
      reason: `${never} (a gateway rule can require the presence of one query parameter only: Kuma 2.14 keeps the last regex query match)`,
    };
  return { matches };
}
