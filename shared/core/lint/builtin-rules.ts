/**
 * The built-in rules: Spectral's `spectral:oas` with its rule ids, default severities, `recommended` flags and
 * messages (Spectral's `warn` is our `warning`), so a repo's `.spectral.yaml` works unchanged and CI that parses
 * Spectral's messages keeps working; plus our own rule set `kuma-api-forge:paths`.
 * Rule catalogue after stoplightio/spectral `packages/rulesets/src/oas/index.ts` (Apache-2.0); the checks
 * themselves are our own single-pass code over the bundle.
 * @module
 */
import type { Severity } from '../findings.js';
import type { OpenApiVersion } from '../spec/types.js';

/** The rule sets a ruleset can extend: Spectral's, and ours (rules Spectral does not have). */
export type BuiltinSet = 'spectral:oas' | 'kuma-api-forge:paths';

export interface BuiltinRule {
  set: BuiltinSet;
  severity: Severity;
  /** In its set's `recommended` (the default); otherwise only with `[set, all]` or a rule setting. */
  recommended: boolean;
  /** The OpenAPI versions the rule applies to; all when absent (`3.2` documents are not loaded yet). */
  versions?: readonly (OpenApiVersion | '3.2')[];
  /**
   * Spectral's fixed message for the rule (its `message`, else its `description`); absent when Spectral's
   * message is the function's own (`{{error}}`), which the check then words exactly as Spectral does.
   */
  message?: string;
}

const v2 = ['2.0'] as const;
const v3 = ['3.0', '3.1'] as const;
const v31 = ['3.1'] as const;

type Spec = { versions?: readonly (OpenApiVersion | '3.2')[]; message?: string };
const on = (severity: Severity, spec: Spec = {}): BuiltinRule => ({
  set: 'spectral:oas',
  severity,
  recommended: true,
  ...spec,
});
const optIn = (severity: Severity, spec: Spec = {}): BuiltinRule => ({
  ...on(severity, spec),
  recommended: false,
});

export const builtinRules: Readonly<Record<string, BuiltinRule>> = {
  // document
  'info-contact': on('warning', { message: 'Info object must have "contact" object.' }),
  'info-description': on('warning', { message: 'Info "description" must be present and non-empty string.' }),
  'info-license': optIn('warning', { message: 'Info object must have "license" object.' }),
  'license-url': optIn('warning', { message: 'License object must include "url".' }),
  'contact-properties': optIn('warning', { message: 'Contact object must have "name", "url" and "email".' }),
  'openapi-tags': optIn('warning', { message: 'OpenAPI object must have non-empty "tags" array.' }),
  'openapi-tags-alphabetical': optIn('warning', { message: 'OpenAPI object must have alphabetical "tags".' }),
  'openapi-tags-uniqueness': on('error'),
  'tag-description': optIn('warning', { message: 'Tag object must have "description".' }),
  'no-eval-in-markdown': on('warning', { message: 'Markdown descriptions must not have "eval(".' }),
  'no-script-tags-in-markdown': on('warning', {
    message: 'Markdown descriptions must not have "<script>" tags.',
  }),
  // servers
  'oas3-api-servers': on('warning', {
    versions: v3,
    message: 'OpenAPI "servers" must be present and non-empty array.',
  }),
  'oas3-server-trailing-slash': on('warning', {
    versions: v3,
    message: 'Server URL must not have trailing slash.',
  }),
  'oas3-server-not-example.com': optIn('warning', {
    versions: v3,
    message: 'Server URL must not point at example.com.',
  }),
  'oas3-server-variables': on('error', { versions: v3 }),
  'oas2-api-host': on('warning', {
    versions: v2,
    message: 'OpenAPI "host" must be present and non-empty string.',
  }),
  'oas2-api-schemes': on('warning', {
    versions: v2,
    message: 'OpenAPI host "schemes" must be present and non-empty array.',
  }),
  'oas2-host-trailing-slash': on('warning', {
    versions: v2,
    message: 'Server URL must not have trailing slash.',
  }),
  'oas2-host-not-example': optIn('warning', {
    versions: v2,
    message: 'Host URL must not point at example.com.',
  }),
  // paths
  'path-declarations-must-exist': on('warning', {
    message: 'Path parameter declarations must not be empty, ex."/given/{}" is invalid.',
  }),
  'path-keys-no-trailing-slash': on('warning', { message: 'Path must not end with slash.' }),
  'path-not-include-query': on('warning', { message: 'Path must not include query string.' }),
  'path-params': on('error'),
  // operations
  'operation-operationId': on('warning', { message: 'Operation must have "operationId".' }),
  'operation-operationId-unique': on('error', { message: 'Every operation must have unique "operationId".' }),
  'operation-operationId-valid-in-url': on('warning', {
    message: 'operationId must not contain characters that are invalid when used in URL.',
  }),
  'operation-description': on('warning', {
    message: 'Operation "description" must be present and non-empty string.',
  }),
  'operation-tags': on('warning', { message: 'Operation must have non-empty "tags" array.' }),
  'operation-tag-defined': on('warning', { message: 'Operation tags must be defined in global tags.' }),
  'operation-singular-tag': optIn('warning', { message: 'Operation must not have more than a single tag.' }),
  'operation-success-response': on('warning', {
    message: 'Operation must have at least one "2xx" or "3xx" response.',
  }),
  'operation-parameters': on('warning'),
  'oas2-operation-formData-consume-check': on('warning', {
    versions: v2,
    message:
      'Operations with "in: formData" parameter must include "application/x-www-form-urlencoded" or "multipart/form-data" in their "consumes" property.',
  }),
  'oas2-operation-security-defined': on('warning', { versions: v2 }),
  'oas3-operation-security-defined': on('warning', { versions: v3 }),
  'oas2-parameter-description': optIn('warning', {
    versions: v2,
    message: 'Parameter objects must have "description".',
  }),
  'oas3-parameter-description': optIn('warning', {
    versions: v3,
    message: 'Parameter objects must have "description".',
  }),
  'oas3-callbacks-in-callbacks': on('warning', {
    versions: v3,
    message: 'Callbacks should not be defined within a callback',
  }),
  'oas3_1-servers-in-webhook': on('warning', {
    versions: v31,
    message: 'Servers should not be defined in a webhook.',
  }),
  'oas3_1-callbacks-in-webhook': on('warning', {
    versions: v31,
    message: 'Callbacks should not be defined in a webhook.',
  }),
  // schemas and examples
  'duplicated-entry-in-enum': on('warning'),
  'typed-enum': on('warning'),
  'array-items': on('error', { message: 'Schemas with "type: array", require a sibling "items" field' }),
  'no-$ref-siblings': on('error', { versions: ['2.0', '3.0'] }),
  'oas2-anyOf': on('warning', {
    versions: v2,
    message: '"anyOf" keyword must not be used in OpenAPI v2 document.',
  }),
  'oas2-oneOf': on('warning', {
    versions: v2,
    message: '"oneOf" keyword must not be used in OpenAPI v2 document.',
  }),
  'oas2-discriminator': on('error', { versions: v2 }),
  'oas3_2-no-deprecated-xml-attribute': on('warning', {
    versions: ['3.2'],
    message: '"xml.attribute" is deprecated in OAS 3.2; use "xml.nodeType: attribute" instead.',
  }),
  'oas3-examples-value-or-externalValue': on('warning', {
    versions: v3,
    message: 'Examples must have either "value" or "externalValue" field.',
  }),
  'oas2-valid-schema-example': on('error', { versions: v2 }),
  'oas2-valid-media-example': on('error', { versions: v2 }),
  'oas3-valid-schema-example': on('error', { versions: v3 }),
  'oas3-valid-media-example': on('error', { versions: v3 }),
  // components
  'oas2-unused-definition': on('warning', {
    versions: v2,
    message: 'Potentially unused definition has been detected.',
  }),
  'oas3-unused-component': on('warning', {
    versions: v3,
    message: 'Potentially unused component has been detected.',
  }),
  // kuma-api-forge:paths — not in Spectral: paths a router cannot tell apart (Spectral's equivalent-paths case,
  // `/a/{x}` vs `/a/{y}`, is its `path-params` and stays there)
  'no-ambiguous-paths': { set: 'kuma-api-forge:paths', severity: 'warning', recommended: true },
};
