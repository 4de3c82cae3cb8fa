// swagger-parser's own JSON-Schema step (CommonJS, untyped): validates an API object against the JSON Schema of
// its OpenAPI version with Ajv and throws a SyntaxError whose `details` are Ajv's errors.
declare module '@apidevtools/swagger-parser/lib/validators/schema.js' {
  export default function validateSchema(api: unknown): void;
}

// swagger-parser's semantic checks of a dereferenced Swagger 2.0 API (CommonJS, untyped): throws a SyntaxError.
declare module '@apidevtools/swagger-parser/lib/validators/spec.js' {
  export default function validateSpec(api: unknown): void;
}
