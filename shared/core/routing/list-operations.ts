/**
 * The operations of a bundled spec in document order, with their pointers and the effective
 * `x-kuma.disabled` (operation > path item > root).
 * @module
 */

export const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface OperationRef {
  path: string;
  method: (typeof httpMethods)[number];
  /** `GET /users/{id}` */
  label: string;
  pathPointer: string;
  pointer: string;
  disabled: boolean;
}

export function listOperations(doc: Record<string, unknown>): OperationRef[] {
  const paths = asObject(doc.paths);
  if (!paths) return [];
  const rootDisabled = readDisabled(doc);
  return Object.entries(paths).flatMap(([path, item]) => {
    const pathItem = asObject(item);
    if (!pathItem) return [];
    const pathPointer = `/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    const pathDisabled = readDisabled(pathItem) ?? rootDisabled;
    return httpMethods.flatMap((method) => {
      const operation = asObject(pathItem[method]);
      if (!operation) return [];
      return [
        {
          path,
          method,
          label: `${method.toUpperCase()} ${path}`,
          pathPointer,
          pointer: `${pathPointer}/${method}`,
          disabled: (readDisabled(operation) ?? pathDisabled) === true,
        },
      ];
    });
  });
}

function readDisabled(owner: Record<string, unknown>): boolean | undefined {
  const disabled = asObject(owner['x-kuma'])?.disabled;
  return typeof disabled === 'boolean' ? disabled : undefined;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
