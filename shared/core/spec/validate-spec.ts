/**
 * Validate a loaded spec with @apidevtools/swagger-parser, fed the in-memory bundle with every resolver off
 * (it can never read a file or a URL), and turn its errors into findings on the lines they are about.
 * @module
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import validateSwaggerSemantics from '@apidevtools/swagger-parser/lib/validators/spec.js';
import type { Finding } from '../findings.js';
import { appendPointer, buildPointer, childOf, decodePointer, getAtPointer } from './json-pointer.js';
import { validateOpenApiSchema } from './openapi-schema.js';
import { findMissingRoots } from './required-roots.js';
import type { LoadedSpec } from './types.js';

/** The parts of an ajv error swagger-parser passes on in `details`. */
interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const maxFindings = 100;
const operationMethods = 'get|put|post|delete|options|head|patch|trace';

/** No resolver may touch the disk or the network. */
const parserOptions = {
  resolve: { external: false, file: false, http: false },
  dereference: { circular: 'ignore' },
} as SwaggerParser.Options;

export async function validateSpec(spec: LoadedSpec): Promise<Finding[]> {
  if (!spec.bundle || !spec.version) return [];
  const bundle = spec.bundle;
  // Said one by one on line 1; swagger-parser would name only the first (and nothing else can be checked).
  const missing = findMissingRoots(spec);
  if (missing.length > 0) return missing;
  // A body parameter written like a form field (`type: file`) fails every alternative of the parameter schema;
  // one finding that names the problem stands for all of them.
  const bodies = spec.version === '2.0' ? findTypedBodyParameters(bundle) : [];
  const named = bodies.map((body) => bodyParameterFinding(spec, body));
  try {
    if (spec.version === '2.0') {
      // swagger-parser's `validate`, step by step, with its schema step precompiled (openapi-schema.ts):
      // dereference (in place: give it a copy; circular refs stay), the 2.0 JSON Schema, the semantic checks.
      const parser = new SwaggerParser();
      await parser.dereference(structuredClone(bundle) as never, parserOptions);
      await validateOpenApiSchema(parser.api);
      validateSwaggerSemantics(parser.api);
    } else {
      // For OpenAPI 3.x, swagger-parser's `validate` is its version checks (`parse`) plus the version's JSON
      // Schema on a dereferenced copy; its semantic checks are 2.0-only. Run the same two steps on the bundle
      // itself: each shared component is then checked once, where it is written, instead of at every use (on
      // GitHub's description, ~1 s less: no copy, no dereference, a fraction of the schema work). Internal refs
      // that do not resolve are the loader's findings already.
      await SwaggerParser.parse(bundle as never, parserOptions);
      await validateOpenApiSchema(bundle);
    }
    return [];
  } catch (error) {
    const details = (error as { details?: unknown }).details;
    const message = error instanceof Error ? error.message : String(error);
    if (Array.isArray(details)) {
      const covered = bodies.map((body) => body.pointer);
      const rest = (details as SchemaError[]).filter(
        (e) =>
          !covered.some((c) =>
            isWithin(followLastRef(bundle, resolveThroughRefs(bundle, e.instancePath)), c),
          ),
      );
      return [...named, ...(rest.length > 0 ? buildSchemaFindings(spec, rest) : [])];
    }
    return [...named, buildSemanticFinding(spec, message)];
  }
}

/** JSON-schema errors → one finding per place, with the noise of `oneOf` alternatives removed. */
function buildSchemaFindings(spec: LoadedSpec, errors: SchemaError[]): Finding[] {
  const bundle = spec.bundle ?? {};
  const byPlace = new Map<string, { pointer: string; messages: Set<string> }>();
  const enums = new Map<string, Set<string>>();
  const add = (pointer: string, message: string) => {
    const place = byPlace.get(pointer) ?? { pointer, messages: new Set<string>() };
    place.messages.add(message);
    byPlace.set(pointer, place);
  };
  const inEnumError = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
  for (const error of errors) {
    const pointer = resolveThroughRefs(bundle, error.instancePath);
    const name = describe(bundle, pointer);
    const { missingProperty, additionalProperty, unevaluatedProperty, allowedValues } = error.params;
    switch (error.keyword) {
      case 'oneOf':
      case 'anyOf':
      case 'if':
      case 'then':
      case 'else':
      case 'not':
        break; // summaries of alternatives: the specific errors say more
      case 'required':
        // `$ref` is the Reference alternative; `required` the path-parameter alternative of a parameter whose
        // `in` is already reported.
        if (missingProperty === '$ref') break;
        if (missingProperty === 'required' && inEnumError.has(`${error.instancePath}/in`)) break;
        add(pointer, `${name} is missing the required field "${String(missingProperty)}"`);
        break;
      case 'additionalProperties':
      case 'unevaluatedProperties': {
        const extra = String(additionalProperty ?? unevaluatedProperty);
        add(
          appendPointer(pointer, extra),
          `"${extra}" is not allowed in ${name}${extra.startsWith('x-') ? '' : ' (extensions must start with "x-")'}`,
        );
        break;
      }
      case 'enum': {
        const values = enums.get(pointer) ?? new Set<string>();
        for (const value of Array.isArray(allowedValues) ? allowedValues : [])
          values.add(JSON.stringify(value));
        enums.set(pointer, values);
        break;
      }
      default:
        add(pointer, `${name} ${error.message ?? 'is invalid'}`);
    }
  }
  for (const [pointer, values] of enums) {
    const found = JSON.stringify(getAtPointer(bundle, pointer));
    add(pointer, `${describe(bundle, pointer)} must be one of ${[...values].join(', ')} (found ${found})`);
  }
  if (byPlace.size === 0) {
    const first = errors[0];
    add(
      resolveThroughRefs(bundle, first?.instancePath ?? ''),
      `${describe(bundle, first?.instancePath ?? '')} is not valid here`,
    );
  }
  return [...byPlace.values()].slice(0, maxFindings).map(({ pointer, messages }) => ({
    kind: 'validation',
    id: 'oas-schema',
    severity: 'error',
    message: `Invalid OpenAPI ${spec.version}: ${[...messages].join('; ')}`,
    ...spec.locate(pointer),
  }));
}

interface TypedBody {
  pointer: string;
  name: string;
  type: unknown;
}

/** Swagger 2.0 `in: body` parameters without a `schema` but with a `type` (inline ones; a `$ref`'d one is found where it is defined). */
function findTypedBodyParameters(bundle: Record<string, unknown>): TypedBody[] {
  const lists: [string, unknown][] = [];
  const shared = bundle.parameters;
  if (isRecord(shared))
    for (const [name, p] of Object.entries(shared)) lists.push([appendPointer('', 'parameters', name), p]);
  const paths = bundle.paths;
  for (const [path, item] of isRecord(paths) ? Object.entries(paths) : []) {
    if (!isRecord(item)) continue;
    const each = (pointer: string, list: unknown) => {
      if (!Array.isArray(list)) return;
      for (const [i, p] of list.entries()) lists.push([appendPointer(pointer, String(i)), p]);
    };
    each(appendPointer('', 'paths', path, 'parameters'), item.parameters);
    for (const [method, operation] of Object.entries(item)) {
      if (new RegExp(`^(${operationMethods})$`).test(method) && isRecord(operation))
        each(appendPointer('', 'paths', path, method, 'parameters'), operation.parameters);
    }
  }
  return lists.flatMap(([pointer, p]) =>
    isRecord(p) && p.in === 'body' && p.schema === undefined && p.type !== undefined && p.$ref === undefined
      ? [{ pointer, name: String(p.name), type: p.type }]
      : [],
  );
}

function bodyParameterFinding(spec: LoadedSpec, body: TypedBody): Finding {
  const fix =
    body.type === 'file'
      ? 'a file upload is a form field: `in: formData` with `type: file`, and `consumes: [multipart/form-data]`'
      : `describe the body with \`schema\` (e.g. \`schema: {type: ${JSON.stringify(body.type)}}\`)`;
  return {
    kind: 'validation',
    id: 'oas-schema',
    severity: 'error',
    message: `Invalid OpenAPI 2.0: body parameter "${body.name}" has \`type: ${String(body.type)}\`, but a body parameter takes a \`schema\`, not a \`type\`: ${fix}`,
    ...spec.locate(appendPointer(body.pointer, 'in')),
  };
}

/** Where the node at `pointer` leads when it is itself an internal `$ref` (a parameter list's `- $ref: …`). */
function followLastRef(bundle: unknown, pointer: string): string {
  const ref = (getAtPointer(bundle, pointer) as { $ref?: unknown } | undefined)?.$ref;
  return typeof ref === 'string' && ref.startsWith('#') ? safeDecode(ref.slice(1)) : pointer;
}

function isWithin(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(`${ancestor}/`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** swagger-parser's other errors are plain messages naming a path like `/paths/a/{id}/get`. */
function buildSemanticFinding(spec: LoadedSpec, raw: string): Finding {
  const bundle = spec.bundle ?? {};
  let message = raw.replace(/^Validation failed\.\s*/, '');
  let pointer = '';
  const operation = new RegExp(`/paths(/\\S*?)/(${operationMethods})(?=[\\s/]|$)(/responses/[^\\s/]+)?`).exec(
    message,
  );
  const pathItem = /\/paths(\/\S*) has/.exec(message);
  const duplicateId = /Duplicate operation id '(.*)'/.exec(message);
  if (operation?.[1] && operation[2]) {
    pointer = appendPointer('', 'paths', operation[1], operation[2]);
    if (operation[3]) pointer = appendPointer(pointer, 'responses', operation[3].slice('/responses/'.length));
  } else if (pathItem?.[1]) {
    pointer = appendPointer('', 'paths', pathItem[1]);
  } else if (duplicateId?.[1] !== undefined) {
    pointer = findDuplicateOperationId(bundle, duplicateId[1]) ?? '';
  } else if (/^(Unrecognized )?Swagger version/.test(message)) {
    pointer = '/swagger';
  } else if (/^(Unsupported )?Openapi version|^Unsupported OpenAPI version/i.test(message)) {
    pointer = '/openapi';
  } else if (/^API version number/.test(message)) {
    pointer = '/info/version';
  } else if (/is not a valid Openapi API definition/.test(message)) {
    message = 'the document has no "paths" (OpenAPI 3.1 also accepts "webhooks")';
  }
  message = message.replace(
    new RegExp(`/paths(/\\S*?)/(${operationMethods})(?=[\\s/]|$)`, 'g'),
    (_, path: string, method: string) => `${method.toUpperCase()} ${path}`,
  );
  return {
    kind: 'validation',
    id: 'oas-semantic',
    severity: 'error',
    message: `Invalid OpenAPI ${spec.version}: ${message}`,
    ...spec.locate(pointer),
  };
}

/** The second operation carrying `operationId`, as `/paths/…/<method>/operationId`. */
function findDuplicateOperationId(bundle: Record<string, unknown>, operationId: string): string | undefined {
  const paths = bundle.paths;
  if (!paths || typeof paths !== 'object') return undefined;
  let seen = 0;
  for (const [path, item] of Object.entries(paths)) {
    if (!item || typeof item !== 'object') continue;
    for (const [method, operation] of Object.entries(item)) {
      if ((operation as { operationId?: unknown } | null)?.operationId === operationId && ++seen === 2) {
        return appendPointer('', 'paths', path, method, 'operationId');
      }
    }
  }
  return undefined;
}

/**
 * ajv saw the dereferenced document: map its path onto the bundle by following internal refs on the way, so
 * an error inside a shared component lands on the component's own lines.
 */
export function resolveThroughRefs(bundle: unknown, instancePath: string): string {
  let node: unknown = bundle;
  let pointer = '';
  for (const segment of decodePointer(instancePath) ?? []) {
    for (let hops = 0; hops < 64; hops++) {
      const ref = (node as { $ref?: unknown } | null)?.$ref;
      if (typeof ref !== 'string' || !ref.startsWith('#')) break;
      const target = safeDecode(ref.slice(1));
      const next = getAtPointer(bundle, target);
      if (next === undefined) break;
      node = next;
      pointer = target;
    }
    const child = childOf(node, segment);
    if (child === undefined) break;
    node = child;
    pointer = appendPointer(pointer, segment);
  }
  return pointer;
}

/** A readable name for the node at `pointer`: its key, `parameters[0]` for an array item, or the document. */
function describe(bundle: unknown, pointer: string): string {
  const segments = decodePointer(pointer) ?? [];
  const last = segments[segments.length - 1];
  if (last === undefined) return 'the document';
  const parent = segments[segments.length - 2] ?? '';
  const inArray = Array.isArray(getAtPointer(bundle, buildPointer(segments.slice(0, -1))));
  return inArray ? `${parent}[${last}]` : `"${last}"`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
