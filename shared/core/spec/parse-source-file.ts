/**
 * Bytes of one repo file → a SourceFile (parsed value + pointer → position), or findings saying why not.
 * Hostile input is expected: oversized files, binary data, YAML alias bombs and absurd nesting all end up as
 * findings, never as exceptions.
 * @module
 */
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import { LineCounter, parseDocument } from 'yaml';
import type { Finding } from '../findings.js';
import { buildPointer } from './json-pointer.js';
import { buildLineStarts, positionAt } from './line-index.js';
import { createJsonLocator, findJsonDuplicateKey } from './locate-json.js';
import { locateInYaml } from './locate-yaml.js';
import { buildLoadFinding, fileStart } from './spec-finding.js';
import type { LoadLimits, SourceFile } from './types.js';
import { type AliasProblem, findAliasProblem } from './yaml-alias-budget.js';
import { type DuplicateKey, findYamlDuplicateKey } from './yaml-duplicate-key.js';

export interface ParsedSource {
  /** Undefined when the file cannot be used at all; `findings` then says why. */
  file: SourceFile | undefined;
  findings: Finding[];
}

type ParseLimits = Pick<LoadLimits, 'maxFileBytes' | 'maxAliasCount' | 'maxExpandedBytes' | 'maxDepth'>;

export function parseSourceFile(path: string, bytes: Uint8Array, limits: ParseLimits): ParsedSource {
  if (bytes.byteLength > limits.maxFileBytes) {
    const message = `${path} is ${formatBytes(bytes.byteLength)}, over the limit of ${formatBytes(limits.maxFileBytes)} per file`;
    return failed(buildLoadFinding('file-too-large', message, fileStart(path)));
  }
  const text = decodeText(bytes);
  if (text === undefined) {
    const message = `${path} is not a text file (binary data or invalid UTF-8); expected OpenAPI YAML or JSON`;
    return failed(buildLoadFinding('not-openapi', message, fileStart(path)));
  }
  return /\.json$/i.test(path) ? parseJson(path, text, limits) : parseYaml(path, text, limits);
}

function parseJson(path: string, text: string, limits: ParseLimits): ParsedSource {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return failed(jsonSyntaxFinding(path, text));
  }
  const duplicate = findJsonDuplicateKey(text);
  if (duplicate) {
    const lineStarts = buildLineStarts(text);
    const at = (offset: number) => positionAt(lineStarts, offset);
    return failed(duplicateKeyFinding(path, 'JSON', duplicate, at));
  }
  const file: SourceFile = { path, format: 'json', value, locate: createJsonLocator(text) };
  return checkDepth(file, limits.maxDepth);
}

function jsonSyntaxFinding(path: string, text: string): Finding {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  const position = positionAt(buildLineStarts(text), first?.offset ?? 0);
  const reason = first ? printParseErrorCode(first.error) : 'not valid JSON';
  return buildLoadFinding('yaml-syntax', `JSON syntax error: ${reason}`, {
    file: path,
    ...position,
    pointer: '',
  });
}

function parseYaml(path: string, text: string, limits: ParseLimits): ParsedSource {
  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  try {
    // Duplicate keys are found afterwards, in linear time: the parser's own check is quadratic per map.
    doc = parseDocument(text, { lineCounter, uniqueKeys: false, merge: true, prettyErrors: false });
  } catch (error) {
    return failed(tooDeepOrRethrow(path, limits.maxDepth, error));
  }
  if (doc.errors.length > 0) {
    return {
      file: undefined,
      findings: doc.errors.slice(0, 10).map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const place = { file: path, line, column: col, pointer: '' };
        // The parser reports its own stack overflow as a syntax error: it is a nesting problem.
        if (/call stack/i.test(error.message)) {
          const message = `${path} is nested too deeply to parse (limit ${limits.maxDepth} levels)`;
          return buildLoadFinding('too-deep', message, place);
        }
        return buildLoadFinding('yaml-syntax', `YAML syntax error: ${firstLine(error.message)}`, place);
      }),
    };
  }
  const locate = (pointer: string) => locateInYaml(doc, lineCounter, pointer);
  let value: unknown;
  try {
    const duplicate = findYamlDuplicateKey(doc);
    if (duplicate) {
      const at = (offset: number) => {
        const { line, col } = lineCounter.linePos(offset);
        return { line, column: col };
      };
      return failed(duplicateKeyFinding(path, 'YAML', duplicate, at));
    }
    const aliasProblem = findAliasProblem(doc, limits.maxExpandedBytes);
    if (aliasProblem) return failed(aliasFinding(path, aliasProblem, limits, lineCounter));
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      const message = `${path} expands YAML aliases more than ${limits.maxAliasCount} times (a "billion laughs" guard); inline the repeated content or use $ref`;
      return failed(
        buildLoadFinding('yaml-alias-limit', message, {
          file: path,
          ...firstAliasPosition(text, lineCounter),
          pointer: '',
        }),
      );
    }
    return failed(tooDeepOrRethrow(path, limits.maxDepth, error));
  }
  return checkDepth({ path, format: 'yaml', value, locate }, limits.maxDepth);
}

/** Duplicate keys are refused in YAML and JSON alike: a parser would silently keep one of the values. */
function duplicateKeyFinding(
  path: string,
  format: 'YAML' | 'JSON',
  { key, offset, firstOffset }: DuplicateKey,
  at: (offset: number) => { line: number; column: number },
): Finding {
  const message = `${format} syntax error: duplicate key ${JSON.stringify(key)} (first on line ${at(firstOffset).line}); keys must be unique`;
  return buildLoadFinding('yaml-syntax', message, { file: path, ...at(offset), pointer: '' });
}

function aliasFinding(
  path: string,
  problem: AliasProblem,
  limits: ParseLimits,
  lineCounter: LineCounter,
): Finding {
  const { line, col } = lineCounter.linePos(problem.offset);
  const place = { file: path, line, column: col, pointer: '' };
  const alias = `*${problem.alias}`;
  switch (problem.kind) {
    case 'unknown':
      return buildLoadFinding(
        'yaml-syntax',
        `YAML syntax error: alias ${alias} has no anchor before it`,
        place,
      );
    case 'cycle':
      return buildLoadFinding(
        'yaml-alias-limit',
        `${path}: alias ${alias} refers to a node that contains it, so its expansion never ends`,
        place,
      );
    case 'too-large':
      return buildLoadFinding(
        'yaml-alias-limit',
        `${path}: alias ${alias} expands the document past ${formatBytes(limits.maxExpandedBytes)} (a "billion laughs" guard); inline the repeated content or use $ref`,
        place,
      );
  }
}

/** Reject documents nested deeper than the limit: every later stage walks them recursively. */
function checkDepth(file: SourceFile, maxDepth: number): ParsedSource {
  const tooDeep = findTooDeep(file.value, maxDepth);
  if (tooDeep === undefined) return { file, findings: [] };
  const message = `${file.path} is nested more than ${maxDepth} levels deep; flatten it or move parts into components`;
  return failed(
    buildLoadFinding('too-deep', message, { file: file.path, ...file.locate(buildPointer(tooDeep)) }),
  );
}

/**
 * Path to the first node deeper than `maxDepth`, or undefined. Recursion is bounded by `maxDepth`; the path is
 * only built on the way back from a find (building a pointer per node cost ~50 ms on a 13 MB spec).
 */
function findTooDeep(value: unknown, maxDepth: number, depth = 0): string[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= maxDepth) return [];
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (child === null || typeof child !== 'object') continue;
    const found = findTooDeep(child, maxDepth, depth + 1);
    if (found !== undefined) {
      found.unshift(key);
      return found;
    }
  }
  return undefined;
}

function tooDeepOrRethrow(path: string, maxDepth: number, error: unknown): Finding {
  if (error instanceof RangeError) {
    const message = `${path} is nested too deeply to parse (limit ${maxDepth} levels)`;
    return buildLoadFinding('too-deep', message, fileStart(path));
  }
  throw error;
}

function firstAliasPosition(text: string, lineCounter: LineCounter): { line: number; column: number } {
  const match = /(^|[\s[{,:-])\*[^\s,\]}]+/m.exec(text);
  const offset = match ? match.index + (match[1]?.length ?? 0) : 0;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function failed(finding: Finding): ParsedSource {
  return { file: undefined, findings: [finding] };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}
