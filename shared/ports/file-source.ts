/**
 * Port: read the files of one version of an API repo. The spec loader in the core reads through it, so the
 * core declares it (`core/spec/file-source.ts`); adapters implement it.
 * @module
 */
export type { FileSource } from '../core/spec/file-source.js';
