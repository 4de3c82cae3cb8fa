import type { FileSource } from '../ports/file-source.js';

/** A FileSource rooted at a sub-folder of another one (e.g. a repo folder inside a git commit). */
export function createSubdirSource(source: FileSource, prefix: string): FileSource {
  if (prefix === '' || prefix === '.') return source;
  const base = prefix.replace(/\/+$/, '');
  return {
    description: `${source.description}/${base}`,
    read: (path) => source.read(`${base}/${path}`),
  };
}
