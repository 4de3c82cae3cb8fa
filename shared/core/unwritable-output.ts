/**
 * Output YAML parsers would read differently is never written (see yaml-output.ts). What gets that far is text
 * no UTF-8 file can hold, a lone surrogate from a `\uD800`-style escape: reported on the operation that carries
 * it, and nothing is rendered for that API.
 * @module
 */
import type { Finding, SourcePosition } from './findings.js';
import type { YamlParityError } from './yaml-output.js';

export function unwritableFinding(
  spec: { locate(pointer: string): SourcePosition },
  operations: readonly { operation: string; pointer: string }[],
  error: YamlParityError,
): Finding {
  const culprit = operations.find((operation) => /[\uD800-\uDFFF]/u.test(operation.operation));
  return {
    kind: 'routing',
    id: 'kuma-output-unwritable',
    severity: 'error',
    message: `the rendered manifests cannot be written as YAML every parser reads alike (${error.message}); nothing is rendered for this API`,
    ...spec.locate(culprit?.pointer ?? ''),
    ...(culprit ? { operation: culprit.operation } : {}),
  };
}
