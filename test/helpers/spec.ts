/**
 * Load a spec from in-memory files, for tests of every check that needs a LoadedSpec.
 * @module
 */
import { createMemoryFileSource } from '../../shared/adapters/memory-file-source.js';
import { loadSpec } from '../../shared/core/spec/load-spec.js';
import type { LoadedSpec, LoadLimits } from '../../shared/core/spec/types.js';

export function loadSpecFromFiles(
  files: Record<string, string | Uint8Array>,
  entry: string,
  limits?: Partial<LoadLimits>,
): Promise<LoadedSpec> {
  return loadSpec(createMemoryFileSource(files), entry, limits);
}
