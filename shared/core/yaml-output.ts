/**
 * YAML that every parser reads the same way: ours (YAML 1.2), go-yaml v2/v3 and sigs.k8s.io/yaml (kubectl,
 * Argo CD, Flux) and PyYAML (YAML 1.1). The one place where repo-derived text becomes generated-file bytes.
 *
 * - A string with any character outside printable ASCII and LF is written double-quoted with `\uXXXX` escapes,
 *   so the file holds no byte a YAML 1.1 parser could take for a line break (U+2028, U+2029, NEL, CR), a BOM or
 *   a control character.
 * - A string the library would write plain but that YAML 1.1 resolves to something else (`yes`, `on`, `1:20`,
 *   `2024-01-01`, `0755`…) is double-quoted too.
 * - Comment text keeps printable ASCII only; everything else is percent-encoded.
 * - Finally the emitted text is parsed back as YAML 1.1 and 1.2 and compared with the value it was meant to
 *   hold: a difference throws, so a file two parsers read differently is never written.
 * @module
 */
import { Composer, Parser, parse, parseAllDocuments, type Scalar, stringify } from 'yaml';
import { stringifyString, stringTag } from 'yaml/util';
import { canonicalJson } from './canonical-json.js';

/** Thrown when emitted YAML would not read back as the intended value in every parser: a bug, never output. */
export class YamlParityError extends Error {
  override name = 'YamlParityError';
}

const printableAscii = /^[\x20-\x7e]*$/;
/** Left to the library's choice of style (plain, quoted, block literal for multi-line text). */
const asciiText = /^[\x20-\x7e\n]*$/;
/** Plain scalars YAML 1.1 gives a meaning of its own even though they resolve to strings in our library. */
const yaml11Indicators = new Set(['=', '<<']);
/** YAML 1.1 booleans and null, lower-cased (its resolvers accept lower, Capitalised and UPPER forms). */
const yaml11Words = new Set(['y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null']);

/** The core schema's `str` tag with our choice of style; listed first, so it wins for every string. */
const parityString: typeof stringTag = {
  ...stringTag,
  stringify(item, ctx, onComment, onChompKeep) {
    const value = String((item as Scalar).value);
    if (!asciiText.test(value)) return escapeDoubleQuoted(value);
    const written = stringifyString(item as Scalar, { ...ctx, actualString: true }, onComment, onChompKeep);
    return written === value && !isStringInYaml11(value) ? escapeDoubleQuoted(value) : written;
  },
};

/**
 * YAML text of a JSON-like value, deterministic (fixed key order, no anchors, no folding) and read alike by
 * every parser, after a comment of `commentLines` (each already printable ASCII, e.g. from escapeLineText);
 * throws YamlParityError otherwise.
 */
export function stringifyYaml(value: unknown, commentLines: readonly string[] = []): string {
  const comment = commentLines.map((line) => {
    if (!printableAscii.test(line)) throw new YamlParityError('a YAML comment line must be printable ASCII');
    return `# ${line}\n`;
  });
  const text =
    comment.join('') +
    stringify(value, {
      aliasDuplicateObjects: false,
      lineWidth: 0,
      minContentWidth: 0,
      customTags: (tags) => [parityString, ...tags],
    });
  assertYamlParity(text, [value]);
  return text;
}

/**
 * Throws YamlParityError unless `text` holds exactly `documents` (compared as JSON) when read as YAML 1.2 and
 * as YAML 1.1, and holds only printable ASCII and line feeds (what go-yaml and PyYAML treat no differently).
 */
export function assertYamlParity(text: string, documents: readonly unknown[]): void {
  const stray = /[^\n\x20-\x7e]/.exec(text);
  if (stray) {
    throw new YamlParityError(
      `generated YAML holds U+${stray[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at offset ${stray.index}`,
    );
  }
  const expected = documents.map(canonicalJson);
  // The syntax tree does not depend on the version (only how scalars resolve does): parsed once, composed
  // once per version.
  const tokens = [...new Parser().parse(text)];
  for (const version of ['1.2', '1.1'] as const) {
    const docs = [...new Composer({ version, uniqueKeys: true }).compose(tokens)];
    if (docs.some((doc) => doc.errors.length > 0 || doc.warnings.length > 0)) {
      // Parsed again for the message with its line and column.
      const problem = parseAllDocuments(text, { version, uniqueKeys: true });
      const first = (Array.isArray(problem) ? problem : [problem]).flatMap((doc) => [
        ...doc.errors,
        ...doc.warnings,
      ])[0];
      throw new YamlParityError(`generated YAML does not parse as YAML ${version}: ${first?.message}`);
    }
    const actual = docs.map((doc) => canonicalJson(doc.toJS({ maxAliasCount: 0 })));
    if (actual.length !== expected.length || actual.some((json, i) => json !== expected[i])) {
      throw new YamlParityError(`generated YAML reads differently as YAML ${version} than what was rendered`);
    }
  }
}

/**
 * Text for one line of a comment, commit message or other line-based output: printable ASCII stays, every other
 * character (line breaks of any parser, controls, BOM, non-ASCII) and `%` itself become UTF-8 percent escapes,
 * as do the characters in `alsoEscape` (separators of the line's own syntax).
 */
export function escapeLineText(text: string, alsoEscape = ''): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const plain = code >= 0x20 && code <= 0x7e && char !== '%' && !alsoEscape.includes(char);
    out += plain ? char : percentEncode(char);
  }
  return out;
}

function percentEncode(char: string): string {
  // TextEncoder writes a lone surrogate as U+FFFD: the line stays valid UTF-8 (and ASCII here).
  return [...new TextEncoder().encode(char)]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
}

/**
 * Whether a plain scalar stays a string for YAML 1.1. Only its booleans and nulls are words; every other
 * non-string form (numbers, sexagesimals, timestamps, `.inf`, `=`, `<<`) starts with one of `0-9+-.~=<`: the
 * rest needs no parse.
 */
function isStringInYaml11(value: string): boolean {
  if (!/^[0-9+\-.~=<]/.test(value) && !yaml11Words.has(value.toLowerCase())) return true;
  if (yaml11Indicators.has(value)) return false;
  try {
    return parse(value, { version: '1.1' }) === value;
  } catch {
    return false;
  }
}

/**
 * A double-quoted scalar using only the escapes every parser shares: `\"`, `\\` and `\uXXXX` (`\UXXXXXXXX`
 * above the BMP). A lone surrogate has no UTF-8 form any other parser could read back: it throws.
 */
function escapeDoubleQuoted(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else if (code >= 0xd800 && code <= 0xdfff) {
      throw new YamlParityError(
        `a lone surrogate (U+${code.toString(16).toUpperCase()}) cannot be written as YAML`,
      );
    } else if (code > 0xffff) out += `\\U${code.toString(16).toUpperCase().padStart(8, '0')}`;
    else out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `${out}"`;
}
