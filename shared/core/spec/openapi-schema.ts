/**
 * swagger-parser's JSON-Schema step (`lib/validators/schema.js`) with the validators compiled ahead of time
 * (scripts/generate-openapi-validators.mjs) instead of by a new Ajv on every call: same schemas, same Ajv code,
 * the same error (message and `details`). Each version's validator is imported on first use, so a run loads only
 * the one its specs need.
 * @module
 */
import { format } from 'node:util';

/** An Ajv validate function: true, or false with `errors` set. */
export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string }[] | null;
}

const load = {
  '2.0': () => import('./generated/openapi-2.0.js'),
  '3.0': () => import('./generated/openapi-3.0.js'),
  '3.1': () => import('./generated/openapi-3.1.js'),
} as const;

/**
 * Throws swagger-parser's `SyntaxError` ("Swagger schema validation failed." + one line per error, the Ajv
 * errors in `details`) when `api` breaks its version's schema; picks the schema as swagger-parser does.
 */
export async function validateOpenApiSchema(api: { swagger?: unknown; openapi?: unknown }): Promise<void> {
  const version = api.swagger ? '2.0' : String(api.openapi).startsWith('3.1') ? '3.1' : '3.0';
  const validate = (await load[version]()).default;
  if (validate(api)) return;
  const errors = validate.errors ?? [];
  let message = 'Swagger schema validation failed.\n';
  for (const error of errors) {
    message += format(`  #${error.instancePath.length ? error.instancePath : '/'} ${error.message}\n`);
  }
  throw Object.assign(new SyntaxError(message), { details: errors });
}
