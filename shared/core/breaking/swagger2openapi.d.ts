// The part of swagger2openapi (no bundled types) that the breaking-change check uses.
declare module 'swagger2openapi' {
  interface ConvertOptions {
    patch?: boolean;
    warnOnly?: boolean;
    resolve?: boolean;
    direct?: boolean;
    /** Source text for error messages; when absent the converter re-serialises the whole input as YAML. */
    text?: string;
  }
  const swagger2openapi: {
    convertObj(swagger: object, options: ConvertOptions & { direct: true }): Promise<Record<string, unknown>>;
  };
  export default swagger2openapi;
}
