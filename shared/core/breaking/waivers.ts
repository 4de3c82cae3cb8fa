/**
 * Waivers: oasdiff's ignore files (`--err-ignore` / `--warn-ignore`), read from the repo's default branch
 * (`gates.errIgnore` / `gates.warnIgnore`) and matched exactly as oasdiff 1.15 matches them. A file is lines;
 * a line waives a change of its file's level when, both lowercased:
 * - its first whitespace-separated field that starts with `/` is the change's path, exactly;
 * - it contains `METHOD /path` (one space between them);
 * - it contains the change's text as oasdiff prints it (names in backticks).
 * Anything else on the line is free (a leading `- `, a date, a ticket, the order of the two parts). A line with no
 * `/`-field can never match (a comment, a blank line). A waived change is shown, with the waiver's file and line,
 * and does not gate; a waiver that matches no change is a warning on its line.
 * @module
 */
import { repoConfigFile } from '../config/repo-config.js';
import type { Finding } from '../findings.js';
import type { SourceFile } from '../spec/types.js';
import type { BreakingChange } from './breaking-change.js';

/** Larger files are refused whole: nobody reviews a 1 MiB list of exceptions. */
export const maxWaiverFileBytes = 1024 * 1024;

export interface WaiverLine {
  line: number;
  /** The line, lowercased (as oasdiff compares it). */
  text: string;
  /** The first field starting with `/`, lowercased. */
  path: string;
}

export interface WaiverFile {
  /** Path in the repo, e.g. `.oasdiff-err-ignore.txt`. */
  file: string;
  /** `error`: an `--err-ignore` file (waives ERR changes); `warning`: `--warn-ignore` (WARN changes). */
  level: 'error' | 'warning';
  lines: WaiverLine[];
}

/** The `file:line` a waiver is known by (for "used" bookkeeping). */
export function waiverKey(file: string, line: number): string {
  return `${file}:${line}`;
}

/**
 * Parses an ignore file. Refused whole (no waivers, an error on the config key) when it is too large, not UTF-8 or
 * holds a NUL byte: a file nobody can read in a review must not silently waive anything.
 */
export function parseWaiverFile(
  file: string,
  level: 'error' | 'warning',
  bytes: Uint8Array,
): { waivers?: WaiverFile; findings: Finding[] } {
  const refuse = (why: string, line = 1) => ({ findings: [waiverFileUnreadable(file, level, why, line)] });
  if (bytes.length > maxWaiverFileBytes) {
    return refuse(`it has ${bytes.length} bytes, more than the ${maxWaiverFileBytes} allowed`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse('it is not UTF-8 text');
  }
  // oasdiff reads lines with Go's bufio.Scanner: split at LF, a trailing CR dropped; nothing else ends a line.
  const raw = text.replace(/^\uFEFF/, '').split('\n');
  const nul = raw.findIndex((line) => line.includes('\u0000'));
  if (nul >= 0) return refuse('it holds a NUL byte (a binary file?)', nul + 1);
  const lines = raw.flatMap((line, index) => {
    const lower = line.replace(/\r$/, '').toLowerCase();
    const path = lower.split(/\s+/).find((field) => field.startsWith('/'));
    return path ? [{ line: index + 1, text: lower, path }] : [];
  });
  return { waivers: { file, level, lines }, findings: [] };
}

/** The first line of `files` that waives `change`, or undefined. */
export function findWaiver(
  change: BreakingChange,
  files: readonly WaiverFile[],
): { file: string; line: number } | undefined {
  if (change.severity === 'info' || !change.path) return undefined;
  const path = change.path.toLowerCase();
  const operation = `${change.operation ?? ''} ${change.path}`.toLowerCase();
  const text = change.text.toLowerCase();
  for (const file of files) {
    if (file.level !== change.severity) continue;
    const match = file.lines.find(
      (w) => w.path === path && w.text.includes(operation) && w.text.includes(text),
    );
    if (match) return { file: file.file, line: match.line };
  }
  return undefined;
}

/** Each waiver line that waived nothing: a warning on that line (it may hide a future change, or be a typo). */
export function unusedWaivers(files: readonly WaiverFile[], used: ReadonlySet<string>): Finding[] {
  return files.flatMap((file) =>
    file.lines
      .filter((w) => !used.has(waiverKey(file.file, w.line)))
      .map(
        (w): Finding => ({
          kind: 'validation',
          id: 'breaking-waiver-unused',
          severity: 'warning',
          message: `this waiver matches no ${file.level === 'error' ? 'ERR' : 'WARN'}-level breaking change: remove it, or fix it to name the method, path and change text exactly as reported`,
          file: file.file,
          line: w.line,
          column: 1,
          pointer: '',
        }),
      ),
  );
}

function waiverFileUnreadable(file: string, level: 'error' | 'warning', why: string, line: number): Finding {
  return {
    kind: 'validation',
    id: 'breaking-waivers-unreadable',
    severity: 'error',
    message: `waiver file ${file} (gates.${level === 'error' ? 'errIgnore' : 'warnIgnore'}) is not used: ${why}; no change is waived by it`,
    file,
    line,
    column: 1,
    pointer: '',
  };
}

/** `config`: the config file that names the waiver file (root or `.github/`), on the line that names it. */
export function waiverFileNotFound(
  file: string,
  level: 'error' | 'warning',
  config?: Pick<SourceFile, 'path' | 'locate'>,
): Finding {
  const key = level === 'error' ? 'errIgnore' : 'warnIgnore';
  const pointer = `/gates/${key}`;
  const configPath = config?.path ?? repoConfigFile;
  return {
    kind: 'validation',
    id: 'breaking-waivers-not-found',
    severity: 'error',
    message: `waiver file ${file} named in ${configPath} (gates.${key}) does not exist on the branch the gates are read from; no change is waived`,
    file: configPath,
    ...(config ? config.locate(pointer) : { line: 1, column: 1 }),
    pointer,
  };
}
