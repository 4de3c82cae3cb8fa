// swagger-parser's own JSON-Schema step (CommonJS, untyped): validates an API object against the JSON Schema of
// its OpenAPI version with Ajv and throws a SyntaxError whose `details` are Ajv's errors.
declare module '@apidevtools/swagger-parser/lib/validators/schema.js' {
  export default function validateSchema(api: unknown): void;
}
