/**
 * The operations of a bundled spec as the routing checks see them: with the effective `x-kuma.disabled`
 * (operation > path item > root).
 * @module
 */
import { listOperations as listSpecOperations, type SpecOperation } from '../spec/operations.js';

export interface OperationRef extends SpecOperation {
  disabled: boolean;
}

export function listOperations(doc: Record<string, unknown>): OperationRef[] {
  const rootDisabled = readDisabled(doc);
  return listSpecOperations(doc).map((operation) => ({
    ...operation,
    disabled:
      (readDisabled(operation.operation) ?? readDisabled(operation.pathItem) ?? rootDisabled) === true,
  }));
}

function readDisabled(owner: Record<string, unknown>): boolean | undefined {
  const xKuma = owner['x-kuma'];
  const disabled =
    typeof xKuma === 'object' && xKuma !== null ? (xKuma as Record<string, unknown>).disabled : undefined;
  return typeof disabled === 'boolean' ? disabled : undefined;
}
