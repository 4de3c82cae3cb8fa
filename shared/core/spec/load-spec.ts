/**
 * Load one OpenAPI spec through a FileSource: parse the entry and every file it `$ref`s (inside the repo
 * boundary only), and bundle them into one document whose pointers map back to file:line:column.
 * Bad input never throws: each problem is a `validation` finding on the file and line it is about.
 * @module
 */

import type { Finding, SourcePosition } from '../findings.js';
import { bundleSpec } from './bundle-spec.js';
import { detectVersion } from './detect-version.js';
import type { FileSource } from './file-source.js';
import { parseSourceFile } from './parse-source-file.js';
import { resolveRefTarget } from './ref-target.js';
import { buildLoadFinding, fileStart } from './spec-finding.js';
import { defaultLoadLimits, type LoadedSpec, type LoadLimits, type SourceFile } from './types.js';

/** What reading one file for the bundler gave. */
export type ReadResult =
  | { kind: 'ok'; file: SourceFile }
  | { kind: 'missing' }
  | { kind: 'unusable' }
  | { kind: 'limit'; message: string };

/**
 * Rejects only when the FileSource itself fails (I/O error, unknown git ref): that is the environment, not the
 * spec. Everything wrong with the spec is in `findings`.
 */
export async function loadSpec(
  source: FileSource,
  entry: string,
  limits?: Partial<LoadLimits>,
): Promise<LoadedSpec> {
  const effective: LoadLimits = { ...defaultLoadLimits, ...limits };
  const findings: Finding[] = [];
  const target = resolveRefTarget(entry.replaceAll('\\', '/'), '');
  const entryPath = target.kind === 'target' ? target.file : entry;
  const files = new Map<string, SourceFile>();
  const empty = (): LoadedSpec => ({
    entry: entryPath,
    files,
    version: undefined,
    bundle: undefined,
    findings,
    locate: () => fileStart(entryPath),
  });

  if (target.kind === 'refused' || target.pointer !== '') {
    findings.push(
      buildLoadFinding(
        'file-not-found',
        `${entry} is not a path inside ${source.description}`,
        fileStart(entryPath),
      ),
    );
    return empty();
  }
  const read = createReader(source, effective, files, findings);
  const entryResult = await read(entryPath);
  if (entryResult.kind !== 'ok') {
    if (entryResult.kind === 'missing') {
      findings.push(
        buildLoadFinding(
          'file-not-found',
          `${entryPath} not found in ${source.description}`,
          fileStart(entryPath),
        ),
      );
    }
    return empty();
  }
  const entryFile = entryResult.file;
  const detected = detectVersion(entryFile.value);
  if (detected.kind !== 'openapi') {
    const message =
      detected.kind === 'unsupported'
        ? `${entryPath} declares ${detected.declared}; supported are swagger 2.0 and openapi 3.0.x / 3.1.x`
        : `${entryPath} is not an OpenAPI document: it has no "openapi" or "swagger" field at the top level`;
    const id = detected.kind === 'unsupported' ? 'openapi-version-unsupported' : 'not-openapi';
    findings.push(
      buildLoadFinding(id, message, {
        file: entryPath,
        ...entryFile.locate(detected.kind === 'unsupported' ? '/openapi' : ''),
      }),
    );
    return empty();
  }
  const bundled = await bundleSpec(entryFile, detected.version, read);
  findings.push(...bundled.findings);
  return {
    entry: entryPath,
    files,
    version: detected.version,
    bundle: bundled.bundle,
    findings: dedupeFindings(findings),
    locate: (bundlePointer) => locateInFiles(files, bundled.origin(bundlePointer)),
  };
}

/**
 * Read and parse one YAML/JSON file that is not a spec (e.g. the repo config), with the same hostile-input
 * limits: undefined when the file does not exist, `{ findings }` when it cannot be used.
 */
export async function loadSourceFile(
  source: FileSource,
  path: string,
  limits?: Partial<LoadLimits>,
): Promise<SourceFile | { findings: Finding[] } | undefined> {
  const bytes = await source.read(path);
  if (bytes === undefined) return undefined;
  const parsed = parseSourceFile(path, bytes, { ...defaultLoadLimits, ...limits });
  return parsed.file ?? { findings: parsed.findings };
}

/** Read and parse files once each, within the file-count and total-size limits; parse findings go to `findings`. */
function createReader(
  source: FileSource,
  limits: LoadLimits,
  files: Map<string, SourceFile>,
  findings: Finding[],
) {
  const results = new Map<string, Promise<ReadResult>>();
  let totalBytes = 0;
  let overTotal = false;
  const readOnce = async (path: string): Promise<ReadResult> => {
    if (results.size >= limits.maxFiles) {
      return {
        kind: 'limit',
        message: `this spec $refs more than ${limits.maxFiles} files (the limit); ${path} and every file after it were not read`,
      };
    }
    const bytes = await source.read(path);
    if (bytes === undefined) return { kind: 'missing' };
    totalBytes += bytes.byteLength;
    if (totalBytes > limits.maxTotalBytes) {
      // Reported once, on the first file past the limit: the files after it share the cause.
      if (overTotal) return { kind: 'unusable' };
      overTotal = true;
      findings.push(
        buildLoadFinding(
          'file-too-large',
          `the files of this spec add up to more than ${limits.maxTotalBytes} bytes; ${path} and every file after it were not parsed`,
          fileStart(path),
        ),
      );
      return { kind: 'unusable' };
    }
    const parsed = parseSourceFile(path, bytes, limits);
    findings.push(...parsed.findings);
    if (!parsed.file) return { kind: 'unusable' };
    files.set(path, parsed.file);
    return { kind: 'ok', file: parsed.file };
  };
  return (path: string): Promise<ReadResult> => {
    let result = results.get(path);
    if (!result) {
      result = readOnce(path);
      results.set(path, result);
    }
    return result;
  };
}

function locateInFiles(
  files: ReadonlyMap<string, SourceFile>,
  origin: { file: string; pointer: string },
): SourcePosition {
  const file = files.get(origin.file);
  if (!file) return fileStart(origin.file);
  return { file: origin.file, ...file.locate(origin.pointer) };
}

function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.file}:${f.line}:${f.column}:${f.id}:${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
