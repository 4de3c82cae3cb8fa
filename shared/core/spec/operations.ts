/**
 * The operations of a bundled spec, in document order: the one walk every check (lint, routing, rendering)
 * starts from.
 * @module
 */
import { appendPointer, resolveAtPointer } from './json-pointer.js';

export const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof httpMethods)[number];

export interface SpecOperation {
  method: HttpMethod;
  path: string;
  /** `GET /users/{id}`: how findings name the operation. */
  label: string;
  operation: Record<string, unknown>;
  /** Bundle pointer of the operation object. */
  pointer: string;
  pathItem: Record<string, unknown>;
  /** Bundle pointer of the path item as written under `paths` (before a path-item `$ref`). */
  pathPointer: string;
  /** Bundle pointer of the path item object itself (after following an internal `$ref`). */
  pathItemPointer: string;
}

/** Every operation under `paths`; an internal path-item `$ref` is followed (cycle-safe). */
export function listOperations(bundle: Record<string, unknown> | undefined): SpecOperation[] {
  const paths = bundle?.paths;
  if (!isObject(paths)) return [];
  const operations: SpecOperation[] = [];
  for (const path of Object.keys(paths)) {
    const pathPointer = appendPointer('/paths', path);
    const resolved = resolveAtPointer(bundle, pathPointer);
    if (!resolved) continue;
    for (const method of httpMethods) {
      const operation = resolved.node[method];
      if (!isObject(operation)) continue;
      operations.push({
        method,
        path,
        label: `${method.toUpperCase()} ${path}`,
        operation,
        pointer: appendPointer(resolved.pointer, method),
        pathItem: resolved.node,
        pathPointer,
        pathItemPointer: resolved.pointer,
      });
    }
  }
  return operations;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
