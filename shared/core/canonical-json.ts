/**
 * JSON with object keys sorted (and `undefined` members dropped, as JSON does): equal values written in any key
 * order give the same text, for comparing and hashing them.
 * @module
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
