/**
 * Validates requests and responses against GitHub's published OpenAPI description (`@octokit/openapi`,
 * api.github.com). The 13 MB document is read once and only the schemas actually asked for are compiled.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

interface Operation {
  path: string;
  method: string;
  pointer: string;
  requestBody?: { $ref?: string; content?: Record<string, { schema?: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}

export interface ContractValidator {
  /** Problems of a request body against the operation's `requestBody` schema ([] when it conforms). */
  validateRequest(operationId: string, body: unknown): string[];
  /** Problems of a response body against the schema for that operation and status ([] when it conforms). */
  validateResponse(operationId: string, status: number, body: unknown): string[];
  /** Whether the description knows this operationId. */
  has(operationId: string): boolean;
  /** The method (upper case) and path template (e.g. `/repos/{owner}/{repo}`) of an operation it knows. */
  routeOf(operationId: string): { method: string; path: string };
  /** The operationId of a method and path template, undefined when the description has none. */
  operationAt(method: string, path: string): string | undefined;
  /** The description's version of the package, for messages. */
  readonly version: string;
}

const DOC_ID = 'api.github.com.json';
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** JSON content types in GitHub's preference order; the description often lists a vendor type first. */
function pickJson(content: Record<string, { schema?: unknown }> | undefined): string | undefined {
  if (!content) return undefined;
  const types = Object.keys(content);
  return types.find((type) => type === 'application/json') ?? types.find((type) => type.endsWith('json'));
}

export function createContractValidator(): ContractValidator {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const version = (require('@octokit/openapi/package.json') as { version: string }).version;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  const operations = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op || typeof op !== 'object' || !op.operationId) continue;
      operations.set(op.operationId, {
        path,
        method,
        pointer: `#/paths/${escapePointer(path)}/${method}`,
        ...(op as Omit<Operation, 'path' | 'method' | 'pointer'>),
      });
    }
  }
  // OpenAPI 3.0 schemas: `nullable` is understood by Ajv; `example`, `x-*` and friends are not JSON Schema,
  // so strict mode is off. The schema itself is trusted, so its meta-validation is skipped (it is slow).
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateSchema: false,
    discriminator: false,
    logger: false,
  });
  addFormats(ajv);
  // GitHub's own format: "owner/name".
  ajv.addFormat('repo.nwo', /^[^/\s]+\/[^/\s]+$/);
  rewriteTypelessNullable(doc);
  ajv.addSchema(doc, DOC_ID);
  const compiled = new Map<string, ValidateFunction>();
  const compile = (pointer: string) => {
    let validate = compiled.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOC_ID}${pointer}` });
      compiled.set(pointer, validate);
    }
    return validate;
  };
  type Described = { $ref?: string; content?: Record<string, { schema?: unknown }> };
  const resolve = (
    node: Described | undefined,
    pointer: string,
  ): { node: Described | undefined; pointer: string } => {
    if (!node?.$ref) return { node, pointer };
    const path = node.$ref.slice(2).split('/');
    // biome-ignore lint/suspicious/noExplicitAny: walking an untyped JSON document
    let target: any = doc;
    for (const segment of path) target = target?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
    return { node: target as Described | undefined, pointer: node.$ref };
  };
  const describe = (validate: ValidateFunction) =>
    (validate.errors ?? []).map(
      (error) =>
        `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : ''}`,
    );
  const graphqlOperation = 'graphql';
  const operation = (operationId: string) => {
    const op = operations.get(operationId);
    if (!op) throw new Error(`operation ${operationId} is not in @octokit/openapi ${version}`);
    return op;
  };

  return {
    version,
    has: (operationId) => operations.has(operationId),
    routeOf(operationId) {
      const { method, path } = operation(operationId);
      return { method: method.toUpperCase(), path };
    },
    operationAt(method, path) {
      const item = doc.paths[path]?.[method.toLowerCase()];
      return item?.operationId;
    },
    validateRequest(operationId, body) {
      // GraphQL (all on `/graphql`) is checked against GitHub's GraphQL schema where it is executed.
      if (operationId === graphqlOperation) return [];
      const op = operation(operationId);
      const { node, pointer } = resolve(op.requestBody, `${op.pointer}/requestBody`);
      if (!node) return body === undefined ? [] : [`${operationId} takes no request body`];
      const type = pickJson(node.content);
      if (!type) return [];
      const validate = compile(`${pointer}/content/${escapePointer(type)}/schema`);
      return validate(body ?? {}) ? [] : describe(validate).map((problem) => `request ${problem}`);
    },
    validateResponse(operationId, status, body) {
      if (operationId === graphqlOperation) return [];
      const op = operation(operationId);
      const declared = op.responses[String(status)] ?? op.responses.default;
      if (!declared) {
        // Errors GitHub may send on any route (5xx, secondary rate limits) still have GitHub's error shape.
        if (status >= 400) {
          const validate = compile('#/components/schemas/basic-error');
          return validate(body) ? [] : describe(validate).map((problem) => `response ${status} ${problem}`);
        }
        return [`${operationId} does not declare status ${status}`];
      }
      const pointerBase = declared.$ref ?? `${op.pointer}/responses/${status}`;
      const { node } = resolve(declared, pointerBase);
      const type = pickJson(node?.content);
      if (!type)
        return body === undefined || body === '' ? [] : [`${operationId} ${status} has no body, got one`];
      const validate = compile(`${pointerBase}/content/${escapePointer(type)}/schema`);
      return validate(body) ? [] : describe(validate).map((problem) => `response ${status} ${problem}`);
    },
  };
}

/**
 * GitHub's description puts `nullable: true` beside `allOf`/`$ref` without a `type`, which OpenAPI 3.0 tools
 * read as "or null" but Ajv refuses; rewrite those (in place, once) to `anyOf: [schema, {type: null}]`, and
 * let nullable enums hold null.
 */
function rewriteTypelessNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteTypelessNullable(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  for (const value of Object.values(schema)) rewriteTypelessNullable(value);
  // Same reading for `enum`: a nullable enum allows null even when the list does not say so.
  if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null))
    schema.enum.push(null);
  if (schema.nullable === true && schema.type === undefined) {
    const { nullable: _nullable, ...rest } = schema;
    for (const key of Object.keys(schema)) delete schema[key];
    schema.anyOf = [rest, { type: 'null' }];
  }
}
