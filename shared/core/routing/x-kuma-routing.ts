/**
 * The `x-kuma` key that decides whether a request reaches an operation at all: `disabled`. Disabling an operation
 * (at root, path item or operation level) hides what clients call, so it is breaking for consumers even though the
 * OpenAPI contract looks the same. (Timeouts, retries, rate limits, header changes and weights change behaviour,
 * not the address; base path, hostnames and rewrite are repo-config settings, compared in check-routing.ts.)
 * @module
 */
import type { Finding } from '../findings.js';
import { getAtPointer } from '../spec/json-pointer.js';
import type { LoadedSpec } from '../spec/types.js';
import { listOperations } from './list-operations.js';

interface Level {
  /** Pointer of the object that holds `x-kuma`. */
  pointer: string;
  /** "the API", "path /users", "GET /users". */
  label: string;
  operation?: string;
}

/** Levels (root, path items, operations) present on both sides that the head newly disables. */
export function compareXKumaRouting(base: LoadedSpec, head: LoadedSpec): Finding[] {
  const baseDoc = base.bundle ?? {};
  const headDoc = head.bundle ?? {};
  return listLevels(headDoc).flatMap((level) => {
    if (getAtPointer(baseDoc, level.pointer) === undefined) return [];
    const pointer = `${level.pointer}/x-kuma/disabled`;
    // Un-disabling exposes an operation: not breaking.
    if (getAtPointer(headDoc, pointer) !== true || getAtPointer(baseDoc, pointer) === true) return [];
    return [
      {
        kind: 'routing' as const,
        id: 'x-kuma-routing-changed',
        severity: 'error' as const,
        message: `${level.label} is now disabled by x-kuma.disabled: clients calling it will get 404`,
        ...head.locate(pointer),
        ...(level.operation ? { operation: level.operation } : {}),
      },
    ];
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
