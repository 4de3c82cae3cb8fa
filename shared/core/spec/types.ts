/**
 * What the spec loader hands to every check: the parsed files with their source maps, and one bundled
 * document (all `$ref`s internal) whose pointers map back to the file and line they came from.
 * @module
 */
import type { Finding, SourcePosition } from '../findings.js';

export type OpenApiVersion = '2.0' | '3.0' | '3.1';

/** One parsed file of the repo with a pointer → position index. */
export interface SourceFile {
  /** Repo-relative POSIX path. */
  path: string;
  format: 'yaml' | 'json';
  /** The parsed value (plain JSON data; YAML aliases expanded within limits). */
  value: unknown;
  /**
   * 1-based position of the node at `pointer` (for an object member: its key), or of its nearest existing
   * ancestor when the pointer does not exist in this file.
   */
  locate(pointer: string): { line: number; column: number; pointer: string };
}

export interface LoadedSpec {
  /** Repo-relative path of the entry file. */
  entry: string;
  /** Every file read for this spec (entry first), by path. */
  files: ReadonlyMap<string, SourceFile>;
  /** `swagger`/`openapi` version of the entry document; undefined when it is not an OpenAPI document. */
  version: OpenApiVersion | undefined;
  /**
   * The entry document with every external `$ref` target hoisted into it (components / definitions, or inlined
   * where a component cannot hold it), so that only internal `#/…` refs remain. Same OpenAPI version as the
   * source. Undefined when the entry could not be parsed at all.
   */
  bundle: Record<string, unknown> | undefined;
  /** Position in the source files of a pointer into `bundle` (nearest existing ancestor if needed). */
  locate(bundlePointer: string): SourcePosition;
  /** Problems met while loading: unreadable/oversized files, YAML errors, refused or broken `$ref`s. */
  findings: Finding[];
}

export interface LoadLimits {
  /** Largest single file, bytes. */
  maxFileBytes: number;
  /** Sum of all files of one spec, bytes. */
  maxTotalBytes: number;
  /** Most files one spec may pull in through `$ref`s. */
  maxFiles: number;
  /** YAML alias expansion limit (billion-laughs guard). */
  maxAliasCount: number;
  /** Largest a YAML file may become once its aliases are expanded (scalars' source length + 1 per node). */
  maxExpandedBytes: number;
  /** Deepest nesting of a document. */
  maxDepth: number;
}

export const defaultLoadLimits: LoadLimits = {
  maxFileBytes: 16 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  // DigitalOcean's public spec, the largest multi-file spec we know, $refs 2,847 files: room to grow, and still
  // bounded (each file is one read; the 64 MiB total bounds the bytes).
  maxFiles: 4000,
  maxAliasCount: 100,
  maxExpandedBytes: 16 * 1024 * 1024,
  maxDepth: 128,
};

export type { SourcePosition };
