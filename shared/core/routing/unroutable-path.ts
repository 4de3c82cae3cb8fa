/**
 * Paths a proxy cannot route as written: the one rule `render` (which then does not expose the operation) and
 * `check` (routing step) both apply, so they report the same `path-unroutable` error word for word.
 *
 * A request's path never carries `?` or `#` (query and fragment are split off first), a space or a control
 * character (not allowed in a request line), or non-ASCII (clients percent-encode it). A normalising proxy
 * (Envoy `normalize_path`, `merge_slashes`, `path_with_escaped_slashes_action`) rewrites `.`/`..` segments,
 * empty segments, `%2F`/`%5C`, percent-encoded unreserved characters (`%2E`, `%41`…) and lower-case hex
 * (`%2f`), so a match written with them either never matches or matches something else than the spec says.
 * `{param}` templates are not judged here (their values are matched by the segment regex).
 * @module
 */

/** Why `path` (base path + OpenAPI path, templates included) cannot be routed as written; undefined if it can. */
export function findUnroutablePath(path: string): string | undefined {
  const literal = path.replace(/\{[^{}/]*\}/g, 'p');
  if (!literal.startsWith('/')) return 'it does not start with "/"';
  const bad = /[?#]|[\s\p{Cc}]|[^\p{ASCII}]/u.exec(literal);
  if (bad) {
    const char = bad[0];
    const name =
      char === '?'
        ? '"?" (the query string is not part of the path)'
        : char === '#'
          ? '"#" (a fragment is never sent)'
          : /\s/.test(char)
            ? 'whitespace'
            : /\p{Cc}/u.test(char)
              ? 'a control character'
              : 'a non-ASCII character (clients percent-encode it)';
    return `it contains ${name}`;
  }
  const segments = literal.split('/').slice(1);
  for (const [index, segment] of segments.entries()) {
    if (segment === '.' || segment === '..')
      return `it has a "${segment}" segment, which a normalising proxy resolves away`;
    if (segment === '' && index < segments.length - 1)
      return 'it has an empty segment ("//"), which a normalising proxy merges';
  }
  for (const match of literal.matchAll(/%(.{0,2})/g)) {
    const hex = match[1]!;
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return `it has a "%" that is not a percent-encoding ("%${hex}")`;
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    if (hex !== hex.toUpperCase())
      return `it has the percent-encoding "%${hex}" in lower case, which a normalising proxy upper-cases`;
    if (char === '/' || char === '\\')
      return `it has "%${hex}" (an encoded "${char}"), which a proxy may decode into a path separator`;
    if (/[A-Za-z0-9\-._~]/.test(char))
      return `it has "%${hex}" (an encoded "${char}"), which a normalising proxy decodes`;
  }
  return undefined;
}

/** The `path-unroutable` message, the same in every caller. */
export function describeUnroutablePath(path: string, reason: string): string {
  return `path ${quote(path)} cannot be routed as written: ${reason}; it is not exposed`;
}

/** A JSON string with every non-printable-ASCII character escaped, safe in any message. */
function quote(text: string): string {
  return JSON.stringify(text).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
