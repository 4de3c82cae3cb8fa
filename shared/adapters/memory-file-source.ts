/**
 * A FileSource over an in-memory map of files: for tests, and for specs already fetched (e.g. from GitHub).
 * @module
 */
import type { FileSource } from '../ports/file-source.js';

export function createMemoryFileSource(
  files: Record<string, string | Uint8Array>,
  description = 'memory',
): FileSource {
  const encoder = new TextEncoder();
  const byPath = new Map(Object.entries(files).map(([path, content]) => [normalizeKey(path), content]));
  return {
    description,
    read(path) {
      const content = byPath.get(normalizeKey(path));
      if (content === undefined) return Promise.resolve(undefined);
      return Promise.resolve(typeof content === 'string' ? encoder.encode(content) : content);
    },
  };
}

/** `./a.yaml` and `a.yaml` name the same file. */
function normalizeKey(path: string): string {
  return path.replace(/^(\.\/)+/, '');
}
