/**
 * Where `x-kuma` blocks live in a bundled OpenAPI document, and the operations they apply to.
 * @module
 */
import { listOperations } from '../../spec/operations.js';

export type XKumaLevel = 'root' | 'pathItem' | 'operation';

export interface XKumaBlock {
  level: XKumaLevel;
  /** Pointer of the block in the bundle (`/x-kuma`, `/paths/~1users/x-kuma`, …). */
  pointer: string;
  value: unknown;
  operation?: string;
}

export function collectXKumaBlocks(bundle: Record<string, unknown> | undefined): XKumaBlock[] {
  if (!bundle) return [];
  const blocks: XKumaBlock[] = [];
  if (Object.hasOwn(bundle, 'x-kuma'))
    blocks.push({ level: 'root', pointer: '/x-kuma', value: bundle['x-kuma'] });
  const seenPathItems = new Set<string>();
  for (const operation of listOperations(bundle)) {
    if (!seenPathItems.has(operation.pathItemPointer) && Object.hasOwn(operation.pathItem, 'x-kuma')) {
      seenPathItems.add(operation.pathItemPointer);
      blocks.push({
        level: 'pathItem',
        pointer: `${operation.pathItemPointer}/x-kuma`,
        value: operation.pathItem['x-kuma'],
      });
    }
    if (Object.hasOwn(operation.operation, 'x-kuma')) {
      blocks.push({
        level: 'operation',
        pointer: `${operation.pointer}/x-kuma`,
        value: operation.operation['x-kuma'],
        operation: operation.label,
      });
    }
  }
  return blocks;
}
