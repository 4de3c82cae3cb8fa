/**
 * Where `x-kuma` blocks live in a bundled OpenAPI document, and the operations they apply to.
 * @module
 */
import { escapePointer, isObject, resolveRef } from './resolve-ref.js';

export type XKumaLevel = 'root' | 'pathItem' | 'operation';

export const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface XKumaBlock {
  level: XKumaLevel;
  /** Pointer of the block in the bundle (`/x-kuma`, `/paths/~1users/x-kuma`, …). */
  pointer: string;
  value: unknown;
  operation?: string;
}

/** An operation of the document with the objects it inherits from. */
export interface SpecOperation {
  method: string;
  path: string;
  pointer: string;
  pathItemPointer: string;
  operation: Record<string, unknown>;
  pathItem: Record<string, unknown>;
}

/** Every operation, in document order. A path item that is a `$ref` is followed (its x-kuma then lives there). */
export function collectOperations(bundle: Record<string, unknown> | undefined): SpecOperation[] {
  const paths = bundle?.paths;
  if (!isObject(paths)) return [];
  const operations: SpecOperation[] = [];
  for (const [path, rawItem] of Object.entries(paths)) {
    if (!path.startsWith('/')) continue;
    const pathItemPointer = pathItemLocation(rawItem, `/paths/${escapePointer(path)}`);
    const pathItem = resolveRef(bundle, rawItem);
    if (!isObject(pathItem)) continue;
    for (const method of httpMethods) {
      const operation = pathItem[method];
      if (!isObject(operation)) continue;
      operations.push({
        method,
        path,
        pointer: `${pathItemPointer}/${method}`,
        pathItemPointer,
        operation,
        pathItem,
      });
    }
  }
  return operations;
}

function pathItemLocation(rawItem: unknown, pointer: string): string {
  if (isObject(rawItem) && typeof rawItem.$ref === 'string' && rawItem.$ref.startsWith('#/'))
    return rawItem.$ref.slice(1);
  return pointer;
}

export function collectXKumaBlocks(bundle: Record<string, unknown> | undefined): XKumaBlock[] {
  if (!bundle) return [];
  const blocks: XKumaBlock[] = [];
  if ('x-kuma' in bundle) blocks.push({ level: 'root', pointer: '/x-kuma', value: bundle['x-kuma'] });
  const seenPathItems = new Set<string>();
  for (const operation of collectOperations(bundle)) {
    if (!seenPathItems.has(operation.pathItemPointer) && 'x-kuma' in operation.pathItem) {
      seenPathItems.add(operation.pathItemPointer);
      blocks.push({
        level: 'pathItem',
        pointer: `${operation.pathItemPointer}/x-kuma`,
        value: operation.pathItem['x-kuma'],
      });
    }
    if ('x-kuma' in operation.operation) {
      blocks.push({
        level: 'operation',
        pointer: `${operation.pointer}/x-kuma`,
        value: operation.operation['x-kuma'],
        operation: `${operation.method.toUpperCase()} ${operation.path}`,
      });
    }
  }
  return blocks;
}
