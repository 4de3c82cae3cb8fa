/**
 * The built-in ruleset: the core of Spectral's `spectral:oas`, with its rule ids, default severities and
 * `recommended` flags (Spectral's `warn` is our `warning`), so a repo's `.spectral.yaml` overrides work unchanged.
 * Rule catalogue after stoplightio/spectral `packages/rulesets/src/oas/index.ts` (Apache-2.0); the checks
 * themselves are our own single-pass code over the bundle.
 * @module
 */
import type { Severity } from '../findings.js';
import type { OpenApiVersion } from '../spec/types.js';

export interface BuiltinRule {
  severity: Severity;
  /** In `spectral:oas` recommended (the default); otherwise only with `[spectral:oas, all]` or an override. */
  recommended: boolean;
  /** The OpenAPI versions the rule applies to; all when absent. */
  versions?: readonly OpenApiVersion[];
}

const v2 = ['2.0'] as const;
const v3 = ['3.0', '3.1'] as const;

const on = (severity: Severity, versions?: readonly OpenApiVersion[]): BuiltinRule =>
  versions ? { severity, recommended: true, versions } : { severity, recommended: true };
const optIn = (severity: Severity, versions?: readonly OpenApiVersion[]): BuiltinRule =>
  versions ? { severity, recommended: false, versions } : { severity, recommended: false };

export const builtinRules: Readonly<Record<string, BuiltinRule>> = {
  // document
  'info-contact': on('warning'),
  'info-description': on('warning'),
  'info-license': optIn('warning'),
  'license-url': optIn('warning'),
  'contact-properties': optIn('warning'),
  'openapi-tags': optIn('warning'),
  'openapi-tags-alphabetical': optIn('warning'),
  'openapi-tags-uniqueness': on('error'),
  'tag-description': optIn('warning'),
  'no-eval-in-markdown': on('warning'),
  'no-script-tags-in-markdown': on('warning'),
  // servers
  'oas3-api-servers': on('warning', v3),
  'oas3-server-trailing-slash': on('warning', v3),
  'oas3-server-not-example.com': optIn('warning', v3),
  'oas3-server-variables': on('error', v3),
  'oas2-api-host': on('warning', v2),
  'oas2-api-schemes': on('warning', v2),
  'oas2-host-trailing-slash': on('warning', v2),
  'oas2-host-not-example': optIn('warning', v2),
  // paths
  'path-declarations-must-exist': on('warning'),
  'path-keys-no-trailing-slash': on('warning'),
  'path-not-include-query': on('warning'),
  'path-params': on('error'),
  'no-ambiguous-paths': on('error'),
  // operations
  'operation-operationId': on('warning'),
  'operation-operationId-unique': on('error'),
  'operation-operationId-valid-in-url': on('warning'),
  'operation-description': on('warning'),
  'operation-tags': on('warning'),
  'operation-tag-defined': on('warning'),
  'operation-singular-tag': optIn('warning'),
  'operation-success-response': on('warning'),
  'operation-parameters': on('warning'),
  'oas2-operation-formData-consume-check': on('warning', v2),
  'oas2-operation-security-defined': on('warning', v2),
  'oas3-operation-security-defined': on('warning', v3),
  'oas2-parameter-description': optIn('warning', v2),
  'oas3-parameter-description': optIn('warning', v3),
  // schemas and examples
  'duplicated-entry-in-enum': on('warning'),
  'typed-enum': on('warning'),
  'array-items': on('error'),
  'no-$ref-siblings': on('error', ['2.0', '3.0']),
  'oas2-anyOf': on('warning', v2),
  'oas2-oneOf': on('warning', v2),
  'oas3-examples-value-or-externalValue': on('warning', v3),
  'oas2-valid-schema-example': on('error', v2),
  'oas2-valid-media-example': on('error', v2),
  'oas3-valid-schema-example': on('error', v3),
  'oas3-valid-media-example': on('error', v3),
  // components
  'oas2-unused-definition': on('warning', v2),
  'oas3-unused-component': on('warning', v3),
};
