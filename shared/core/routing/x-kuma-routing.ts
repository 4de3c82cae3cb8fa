/**
 * The `x-kuma` keys that decide whether and where a request reaches an operation. Changing one moves or hides
 * what clients call, so it is breaking for consumers even though the OpenAPI contract looks the same.
 * (Timeouts, retries, rate limits, header changes and weights change behaviour, not the address: not here.)
 * @module
 */
import type { Finding } from '../findings.js';
import type { LoadedSpec } from '../spec/types.js';
import { listOperations } from './list-operations.js';

/** The one list of routing-relevant `x-kuma` keys. */
export const routingXKumaKeys = ['disabled', 'basePath', 'hostnames', 'rewrite'] as const;

interface Level {
  /** Pointer of the object that holds `x-kuma`. */
  pointer: string;
  /** "the API", "path /users", "GET /users". */
  label: string;
  operation?: string;
}

/** Routing `x-kuma` changes at root, path item and operation level, for levels that exist on both sides. */
export function compareXKumaRouting(base: LoadedSpec, head: LoadedSpec): Finding[] {
  const baseDoc = base.bundle ?? {};
  const headDoc = head.bundle ?? {};
  return listLevels(headDoc).flatMap((level) => {
    const baseOwner = getObject(baseDoc, level.pointer);
    if (!baseOwner) return [];
    const before = getObject(baseOwner, '/x-kuma') ?? {};
    const after = getObject(getObject(headDoc, level.pointer) ?? {}, '/x-kuma') ?? {};
    return routingXKumaKeys.flatMap((key) => {
      if (canonical(before[key]) === canonical(after[key])) return [];
      // Un-disabling exposes an operation: not breaking.
      if (key === 'disabled' && after[key] !== true) return [];
      const message =
        key === 'disabled'
          ? `${level.label} is now disabled by x-kuma.disabled: clients calling it will get 404`
          : `x-kuma.${key} of ${level.label} changed from ${show(before[key])} to ${show(after[key])}: clients must call it elsewhere`;
      return [
        {
          kind: 'routing' as const,
          id: 'x-kuma-routing-changed',
          severity: 'error' as const,
          message,
          ...head.locate(`${level.pointer}/x-kuma/${key}`),
          ...(level.operation ? { operation: level.operation } : {}),
        },
      ];
    });
  });
}

function listLevels(doc: Record<string, unknown>): Level[] {
  const levels: Level[] = [{ pointer: '', label: 'the API' }];
  const seenPaths = new Set<string>();
  for (const operation of listOperations(doc)) {
    if (!seenPaths.has(operation.pathPointer)) {
      seenPaths.add(operation.pathPointer);
      levels.push({ pointer: operation.pathPointer, label: `path ${operation.path}` });
    }
    levels.push({ pointer: operation.pointer, label: operation.label, operation: operation.label });
  }
  return levels;
}

function getObject(doc: Record<string, unknown>, pointer: string): Record<string, unknown> | undefined {
  let node: unknown = doc;
  for (const segment of pointer.split('/').slice(1)) {
    node = (node as Record<string, unknown> | undefined)?.[
      segment.replaceAll('~1', '/').replaceAll('~0', '~')
    ];
  }
  return node !== null && typeof node === 'object' && !Array.isArray(node)
    ? (node as Record<string, unknown>)
    : undefined;
}

function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, inner: unknown) =>
      inner && typeof inner === 'object' && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
        : inner,
    ) ?? 'undefined'
  );
}

function show(value: unknown): string {
  return value === undefined ? 'unset' : `\`${JSON.stringify(value)}\``;
}
