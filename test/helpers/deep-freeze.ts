/**
 * Freezes a value and everything it reaches: a fixture shared by many tests (loaded once to save the time) then
 * cannot be changed by one of them, or by the code under test, without a throw instead of a silent effect on the
 * next test.
 * @module
 */
export function deepFreeze<T>(value: T, seen = new Set<object>()): T {
  if (value && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child, seen);
  }
  return value;
}
