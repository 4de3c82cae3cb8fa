/**
 * Regular expressions from a repo (schema `pattern`, `patternProperties`) run only in RE2's linear-time engine:
 * JavaScript's backtracking RegExp takes ~40 s for `^(a|a)*$` on a 28-character string.
 * @module
 */
import { RE2JS } from 're2js';

const compiled = new Map<string, RE2JS | undefined>();

/** The pattern compiled by RE2, or undefined when RE2 refuses it (backreferences, lookaround…). Memoised. */
export function compileLinear(pattern: string): RE2JS | undefined {
  if (!compiled.has(pattern)) {
    let re: RE2JS | undefined;
    try {
      re = RE2JS.compile(pattern);
    } catch {
      re = undefined;
    }
    compiled.set(pattern, re);
  }
  return compiled.get(pattern);
}

/**
 * The part of the RegExp interface JSON Schema validators use (`test`), on RE2. A plain function, so it serves
 * both as a `new RegExp(p, 'u')` stand-in and as Ajv's `code.regExp` (called without `new`). RE2 is Unicode-aware
 * whatever the flags, which are ignored.
 */
export function linearRegExp(pattern: string): { test(text: string): boolean } {
  const re = compileLinear(String(pattern));
  if (!re) throw new SyntaxError(`pattern not supported by a linear-time engine: ${pattern}`);
  return { test: (text) => re.matcher(String(text)).find() };
}
// Ajv names the function in code it generates.
linearRegExp.code = 'linearRegExp';

/**
 * Run `validate` with the global `RegExp` constructor replaced by RE2. The JSON Schema validator
 * (@cfworker/json-schema) builds its regexes with `new RegExp(pattern, 'u')` and offers no engine option; it
 * runs synchronously, so nothing else can observe the swap, and `finally` restores the original. Regex
 * literals (ours and the validator's) are not affected: they never go through the global binding.
 */
export function withLinearRegExp<T>(validate: () => T): T {
  const original = globalThis.RegExp;
  globalThis.RegExp = linearRegExp as unknown as RegExpConstructor;
  try {
    return validate();
  } finally {
    globalThis.RegExp = original;
  }
}
